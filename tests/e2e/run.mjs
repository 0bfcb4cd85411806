#!/usr/bin/env node
// End-to-end test of `candor serve` against real parts: anvil + our signed beacon chain
// (chain.mjs, a child process), tampering proxies in front of both upstreams, and a client that
// checks every answer against anvil and verifies every signature.
//
//   node run.mjs [--candor build/candor] [--only lc,sync,rpc,tamper-el,tamper-beacon,config,restart]
//                [--seconds-per-slot 2] [--keep] [--demo] [--bench]
//
// One line per check, then "N passed, N failed". Exit status 1 when a check failed.
import "./lib/preset.mjs";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Report, assert } from "./lib/report.mjs";
import { startTamperProxy, BEACON_MODES, EL_MODES } from "./lib/tamper.mjs";
import { compileSigCheck, OnChainChecker } from "./lib/onchain.mjs";
import { verifySignedAnswer, isSigned } from "./lib/signing.mjs";
import { checkSigningVector, checkVerifierRejectsChanges } from "./lib/signing_vector.mjs";
import { JsonRpc, abiCall, abiWord, keccak, fromHex, quantity, sleep, toHex, waitFor } from "./lib/util.mjs";
import {
  REPO, CANDOR, SPS, DEMO, BENCH, ONLY, RUN_DEADLINE, WORK, log, cleanup, http, startChain, tail, Service, svcCheck,
  balanceSlot, anvilBlock, beaconRootAt, checkBlockAnswer, callRequest, checkCallAnswer, serviceHead, loadPhaseModules,
} from "./lib/harness.mjs";
function rpcCatalogue(chain) {
  const holder = chain.accounts[1];
  return [
    { name: "eth_chainId", method: "eth_chainId", params: () => [] },
    { name: "eth_getBalance", method: "eth_getBalance", params: (n) => [holder, quantity(n)] },
    { name: "eth_getTransactionCount", method: "eth_getTransactionCount", params: (n) => [holder, quantity(n)] },
    { name: "eth_getCode", method: "eth_getCode", params: (n) => [chain.token, quantity(n)] },
    { name: "eth_getStorageAt(totalSupply)", method: "eth_getStorageAt", params: (n) => [chain.token, toHex(fromHex("0x" + abiWord(2))), quantity(n)] },
    { name: "eth_getStorageAt(balance)", method: "eth_getStorageAt", params: (n) => [chain.token, balanceSlot(holder), quantity(n)] },
    { name: "eth_getProof", method: "eth_getProof", params: (n) => [chain.token, [toHex(fromHex("0x" + abiWord(2)))], quantity(n)] },
    { name: "eth_call(totalSupply)", method: "eth_call", params: (n) => [{ to: chain.token, data: abiCall("totalSupply()") }, quantity(n)] },
    { name: "eth_call(balanceOf)", method: "eth_call", params: (n) => [{ to: chain.token, data: abiCall("balanceOf(address)", holder) }, quantity(n)] },
    { name: "eth_call(cross-contract)", method: "eth_call", params: (n) => [{ to: chain.store, data: abiCall("balanceVia(address,address)", chain.token, holder) }, quantity(n)] },
    { name: "eth_call(revert)", method: "eth_call", params: (n) => [{ to: chain.store, data: abiCall("fail(uint256)", 1) }, quantity(n)], expectError: true },
    { name: "eth_getBlockByNumber", method: "eth_getBlockByNumber", params: (n) => [quantity(n), false], compare: (a, b) => a.hash === b.hash && a.stateRoot === b.stateRoot && a.receiptsRoot === b.receiptsRoot && a.gasUsed === b.gasUsed },
    { name: "eth_getBlockByHash", method: "eth_getBlockByHash", atTxBlock: true, params: (n, t) => [t.hash, false], compare: (a, b) => a.hash === b.hash && a.stateRoot === b.stateRoot && a.transactions.length === b.transactions.length },
    { name: "eth_getTransactionReceipt", method: "eth_getTransactionReceipt", atTxBlock: true, params: (n, t) => [t.tx] },
    { name: "eth_getBlockReceipts", method: "eth_getBlockReceipts", atTxBlock: true, params: (n) => [quantity(n)] },
    { name: "eth_estimateGas(transfer)", method: "eth_estimateGas", params: (n) => [{ from: holder, to: chain.token, data: abiCall("transfer(address,uint256)", chain.accounts[3], 5) }, quantity(n)],
      // Estimators differ in their search; both must be within 5% of each other.
      compare: (a, b) => { const x = Number(BigInt(a)), y = Number(BigInt(b)); return Math.abs(x - y) <= 0.05 * y; } },
    { name: "eth_createAccessList(balanceVia)", method: "eth_createAccessList", params: (n) => [{ from: holder, to: chain.store, data: abiCall("balanceVia(address,address)", chain.token, holder) }, quantity(n)],
      compare: (a, b) => JSON.stringify(normAccessList(a.accessList)) === JSON.stringify(normAccessList(b.accessList)) },
    { name: "eth_getLogs", method: "eth_getLogs", params: (n) => [{ fromBlock: quantity(n - 3), toBlock: quantity(n), address: chain.token }] },
  ];
}

function normAccessList(list) {
  return (list || []).map((e) => ({ address: e.address.toLowerCase(), keys: (e.storageKeys || []).map((k) => k.toLowerCase()).sort() }))
    .sort((x, y) => (x.address < y.address ? -1 : 1));
}

