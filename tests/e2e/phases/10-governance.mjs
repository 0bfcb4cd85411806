// Governance on Ethereum, read through Candor's own proofs (issue 9; docs/governance.md).
// Deploys contracts/CandorGovernance.sol on the test chain and checks, against anvil:
//   - /governance lists what the contract holds at a finalized block, signed (EIP-712
//     Governance type of docs/signing.md, recomputed here) and equal to anvil's storage;
//   - a change is not shown before its block is finalized, and is shown after; revoke/remove
//     likewise;
//   - a --require-approved node signs nothing until governance approves its measurement id,
//     and stops again when it is revoked;
//   - an execution upstream that lies (tampered storage value / storage proof / account proof /
//     storage root / code hash, or a proof for another block) never changes /governance and
//     nothing false is signed; the node catches up once the upstream is honest;
//   - a contract address with no code, a non-governance contract, a member list over the
//     bound and an oversized string: a clear error in /health and /governance, no crash;
//   - `candor verify` and `candor quote verify --governance-answer` on saved answers.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { createRequire } from "node:module";
import { assert } from "../lib/report.mjs";
import { DEV } from "../lib/anvil.mjs";
import { CANDOR, REPO, HERE, WORK, Service, checkClaim, http as req, log, svcCheck } from "../lib/harness.mjs";
import { domainSeparator, hashBlock, recoverAddress } from "../lib/signing.mjs";
import { startTamperProxy } from "../lib/tamper.mjs";
import { abiCall, abiEncodeCall, abiWord, fromHex, keccak, quantity, sleep, toHex, waitFor } from "../lib/util.mjs";

export const name = "governance";

const require = createRequire(import.meta.url);
const te = new TextEncoder();
const U64_MAX = (1n << 64n) - 1n;
const MOCK_B = "0x" + "b0".repeat(48); // the --require-approved node's mock measurement
const LONG_VERSION = "candor e2e build, a version string long enough to need three storage chunks (> 64 bytes)";

// ---------------------------------------------------------------- contracts
function compile() {
  const solc = require("solc");
  const sources = {
    "CandorGovernance.sol": { content: fs.readFileSync(path.join(REPO, "contracts", "CandorGovernance.sol"), "utf8") },
    "RawStorage.sol": { content: fs.readFileSync(path.join(HERE, "solidity", "RawStorage.sol"), "utf8") },
  };
  const input = { language: "Solidity", sources, settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "prague", outputSelection: { "*": { "*": ["evm.bytecode.object"] } } } };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors || []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error("solc: " + errors.map((e) => e.formattedMessage).join("\n").slice(0, 400));
  return {
    gov: "0x" + out.contracts["CandorGovernance.sol"].CandorGovernance.evm.bytecode.object,
    raw: "0x" + out.contracts["RawStorage.sol"].RawStorage.evm.bytecode.object,
  };
}


async function receipt(chain, hash, what) {
  return waitFor(async () => {
    const r = await chain.anvil.call("eth_getTransactionReceipt", [hash]);
    if (r && r.status !== "0x1") throw new Error(`${what}: transaction reverted`);
    return r;
  }, { timeoutMs: 30000, intervalMs: 300, what });
}

async function send(chain, to, data, what) {
  const hash = await chain.anvil.call("eth_sendTransaction", [{ from: DEV[0], to, data, gas: quantity(3000000) }]);
  return receipt(chain, hash, what);
}

async function deploy(chain, bytecode, ctorHex, what) {
  const r = await send(chain, undefined, bytecode + ctorHex, what);
  return r.contractAddress;
}

// ---------------------------------------------------------------- slots (written from docs/governance.md)
const w32 = (v) => fromHex("0x" + abiWord(v));
const cat = (...a) => { const o = new Uint8Array(a.reduce((s, x) => s + x.length, 0)); let p = 0; for (const x of a) { o.set(x, p); p += x.length; } return o; };
const addSlot = (h, k) => "0x" + ((BigInt(toHex(h)) + BigInt(k)) % (1n << 256n)).toString(16).padStart(64, "0");
const slotMeasurement = (id) => keccak(cat(fromHex(id), w32(3)));
const slotMember = (a) => keccak(cat(w32(a), w32(5)));

