// The chain id answers are signed for is the execution chain's (anvil's eth_chainId, 31337),
// not the network file's DEPOSIT_CHAIN_ID (5 on the e2e chain). It comes from
// --execution-chain-id or the file's EXECUTION_CHAIN_ID, and every execution upstream must
// confirm it: a service told another id, or behind an upstream that answers another id,
// refuses that upstream (logged, in /health) and signs nothing. See src/chainid.h.
import fs from "node:fs";
import path from "node:path";
import { assert } from "../lib/report.mjs";
import { startTamperProxy } from "../lib/tamper.mjs";
import { isSigned } from "../lib/signing.mjs";
import { abiCall, sleep } from "../lib/util.mjs";
import { Service, WORK, http, tail, callRequest, checkBlockAnswer, checkCallAnswer } from "../lib/harness.mjs";

export const name = "chainid";

/* Runs `svc` for a few seconds; it must never be healthy nor sign anything. */
async function signsNothing(chain, svc) {
  const seen = { healthy: false, signed: [], health: null };
  const req = callRequest(chain, chain.token, abiCall("totalSupply()"));
  for (let i = 0; i < 16 && svc.running(); i++) {
    await sleep(500);
    try {
      const h = await http("GET", `${svc.url}/health`);
      seen.health = h.json;
      if (h.status === 200) seen.healthy = true;
      for (const [what, a] of [["/block", await http("GET", `${svc.url}/block`)], ["/call", await http("POST", `${svc.url}/call`, req)]]) {
        if (isSigned(a.json)) seen.signed.push(what);
      }
    } catch { /* not listening yet */ }
  }
  return seen;
}

export async function run(r, chain) {
  const yaml = fs.readFileSync(chain.yaml, "utf8");
  const deposit = Number(/^DEPOSIT_CHAIN_ID: (\d+)/m.exec(yaml)?.[1]);
  await r.check("chainid: the e2e network's DEPOSIT_CHAIN_ID differs from anvil's eth_chainId", async () => {
    assert(deposit && deposit !== chain.chainId, `DEPOSIT_CHAIN_ID ${deposit}, anvil ${chain.chainId}`);
    return `DEPOSIT_CHAIN_ID ${deposit}, eth_chainId ${chain.chainId}`;
  });

  // EXECUTION_CHAIN_ID in the file, no flag: signed for anvil's chain.
  const withKey = path.join(WORK, "network-execution-chain-id.yaml");
  fs.writeFileSync(withKey, `${yaml.trimEnd()}\nEXECUTION_CHAIN_ID: ${chain.chainId}\n`);
  await r.check(`chainid: EXECUTION_CHAIN_ID in the network file (no flag): /health confirms it, /block and /call signed for ${chain.chainId}`, async () => {
    const svc = new Service("chainid-key", { chain, beaconUrl: chain.beaconUrl, elUrl: chain.anvilUrl });
    await svc.start({ network: withKey, executionChainId: null });
    try {
      await svc.waitHealthy();
      const h = (await http("GET", `${svc.url}/health`)).json;
      assert(h.chainId === chain.chainId && h.chainIdConfirmed === true, `health ${JSON.stringify(h).slice(0, 200)}`);
      const b = (await http("GET", `${svc.url}/block`)).json;
      const claim = await checkBlockAnswer(chain, b);
      const req = callRequest(chain, chain.token, abiCall("totalSupply()"));
      const c = await http("POST", `${svc.url}/call`, req);
      await checkCallAnswer(chain, req, c.json, null);
      return `block ${claim.number} chainId ${b.chainId}`;
    } finally {
      await svc.stop();
    }
  });

  await r.check("chainid: a wrong --execution-chain-id: the upstream is refused (log, /health), nothing signed", async () => {
    const svc = new Service("chainid-wrong", { chain, beaconUrl: chain.beaconUrl, elUrl: chain.anvilUrl });
    await svc.start({ executionChainId: chain.chainId + 1 });
    try {
      const seen = await signsNothing(chain, svc);
      assert(!seen.healthy && !seen.signed.length, `healthy=${seen.healthy} signed ${seen.signed.join(",")}`);
      const err = seen.health?.upstreamError || "";
      assert(err.includes(`eth_chainId ${chain.chainId}`) && seen.health.chainIdConfirmed === false, `/health ${JSON.stringify(seen.health).slice(0, 240)}`);
      const line = tail(svc.logFile, 200).split(" | ").find((l) => /upstream_wrong_chain/.test(l));
      assert(line, "no upstream_wrong_chain log line");
      const rpc = await http("POST", svc.url, { jsonrpc: "2.0", id: 1, method: "eth_getBalance", params: [chain.accounts[1], "latest"] });
      assert(rpc.json && rpc.json.error && rpc.json.result === undefined, `eth_getBalance answered ${rpc.text.slice(0, 120)}`);
      return `${err.slice(0, 140)}`;
    } finally {
      await svc.stop();
    }
  });

  const proxy = await startTamperProxy({ upstream: chain.anvilUrl, kind: "el", mode: "chainId" });
  await r.check("chainid: an upstream answering another eth_chainId is refused, nothing signed", async () => {
    const svc = new Service("chainid-upstream", { chain, beaconUrl: chain.beaconUrl, elUrl: proxy.url });
    await svc.start();
    try {
      const seen = await signsNothing(chain, svc);
      assert(proxy.stats.tampered > 0, "the service never asked eth_chainId");
      assert(!seen.healthy && !seen.signed.length, `healthy=${seen.healthy} signed ${seen.signed.join(",")}`);
      assert((seen.health?.upstreamError || "").includes(`eth_chainId ${chain.chainId + 1}`), `/health ${JSON.stringify(seen.health).slice(0, 240)}`);
      // The same upstream, honest again: confirmed at its next check, answers signed.
      proxy.mode = null;
      await svc.waitHealthy();
      const b = (await http("GET", `${svc.url}/block`)).json;
      await checkBlockAnswer(chain, b);
      return `refused while tampered (${proxy.stats.tampered} answers); signed for ${b.chainId} once honest`;
    } finally {
      await svc.stop();
    }
  });
  proxy.server.close();
}