const pickFields = (o, ks) => Object.fromEntries(ks.filter((k) => k in o).map((k) => [k, o[k]]));
function sameAnswer(entry, got, want) {
  if (entry.compare) return entry.compare(got, want);
  if (entry.method === "eth_getProof") {
    return ["balance", "nonce", "codeHash", "storageHash"].every((k) => BigInt(got[k]) === BigInt(want[k])) &&
      BigInt(got.storageProof[0].value) === BigInt(want.storageProof[0].value);
  }
  if (entry.method === "eth_getTransactionReceipt" || entry.method === "eth_getBlockReceipts") {
    const norm = (r) => (Array.isArray(r) ? r : [r]).map((x) => JSON.stringify({ ...pickFields(x, ["transactionHash", "status", "cumulativeGasUsed", "blockHash"]), logs: x.logs.map((l) => pickFields(l, ["address", "topics", "data"])) }));
    return JSON.stringify(norm(got)) === JSON.stringify(norm(want));
  }
  if (entry.method === "eth_getLogs") {
    const norm = (ls) => ls.map((l) => JSON.stringify(pickFields(l, ["address", "topics", "data", "blockNumber", "transactionHash", "logIndex"])));
    return JSON.stringify(norm(got)) === JSON.stringify(norm(want));
  }
  if (typeof got === "string" && typeof want === "string" && /^0x[0-9a-f]*$/i.test(got) && (entry.method === "eth_getBalance" || entry.method === "eth_getTransactionCount" || entry.method === "eth_chainId" || entry.method === "eth_getStorageAt")) {
    return BigInt(got) === BigInt(want);
  }
  return JSON.stringify(got) === JSON.stringify(want);
}

/* A recent block that has a transaction, at or below the service's verified head. */
async function recentTxBlock(chain, head) {
  for (let n = head; n > head - 8 && n > 2; n--) {
    const b = await anvilBlock(chain, n);
    if (b.transactions.length) return { n, tx: b.transactions[0], hash: b.hash };
  }
  throw new Error("no recent block with a transaction");
}

// One JSON-RPC question to candor; classifies the answer against anvil.
async function askRpc(chain, svc, entry, n, txb) {
  const params = entry.params(n, txb);
  const r = await http("POST", svc.url, { jsonrpc: "2.0", id: 1, method: entry.method, params });
  let truth, truthErr = null;
  try { truth = await chain.anvil.call(entry.method, params); } catch (e) { truthErr = e.message; }
  const j = r.json;
  if (!j || (j.result === undefined && j.error === undefined)) return { kind: "bad", why: `HTTP ${r.status}: ${r.text.slice(0, 120)}` };
  if (j.error !== undefined) {
    if (isSigned(j)) return { kind: "bad", why: "an error answer carries a signature" };
    return { kind: "refused", why: j.error.message, truthErr };
  }
  if (truthErr) return { kind: "wrong", why: `candor answered ${JSON.stringify(j.result).slice(0, 80)} where anvil errs: ${truthErr}` };
  if (!sameAnswer(entry, j.result, truth)) return { kind: "wrong", why: `candor ${JSON.stringify(j.result).slice(0, 100)} != anvil ${JSON.stringify(truth).slice(0, 100)}` };
  return { kind: "true", result: j.result };
}

// ---------------------------------------------------------------- phases
/* `candor lc verify` (the C light client, offline) on the chain's light-client data: honest
 * data must reach the finalized block our chain says (equal to anvil's), tampered data must fail. */
async function phaseLcVerify(r, chain) {
  const dir = fs.mkdtempSync(path.join(WORK, "lc-"));
  const fetchTo = async (base, name, urlPath, accept) => {
    const res = await fetch(`${base}${urlPath}`, { headers: { accept }, signal: AbortSignal.timeout(10000) });
    if (res.status !== 200) throw new Error(`${urlPath}: HTTP ${res.status}`);
    const f = path.join(dir, name);
    fs.writeFileSync(f, Buffer.from(await res.arrayBuffer()));
    return f;
  };
  const lcRun = async (base, accept) => {
    const ext = accept.includes("json") ? "json" : "ssz";
    const lcp = "/eth/v1/beacon/light_client";
    const info = (await http("GET", `${chain.beaconUrl}/_e2e/info`)).json;
    const files = [
      await fetchTo(base, `bootstrap.${ext}`, `${lcp}/bootstrap/${chain.checkpoint}`, accept),
      await fetchTo(base, `updates.${ext}`, `${lcp}/updates?start_period=0&count=16`, accept),
      await fetchTo(base, `finality.${ext}`, `${lcp}/finality_update`, accept),
      await fetchTo(base, `optimistic.${ext}`, `${lcp}/optimistic_update`, accept),
    ];
    const res = spawnSync(CANDOR, ["lc", "verify", "--config", chain.yaml, "--checkpoint", chain.checkpoint, "--bootstrap", files[0],
      "--updates", files[1], files[2], files[3], "--now-slot", String(info.head + 1)], { encoding: "utf8", timeout: 60000 });
    return { res, info };
  };
  for (const accept of ["application/json", "application/octet-stream"]) {
    await r.check(`candor lc verify (${accept.includes("json") ? "JSON" : "SSZ"}): reaches our finalized block, equal to anvil`, async () => {
      const { res, info } = await lcRun(chain.beaconUrl, accept);
      assert(res.status === 0, `exit ${res.status}: ${(res.stdout + res.stderr).trim().slice(0, 200)}`);
      const out = JSON.parse(res.stdout);
      const fin = out.finalized;
      assert(fin.slot >= info.finalizedSlot - 8, `finalized slot ${fin.slot}, chain finalized ${info.finalizedSlot}`);
      const b = await anvilBlock(chain, fin.execution.block_number);
      assert(b.hash === fin.execution.block_hash && b.stateRoot === fin.execution.state_root, "finalized execution header differs from anvil");
      assert((await beaconRootAt(chain, fin.slot)) === fin.beacon_root, "finalized beacon root differs from our chain");
      return `finalized slot ${fin.slot}, ${out.updates_applied} updates applied`;
    });
  }
  const bproxy = await startTamperProxy({ upstream: chain.beaconUrl, kind: "beacon" });
  const refused = [], accepted = [];
  for (const mode of Object.keys(BEACON_MODES)) {
    bproxy.mode = mode;
    for (const accept of ["application/json", "application/octet-stream"]) {
      const { res } = await lcRun(bproxy.url, accept);
      (res.status !== 0 ? refused : accepted).push(`${mode} (${accept.includes("json") ? "JSON" : "SSZ"})`);
    }
  }
  bproxy.server.close();
  await r.check(`candor lc verify refuses each tampered beacon object (${Object.keys(BEACON_MODES).length} modes, each in JSON and SSZ)`, async () => {
    assert(!accepted.length, `accepted: ${accepted.join(", ")}`);
    return `${refused.length} refused`;
  });
}

