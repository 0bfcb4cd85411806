// /call over many storage slots without the upstream's help: behind a proxy that empties every
// eth_createAccessList answer, the service must find what a call reads by running it
// (collecting executions), prove the misses in batches and still answer exactly as anvil,
// in a few round trips; reads that each depend on the one before fall back to one request
// each; a call beyond the slot bound is refused, unsigned. See docs/api.md, "Bounds of /call".
import { assert } from "../lib/report.mjs";
import { startTamperProxy } from "../lib/tamper.mjs";
import { isSigned } from "../lib/signing.mjs";
import { abiCall } from "../lib/util.mjs";
import { Service, svcCheck, http, callRequest, checkCallAnswer } from "../lib/harness.mjs";

export const name = "slots";

export async function run(r, chain) {
  const proxy = await startTamperProxy({ upstream: chain.anvilUrl, kind: "el", mode: "accessList.empty" });
  const svc = new Service("slots", { chain, beaconUrl: chain.beaconUrl, elUrl: proxy.url });
  await svc.start();
  try {
    await r.check("slots: service behind an access-list-emptying proxy syncs", async () => `${await svc.waitHealthy()} ms`);
    let signer = null;
    await r.check("slots: /attest address", async () => {
      signer = (await http("GET", `${svc.url}/attest`)).json?.address?.toLowerCase();
      assert(signer, "no address");
      return signer;
    });
    const ask = async (input) => {
      const req = callRequest(chain, chain.slots, input);
      const a = await http("POST", `${svc.url}/call`, req);
      return { req, a };
    };
    await svcCheck(r, svc, "slots: Slots.sum(1024) with an empty access list: signed, equal to anvil, 2 executions, <= 3 round trips", async () => {
      const before = proxy.stats.tampered;
      const { req, a } = await ask(abiCall("sum(uint256)", 1024));
      assert(a.status === 200 && a.json, `HTTP ${a.status}: ${a.text.slice(0, 160)}`);
      await checkCallAnswer(chain, req, a.json, signer);
      assert(proxy.stats.tampered > before, "the proxy never emptied an access list");
      // createAccessList (emptied), the sender and callee, then the 1024 misses of the first execution.
      assert(a.json.executions === 2, `executions ${a.json.executions}`);
      assert(a.json.roundTrips <= 3, `roundTrips ${a.json.roundTrips}`);
      return `roundTrips ${a.json.roundTrips}, executions ${a.json.executions}`;
    });
    await svcCheck(r, svc, "slots: Slots.sum(4096) with the upstream's access list: signed, equal to anvil, 1 execution, <= 5 round trips", async () => {
      proxy.mode = null;
      try {
        const { req, a } = await ask(abiCall("sum(uint256)", 4096));
        assert(a.status === 200 && a.json, `HTTP ${a.status}: ${a.text.slice(0, 160)}`);
        await checkCallAnswer(chain, req, a.json, signer);
        // createAccessList, then 4 batches of 1024 keys.
        assert(a.json.executions === 1 && a.json.roundTrips <= 5, `roundTrips ${a.json.roundTrips}, executions ${a.json.executions}`);
        return `roundTrips ${a.json.roundTrips}, executions ${a.json.executions}`;
      } finally {
        proxy.mode = "accessList.empty";
      }
    });
    await svcCheck(r, svc, "slots: Slots.chase(7, 40) (each read picks the next): signed, equal to anvil, bounded round trips", async () => {
      const { req, a } = await ask(abiCall("chase(uint256,uint256)", 7, 40));
      assert(a.status === 200 && a.json, `HTTP ${a.status}: ${a.text.slice(0, 160)}`);
      await checkCallAnswer(chain, req, a.json, signer);
      assert(a.json.roundTrips <= 256, `roundTrips ${a.json.roundTrips}`);
      return `roundTrips ${a.json.roundTrips}, executions ${a.json.executions}`;
    });
    await svcCheck(r, svc, "slots: Slots.sum(9000) (more than 8192 slots) is refused, unsigned, with the bound named", async () => {
      const { a } = await ask(abiCall("sum(uint256)", 9000));
      assert(a.status >= 400 && a.status < 600, `HTTP ${a.status}: ${a.text.slice(0, 160)}`);
      assert(!isSigned(a.json), "the refusal is signed");
      assert(/8192/.test(a.text), `no bound in the message: ${a.text.slice(0, 200)}`);
      return `HTTP ${a.status}: ${a.json?.error?.message ?? a.text.slice(0, 120)}`;
    });
  } finally {
    await svc.stop();
    proxy.server.close();
  }
}
