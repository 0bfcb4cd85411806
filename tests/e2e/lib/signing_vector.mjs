// The EIP-712 sample of the svc branch's tests/test_signer.c (values computed there in C and
// in an independent JS script): our verifier must reach the same hashes and recover the
// same address, or it would judge candor's signatures by a different rule.
import { secp256k1 } from "@noble/curves/secp256k1";
import { blockDigest, callDigest, domainSeparator, hashRequest, hashResult, recoverAddress, verifySignedAnswer } from "./signing.mjs";
import { fromHex, keccak, toHex } from "./util.mjs";

export function checkSigningVector() {
  const claim = {
    chainId: 1, number: 21925176, blockHash: "0x" + "aa".repeat(32), stateRoot: "0x" + "bb".repeat(32),
    receiptsRoot: "0x" + "cc".repeat(32), beaconSlot: 10248000, beaconRoot: "0x" + "dd".repeat(32), finalized: true,
  };
  const req = { from: "0x" + "00".repeat(20), to: "0x" + "11".repeat(20), value: 5, gas: 30000000, input: "0x70a08231" + "00".repeat(12) + "22".repeat(20) };
  const out = new Uint8Array(32); out[31] = 1;
  const want = {
    domain: "0xe1e0b1988c87e116b792cdac239b9be6b4d48e5da36092db08a6cf61bfe65b40",
    request: "0x5578495011fc64e26f2e5c458115b3b3e7872ce1a8686debcd8c544eb4214409",
    result: "0xad4d08331fcfc80c13a13ddf721dca432d87a64529cf1b94f97befd55e7252e3",
    block: "0xd217a07eebbe9d89ec5446203d78b321235967d726f28c5a17f2947ee89f39df",
    call: "0x6555520f191e983dcc20eec48b38ac4ac1664fce277f2be8f0c46dc242c57a80",
    address: "0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a",
    callSig: "0x9b7babd9df51d898122e82be3cfc666a7d95abee06aafb8414c7d21dce9068071195ca0830138908aec42d89bfdf70af207c6fa4910b54f42aeeff6c630459891c",
  };
  const rq = hashRequest(req), rs = hashResult(0, 2345, out);
  const got = {
    domain: toHex(domainSeparator(1)), request: toHex(rq), result: toHex(rs),
    block: toHex(blockDigest(claim)), call: toHex(callDigest(claim, rq, rs)),
  };
  got.address = recoverAddress(got.call, want.callSig);
  for (const k of Object.keys(got)) if (got[k] !== want[k]) throw new Error(`${k}: ${got[k]} != ${want[k]}`);
  return "domain, request, result, block and call digests, recovered address";
}

/* A signed answer made here with a test key must verify, and every changed field must not. */

function signWith(sk, digestHex) {
  const s = secp256k1.sign(fromHex(digestHex), sk);
  return "0x" + s.r.toString(16).padStart(64, "0") + s.s.toString(16).padStart(64, "0") + (27 + s.recovery).toString(16);
}

export function checkVerifierRejectsChanges() {
  const sk = keccak(new TextEncoder().encode("candor-e2e test signer"));
  const signer = toHex(keccak(secp256k1.getPublicKey(sk, false).slice(1)).slice(12));
  const claim = {
    chainId: 31337, number: 42, blockHash: "0x" + "a1".repeat(32), stateRoot: "0x" + "b2".repeat(32),
    receiptsRoot: "0x" + "c3".repeat(32), beaconSlot: 42, beaconRoot: "0x" + "d4".repeat(32), finalized: false,
  };
  const make = (c) => { const digest = toHex(blockDigest(c)); return { ...c, blocknum: String(c.number), digest, signature: signWith(sk, digest), signer }; };
  const good = make(claim);
  verifySignedAnswer(good, { chainId: 31337, expectSigner: signer });
  let rejected = 0;
  const mustFail = (what, ans, opts = { chainId: 31337, expectSigner: signer }) => {
    try { verifySignedAnswer(ans, opts); } catch { rejected++; return; }
    throw new Error(`verifier accepted a changed ${what}`);
  };
  for (const [k, v] of Object.entries({ number: 43, blockHash: "0x" + "a0".repeat(32), stateRoot: "0x" + "b0".repeat(32), receiptsRoot: "0x" + "c0".repeat(32), beaconSlot: 41, beaconRoot: "0x" + "d0".repeat(32), finalized: true })) {
    mustFail(k, { ...good, [k]: v });
  }
  mustFail("chainId", good, { chainId: 1, expectSigner: signer });
  const sig = fromHex(good.signature); sig[5] ^= 1;
  mustFail("signature", { ...good, signature: toHex(sig) });
  mustFail("signer", { ...good, signer: "0x" + "12".repeat(20) });
  mustFail("expected signer", good, { chainId: 31337, expectSigner: "0x" + "12".repeat(20) });
  const consistentButOther = make({ ...claim, stateRoot: "0x" + "ee".repeat(32) });
  mustFail("digest (from another claim)", { ...good, digest: consistentButOther.digest, signature: consistentButOther.signature });
  // A /call answer: request and result are covered too.
  const req = { from: "0x" + "01".repeat(20), to: "0x" + "02".repeat(20), input: "0x18160ddd", value: "0x0", gas: "0x1c9c380" };
  const out = "0x" + "00".repeat(31) + "07";
  const digest = toHex(callDigest(claim, hashRequest(req), hashResult(0, 21000, fromHex(out))));
  const call = { block: { ...claim }, response: { Success: out }, gasUsed: 21000, digest, signature: signWith(sk, digest), signer };
  verifySignedAnswer(call, { chainId: 31337, request: req, expectSigner: signer });
  mustFail("call output", { ...call, response: { Success: "0x" + "00".repeat(31) + "08" } }, { chainId: 31337, request: req });
  mustFail("call status", { ...call, response: { Revert: out } }, { chainId: 31337, request: req });
  mustFail("call gasUsed", { ...call, gasUsed: 21001 }, { chainId: 31337, request: req });
  mustFail("call request input", call, { chainId: 31337, request: { ...req, input: "0x70a08231" } });
  mustFail("call request gas", call, { chainId: 31337, request: { ...req, gas: "0x1" } });
  mustFail("call block", { ...call, block: { ...claim, number: 41 } }, { chainId: 31337, request: req });
  return `good answers verify; ${rejected} changed answers refused`;
}