async function phaseSync(r, chain, svc, ctx) {
  await svcCheck(r, svc, "serve: reaches /health 200 from the checkpoint (3 committee rotations)", async () => {
    const ms = await svc.waitHealthy();
    ctx.syncMs = ms;
    return `${ms} ms`;
  });
  if (!ctx.syncMs) return false;
  await svcCheck(r, svc, "/attest: address, tee kind, nonce binding", async () => {
    const nonce = "0x" + "5a".repeat(16);
    const a = await http("GET", `${svc.url}/attest?nonce=${nonce}`);
    assert(a.status === 200 && a.json, `HTTP ${a.status}`);
    const addr = a.json.address;
    assert(/^0x[0-9a-fA-F]{40}$/.test(addr || ""), `no address: ${a.text.slice(0, 120)}`);
    ctx.signer = addr.toLowerCase();
    assert(JSON.stringify(a.json).toLowerCase().includes(nonce.slice(2)), "nonce not in the answer");
    return `${ctx.signer} tee=${a.json.tee ?? a.json.kind ?? "?"}`;
  });
  await svcCheck(r, svc, "/block: signed, verified by the client, equal to anvil and the beacon chain", async () => {
    const b = await http("GET", `${svc.url}/block`);
    assert(b.status === 200, `HTTP ${b.status}: ${b.text.slice(0, 120)}`);
    const c = await checkBlockAnswer(chain, b.json, { signer: ctx.signer });
    const anvilHead = Number(await chain.anvil.call("eth_blockNumber"));
    assert(anvilHead - Number(c.number) <= 3 * 8, `head ${c.number} lags anvil ${anvilHead} by more than 3 epochs`);
    ctx.lastBlock = c;
    return `block ${BigInt(c.number)}, anvil head ${anvilHead}`;
  });
  await svcCheck(r, svc, "/block?tag=finalized: signed, finalized, equal to anvil", async () => {
    const b = await http("GET", `${svc.url}/block?tag=finalized`);
    assert(b.status === 200, `HTTP ${b.status}: ${b.text.slice(0, 120)}`);
    const c = await checkBlockAnswer(chain, b.json, { finalized: true, signer: ctx.signer });
    return `block ${BigInt(c.number)}`;
  });
  await svcCheck(r, svc, "/block: head advances with the chain", async () => {
    const n0 = await serviceHead(svc);
    const n1 = await waitFor(async () => { const n = await serviceHead(svc); return n > n0 && n; }, { timeoutMs: 20 * SPS * 1000, what: "a newer head" });
    return `${n0} -> ${n1}`;
  });
  await svcCheck(r, svc, "/health and /metrics answer", async () => {
    const m = await http("GET", `${svc.url}/metrics`);
    assert(m.status === 200 && m.text.length > 0, `/metrics HTTP ${m.status}`);
  });
  return true;
}

