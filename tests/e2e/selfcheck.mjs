#!/usr/bin/env node
// Checks the test chain itself, without candor: builds a chain of a few sync-committee periods,
// serves it, fetches every light-client object over HTTP (JSON and SSZ) and verifies it with
// lib/lcverify.mjs; checks the execution payloads against anvil (block hash, state root, a
// proof's root node). With --fixtures DIR (and a fixed --genesis-time) it saves a small sample.
import "./lib/preset.mjs";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ssz } from "@lodestar/types";
import { buildChain } from "./chain.mjs";
import { startBeaconServer } from "./lib/server.mjs";
import { LightClientChecker, parseJson, parseUpdatesSsz, LcError } from "./lib/lcverify.mjs";
import { SLOTS_PER_PERIOD, periodOf } from "./lib/beacon.mjs";
import { Report, assert } from "./lib/report.mjs";
import { startTamperProxy, BEACON_MODES, EL_MODES } from "./lib/tamper.mjs";
import { JsonRpc, abiCall } from "./lib/util.mjs";
import { checkSigningVector, checkVerifierRejectsChanges } from "./lib/signing_vector.mjs";
import { fromHex, keccak, quantity, toHex } from "./lib/util.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const fixtures = opt("--fixtures", null);
const genesisTime = opt("--genesis-time", null);
const periods = Number(opt("--periods", "3"));

async function get(url, accept = "application/json") {
  const res = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(10000) });
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  return accept === "application/json" ? res.json() : new Uint8Array(await res.arrayBuffer());
}

// @lodestar/utils loads bigint-buffer, whose optional native part is not built (install scripts
// are skipped); it says so on stderr and uses its JS fallback. Keep that one line out of the report.
async function loadLodestar() {
  const warn = console.warn;
  console.warn = (...a) => { if (!/^bigint: Failed to load bindings/.test(String(a[0]))) warn(...a); };
  try { return await import("./lib/lodestar_check.mjs"); } finally { console.warn = warn; }
}
const { lodestarConfig, LodestarClient } = await loadLodestar();

