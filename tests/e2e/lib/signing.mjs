// Client-side check of a Candor answer's signature, written from docs/signing.md (branch svc):
// EIP-712 typed data, domain EIP712Domain(string name,string version,uint256 chainId) with
// name "Candor", version "1"; Block(...) for /block, Call(Block block,bytes32 requestHash,
// bytes32 resultHash) for /call. We recompute the digest from the answer's own fields (and
// our request), compare it with `digest`, then ecrecover `signature` (r‖s‖v) and compare the
// address with `signer` (and with /attest's `address`).
import { secp256k1 } from "@noble/curves/secp256k1";
import { fromHex, keccak, toHex } from "./util.mjs";

const te = new TextEncoder();
const BLOCK_TYPE = "Block(uint256 chainId,uint64 number,bytes32 blockHash,bytes32 stateRoot,bytes32 receiptsRoot,uint64 beaconSlot,bytes32 beaconRoot,bool finalized)";
const TYPES = {
  EIP712Domain: "EIP712Domain(string name,string version,uint256 chainId)",
  Block: BLOCK_TYPE,
  Call: "Call(Block block,bytes32 requestHash,bytes32 resultHash)" + BLOCK_TYPE,
  CallRequest: "CallRequest(address from,address to,uint256 value,uint64 gas,bytes input)",
  CallResult: "CallResult(uint8 status,uint64 gasUsed,bytes output)",
};
export const CALL_STATUS = { Success: 0, Revert: 1, Halt: 2 };

function word(v) {
  const w = new Uint8Array(32);
  let n = BigInt(v);
  if (n < 0n || n >= 1n << 256n) throw new Error(`value out of range: ${v}`);
  for (let i = 31; i >= 0 && n > 0n; i--) { w[i] = Number(n & 0xffn); n >>= 8n; }
  return w;
}
function bytes32(hex) {
  const b = fromHex(hex);
  if (b.length !== 32) throw new Error(`not 32 bytes: ${hex}`);
  return b;
}
function address(hex) {
  const b = fromHex(hex);
  if (b.length !== 20) throw new Error(`not an address: ${hex}`);
  const w = new Uint8Array(32);
  w.set(b, 12);
  return w;
}
function hashStruct(typeName, words) {
  const parts = [keccak(te.encode(TYPES[typeName])), ...words];
  const buf = new Uint8Array(32 * parts.length);
  parts.forEach((p, i) => buf.set(p, 32 * i));
  return keccak(buf);
}

export function domainSeparator(chainId) {
  return hashStruct("EIP712Domain", [keccak(te.encode("Candor")), keccak(te.encode("1")), word(chainId)]);
}

/* claim: {chainId, number, blockHash, stateRoot, receiptsRoot, beaconSlot, beaconRoot, finalized} */
export function hashBlock(c) {
  return hashStruct("Block", [word(c.chainId), word(c.number), bytes32(c.blockHash), bytes32(c.stateRoot),
    bytes32(c.receiptsRoot), word(c.beaconSlot), bytes32(c.beaconRoot), word(c.finalized ? 1 : 0)]);
}

export function hashRequest(r) {
  return hashStruct("CallRequest", [address(r.from ?? "0x" + "00".repeat(20)), address(r.to), word(r.value ?? 0),
    word(r.gas ?? 0), keccak(fromHex(r.input ?? "0x"))]);
}

export function hashResult(status, gasUsed, outputBytes) {
  return hashStruct("CallResult", [word(status), word(gasUsed), keccak(outputBytes)]);
}

function finalDigest(chainId, structHash) {
  const m = new Uint8Array(66);
  m[0] = 0x19; m[1] = 0x01;
  m.set(domainSeparator(chainId), 2);
  m.set(structHash, 34);
  return keccak(m);
}

export function blockDigest(claim) {
  return finalDigest(claim.chainId, hashBlock(claim));
}

export function callDigest(claim, requestHash, resultHash) {
  const h = hashStruct("Call", [hashBlock(claim), requestHash, resultHash]);
  return finalDigest(claim.chainId, h);
}