async function phaseCalls(r, chain, svc, ctx) {
  const holder = chain.accounts[1];
  const calls = [
    ["ERC-20 totalSupply", chain.token, abiCall("totalSupply()")],
    ["ERC-20 balanceOf", chain.token, abiCall("balanceOf(address)", holder)],
    ["Store.balanceVia (two contracts)", chain.store, abiCall("balanceVia(address,address)", chain.token, holder)],
    ["Store.digest (many slots)", chain.store, abiCall("digest(uint256)", 6)],
    ["Store.fail (Revert)", chain.store, abiCall("fail(uint256)", 1)],
    ["Slots.sum (4096 slots)", chain.slots, abiCall("sum(uint256)", 4096)],
  ];
  for (const [name, to, input] of calls) {
    await svcCheck(r, svc, `/call ${name}: signed, equal to anvil's eth_call`, async () => {
      const req = callRequest(chain, to, input);
      const a = await http("POST", `${svc.url}/call`, req);
      assert(a.status === 200 && a.json, `HTTP ${a.status}: ${a.text.slice(0, 160)}`);
      const c = await checkCallAnswer(chain, req, a.json, ctx.signer);
      return `block ${BigInt(c.number)} ${JSON.stringify(a.json.response).slice(0, 60)}`;
    });
  }
  await svcCheck(r, svc, "docs/signing.md Solidity checker (compiled, run by anvil) recovers the signer of /block and /call", async () => {
    const checker = new OnChainChecker(chain.anvil, compileSigCheck(path.join(REPO, "docs", "signing.md")));
    const b = (await http("GET", `${svc.url}/block`)).json;
    const { claim } = verifySignedAnswer(b, { chainId: chain.chainId });
    const s1 = await checker.blockSigner(claim, b.signature);
    assert(s1 === ctx.signer, `contract recovers ${s1} for /block, attested ${ctx.signer}`);
    // With anvil's own block.chainid in place of the answer's chainId: the answer is for this chain.
    const h1 = await checker.blockSigner(claim, b.signature, { here: true });
    assert(h1 === ctx.signer, `with block.chainid the contract recovers ${h1} for /block (answer says chainId ${claim.chainId})`);
    const wrong = await checker.blockSigner({ ...claim, number: BigInt(claim.number) + 1n }, b.signature);
    assert(wrong !== ctx.signer, "contract recovers the signer for a changed block number");
    const req = callRequest(chain, chain.token, abiCall("balanceOf(address)", chain.accounts[1]));
    const c = (await http("POST", `${svc.url}/call`, req)).json;
    const cc = verifySignedAnswer(c, { chainId: chain.chainId, request: req }).claim;
    const on = await checker.callSigner(cc, req, c, c.signature);
    assert(on.signer === ctx.signer, `contract recovers ${on.signer} for /call`);
    const onHere = await checker.callSigner(cc, req, c, c.signature, { here: true });
    assert(onHere.signer === ctx.signer, `with block.chainid the contract recovers ${onHere.signer} for /call`);
    if (c.requestHash) assert(on.requestHash === c.requestHash.toLowerCase(), `requestHash ${c.requestHash} vs contract ${on.requestHash}`);
    if (c.resultHash) assert(on.resultHash === c.resultHash.toLowerCase(), `resultHash ${c.resultHash} vs contract ${on.resultHash}`);
    return `ecrecover -> ${s1}`;
  });
  await svcCheck(r, svc, "candor verify: saved /block and /call answers pass offline (with /attest), changed ones fail", async () => {
    const dir = fs.mkdtempSync(path.join(WORK, "verify-"));
    const save = (name, obj) => { const f = path.join(dir, name); fs.writeFileSync(f, JSON.stringify(obj)); return f; };
    const run = (...args) => spawnSync(CANDOR, ["verify", ...args], { encoding: "utf8", timeout: 20000 });
    const b = (await http("GET", `${svc.url}/block`)).json;
    const req = callRequest(chain, chain.token, abiCall("totalSupply()"));
    const c = (await http("POST", `${svc.url}/call`, req)).json;
    const att = save("attest.json", (await http("GET", `${svc.url}/attest`)).json);
    for (const [name, ans] of [["block", b], ["call", c]]) {
      const ok = run(save(`${name}.json`, ans), "--attestation", att, "--allow-mock");
      assert(ok.status === 0, `${name}: exit ${ok.status}: ${(ok.stdout + ok.stderr).trim().slice(0, 160)}`);
    }
    const changed = [
      ["block stateRoot", { ...b, stateRoot: "0x" + "11".repeat(32) }],
      ["block number", { ...b, number: b.number + 1, blocknum: String(b.number + 1) }],
      ["call output", { ...c, response: { Success: "0x" + "00".repeat(31) + "01" } }],
      ["call gasUsed", { ...c, gasUsed: c.gasUsed + 1 }],
    ];
    for (const [what, ans] of changed) {
      const bad = run(save("bad.json", ans));
      assert(bad.status !== 0, `accepted a changed ${what}`);
    }
    const noMock = run(save("block.json", b), "--attestation", att);
    assert(noMock.status !== 0, "accepted a mock quote without --allow-mock");
    return `2 accepted, ${changed.length + 1} refused`;
  });
  await svcCheck(r, svc, "/call with bad hex is a 4xx, unsigned", async () => {
    const a = await http("POST", `${svc.url}/call`, { to: chain.token, input: "0xzz" });
    assert(a.status >= 400 && a.status < 500, `HTTP ${a.status}`);
    assert(!isSigned(a.json), "signed");
  });
  await svcCheck(r, svc, "/call with an unknown field is a 4xx, unsigned", async () => {
    const a = await http("POST", `${svc.url}/call`, { to: chain.token, input: "0x", bogus: 1 });
    assert(a.status >= 400 && a.status < 500, `HTTP ${a.status}`);
    assert(!isSigned(a.json), "signed");
  });
}

async function phaseRpc(r, chain, svc) {
  let head, txb;
  await svcCheck(r, svc, "JSON-RPC eth_blockNumber: within the verified head", async () => {
    const n = Number(await svc.rpc().call("eth_blockNumber"));
    const anvilHead = Number(await chain.anvil.call("eth_blockNumber"));
    assert(n <= anvilHead && anvilHead - n <= 3 * 8, `candor ${n}, anvil ${anvilHead}`);
    head = n;
    return `${n}`;
  });
  if (head === undefined) head = await serviceHead(svc).catch(() => null);
  if (head === null) return;
  txb = await recentTxBlock(chain, head);
  for (const e of rpcCatalogue(chain)) {
    await svcCheck(r, svc, `JSON-RPC ${e.name}: equal to anvil`, async () => {
      const n = e.atTxBlock ? txb.n : head;
      const a = await askRpc(chain, svc, e, n, txb);
      if (e.expectError) {
        assert(a.kind === "refused" && a.truthErr, `want a revert error like anvil: ${a.kind} ${a.why || ""}`);
        return a.why;
      }
      assert(a.kind === "true", `${a.kind}: ${a.why}`);
    });
  }
  await svcCheck(r, svc, "JSON-RPC eth_sendRawTransaction: forwarded to the execution node", async () => {
    // DEV[3] never sends in the chain's traffic, so its nonce is ours alone.
    const from = chain.accounts[3];
    const nonce = await chain.anvil.call("eth_getTransactionCount", [from, "pending"]);
    const raw = await chain.anvil.call("eth_signTransaction", [{ from, to: chain.accounts[4], value: "0x7", gas: "0x5208", nonce,
      maxFeePerGas: quantity(10n ** 11n), maxPriorityFeePerGas: "0x1", chainId: quantity(chain.chainId), type: "0x2" }]);
    const b = await http("POST", svc.url, { jsonrpc: "2.0", id: 9, method: "eth_sendRawTransaction", params: [raw] });
    assert(b.json && b.json.result, `HTTP ${b.status}: ${b.text.slice(0, 160)}`);
    assert(b.json.result.toLowerCase() === toHex(keccak(fromHex(raw))), `hash ${b.json.result} is not keccak(raw)`);
    const seen = await chain.anvil.call("eth_getTransactionByHash", [b.json.result]);
    assert(seen, "anvil does not know the transaction");
    return `${b.json.result.slice(0, 18)}…`;
  });
  await svcCheck(r, svc, "JSON-RPC batch of 3 answers all 3", async () => {
    const b = await http("POST", svc.url, [
      { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] },
      { jsonrpc: "2.0", id: 2, method: "eth_blockNumber", params: [] },
      { jsonrpc: "2.0", id: 3, method: "eth_getBalance", params: [chain.accounts[1], quantity(head)] },
    ]);
    assert(Array.isArray(b.json) && b.json.length === 3, `HTTP ${b.status}: ${b.text.slice(0, 120)}`);
    assert(BigInt(b.json.find((x) => x.id === 1).result) === BigInt(chain.chainId), "chainId");
  });
  await svcCheck(r, svc, "JSON-RPC unknown method is an error", async () => {
    const b = await http("POST", svc.url, { jsonrpc: "2.0", id: 1, method: "eth_mine", params: [] });
    assert(b.json && b.json.error, `answered ${b.text.slice(0, 100)}`);
  });
}