async function storageAt(chain, addr, slot, block) {
  return chain.anvil.call("eth_getStorageAt", [addr, typeof slot === "string" ? slot : toHex(slot), quantity(block)]);
}

/* A string as the contract stores it, read from anvil at `block`. */
async function stringAt(chain, addr, headSlot, block) {
  const head = BigInt(await storageAt(chain, addr, headSlot, block));
  if ((head & 1n) === 0n) {
    const n = Number((head & 0xffn) >> 1n);
    return Buffer.from(fromHex("0x" + head.toString(16).padStart(64, "0")).slice(0, n)).toString("utf8");
  }
  const n = Number(head >> 1n), base = keccak(fromHex(typeof headSlot === "string" ? headSlot : toHex(headSlot)));
  let bytes = new Uint8Array(0);
  for (let c = 0; c * 32 < n; c++) bytes = cat(bytes, fromHex(await storageAt(chain, addr, addSlot(base, c), block)));
  return Buffer.from(bytes.slice(0, n)).toString("utf8");
}

/* The whole governance state at `block`, from anvil's storage. */
async function truthAt(chain, addr, block) {
  const nm = Number(BigInt(await storageAt(chain, addr, toHex(w32(2)), block)));
  const nk = Number(BigInt(await storageAt(chain, addr, toHex(w32(4)), block)));
  const measurements = [], members = [];
  for (let i = 0; i < nm; i++) {
    const id = await storageAt(chain, addr, addSlot(keccak(w32(2)), i), block);
    const base = slotMeasurement(id);
    const packed = BigInt(await storageAt(chain, addr, addSlot(base, 1), block));
    measurements.push({ id, version: await stringAt(chain, addr, toHex(base), block),
      notBefore: packed & U64_MAX, notAfter: (packed >> 64n) & U64_MAX, revoked: ((packed >> 128n) & 0xffn) === 1n });
  }
  for (let i = 0; i < nk; i++) {
    const signer = "0x" + (await storageAt(chain, addr, addSlot(keccak(w32(4)), i), block)).slice(26);
    const base = slotMember(signer);
    members.push({ signer, endpoint: await stringAt(chain, addr, toHex(base), block),
      active: BigInt(await storageAt(chain, addr, addSlot(base, 1), block)) === 1n });
  }
  return { measurements, members };
}

// ---------------------------------------------------------------- the signed answer (docs/signing.md)
const BLOCK_TYPE = "Block(uint256 chainId,uint64 number,bytes32 blockHash,bytes32 stateRoot,bytes32 receiptsRoot,uint64 beaconSlot,bytes32 beaconRoot,bool finalized)";
const MEAS_TYPE = "Measurement(bytes32 id,string version,uint64 notBefore,uint64 notAfter,bool revoked)";
const MEMBER_TYPE = "Member(address signer,string endpoint,bool active)";
const GOV_TYPE = "Governance(Block block,uint64 timestamp,address governance,address owner,Measurement[] measurements,Member[] members)" + BLOCK_TYPE + MEAS_TYPE + MEMBER_TYPE;
const th = (t) => keccak(te.encode(t));
const hs = (...words) => keccak(cat(...words));

export function governanceDigest(a) {
  const b = a.block;
  const claim = { chainId: b.chainId, number: b.number, blockHash: b.hash, stateRoot: b.stateRoot, receiptsRoot: b.receiptsRoot,
    beaconSlot: b.beacon.slot, beaconRoot: b.beacon.root, finalized: b.finalized };
  const ms = a.measurements.map((m) => hs(th(MEAS_TYPE), fromHex(m.id), keccak(te.encode(m.version)), w32(BigInt(m.notBefore)), w32(BigInt(m.notAfter)), w32(m.revoked ? 1 : 0)));
  const ks = a.members.map((k) => hs(th(MEMBER_TYPE), w32(k.signer), keccak(te.encode(k.endpoint)), w32(k.active ? 1 : 0)));
  const h = hs(th(GOV_TYPE), hashBlock(claim), w32(b.timestamp), w32(a.governance), w32(a.owner), keccak(cat(...ms)), keccak(cat(...ks)));
  const m = new Uint8Array(66);
  m[0] = 0x19; m[1] = 0x01;
  m.set(domainSeparator(b.chainId), 2);
  m.set(h, 34);
  return { digest: toHex(keccak(m)), claim };
}

