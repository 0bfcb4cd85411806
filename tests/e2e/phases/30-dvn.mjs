// The DVN flow (issue 11) end to end on the test chain: the suite's own LayerZero-style endpoint
// (contracts/DvnEndpointMock.sol) emits PacketSent with a V2 packet, candor proves the log and
// signs it (POST /dvn/verify), and contracts/CandorDvnVerifier.sol accepts the answer on anvil;
// the payloadHash is recomputed here from the packet layout. Then the refusals, each unsigned:
// another emitter, a block not final enough, a wrong log index, a forged log, a forged receipt,
// a receipt list missing one, truncated / oversized / wrong-version packets, and an answer
// replayed for another chain (refused by the contract and by `candor verify --chain-id`).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { secp256k1 } from "@noble/curves/secp256k1";
import { assert } from "../lib/report.mjs";
import { CANDOR, REPO, SPS, WORK, Service, http, svcCheck } from "../lib/harness.mjs";
import { compileContracts } from "../lib/anvil.mjs";
import { domainSeparator, recoverAddress } from "../lib/signing.mjs";
import { startTamperProxy } from "../lib/tamper.mjs";
import { fromHex, keccak, quantity, selector, sleep, toHex, waitFor } from "../lib/util.mjs";

export const name = "dvn";

const require = createRequire(import.meta.url);
const te = new TextEncoder();
const SRC_EID = 40161;
const DST_EID = 30101;
const VID = 30110;
const TARGET = "0x" + "5a".repeat(20);
const MAX_MESSAGE = 10000; // DVN_MAX_MESSAGE in dvn/dvn.h
// anvil's first dev key (public knowledge): a second listed signer that signs a conflicting payload
const DEV0_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const DVN_TYPE = "DvnPacket(uint256 srcChainId,uint64 blockNumber,bytes32 blockHash,bytes32 txHash,uint64 logIndex," +
  "address endpoint,bytes packetHeader,bytes32 payloadHash,uint64 confirmations,bool finalized)";

// ---------------------------------------------------------------- bytes and ABI (written here)
const cat = (...parts) => { const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; };
function be(v, n) { const b = new Uint8Array(n); let x = BigInt(v); for (let i = n - 1; i >= 0; i--) { b[i] = Number(x & 0xffn); x >>= 8n; } return b; }
const word = (v) => be(typeof v === "string" ? BigInt(v) : v, 32);
const addrWord = (a) => cat(new Uint8Array(12), fromHex(a));
const pad32 = (b) => cat(b, new Uint8Array((32 - (b.length % 32)) % 32));
const W = (v) => ({ t: "word", v });
const BYTES = (v) => ({ t: "bytes", v });
// head/tail encoding of a tuple whose members are words, bytes, tuples or arrays of words
function encode(items) {
  const heads = [], tails = [];
  let tailLen = 0;
  for (const it of items) {
    if (it.t === "word") { heads.push(it.v instanceof Uint8Array ? it.v : word(it.v)); continue; }
    const t = it.t === "bytes" ? cat(word(it.v.length), pad32(it.v)) : it.t === "array" ? cat(word(it.items.length), encode(it.items)) : encode(it.items);
    heads.push(word(32 * items.length + tailLen));
    tails.push(t);
    tailLen += t.length;
  }
  return cat(...heads, ...tails);
}
const call = (sig, items) => selector(sig) + Buffer.from(encode(items)).toString("hex");

/* The V2 packet, from the layout in the issue. */
function v2Packet({ nonce, sender, receiver, message }) {
  const senderB32 = cat(new Uint8Array(12), fromHex(sender));
  const guid = keccak(cat(be(nonce, 8), be(SRC_EID, 4), senderB32, be(DST_EID, 4), fromHex(receiver)));
  const header = cat(be(1, 1), be(nonce, 8), be(SRC_EID, 4), senderB32, be(DST_EID, 4), fromHex(receiver));
  return { header, guid, packet: cat(header, guid, message), payloadHash: keccak(cat(guid, message)) };
}

function answerDigest(a) {
  const structHash = keccak(cat(keccak(te.encode(DVN_TYPE)), word(a.srcChainId), word(a.blockNumber), fromHex(a.blockHash),
    fromHex(a.transactionHash), word(a.logIndex), addrWord(a.endpoint), keccak(fromHex(a.packetHeader)), fromHex(a.payloadHash),
    word(a.confirmations), word(a.finalized ? 1 : 0)));
  return toHex(keccak(cat(new Uint8Array([0x19, 0x01]), domainSeparator(a.srcChainId), structHash)));
}