// Which answers a tampering mode must make the service refuse (it cannot avoid the field).
function strictTargets(mode) {
  if (/^getProof\.(balance|nonce|accountProof)/.test(mode)) return ["eth_getBalance", "eth_getTransactionCount", "/call"];
  if (mode === "getProof.codeHash" || mode === "getCode.byte") return ["eth_getCode", "/call"];
  if (/^getProof\.(storage)/.test(mode)) return ["eth_getStorageAt(totalSupply)", "eth_getProof", "/call"];
  if (/^header\./.test(mode)) return ["eth_getBlockByNumber"];
  if (/^receipt\./.test(mode)) return ["eth_getTransactionReceipt"];
  return [];
}

async function phaseTamperEl(r, chain, svc, elProxy, ctx) {
  for (const [mode, spec] of Object.entries(EL_MODES)) {
    if (Date.now() > RUN_DEADLINE) { r.skip(`tamper el ${mode}`, "run deadline reached"); continue; }
    await svcCheck(r, svc, `tamper el ${mode}: ${spec.benign ? "answers still true" : "every answer refused or true, none wrongly signed"}`, async () => {
      // Signing again after the mode before (chainId: the upstream may have been refused until rechecked).
      await svc.waitHealthy();
      // Wait for a fresh head so that nothing can come from a cache of honest data.
      const n0 = await serviceHead(svc);
      elProxy.mode = mode;
      const before = elProxy.stats.tampered;
      let head;
      try {
        head = await waitFor(async () => { const n = await serviceHead(svc); return n > n0 && n; }, { timeoutMs: 20 * SPS * 1000, what: "a new head" });
      } catch (e) {
        head = n0;
      }
      const txb = await recentTxBlock(chain, head);
      const refused = [], truthful = [], problems = [];
      const targets = strictTargets(mode);
      for (const e of rpcCatalogue(chain)) {
        if (e.expectError) continue;
        const n = e.atTxBlock ? txb.n : head;
        const a = await askRpc(chain, svc, e, n, txb);
        if (a.kind === "refused") refused.push(e.name);
        else if (a.kind === "true") truthful.push(e.name);
        else problems.push(`${e.name}: ${a.why}`);
        if (targets.includes(e.name) && a.kind === "true" && !spec.benign) problems.push(`${e.name} answered although its data was tampered`);
      }
      const req = callRequest(chain, chain.token, abiCall("totalSupply()"));
      const c = await http("POST", `${svc.url}/call`, req);
      if (c.status === 200 && c.json && c.json.response) {
        try {
          await checkCallAnswer(chain, req, c.json, ctx.signer);
          truthful.push("/call");
          if (targets.includes("/call") && !spec.benign) problems.push("/call answered although its data was tampered");
        } catch (e) {
          problems.push(`/call signed a wrong answer: ${e.message}`);
        }
      } else {
        if (isSigned(c.json)) problems.push("/call refusal is signed");
        refused.push("/call");
        if (spec.benign) problems.push(`/call refused under a benign change: ${c.text.slice(0, 100)}`);
      }
      const fired = elProxy.stats.tampered - before;
      elProxy.mode = null;
      if (targets.length && fired === 0) problems.push("the proxy never saw the field (service did not fetch it)");
      assert(!problems.length, problems.join("; "));
      return `tampered ${fired} answers; refused ${refused.length} [${refused.join(" ")}], true ${truthful.length}`;
    });
  }
}

async function phaseTamperBeacon(r, chain, ctx) {
  const bproxy = await startTamperProxy({ upstream: chain.beaconUrl, kind: "beacon" });
  const wait = Math.max(3 * (ctx.syncMs || 10000), 6 * SPS * 1000);
  for (const [mode, spec] of Object.entries(BEACON_MODES)) {
    if (Date.now() > RUN_DEADLINE) { r.skip(`tamper beacon ${mode}`, "run deadline reached"); continue; }
    const mustNotSync = spec.endpoint === "bootstrap" || spec.endpoint === "updates";
    await r.check(`tamper beacon ${mode}: ${mustNotSync ? "never synced, nothing signed" : "no false answer signed"}`, async () => {
      bproxy.mode = mode;
      const before = bproxy.stats.tampered;
      const svc = new Service(`beacon-${mode}`, { chain, beaconUrl: bproxy.url, elUrl: chain.anvilUrl });
      await svc.start();
      const problems = [];
      try {
        const end = Date.now() + wait;
        let healthy = false, answers = 0;
        while (Date.now() < end && svc.running()) {
          await sleep(500);
          if ((await svc.health()) === 200) healthy = true;
          for (const q of ["/block", "/block?tag=finalized"]) {
            let b;
            try { b = await http("GET", `${svc.url}${q}`); } catch { continue; }
            if (b.status === 200 && isSigned(b.json)) {
              answers++;
              if (mustNotSync) problems.push(`${q} signed an answer`);
              try { await checkBlockAnswer(chain, b.json, { finalized: q.includes("finalized") ? true : null }); } catch (e) { problems.push(`${q}: ${e.message}`); }
            } else if (isSigned(b.json)) {
              problems.push(`${q} refusal is signed`);
            }
          }
          if (problems.length) break;
        }
        if (mustNotSync && healthy) problems.push("/health reached 200");
        if (bproxy.stats.tampered === before) problems.push("the service never fetched the tampered object");
        assert(!problems.length, [...new Set(problems)].join("; "));
        return `tampered ${bproxy.stats.tampered - before}, ${answers} signed answers checked${svc.running() ? "" : ", service exited"}`;
      } finally {
        await svc.stop();
        bproxy.mode = null;
      }
    });
  }
  bproxy.server.close();
}