/* Signature, every claim against anvil, and the lists against anvil's storage at that block. */
async function checkGovernanceAnswer(chain, ans, { signer, contract }) {
  const { digest, claim } = governanceDigest(ans);
  assert(ans.digest === digest, `digest ${ans.digest} != recomputed ${digest}`);
  const who = recoverAddress(ans.digest, ans.signature);
  assert(who === ans.signer.toLowerCase(), `signature recovers to ${who}, not ${ans.signer}`);
  if (signer) assert(who === signer.toLowerCase(), `signed by ${who}, not the node ${signer}`);
  assert(ans.block.finalized === true, "not a finalized block");
  assert(ans.governance.toLowerCase() === contract.toLowerCase(), `governance ${ans.governance}`);
  await checkClaim(chain, claim);
  const truth = await truthAt(chain, contract, Number(ans.block.number));
  const got = {
    measurements: ans.measurements.map((m) => ({ id: m.id, version: m.version, notBefore: BigInt(m.notBefore), notAfter: BigInt(m.notAfter), revoked: m.revoked })),
    members: ans.members.map((k) => ({ signer: k.signer.toLowerCase(), endpoint: k.endpoint, active: k.active })),
  };
  const j = (x) => JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  assert(j(got) === j(truth), `lists differ from anvil's storage at block ${ans.block.number}: ${j(got).slice(0, 200)} vs ${j(truth).slice(0, 200)}`);
  return Number(ans.block.number);
}

// ---------------------------------------------------------------- a proxy that answers eth_getProof for another block
function startOtherBlockProxy(upstream) {
  const p = { on: false, rewritten: 0, url: null, server: null };
  p.server = http.createServer(async (rq, rs) => {
    const chunks = [];
    for await (const c of rq) chunks.push(c);
    let body = Buffer.concat(chunks).toString();
    if (p.on) {
      try {
        const j = JSON.parse(body);
        const list = Array.isArray(j) ? j : [j];
        for (const x of list) if (x.method === "eth_getProof" && Array.isArray(x.params) && x.params.length === 3) { x.params[2] = "latest"; p.rewritten++; }
        body = JSON.stringify(j);
      } catch { /* not JSON: forward */ }
    }
    try {
      const up = await fetch(upstream + rq.url, { method: rq.method, headers: { "content-type": "application/json" }, body: rq.method === "POST" ? body : undefined, signal: AbortSignal.timeout(20000) });
      const out = Buffer.from(await up.arrayBuffer());
      rs.writeHead(up.status, { "content-type": up.headers.get("content-type") || "application/json", "content-length": out.length });
      rs.end(out);
    } catch (e) { rs.writeHead(502); rs.end(String(e)); }
  });
  return new Promise((res) => p.server.listen(0, "127.0.0.1", () => { p.url = `http://127.0.0.1:${p.server.address().port}`; res(p); }));
}

// ---------------------------------------------------------------- helpers
const getGov = async (svc) => req("GET", `${svc.url}/governance`);
const getHealth = async (svc) => (await req("GET", `${svc.url}/health`)).json;
const finalizedNumber = async (svc) => Number((await getHealth(svc))?.finalized ?? -1);

async function waitGovAtLeast(svc, number, what, timeoutMs = 150000) {
  return waitFor(async () => {
    const g = await getGov(svc);
    return g.status === 200 && Number(g.json.block.number) >= number ? g.json : null;
  }, { timeoutMs, intervalMs: 1000, what });
}