async function main() {
  const r = new Report();
  await r.check("signature verifier matches the svc EIP-712 vector", async () => checkSigningVector());
  await r.check("signature verifier refuses every changed field", async () => checkVerifierRejectsChanges());
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "candor-e2e-self-"));
  const initialSlots = periods * SLOTS_PER_PERIOD + 10;
  const { anvil, beacon, contracts } = await buildChain({
    out: tmp, secondsPerSlot: 2, initialSlots, chainId: 31337, genesisTime: genesisTime === null ? undefined : Number(genesisTime),
  });
  const srv = await startBeaconServer(beacon);
  const base = `${srv.url}/eth/v1/beacon/light_client`;
  const checkpointSlot = 8;
  const checkpoint = beacon.slots[checkpointSlot].blockRoot;
  const lc = new LightClientChecker({ genesisValidatorsRoot: beacon.genesisValidatorsRoot, forkVersion: fromHex("0x05000e2e") });
  const saved = {};
  try {
    await r.check("bootstrap json verifies against the checkpoint", async () => {
      const body = await get(`${base}/bootstrap/${toHex(checkpoint)}`);
      assert(body.version === "electra", `version ${body.version}`);
      saved.bootstrap = body;
      lc.bootstrap(parseJson("LightClientBootstrap", body), checkpoint);
      return `slot ${checkpointSlot}`;
    });
    await r.check("bootstrap ssz equals json", async () => {
      const bytes = await get(`${base}/bootstrap/${toHex(checkpoint)}`, "application/octet-stream");
      const fromJ = ssz.electra.LightClientBootstrap.serialize(parseJson("LightClientBootstrap", saved.bootstrap));
      assert(Buffer.from(bytes).equals(Buffer.from(fromJ)), "ssz and json differ");
    });
    await r.check("bootstrap of an unknown root is 404", async () => {
      const res = await fetch(`${base}/bootstrap/0x${"ab".repeat(32)}`);
      assert(res.status === 404, `HTTP ${res.status}`);
    });
    let updates;
    await r.check(`updates json: ${periods + 1} periods verify in order, committees rotate`, async () => {
      const body = await get(`${base}/updates?start_period=0&count=${periods + 5}`);
      assert(body.length === periods + 1, `got ${body.length} updates`);
      saved.updates = body;
      updates = parseJson("LightClientUpdate", body);
      for (const [i, u] of updates.entries()) lc.update(u, `update period ${i}`);
      const c0 = beacon.committee(0).value.pubkeys[0], c1 = beacon.committee(1).value.pubkeys[0];
      assert(!Buffer.from(c0).equals(Buffer.from(c1)), "committees do not rotate");
      return `finalized slot ${lc.finalized.beacon.slot}`;
    });
    await r.check("updates ssz chunked stream equals json", async () => {
      const bytes = await get(`${base}/updates?start_period=0&count=${periods + 5}`, "application/octet-stream");
      const list = parseUpdatesSsz(bytes, beacon.forkDigest());
      assert(list.length === updates.length, `${list.length} chunks`);
      list.forEach((u, i) => assert(Buffer.from(ssz.electra.LightClientUpdate.serialize(u)).equals(
        Buffer.from(ssz.electra.LightClientUpdate.serialize(updates[i]))), `chunk ${i} differs`));
    });
    await r.check("finality_update verifies with the rotated committee", async () => {
      const body = await get(`${base}/finality_update`);
      saved.finality = body;
      const u = parseJson("LightClientFinalityUpdate", body);
      const n = lc.finalityUpdate(u);
      assert(periodOf(u.signatureSlot) === periods, `signature period ${periodOf(u.signatureSlot)}`);
      return `attested ${u.attestedHeader.beacon.slot}, finalized ${u.finalizedHeader.beacon.slot}, ${n}/32 signers`;
    });
    await r.check("optimistic_update verifies (json and ssz)", async () => {
      const u = parseJson("LightClientOptimisticUpdate", await get(`${base}/optimistic_update`));
      lc.optimisticUpdate(u);
      const s = ssz.electra.LightClientOptimisticUpdate.deserialize(await get(`${base}/optimistic_update`, "application/octet-stream"));
      lc.optimisticUpdate(s);
    });
    await r.check("a flipped signature byte is rejected by the checker", async () => {
      const u = parseJson("LightClientUpdate", saved.updates)[1];
      u.syncAggregate.syncCommitteeSignature[10] ^= 1;
      try { lc.update(u); } catch (e) { if (e instanceof LcError) return e.message; throw e; }
      throw new Error("accepted");
    });
    await r.check("a flipped branch node is rejected by the checker", async () => {
      const u = parseJson("LightClientUpdate", saved.updates)[1];
      u.nextSyncCommitteeBranch[2][0] ^= 1;
      try { lc.update(u); } catch (e) { if (e instanceof LcError) return e.message; throw e; }
      throw new Error("accepted");
    });
    await r.check("execution payloads are anvil's blocks (hash, state root, proof root)", async () => {
      for (const slot of [checkpointSlot, SLOTS_PER_PERIOD, beacon.head]) {
        const ex = beacon.slots[slot].lcHeader.execution;
        const b = await anvil.rpc.call("eth_getBlockByNumber", [quantity(ex.blockNumber), false]);
        assert(b.hash === toHex(ex.blockHash), `block ${slot} hash`);
        assert(b.stateRoot === toHex(ex.stateRoot), `block ${slot} state root`);
        const p = await anvil.rpc.call("eth_getProof", [contracts.token, [toHex(new Uint8Array(32))], quantity(ex.blockNumber)]);
        assert(toHex(keccak(fromHex(p.accountProof[0]))) === toHex(ex.stateRoot), `proof root at block ${slot}`);
      }
      return `head slot ${beacon.head}`;
    });
    await r.check("no zero-valued storage leaves in our contracts (anvil keeps them if written)", async () => {
      const head = quantity(beacon.head);
      const len = Number(await anvil.rpc.call("eth_call", [{ to: contracts.store, data: abiCall("historyLength()") }, head]));
      const base2 = BigInt(toHex(keccak(fromHex("0x" + "00".repeat(31) + "02"))));
      const keys = [];
      for (let i = 0; i < len; i++) keys.push("0x" + (base2 + BigInt(i)).toString(16).padStart(64, "0"));
      const p = await anvil.rpc.call("eth_getProof", [contracts.store, keys, head]);
      const zeros = p.storageProof.filter((sp) => BigInt(sp.value) === 0n);
      assert(len > 0 && zeros.length === 0, `${zeros.length} of ${len} history slots hold zero`);
      return `${len} history slots`;
    });
    await r.check("transactions_root covers anvil's raw transactions", async () => {
      const ex = beacon.slots[beacon.head].lcHeader.execution;
      const b = await anvil.rpc.call("eth_getBlockByNumber", [quantity(ex.blockNumber), false]);
      assert(b.transactions.length > 0, "head block has no transactions");
      return `${b.transactions.length} txs in head block`;
    });
    await r.check("lodestar light-client 1.28.1 (independent) follows the chain from our JSON", async () => {
      const config = lodestarConfig(beacon.configYaml(), beacon.genesisValidatorsRoot);
      assert(config.getForkName(checkpointSlot) === "electra", `fork at checkpoint: ${config.getForkName(checkpointSlot)}`);
      const ls = new LodestarClient(config, checkpoint, parseJson("LightClientBootstrap", saved.bootstrap));
      const us = parseJson("LightClientUpdate", saved.updates);
      for (const u of us) ls.update(beacon.head, u);
      ls.finalityUpdate(beacon.head, parseJson("LightClientFinalityUpdate", saved.finality));
      ls.optimisticUpdate(beacon.head, beacon.optimisticUpdate());
      assert(ls.finalizedSlot === lc.finalized.beacon.slot, `lodestar finalized ${ls.finalizedSlot}, ours ${lc.finalized.beacon.slot}`);
      assert(ls.optimisticSlot === beacon.head - 1, `optimistic ${ls.optimisticSlot}`);
      const bad = ssz.electra.LightClientUpdate.clone(us[us.length - 1]);
      bad.syncAggregate.syncCommitteeSignature[40] ^= 1;
      let rejected = false;
      try { ls.update(beacon.head, bad); } catch { rejected = true; }
      assert(rejected, "lodestar accepted a tampered signature");
      return `finalized ${ls.finalizedSlot}, optimistic ${ls.optimisticSlot}, tampered update rejected`;
    });

    // Every beacon tampering mode must yield data our checker refuses, in JSON and in SSZ.
    const bproxy = await startTamperProxy({ upstream: srv.url, kind: "beacon" });
    for (const mode of Object.keys(BEACON_MODES)) {
      await r.check(`tamper beacon ${mode}: refused by the checker (json, ssz)`, async () => {
        bproxy.mode = mode;
        const before = bproxy.stats.tampered;
        const pb = `${bproxy.url}/eth/v1/beacon/light_client`;
        const reasons = [];
        for (const accept of ["application/json", "application/octet-stream"]) {
          const c = new LightClientChecker({ genesisValidatorsRoot: beacon.genesisValidatorsRoot, forkVersion: fromHex("0x05000e2e") });
          const json = accept === "application/json";
          try {
            const bsrc = mode.startsWith("bootstrap") ? pb : base;
            const bb = await get(`${bsrc}/bootstrap/${toHex(checkpoint)}`, accept);
            c.bootstrap(json ? parseJson("LightClientBootstrap", bb) : ssz.electra.LightClientBootstrap.deserialize(bb), checkpoint);
            const usrc = mode.startsWith("updates") ? pb : base;
            const ub = await get(`${usrc}/updates?start_period=0&count=${periods + 1}`, accept);
            const us = json ? parseJson("LightClientUpdate", ub) : parseUpdatesSsz(ub, beacon.forkDigest());
            us.forEach((u, i) => c.update(u, `update ${i}`));
            const fb = await get(`${mode.startsWith("finality") ? pb : base}/finality_update`, accept);
            c.finalityUpdate(json ? parseJson("LightClientFinalityUpdate", fb) : ssz.electra.LightClientFinalityUpdate.deserialize(fb));
            const ob = await get(`${mode.startsWith("optimistic") ? pb : base}/optimistic_update`, accept);
            c.optimisticUpdate(json ? parseJson("LightClientOptimisticUpdate", ob) : ssz.electra.LightClientOptimisticUpdate.deserialize(ob));
            throw new Error(`${accept}: tampered data accepted`);
          } catch (e) {
            if (!(e instanceof LcError)) throw e;
            reasons.push(e.message);
          }
        }
        assert(bproxy.stats.tampered - before >= 2, "proxy did not tamper");
        // And lodestar's light client must refuse the same tampered JSON.
        const src = (p) => (mode.startsWith(p) ? pb : base);
        let lodestarRejected = false;
        try {
          const cl = new LodestarClient(lodestarConfig(beacon.configYaml(), beacon.genesisValidatorsRoot), checkpoint,
            parseJson("LightClientBootstrap", await get(`${src("bootstrap")}/bootstrap/${toHex(checkpoint)}`)));
          for (const u of parseJson("LightClientUpdate", await get(`${src("updates")}/updates?start_period=0&count=${periods + 1}`))) cl.update(beacon.head, u);
          cl.finalityUpdate(beacon.head, parseJson("LightClientFinalityUpdate", await get(`${src("finality")}/finality_update`)));
          cl.optimisticUpdate(beacon.head, parseJson("LightClientOptimisticUpdate", await get(`${src("optimistic")}/optimistic_update`)));
        } catch {
          lodestarRejected = true;
        }
        assert(lodestarRejected, "lodestar accepted it");
        return reasons[0];
      });
    }
    bproxy.server.close();

    // Every execution tampering mode must fire on the requests a verifier makes.
    const eproxy = await startTamperProxy({ upstream: anvil.url, kind: "el" });
    const erpc = new JsonRpc(eproxy.url);
    const head = quantity(beacon.head);
    const probes = {
      eth_getProof: () => erpc.call("eth_getProof", [contracts.token, [toHex(new Uint8Array(32))], head]),
      eth_getCode: () => erpc.call("eth_getCode", [contracts.token, head]),
      eth_getBlockByNumber: () => erpc.call("eth_getBlockByNumber", [head, false]),
      eth_getTransactionReceipt: async () => {
        const b = await anvil.rpc.call("eth_getBlockByNumber", [head, false]);
        return erpc.call("eth_getTransactionReceipt", [b.transactions[0]]);
      },
      eth_getLogs: () => erpc.call("eth_getLogs", [{ fromBlock: quantity(beacon.head - 4), toBlock: head, address: contracts.token }]),
      eth_call: () => erpc.call("eth_call", [{ to: contracts.token, data: abiCall("totalSupply()") }, head]),
      eth_chainId: () => erpc.call("eth_chainId"),
      eth_createAccessList: () => erpc.call("eth_createAccessList", [{ from: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", to: contracts.token, data: abiCall("balanceOf(address)", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8") }, head]),
    };
    for (const [mode, spec] of Object.entries(EL_MODES)) {
      await r.check(`tamper el ${mode}: fires`, async () => {
        eproxy.mode = mode;
        const before = eproxy.stats.tampered;
        const method = Object.keys(probes).find((m) => (spec.method instanceof RegExp ? spec.method.test(m) : spec.method === m));
        assert(method, "no probe for this mode");
        const viaProxy = await probes[method]();
        assert(eproxy.stats.tampered > before, `${method}: nothing tampered`);
        eproxy.mode = null;
        const truth = await probes[method]();
        assert(JSON.stringify(viaProxy) !== JSON.stringify(truth), "answer unchanged");
        return method;
      });
    }
    eproxy.server.close();

    if (fixtures) {
      await r.check(`fixtures written to ${fixtures}`, async () => {
        fs.mkdirSync(fixtures, { recursive: true });
        fs.writeFileSync(path.join(fixtures, "network.yaml"), beacon.configYaml());
        fs.writeFileSync(path.join(fixtures, "bootstrap.json"), JSON.stringify(saved.bootstrap, null, 1) + "\n");
        fs.writeFileSync(path.join(fixtures, "updates.json"), JSON.stringify(saved.updates, null, 1) + "\n");
        fs.writeFileSync(path.join(fixtures, "finality_update.json"), JSON.stringify(saved.finality, null, 1) + "\n");
        fs.writeFileSync(path.join(fixtures, "checkpoint.txt"), toHex(checkpoint) + "\n");
        const ssz = "application/octet-stream";
        fs.writeFileSync(path.join(fixtures, "bootstrap.ssz"), await get(`${base}/bootstrap/${toHex(checkpoint)}`, ssz));
        fs.writeFileSync(path.join(fixtures, "updates.ssz"), await get(`${base}/updates?start_period=0&count=${periods + 1}`, ssz));
        fs.writeFileSync(path.join(fixtures, "finality_update.ssz"), await get(`${base}/finality_update`, ssz));
        fs.writeFileSync(path.join(fixtures, "head.json"), JSON.stringify({
          genesis_time: beacon.genesisTime, current_slot: beacon.head, checkpoint_slot: checkpointSlot,
          expected_finalized_slot: lc.finalized.beacon.slot,
          expected_finalized_block_number: lc.finalized.execution.blockNumber,
          expected_finalized_state_root: toHex(lc.finalized.execution.stateRoot),
        }, null, 1) + "\n");
      });
    }
  } finally {
    srv.server.close();
    anvil.proc.kill("SIGTERM");
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.exitCode = r.finish();
}

main().catch((e) => { console.error(e.stack || e); process.exit(1); });