/* Address that produced a 65-byte r‖s‖v signature (v 0/1 or 27/28) over a 32-byte digest. */
export function recoverAddress(digestHex, sigHex) {
  const sig = fromHex(sigHex);
  if (sig.length !== 65) throw new Error(`signature is ${sig.length} bytes, want 65`);
  let v = sig[64];
  if (v >= 27) v -= 27;
  if (v > 1) throw new Error(`bad recovery id ${sig[64]}`);
  const s = secp256k1.Signature.fromCompact(sig.slice(0, 64)).addRecoveryBit(v);
  if (s.hasHighS()) throw new Error("high-s signature");
  const pub = s.recoverPublicKey(fromHex(digestHex)).toRawBytes(false);
  return toHex(keccak(pub.slice(1)).slice(12));
}

// ---- reading the claims out of an answer (field names per docs/signing.md / README) ----
const pick = (o, ...names) => {
  for (const n of names) {
    const v = n.split(".").reduce((x, k) => (x == null ? undefined : x[k]), o);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
};

export function blockClaimOf(answer, chainId) {
  const b = answer.block && typeof answer.block === "object" ? answer.block : answer;
  const claim = {
    chainId: pick(b, "chainId", "chain_id") ?? pick(answer, "chainId") ?? chainId,
    number: pick(b, "number", "blocknum", "blockNumber"),
    blockHash: pick(b, "hash", "blockHash", "block_hash"),
    stateRoot: pick(b, "stateRoot", "state_root"),
    receiptsRoot: pick(b, "receiptsRoot", "receipts_root"),
    beaconSlot: pick(b, "beaconSlot", "beacon.slot", "beacon_slot", "slot"),
    beaconRoot: pick(b, "beaconRoot", "beacon.root", "beacon_root", "beaconBlockRoot"),
    finalized: pick(b, "finalized", "finality"),
  };
  if (typeof claim.finalized === "string") claim.finalized = claim.finalized === "finalized";
  for (const [k, v] of Object.entries(claim)) if (v === undefined) throw new Error(`answer has no ${k}`);
  if (BigInt(claim.chainId) !== BigInt(chainId)) throw new Error(`answer chainId ${claim.chainId}, want ${chainId}`);
  return claim;
}

function callResultOf(answer) {
  const resp = answer.response || {};
  const [kind] = Object.keys(resp);
  if (!(kind in CALL_STATUS)) throw new Error(`response has no Success/Revert/Halt: ${JSON.stringify(resp).slice(0, 80)}`);
  const output = kind === "Halt" ? te.encode(String(resp.Halt)) : fromHex(resp[kind]);
  const gasUsed = pick(answer, "gasUsed", "gas_used");
  if (gasUsed === undefined) throw new Error("answer has no gasUsed");
  return { status: CALL_STATUS[kind], gasUsed: BigInt(gasUsed), output };
}

/* Full check of a signed /block or /call answer; returns {signer, claim}. Throws on any mismatch. */
export function verifySignedAnswer(answer, { chainId, request = null, expectSigner = null }) {
  for (const f of ["digest", "signature", "signer"]) if (typeof answer[f] !== "string") throw new Error(`answer has no ${f}`);
  const claim = blockClaimOf(answer, chainId);
  let digest;
  if (request) {
    const res = callResultOf(answer);
    digest = callDigest(claim, hashRequest(request), hashResult(res.status, res.gasUsed, res.output));
  } else {
    digest = blockDigest(claim);
  }
  if (toHex(digest) !== answer.digest.toLowerCase()) throw new Error(`digest ${answer.digest} is not the EIP-712 digest ${toHex(digest)} of the answer`);
  const who = recoverAddress(answer.digest, answer.signature);
  if (who !== answer.signer.toLowerCase()) throw new Error(`signature recovers to ${who}, answer says ${answer.signer}`);
  if (expectSigner && who !== expectSigner.toLowerCase()) throw new Error(`signer ${who} is not the attested ${expectSigner}`);
  return { signer: who, claim };
}

export function isSigned(answer) {
  return !!answer && typeof answer === "object" && ("signature" in answer || "digest" in answer);
}