function submitData(a) {
  return call("submit((uint256,uint64,bytes32,bytes32,uint64,address,bytes,bytes32,uint64,bool),bytes)", [
    { t: "tuple", items: [W(a.srcChainId), W(a.blockNumber), W(fromHex(a.blockHash)), W(fromHex(a.transactionHash)), W(a.logIndex),
      W(addrWord(a.endpoint)), BYTES(fromHex(a.packetHeader)), W(fromHex(a.payloadHash)), W(a.confirmations), W(a.finalized ? 1 : 0)] },
    BYTES(fromHex(a.signature)),
  ]);
}

function compileVerifier() {
  const solc = require("solc");
  const input = {
    language: "Solidity",
    sources: { "CandorDvnVerifier.sol": { content: fs.readFileSync(path.join(REPO, "contracts", "CandorDvnVerifier.sol"), "utf8") } },
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "prague", outputSelection: { "*": { "*": ["evm.bytecode.object"] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors || []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error("solc: " + errors.map((e) => e.formattedMessage).join("\n").slice(0, 400));
  return "0x" + out.contracts["CandorDvnVerifier.sol"].CandorDvnVerifier.evm.bytecode.object;
}

// ---------------------------------------------------------------- anvil helpers
async function receiptOf(chain, hash) {
  return waitFor(() => chain.anvil.call("eth_getTransactionReceipt", [hash]), { timeoutMs: 40 * SPS * 1000, what: `receipt ${hash.slice(0, 10)}` });
}
async function send(chain, from, to, data, gas = 3000000) {
  return chain.anvil.call("eth_sendTransaction", [{ from, to, data, gas: quantity(gas) }]);
}
async function deployed(chain, hash) {
  const r = await receiptOf(chain, hash);
  assert(r.status === "0x1" && r.contractAddress, `deployment ${hash} failed`);
  return r.contractAddress;
}
/* eth_call: {ok, result} or {ok: false, data: revert data}. */
async function tryCall(chain, from, to, data) {
  const { json } = await chain.anvil.raw({ jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ from, to, data, gas: quantity(3000000) }, "latest"] });
  if (json?.error) return { ok: false, data: String(json.error.data ?? ""), message: json.error.message };
  return { ok: true, result: json.result };
}

// ---------------------------------------------------------------- the service side
async function ask(svc, body) {
  return http("POST", `${svc.url}/dvn/verify`, body);
}
async function signedCount(svc) {
  const m = await http("GET", `${svc.url}/metrics`);
  const line = m.text.split("\n").find((l) => l.startsWith("candor_signed_answers_total "));
  return Number(line?.split(" ")[1] ?? NaN);
}
async function finalizedNumber(svc) {
  const b = await http("GET", `${svc.url}/block?tag=finalized`);
  return b.status === 200 ? Number(b.json.number) : -1;
}
function refused(res, status, code) {
  assert(res.status === status, `HTTP ${res.status} (want ${status}): ${res.text.slice(0, 200)}`);
  assert(res.json?.error?.code === code, `error code: ${res.text.slice(0, 200)}`);
  assert(!res.json?.signature && !res.text.includes("\"signature\""), "a refusal carries a signature");
  return String(res.json.error.message).slice(0, 110);
}

export async function run(r, chain) {
  const art = compileContracts();
  const verifierCode = compileVerifier();
  const dev = chain.accounts[3];
  const proxy = await startTamperProxy({ upstream: chain.anvilUrl, kind: "el" });
  const svc = new Service("dvn", { chain, beaconUrl: chain.beaconUrl, elUrl: proxy.url });
  const c = {};
  try {
    // Endpoint A is configured, B is not; both run the same code.
    const ctor = (eid) => Buffer.from(word(eid)).toString("hex");
    const hA = await send(chain, dev, undefined, art.DvnEndpointMock.bytecode + ctor(SRC_EID));
    const hB = await send(chain, dev, undefined, art.DvnEndpointMock.bytecode + ctor(SRC_EID));
    const hG = await send(chain, dev, undefined, art.DvnGovernanceStandIn.bytecode);
    const hP = await send(chain, dev, undefined, art.DvnMultisigProbe.bytecode);
    [c.A, c.B, c.gov, c.probe] = [await deployed(chain, hA), await deployed(chain, hB), await deployed(chain, hG), await deployed(chain, hP)];

    await svc.start({ extraArgs: ["--dvn-endpoint", c.A, "--dvn-vid", String(VID), "--dvn-target", TARGET] });
    const ok = await r.check("dvn: candor with --dvn-endpoint syncs", async () => `${await svc.waitHealthy()} ms`);
    if (!ok) return;
    const att = await http("GET", `${svc.url}/attest`);
    const signer = att.json.address.toLowerCase();

    // Verifiers: the signer list; another chain id; governance only.
    const vArgs = (signers, gov, chainId) => Buffer.from(encode([{ t: "array", items: signers.map((s) => W(addrWord(s))) }, W(addrWord(gov)), W(chainId)])).toString("hex");
    const zero = "0x" + "00".repeat(20);
    const h1 = await send(chain, dev, undefined, verifierCode + vArgs([signer], zero, chain.chainId));
    const h2 = await send(chain, dev, undefined, verifierCode + vArgs([signer], zero, 1));
    const h3 = await send(chain, dev, undefined, verifierCode + vArgs([], c.gov, chain.chainId));
    const h4 = await send(chain, dev, undefined, verifierCode + vArgs([signer, chain.accounts[0]], zero, chain.chainId));

    // The packets: a good one, one from B, malformed ones, the largest message and one byte more.
    const receiver = "0x" + "22".repeat(32);
    const message = te.encode("candor e2e: a LayerZero V2 packet proven by a light client");
    const options = "0x0003010011010000000000000000000000000000ea60";
    const sendCall = (msg) => call("send(uint32,bytes32,bytes,bytes)", [W(DST_EID), W(fromHex(receiver)), BYTES(msg), BYTES(fromHex(options))]);
    const rawCall = (pkt) => call("sendRaw(bytes,bytes)", [BYTES(pkt), BYTES(fromHex(options))]);
    const good = v2Packet({ nonce: 1, sender: dev, receiver, message });
    const maxMsg = new Uint8Array(MAX_MESSAGE).fill(0x6d);
    const maxPkt = v2Packet({ nonce: 2, sender: dev, receiver, message: maxMsg });
    const tx = {};
    tx.good = await send(chain, dev, c.A, sendCall(message));
    tx.max = await send(chain, dev, c.A, sendCall(maxMsg), 6000000);
    tx.oversized = await send(chain, dev, c.A, sendCall(new Uint8Array(MAX_MESSAGE + 1).fill(0x6f)), 6000000);
    tx.truncated = await send(chain, dev, c.A, rawCall(good.packet.slice(0, 100)));
    const v2 = Uint8Array.from(good.packet);
    v2[0] = 2;
    tx.version = await send(chain, dev, c.A, rawCall(v2));
    tx.other = await send(chain, dev, c.B, sendCall(message));
    const rc = {};
    for (const k of Object.keys(tx)) rc[k] = await receiptOf(chain, tx[k]);
    [c.verifier, c.verifierOtherChain, c.verifierGov, c.verifierTwo] =
      [await deployed(chain, h1), await deployed(chain, h2), await deployed(chain, h3), await deployed(chain, h4)];
    for (const k of Object.keys(rc)) assert(rc[k].status === "0x1", `${k} packet transaction failed`);
    const blk = Number(rc.good.blockNumber);
    const goodLog = rc.good.logs.find((l) => l.address.toLowerCase() === c.A.toLowerCase());

    // Not final enough: right after inclusion.
    await svcCheck(r, svc, "dvn: a block not yet finalized is refused by default, unsigned", async () => refused(await ask(svc, { txHash: tx.good }), 409, "not_final"));
    await svcCheck(r, svc, "dvn: 256 confirmations asked of a fresh block are refused, unsigned", async () =>
      refused(await ask(svc, { txHash: tx.good, confirmations: 256 }), 409, "not_final"));

    // Confirmations (optimistic head) path.
    await svcCheck(r, svc, "dvn: with confirmations 2, answered once 2 verified blocks are above it (finality: confirmations)", async () => {
      const res = await waitFor(async () => { const x = await ask(svc, { txHash: tx.good, confirmations: 2 }); return x.status === 200 ? x : x.status === 409 ? null : x; },
        { timeoutMs: 30 * SPS * 1000, intervalMs: 1000, what: "2 confirmations" });
      const a = res.json;
      assert(res.status === 200 && a, `HTTP ${res.status}: ${res.text.slice(0, 200)}`);
      assert(a.finality === "confirmations" && a.finalized === false && a.confirmations >= 2, `finality ${a.finality} ${a.confirmations}`);
      assert(answerDigest(a) === a.digest.toLowerCase(), "digest differs from the one computed here");
      assert(recoverAddress(a.digest, a.signature).toLowerCase() === signer, "signature does not recover to the signer");
      return `block ${a.blockNumber}, ${a.confirmations} confirmations`;
    });

    // Finality.
    const last = Math.max(...Object.values(rc).map((x) => Number(x.blockNumber)));
    await r.check("dvn: the packet blocks finalize", async () => {
      await waitFor(async () => (await finalizedNumber(svc)) >= last, { timeoutMs: 60 * SPS * 1000, intervalMs: 1000, what: `finalized >= ${last}` });
    });
    const expiration = Math.floor(Date.now() / 1000) + 3600;
    let answer = null;
    await svcCheck(r, svc, "dvn: the finalized packet is answered, signed; every field matches anvil and the packet built here", async () => {
      const res = await ask(svc, { txHash: tx.good, expiration });
      assert(res.status === 200, `HTTP ${res.status}: ${res.text.slice(0, 200)}`);
      const a = res.json;
      const block = await chain.anvil.call("eth_getBlockByNumber", [quantity(blk), false]);
      assert(a.srcChainId === chain.chainId, `srcChainId ${a.srcChainId}`);
      assert(a.blockNumber === blk && a.blockHash === block.hash, "block");
      assert(a.transactionHash === tx.good && a.transactionIndex === Number(rc.good.transactionIndex), "transaction");
      assert(a.logIndex === Number(goodLog.logIndex), `logIndex ${a.logIndex} != anvil ${goodLog.logIndex}`);
      assert(a.endpoint === c.A.toLowerCase(), "endpoint");
      assert(a.finality === "finalized" && a.finalized === true, `finality ${a.finality}`);
      assert(a.packetHeader === toHex(good.header), "packetHeader differs from the header built here");
      assert(a.payloadHash === toHex(good.payloadHash), `payloadHash ${a.payloadHash} != JS ${toHex(good.payloadHash)}`);
      assert(a.packet.guid === toHex(good.guid) && a.packet.message === toHex(message) && a.packet.nonce === 1, "packet fields");
      assert(a.options === options && a.sendLibrary === c.A.toLowerCase(), "options / sendLibrary");
      assert(answerDigest(a) === a.digest.toLowerCase(), "digest differs from the one computed here");
      assert(a.signer.toLowerCase() === signer && recoverAddress(a.digest, a.signature).toLowerCase() === signer, "signer");
      answer = a;
      return `payloadHash ${a.payloadHash.slice(0, 18)}… = JS, ${a.confirmations} confirmations`;
    });
    if (!answer) return;
    fs.writeFileSync(path.join(WORK, "dvn-answer.json"), JSON.stringify(answer));

    await r.check("dvn: CandorDvnVerifier on anvil accepts the answer and records the payloadHash", async () => {
      const before = await tryCall(chain, dev, c.verifier, submitData(answer));
      assert(before.ok && BigInt(before.result) === 1n, `eth_call submit: ${before.message ?? before.result}`);
      const rcpt = await receiptOf(chain, await send(chain, dev, c.verifier, submitData(answer)));
      assert(rcpt.status === "0x1", "submit reverted");
      assert(rcpt.logs.length === 1, `${rcpt.logs.length} events`);
      const v = await tryCall(chain, dev, c.verifier, call("verified(bytes,bytes32)", [BYTES(fromHex(answer.packetHeader)), W(fromHex(answer.payloadHash))]));
      assert(v.ok && BigInt(v.result) === 1n, "verified() is false");
      const stored = await tryCall(chain, dev, c.verifier, selector("payloadHashOf(bytes32)") + Buffer.from(keccak(fromHex(answer.packetHeader))).toString("hex"));
      assert(stored.result === toHex(good.payloadHash), `stored ${stored.result} != JS payloadHash`);
      return `gas ${BigInt(rcpt.gasUsed)}`;
    });
    await r.check("dvn: a second submission is idempotent (no revert, returns false, no event)", async () => {
      const again = await tryCall(chain, dev, c.verifier, submitData(answer));
      assert(again.ok && BigInt(again.result) === 0n, `eth_call: ${again.message ?? again.result}`);
      const rcpt = await receiptOf(chain, await send(chain, dev, c.verifier, submitData(answer)));
      assert(rcpt.status === "0x1" && rcpt.logs.length === 0, `status ${rcpt.status}, ${rcpt.logs.length} events`);
    });
    await r.check("dvn: a verifier for another source chain refuses the replayed answer (WrongChain)", async () => {
      const x = await tryCall(chain, dev, c.verifierOtherChain, submitData(answer));
      assert(!x.ok && x.data.startsWith(selector("WrongChain(uint256,uint256)")), `answered ${x.result ?? x.data}`);
      const forged = { ...answer, srcChainId: 1 };
      const y = await tryCall(chain, dev, c.verifierOtherChain, submitData(forged));
      assert(!y.ok && y.data.startsWith(selector("SignerNotAllowed(address)")), `relabelled answer: ${y.result ?? y.data}`);
      return "relabelled srcChainId: SignerNotAllowed";
    });
    await r.check("dvn: a verifier trusting governance accepts the signer only once it is an active member", async () => {
      const x = await tryCall(chain, dev, c.verifierGov, submitData(answer));
      assert(!x.ok && x.data.startsWith(selector("SignerNotAllowed(address)")), `before membership: ${x.result ?? x.data}`);
      const rcpt = await receiptOf(chain, await send(chain, dev, c.gov, call("setMember(address,bool)", [W(addrWord(signer)), W(1)])));
      assert(rcpt.status === "0x1", "setMember failed");
      const y = await tryCall(chain, dev, c.verifierGov, submitData(answer));
      assert(y.ok && BigInt(y.result) === 1n, `after membership: ${y.message ?? y.result}`);
    });
    await r.check("dvn: a second signer's conflicting payloadHash for a recorded header reverts (ConflictingPayload), the record stays", async () => {
      const rcpt = await receiptOf(chain, await send(chain, dev, c.verifierTwo, submitData(answer)));
      assert(rcpt.status === "0x1" && rcpt.logs.length === 1, "candor's answer was not recorded");
      const lie = { ...answer, payloadHash: toHex(keccak(te.encode("a forged payload"))) };
      const sig = secp256k1.sign(fromHex(answerDigest(lie)), fromHex(DEV0_KEY));
      lie.signature = toHex(cat(be(sig.r, 32), be(sig.s, 32), new Uint8Array([27 + sig.recovery])));
      const x = await tryCall(chain, dev, c.verifierTwo, submitData(lie));
      assert(!x.ok && x.data.startsWith(selector("ConflictingPayload(bytes32,bytes32)")), `answered ${x.result ?? x.data}`);
      const stored = await tryCall(chain, dev, c.verifierTwo, selector("payloadHashOf(bytes32)") + Buffer.from(keccak(fromHex(answer.packetHeader))).toString("hex"));
      assert(stored.result === answer.payloadHash, "the record changed");
    });
    await r.check("dvn: the multisig path: a DVN.sol-style check recovers the signer from callData + EIP-191", async () => {
      const m = answer.multisig;
      assert(m && m.vid === VID && m.target === TARGET && m.expiration === expiration, `multisig ${JSON.stringify(m)?.slice(0, 120)}`);
      const x = await tryCall(chain, dev, c.probe, call("check(uint32,address,bytes,uint256,bytes)",
        [W(m.vid), W(addrWord(m.target)), BYTES(fromHex(m.callData)), W(m.expiration), BYTES(fromHex(m.signature))]));
      assert(x.ok, `probe reverted: ${x.message}`);
      const out = fromHex(x.result);
      const w = (i) => toHex(out.slice(32 * i, 32 * i + 32));
      assert("0x" + w(0).slice(26) === signer, `probe recovers ${w(0)}`);
      assert(w(1) === m.hash, "hashCallData differs");
      const off = Number(BigInt(w(2)));
      const len = Number(BigInt(toHex(out.slice(off, off + 32))));
      assert(toHex(out.slice(off + 32, off + 32 + len)) === answer.packetHeader, "verify() header");
      assert(w(3) === answer.payloadHash && BigInt(w(4)) === BigInt(answer.confirmations), "verify() payloadHash / confirmations");
    });
    await r.check("dvn: candor verify accepts the saved answer", async () => {
      const p = spawnSync(CANDOR, ["verify", path.join(WORK, "dvn-answer.json"), "--chain-id", String(chain.chainId)], { encoding: "utf8", timeout: 20000 });
      assert(p.status === 0, `exit ${p.status}: ${p.stderr.trim()}`);
      return p.stdout.trim().slice(0, 110);
    });
    await r.check("dvn: candor verify refuses it for another chain, and refuses an altered copy", async () => {
      const p = spawnSync(CANDOR, ["verify", path.join(WORK, "dvn-answer.json"), "--chain-id", "1"], { encoding: "utf8", timeout: 20000 });
      assert(p.status === 1, `--chain-id 1: exit ${p.status} ${p.stdout}`);
      const f = path.join(WORK, "dvn-answer-altered.json");
      fs.writeFileSync(f, JSON.stringify({ ...answer, logIndex: answer.logIndex + 1 }));
      const q = spawnSync(CANDOR, ["verify", f], { encoding: "utf8", timeout: 20000 });
      assert(q.status === 1, `altered logIndex: exit ${q.status} ${q.stdout}`);
      return p.stderr.trim().slice(0, 110);
    });
    await svcCheck(r, svc, "dvn: the largest message (10000 bytes) is answered", async () => {
      const res = await ask(svc, { txHash: tx.max });
      assert(res.status === 200 && res.json.payloadHash === toHex(maxPkt.payloadHash), `HTTP ${res.status}: ${res.text.slice(0, 160)}`);
    });

    // Refusals, nothing signed.
    const signedBefore = await signedCount(svc);
    const otherLog = rc.other.logs[0];
    const foreign = (await chain.anvil.call("eth_getBlockReceipts", [quantity(blk)])).flatMap((x) => x.logs)
      .find((l) => l.topics[0] !== toHex(keccak(te.encode("PacketSent(bytes,bytes,address)"))));
    const cases = [
      ["a PacketSent from another emitter (by txHash)", { txHash: tx.other }, 422, "no_packet"],
      ["a PacketSent from another emitter (by position)", { blockNumber: Number(otherLog.blockNumber), logIndex: Number(otherLog.logIndex) }, 422, "no_packet"],
      ["a log index past the block's logs", { blockNumber: blk, logIndex: 999 }, 404, "log_not_found"],
      ["a log index of the transaction it does not have", { txHash: tx.good, logIndex: 999 }, 404, "log_not_found"],
      ["a truncated packet (100 bytes)", { txHash: tx.truncated }, 422, "bad_packet"],
      ["a packet of version 2", { txHash: tx.version }, 422, "bad_packet"],
      [`an oversized message (${MAX_MESSAGE + 1} bytes)`, { txHash: tx.oversized }, 422, "bad_packet"],
      ["an unknown transaction", { txHash: "0x" + "ab".repeat(32) }, 404, "log_not_found"],
      ["both txHash and blockNumber", { txHash: tx.good, blockNumber: blk, logIndex: 0 }, 400, "bad_request"],
    ];
    if (foreign) cases.push(["the index of a log that is not PacketSent (a token transfer) in the packet's block", { blockNumber: blk, logIndex: Number(foreign.logIndex) }, 422, "no_packet"]);
    for (const [what, body, status, code] of cases) {
      await svcCheck(r, svc, `dvn: refused, unsigned: ${what}`, async () => refused(await ask(svc, body), status, code));
    }
    for (const [mode, what] of [["receipts.packet_message", "a forged PacketSent message from the upstream"],
      ["receipt.cumulativeGasUsed", "a forged receipt from the upstream"], ["receipts.drop_last", "a receipt list missing one receipt"]]) {
      await svcCheck(r, svc, `dvn: refused, unsigned: ${what}`, async () => {
        const fired = proxy.stats.tampered;
        proxy.mode = mode;
        try {
          const res = await ask(svc, { txHash: tx.good });
          assert(proxy.stats.tampered > fired, "the proxy changed nothing");
          return refused(res, 502, "unverifiable");
        } finally {
          proxy.mode = null;
        }
      });
    }
    await r.check("dvn: the refusals signed nothing (signed-answer counter unchanged)", async () => {
      const after = await signedCount(svc);
      assert(after === signedBefore, `${after - signedBefore} answers signed`);
      const again = await ask(svc, { txHash: tx.good });
      assert(again.status === 200 && again.json.payloadHash === answer.payloadHash, `the honest upstream again: HTTP ${again.status}`);
    });
  } finally {
    await svc.stop();
    proxy.server.close();
    await sleep(10);
  }
}