/* The service must take its trust from the configuration: an old checkpoint, a wrong genesis
 * validators root or a wrong fork version must each keep it from ever signing. */
async function phaseConfig(r, chain) {
  const yaml = fs.readFileSync(chain.yaml, "utf8");
  const variant = (name, from, to) => {
    const f = path.join(WORK, `network-${name}.yaml`);
    const text = yaml.replace(from, to);
    if (text === yaml) throw new Error(`cannot make ${name}: pattern not found`);
    fs.writeFileSync(f, text);
    return f;
  };
  const gvr = /GENESIS_VALIDATORS_ROOT: 0x([0-9a-f]{64})/.exec(yaml)[1];
  const cases = [
    ["a checkpoint older than --max-checkpoint-age", { extraArgs: ["--max-checkpoint-age", "30"] }],
    ["a wrong GENESIS_VALIDATORS_ROOT", { network: variant("gvr", gvr, (gvr[0] === "0" ? "1" : "0") + gvr.slice(1)) }],
    ["a wrong ELECTRA_FORK_VERSION", { network: variant("fork", "ELECTRA_FORK_VERSION: 0x05000e2e", "ELECTRA_FORK_VERSION: 0x05000e2f") }],
    // The network file has DEPOSIT_CHAIN_ID 5 only: without --execution-chain-id it must refuse.
    ["no --execution-chain-id (the file has DEPOSIT_CHAIN_ID only)", { executionChainId: null }],
    ["a wrong --execution-chain-id (anvil answers eth_chainId 31337)", { executionChainId: chain.chainId + 1 }],
  ];
  for (const [what, opts] of cases) {
    await r.check(`config: ${what} keeps candor from syncing or signing`, async () => {
      const svc = new Service(`config-${cases.findIndex((c) => c[0] === what)}`, { chain, beaconUrl: chain.beaconUrl, elUrl: chain.anvilUrl });
      await svc.start(opts);
      try {
        let healthy = false, signed = false;
        for (let i = 0; i < 12 && svc.running(); i++) {
          await sleep(500);
          if ((await svc.health()) === 200) healthy = true;
          try { if (isSigned((await http("GET", `${svc.url}/block`)).json)) signed = true; } catch { /* not listening */ }
        }
        assert(!healthy && !signed, `${healthy ? "healthy" : ""} ${signed ? "signed a /block" : ""}`);
        const why = tail(svc.logFile, 40).split(" | ").filter((l) => /level=error/.test(l)).slice(-1)[0] || "";
        return `${svc.running() ? "kept running, never synced" : "exited"}${why ? ": " + why.replace(/^ts=\S+ /, "").slice(0, 150) : ""}`;
      } finally {
        await svc.stop();
      }
    });
  }
}