function candor(args) {
  const p = spawnSync(CANDOR, args, { encoding: "utf8", timeout: 30000 });
  return { code: p.status, out: (p.stdout || "") + (p.stderr || "") };
}

// ---------------------------------------------------------------- the phase
export async function run(r, chain) {
  const code = compile();
  const gov = await deploy(chain, code.gov, abiWord(DEV[0]), "deploy CandorGovernance");
  const rawBound = await deploy(chain, code.raw, "", "deploy RawStorage (bound)");
  const rawString = await deploy(chain, code.raw, "", "deploy RawStorage (string)");
  // Hostile states: 65 members; one measurement whose version claims 300 bytes.
  await send(chain, rawBound, abiCall("put(bytes32,bytes32)", "0x" + abiWord(4), "0x" + abiWord(65)), "raw: member count");
  const badId = "0x" + "5a".repeat(32);
  await send(chain, rawString, abiCall("put(bytes32,bytes32)", "0x" + abiWord(2), "0x" + abiWord(1)), "raw: count");
  await send(chain, rawString, abiCall("put(bytes32,bytes32)", addSlot(keccak(w32(2)), 0), badId), "raw: id");
  await send(chain, rawString, abiCall("put(bytes32,bytes32)", toHex(slotMeasurement(badId)), "0x" + abiWord(2 * 300 + 1)), "raw: long head");
  log(`governance ${gov}, raw ${rawBound} ${rawString}`);

  const base = { chain, beaconUrl: chain.beaconUrl, elUrl: chain.anvilUrl };
  const A = new Service("gov-a", base);
  const B = new Service("gov-b", base);
  const tamper = await startTamperProxy({ upstream: chain.anvilUrl, kind: "el" });
  const other = await startOtherBlockProxy(tamper.url);
  const T = new Service("gov-t", { ...base, elUrl: other.url });
  await A.start({ extraArgs: ["--governance", gov], logLevel: "info" });
  await B.start({ extraArgs: ["--governance", gov, "--require-approved", "--mock-measurement", MOCK_B], logLevel: "info" });
  await T.start({ extraArgs: ["--governance", gov], logLevel: "info" });
  try {
    await Promise.all([A.waitHealthy(), B.waitHealthy(), T.waitHealthy()]);
    const attA = (await req("GET", `${A.url}/attest`)).json;
    const attB = (await req("GET", `${B.url}/attest`)).json;
    const idA = toHex(keccak(new Uint8Array(48)));
    const idB = toHex(keccak(fromHex(MOCK_B)));

    await r.check("governance: /attest and /health give the own measurement id (keccak256 of the mock measurement)", async () => {
      assert(attA.measurementId === idA, `A: ${attA.measurementId} != ${idA}`);
      assert(attB.measurementId === idB, `B: ${attB.measurementId} != ${idB}`);
      const h = await getHealth(B);
      assert(h.governance?.self?.measurementId === idB, `B /health: ${JSON.stringify(h.governance?.self)}`);
      assert(h.governance.self.approved === false && attB.governanceApproved === false, "B approved before any approval");
      return `A ${idA.slice(0, 10)}…, B ${idB.slice(0, 10)}…`;
    });

    let first;
    await svcCheck(r, A, "governance: /governance (empty contract) is signed at a finalized block and equals anvil's storage", async () => {
      first = await waitGovAtLeast(A, 0, "A /governance");
      const n = await checkGovernanceAnswer(chain, first, { signer: attA.address, contract: gov });
      assert(first.measurements.length === 0 && first.members.length === 0, "lists not empty");
      return `block ${n}`;
    });

    await svcCheck(r, B, "governance: --require-approved node refuses /block and /call before approval, nothing signed", async () => {
      const b = await req("GET", `${B.url}/block`);
      assert(b.status === 503 && b.json?.error?.code === "not_approved", `/block: ${b.status} ${b.text.slice(0, 160)}`);
      assert(!b.json.signature, "signed");
      const c = await req("POST", `${B.url}/call`, { to: chain.token, input: abiCall("totalSupply()") });
      assert(c.status === 503 && !c.json?.signature, `/call: ${c.status} ${c.text.slice(0, 120)}`);
      const g = await getGov(B);
      assert(g.status !== 200 && !g.json?.signature, `/governance: ${g.status}`);
      return b.json.error.message.slice(0, 110);
    });

    // ---- wave 1: approve B's build, add A as a member; T's upstream lies meanwhile
    const endpointA = `${A.url}/a/path/long/enough/to/be/a/long/string`;
    const modes = ["getProof.storage_value", "getProof.storage_node", "getProof.storageHash", "getProof.codeHash", "getProof.accountProof_node", "otherBlock"];
    const setMode = (m) => { other.on = m === "otherBlock"; tamper.mode = m === "otherBlock" ? null : m; };
    // T: first honest, so it has a snapshot to keep; then lies while the change finalizes.
    await svcCheck(r, T, "governance: node behind the proxy reads the empty contract while the upstream is honest", async () => {
      const g = await waitGovAtLeast(T, 0, "T /governance");
      return `block ${await checkGovernanceAnswer(chain, g, { contract: gov })}`;
    });
    const tBefore = (await getGov(T)).json;
    const addM = await send(chain, gov, abiEncodeCall("addMeasurement(bytes32,string,uint64,uint64)", [idB, LONG_VERSION, 0, U64_MAX]), "addMeasurement");
    const addK = await send(chain, gov, abiEncodeCall("addMember(address,string)", [attA.address, endpointA]), "addMember");
    const changeBlock = Math.max(Number(addM.blockNumber), Number(addK.blockNumber));
    log(`governance change in block ${changeBlock}`);

    await svcCheck(r, A, "governance: a change not yet finalized is not shown", async () => {
      let seen = 0;
      for (let i = 0; i < 4; i++) {
        const fin = await finalizedNumber(A);
        const g = await getGov(A);
        if (fin >= changeBlock) break;
        assert(g.status === 200, `/governance ${g.status}`);
        assert(Number(g.json.block.number) < changeBlock && g.json.measurements.length === 0 && g.json.members.length === 0,
          `shown at block ${g.json.block.number} before block ${changeBlock} is final`);
        seen++;
        await sleep(1000);
      }
      assert(seen > 0, "finality came too fast to look");
      return `${seen} answers before finality, none shows block ${changeBlock}`;
    });

    const lies = { answers: 0, refused: 0, perMode: {} };
    const tStart = tamper.stats.tampered, oStart = other.rewritten;
    let modeIdx = 0;
    const liar = (async () => {
      const until = Date.now() + 100000;
      while (Date.now() < until && !lies.stop) {
        const m = modes[modeIdx++ % modes.length];
        setMode(m);
        const t0 = Date.now();
        while (Date.now() - t0 < 6000 && !lies.stop) {
          const g = await getGov(T);
          if (g.status === 200) {
            lies.answers++;
            // Whatever T says must be true at the block it names: the old snapshot, not a lie.
            await checkGovernanceAnswer(chain, g.json, { contract: gov }).catch((e) => { lies.bad = `${m}: ${e.message}`; });
            if (Number(g.json.block.number) >= changeBlock) lies.bad = `${m}: T shows block ${g.json.block.number} read through a lying upstream`;
          } else lies.refused++;
          lies.perMode[m] = (lies.perMode[m] || 0) + 1;
          await sleep(700);
        }
      }
      setMode(null);
    })();

    let after;
    await svcCheck(r, A, "governance: after finality /governance lists the measurement (long version) and the member (long endpoint)", async () => {
      after = await waitGovAtLeast(A, changeBlock, "A /governance at the change");
      await checkGovernanceAnswer(chain, after, { signer: attA.address, contract: gov });
      const m = after.measurements.find((x) => x.id === idB), k = after.members.find((x) => x.signer.toLowerCase() === attA.address.toLowerCase());
      assert(m && m.version === LONG_VERSION && !m.revoked && BigInt(m.notAfter) === U64_MAX, `measurement ${JSON.stringify(m)}`);
      assert(k && k.endpoint === endpointA && k.active, `member ${JSON.stringify(k)}`);
      // The contract's own views agree at that block.
      const ok = await chain.anvil.call("eth_call", [{ to: gov, data: abiCall("isApproved(bytes32,uint64)", idB, Math.floor(Date.now() / 1000)) }, quantity(Number(after.block.number))]);
      const mem = await chain.anvil.call("eth_call", [{ to: gov, data: abiCall("isActiveMember(address)", attA.address) }, quantity(Number(after.block.number))]);
      assert(BigInt(ok) === 1n && BigInt(mem) === 1n, `isApproved ${ok}, isActiveMember ${mem}`);
      fs.writeFileSync(path.join(WORK, "gov-approved.json"), JSON.stringify(after));
      return `block ${after.block.number}`;
    });

    await svcCheck(r, B, "governance: --require-approved node signs once its build is approved", async () => {
      const b = await waitFor(async () => { const x = await req("GET", `${B.url}/block`); return x.status === 200 ? x.json : null; }, { timeoutMs: 60000, intervalMs: 1000, what: "B /block 200" });
      assert(b.signature && b.signer.toLowerCase() === attB.address.toLowerCase(), "not signed by B");
      const att = (await req("GET", `${B.url}/attest`)).json;
      assert(att.governanceApproved === true, `attest says ${att.governanceApproved}: ${att.governanceReason}`);
      const h = await getHealth(B);
      assert(h.governance.self.approved === true, "health: not approved");
      return `signed block ${b.number}`;
    });

    // Keep T lying until A's view has moved past the change, then stop the lies.
    await sleep(4000);
    lies.stop = true;
    await liar;
    await svcCheck(r, T, "governance: a lying execution upstream never changes /governance (6 kinds of lie), nothing false signed", async () => {
      if (lies.bad) throw new Error(lies.bad);
      const fired = tamper.stats.tampered - tStart, rewritten = other.rewritten - oStart;
      assert(fired > 0 && rewritten > 0, `lies told: tampered ${fired}, other-block ${rewritten}`);
      const h = await getHealth(T);
      assert(h.governance.readsFailed > 0 && h.governance.lastError, `no failed read in /health: ${JSON.stringify(h.governance)}`);
      assert(tBefore && Number(tBefore.block.number) < changeBlock, "T had no snapshot before the change");
      return `${lies.answers} answers (all true, older block), ${lies.refused} refused; ${fired} tampered + ${rewritten} other-block proofs; lastError: ${h.governance.lastError.slice(0, 80)}`;
    });
    await svcCheck(r, T, "governance: once the upstream is honest the node catches up to the change", async () => {
      const g = await waitGovAtLeast(T, changeBlock, "T /governance at the change", 90000);
      await checkGovernanceAnswer(chain, g, { contract: gov });
      assert(g.measurements.length === 1 && g.members.length === 1, "lists");
      return `block ${g.block.number}`;
    });

    // ---- wave 2: revoke and remove
    const rev = await send(chain, gov, abiCall("revokeMeasurement(bytes32)", idB), "revokeMeasurement");
    const rem = await send(chain, gov, abiCall("removeMember(address)", attA.address), "removeMember");
    const change2 = Math.max(Number(rev.blockNumber), Number(rem.blockNumber));
    await svcCheck(r, A, "governance: revoke and remove are shown after finality (revoked stays listed, member gone)", async () => {
      const g = await waitGovAtLeast(A, change2, "A /governance at the revocation");
      await checkGovernanceAnswer(chain, g, { signer: attA.address, contract: gov });
      const m = g.measurements.find((x) => x.id === idB);
      assert(m && m.revoked === true, `measurement ${JSON.stringify(m)}`);
      assert(g.members.length === 0, "member still listed");
      fs.writeFileSync(path.join(WORK, "gov-revoked.json"), JSON.stringify(g));
      return `block ${g.block.number}`;
    });
    await svcCheck(r, B, "governance: a revoked build stops signing", async () => {
      const b = await waitFor(async () => { const x = await req("GET", `${B.url}/block`); return x.status === 503 ? x.json : null; }, { timeoutMs: 60000, intervalMs: 1000, what: "B /block 503" });
      assert(b.error.code === "not_approved" && /revoked/.test(b.error.message), JSON.stringify(b.error));
      return b.error.message.slice(0, 100);
    });

    // ---- offline checks of the saved answers
    await r.check("governance: candor verify checks a saved /governance answer; an altered one fails", async () => {
      const f = path.join(WORK, "gov-approved.json");
      const ok = candor(["verify", f]);
      assert(ok.code === 0 && /ok: governance answer/.test(ok.out), ok.out);
      const a = JSON.parse(fs.readFileSync(f, "utf8"));
      a.measurements[0].revoked = true;
      fs.writeFileSync(path.join(WORK, "gov-altered.json"), JSON.stringify(a));
      const bad = candor(["verify", path.join(WORK, "gov-altered.json")]);
      assert(bad.code === 1 && /FAILED/.test(bad.out), bad.out);
      return ok.out.trim().slice(0, 100);
    });
    await r.check("governance: quote verify --governance-answer accepts B's quote when approved, refuses it when revoked", async () => {
      const q = path.join(WORK, "quote-b.hex");
      fs.writeFileSync(q, attB.quote);
      const yes = candor(["quote", "verify", q, "--accept-mock", "--governance-answer", path.join(WORK, "gov-approved.json"), "--signer", attA.address]);
      assert(yes.code === 0 && yes.out.includes(`"measurementId":"${idB}"`), yes.out.slice(-300));
      const no = candor(["quote", "verify", q, "--accept-mock", "--governance-answer", path.join(WORK, "gov-revoked.json")]);
      assert(no.code === 1 && /"reason":"revoked:/.test(no.out), no.out.slice(-300));
      const nq = path.join(WORK, "quote-a.hex");
      fs.writeFileSync(nq, attA.quote);
      const na = candor(["quote", "verify", nq, "--accept-mock", "--governance-answer", path.join(WORK, "gov-approved.json")]);
      assert(na.code === 1 && /"reason":"not approved:/.test(na.out), na.out.slice(-300));
      return "approved → 0, revoked → 1, not approved → 1";
    });
  } finally {
    await Promise.all([A.stop(), B.stop(), T.stop()]);
    tamper.server.close();
    other.server.close();
  }

  // ---- bad contracts, one node restarted on each (same store: quick resume)
  const S = new Service("gov-bad", base);
  const cases = [
    ["an address with no code", "0x00000000000000000000000000000000deadbeef", "governance_no_code", "CD_ERR_GOV_NO_CODE", /no contract code/],
    ["a non-governance contract (the token)", chain.token, "not_governance", "CD_ERR_GOV_NOT_GOVERNANCE", /slot 0/],
    ["a member list over the bound (65)", rawBound, "governance_bounds", "CD_ERR_GOV_BOUNDS", /memberList: more than 64/],
    ["an oversized string (300 bytes)", rawString, "governance_bounds", "CD_ERR_GOV_BOUNDS", /300 bytes, more than 256/],
  ];
  for (const [what, addr, codeName, status, re] of cases) {
    await r.check(`governance: ${what} → clear error in /governance and /health, no crash`, async () => {
      await S.start({ extraArgs: ["--governance", addr], logLevel: "info" });
      try {
        await S.waitHealthy();
        const g = await waitFor(async () => { const x = await getGov(S); return x.json?.error?.code === codeName ? x : null; }, { timeoutMs: 60000, intervalMs: 500, what: `${codeName} from /governance` });
        assert(g.status === 503 && !g.json.signature && re.test(g.json.error.message), `${g.status} ${g.text.slice(0, 200)}`);
        const h = await getHealth(S);
        assert(h.governance.ok === false && h.governance.errorCode === status, JSON.stringify(h.governance).slice(0, 200));
        assert(S.running(), "candor exited");
        return g.json.error.message.slice(0, 90);
      } finally { await S.stop(); }
    });
  }
}