async function phaseRestart(r, chain) {
  // The beacon API answers slowly (250 ms a request) so that a sync takes long enough to be cut.
  const slow = await startTamperProxy({ upstream: chain.beaconUrl, kind: "beacon", delayMs: 250 });
  const svc = new Service("restart", { chain, beaconUrl: slow.url, elUrl: chain.anvilUrl });
  const kills = [];
  await r.check("restart: a fresh sync through a slow beacon API takes long enough to be cut", async () => {
    const probe = new Service("restart-probe", { chain, beaconUrl: slow.url, elUrl: chain.anvilUrl });
    await probe.start();
    try { ctxRestart.syncMs = await probe.waitHealthy(); } finally { await probe.stop(); }
    assert(ctxRestart.syncMs >= 500, `synced in ${ctxRestart.syncMs} ms`);
    return `${ctxRestart.syncMs} ms`;
  });
  await r.check("restart: killed (SIGKILL) at random moments while syncing, 5 times", async () => {
    const span = Math.max(ctxRestart.syncMs || 1000, 500);
    for (let i = 0; i < 5; i++) {
      await svc.start();
      const delay = 30 + Math.floor(Math.random() * span);
      await sleep(delay);
      assert(svc.running(), `service died by itself (${tail(svc.logFile, 3)})`);
      const synced = (await svc.health()) === 200;
      await svc.stop("SIGKILL");
      kills.push(`${delay}${synced ? "(synced)" : ""}`);
    }
    return `after ${kills.join(", ")} ms`;
  });
  await r.check("restart: comes back and syncs from its store", async () => {
    await svc.start();
    const ms = await svc.waitHealthy();
    const b = await http("GET", `${svc.url}/block`);
    assert(b.status === 200, `/block HTTP ${b.status}`);
    await checkBlockAnswer(chain, b.json);
    return `${ms} ms`;
  });
  await r.check("restart: a synced service restarts WITHOUT --checkpoint, no new bootstrap", async () => {
    await svc.stop("SIGKILL");
    const s0 = (await http("GET", `${chain.beaconUrl}/_e2e/stats`)).json;
    await svc.start({ checkpoint: false });
    const ms = await svc.waitHealthy();
    const s1 = (await http("GET", `${chain.beaconUrl}/_e2e/stats`)).json;
    const key = "/eth/v1/beacon/light_client/bootstrap/{root}";
    assert((s1[key] || 0) === (s0[key] || 0), `bootstrap requested ${(s1[key] || 0) - (s0[key] || 0)} times`);
    const b = await http("GET", `${svc.url}/block`);
    await checkBlockAnswer(chain, b.json);
    return `${ms} ms`;
  });
  await r.check("restart: the signing key survives a restart (same /attest address)", async () => {
    const a0 = (await http("GET", `${svc.url}/attest`)).json?.address;
    await svc.stop("SIGTERM");
    await svc.start({ checkpoint: false });
    await svc.waitHealthy();
    const stopMs = svc.lastStopMs;
    const a1 = (await http("GET", `${svc.url}/attest`)).json?.address;
    assert(a0 && a0 === a1, `${a0} then ${a1}`);
    return `SIGTERM -> exit in ${stopMs} ms`;
  });
  await r.check("restart: a store under another sealing key is refused (not reset), and works again with its own key", async () => {
    await svc.stop("SIGTERM");
    // Another instance's key files (made by starting it once).
    const other = new Service("other-keys", { chain, beaconUrl: chain.beaconUrl, elUrl: chain.anvilUrl });
    await other.start();
    await sleep(1500);
    await other.stop();
    const keyFiles = fs.readdirSync(other.dataDir).filter((f) => fs.statSync(path.join(other.dataDir, f)).isFile());
    assert(keyFiles.length > 0, "the other instance wrote no key files");
    const saved = path.join(WORK, "saved-keys");
    fs.mkdirSync(saved, { recursive: true });
    for (const f of keyFiles) {
      if (fs.existsSync(path.join(svc.dataDir, f))) fs.copyFileSync(path.join(svc.dataDir, f), path.join(saved, f));
      fs.copyFileSync(path.join(other.dataDir, f), path.join(svc.dataDir, f));
    }
    await svc.start({ checkpoint: false });
    let healthy = false;
    for (let i = 0; i < 10 && svc.running(); i++) { await sleep(500); if ((await svc.health()) === 200) healthy = true; }
    const exited = !svc.running();
    await svc.stop("SIGKILL");
    assert(!healthy, "became healthy on a store sealed under another key");
    for (const f of fs.readdirSync(saved)) fs.copyFileSync(path.join(saved, f), path.join(svc.dataDir, f));
    await svc.start({ checkpoint: false });
    const ms = await svc.waitHealthy();
    return `refused (${exited ? "exited: " + tail(svc.logFile, 40).split(" | ").filter((l) => /error|refus|authentic/i.test(l)).slice(-1)[0]?.slice(0, 120) : "kept running, never healthy"}); own key: healthy in ${ms} ms`;
  });
  await svc.stop();
  slow.server.close();
}
const ctxRestart = {};

// ---------------------------------------------------------------- demo
async function demo(chain) {
  const svc = new Service("demo", { chain, beaconUrl: chain.beaconUrl, elUrl: chain.anvilUrl });
  const show = (title, r) => console.log(`\n$ ${title}\n${r.json ? JSON.stringify(r.json, null, 2) : r.text}`);
  console.log(`local chain: anvil ${chain.anvilUrl}, beacon API ${chain.beaconUrl}`);
  console.log(`token ${chain.token}, checkpoint ${chain.checkpoint}`);
  console.log(`$ candor serve --network ${chain.yaml} --checkpoint ${chain.checkpoint} --consensus-rpc ${chain.beaconUrl} --execution-rpc ${chain.anvilUrl} --execution-chain-id ${chain.chainId} --listen 127.0.0.1:PORT --data-dir DIR --tee mock`);
  await svc.start();
  try {
    const ms = await svc.waitHealthy();
    console.log(`synced in ${ms} ms; service on ${svc.url}`);
    show(`curl ${svc.url}/block`, await http("GET", `${svc.url}/block`));
    const req = callRequest(chain, chain.token, abiCall("balanceOf(address)", chain.accounts[1]));
    show(`curl -X POST ${svc.url}/call -d '${JSON.stringify(req)}'`, await http("POST", `${svc.url}/call`, req));
    const att = await http("GET", `${svc.url}/attest?nonce=0x01`);
    show(`curl ${svc.url}/attest?nonce=0x01`, att);
    const saved = path.join(WORK, "block.json");
    const attFile = path.join(WORK, "attest.json");
    fs.writeFileSync(saved, JSON.stringify((await http("GET", `${svc.url}/block`)).json));
    fs.writeFileSync(attFile, att.text);
    const v = spawnSync(CANDOR, ["verify", saved, "--attestation", attFile, "--allow-mock"], { encoding: "utf8", timeout: 20000 });
    console.log(`\n$ curl -s ${svc.url}/block > block.json; curl -s ${svc.url}/attest > attest.json\n$ candor verify block.json --attestation attest.json --allow-mock\n${(v.stdout + v.stderr).trim()}`);
    show(`curl -X POST ${svc.url} -d '{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["${chain.accounts[1]}","latest"]}'`,
      await http("POST", svc.url, { jsonrpc: "2.0", id: 1, method: "eth_getBalance", params: [chain.accounts[1], "latest"] }));
    return 0;
  } catch (e) {
    console.log(`demo failed: ${e.message}\n${tail(svc.logFile, 15)}`);
    return 1;
  } finally {
    await svc.stop();
  }
}


// ---------------------------------------------------------------- bench
/* `make bench` figures that need the live service: /call latency against local anvil with the
 * number of upstream round trips (reference: anvil's own eth_call of the same request, same
 * run), and the service's resident memory once synced and after the calls. Medians. */
function median(v) { const s = [...v].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; }
function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}
async function bench(chain) {
  const svc = new Service("bench", { chain, beaconUrl: chain.beaconUrl, elUrl: chain.anvilUrl });
  await svc.start({ logLevel: "warn" });
  try {
    await svc.waitHealthy();
    const rssSynced = rssMiB(svc.candorPid());
    const rpc = new JsonRpc(chain.anvilUrl);
    const runs = 50;
    const cases = [
      ["call_erc20_balanceOf", chain.token, abiCall("balanceOf(address)", chain.accounts[1])],
      ["call_store_digest", chain.store, abiCall("digest(uint256)", 6)],
    ];
    // The many-slot sweep: Slots.sum(n) reads n storage slots of one contract.
    for (const n of [1, 64, 256, 768, 1024, 4096]) cases.push([`call_slots_${n}`, chain.slots, abiCall("sum(uint256)", n), n >= 1024 ? 20 : runs]);
    for (const [name, to, input, caseRuns = runs] of cases) {
      const req = callRequest(chain, to, input);
      const ours = [], ref = [];
      let trips = [];
      for (let i = 0; i < caseRuns + 5; i++) {
        let t0 = performance.now();
        const a = await http("POST", `${svc.url}/call`, req);
        const dt = performance.now() - t0;
        assert(a.status === 200 && a.json && a.json.signature, `/call HTTP ${a.status}: ${a.text.slice(0, 120)}`);
        t0 = performance.now();
        await rpc.call("eth_call", [{ to, data: input }, "latest"]);
        const dr = performance.now() - t0;
        if (i >= 5) { ours.push(dt); ref.push(dr); trips.push(a.json.roundTrips); }
      }
      const m = median(ours), r = median(ref);
      console.log(`${name.padEnd(24)} ${m.toFixed(2).padStart(8)} ms/call  ratio ${(m / r).toFixed(2)}x vs anvil eth_call (${r.toFixed(2)} ms)  upstream round trips ${median(trips)}  [median of ${caseRuns}]`);
    }
    console.log(`${"rss_synced".padEnd(24)} ${rssSynced.toFixed(1).padStart(8)} MiB`);
    console.log(`${"rss_after_calls".padEnd(24)} ${rssMiB(svc.candorPid()).toFixed(1).padStart(8)} MiB`);
    return 0;
  } catch (e) {
    console.log(`bench failed: ${e.message}\n${tail(svc.logFile, 15)}`);
    return 1;
  } finally {
    await svc.stop();
  }
}

// ---------------------------------------------------------------- main
async function main() {
  const r = new Report();
  if (!DEMO && !BENCH) {
    await r.check("client signature verifier matches the svc EIP-712 vector", async () => checkSigningVector());
    await r.check("client signature verifier refuses every changed field", async () => checkVerifierRejectsChanges());
  }
  const serveOk = fs.existsSync(CANDOR) && (() => {
    const h = spawnSync(CANDOR, ["serve", "--help"], { encoding: "utf8", timeout: 10000 });
    const text = `${h.stdout}${h.stderr}`;
    return h.status === 0 && /--consensus-rpc/.test(text) ? true : text.trim().split("\n")[0] || `exit ${h.status}`;
  })();
  log(`starting the test chain (seconds per slot ${SPS})`);
  const chain = await startChain();
  log(`chain ready: anvil ${chain.anvilUrl} beacon ${chain.beaconUrl}`);
  let code = 0;
  try {
    if (DEMO || BENCH) {
      if (serveOk !== true) { console.log(`candor serve is not available (${CANDOR}: ${serveOk})`); return 1; }
      return DEMO ? await demo(chain) : await bench(chain);
    }
    if (serveOk !== true) {
      r.fail("candor serve available", `${CANDOR}: ${serveOk || "missing"} (build it with make; needs the svc branch)`);
      return r.finish();
    }
    if (ONLY.includes("lc")) await phaseLcVerify(r, chain);
    const elProxy = await startTamperProxy({ upstream: chain.anvilUrl, kind: "el" });
    const ctx = {};
    const svc = new Service("main", { chain, beaconUrl: chain.beaconUrl, elUrl: elProxy.url });
    let synced = false;
    if (ONLY.includes("sync") || ONLY.includes("rpc") || ONLY.includes("tamper-el")) {
      await svc.start();
      synced = await phaseSync(r, chain, svc, ctx);
    }
    if (synced && ONLY.includes("sync")) await phaseCalls(r, chain, svc, ctx);
    if (synced && ONLY.includes("rpc")) await phaseRpc(r, chain, svc);
    if (synced && ONLY.includes("tamper-el")) await phaseTamperEl(r, chain, svc, elProxy, ctx);
    await svc.stop();
    elProxy.server.close();
    if (ONLY.includes("tamper-beacon")) await phaseTamperBeacon(r, chain, ctx);
    if (ONLY.includes("config")) await phaseConfig(r, chain);
    if (ONLY.includes("restart")) await phaseRestart(r, chain);
    // The subsystems' own phases (tests/e2e/phases/*.mjs), each on the same chain.
    for (const m of await loadPhaseModules()) {
      if (!ONLY.includes(m.name)) continue;
      if (Date.now() > RUN_DEADLINE) { r.skip(`phase ${m.name}`, "run deadline reached"); continue; }
      try { await m.run(r, chain); } catch (e) { r.fail(`phase ${m.name} ran to its end`, e.stack ? e.stack.split("\n").slice(0, 3).join(" | ") : String(e)); }
    }
    code = r.finish();
    if (code) log(`service logs in ${WORK} (use --keep to keep them)`);
  } finally {
    // The chain stops anvil on SIGTERM; wait for it before the SIGKILL sweep of cleanup().
    chain.proc.kill("SIGTERM");
    await Promise.race([new Promise((res) => chain.proc.once("exit", res)), sleep(5000)]);
    cleanup();
  }
  return code;
}

main().then((c) => process.exit(c), (e) => { console.error(e.stack || e); cleanup(); process.exit(1); });
