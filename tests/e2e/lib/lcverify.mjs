// An independent check of the light-client data our beacon server hands out, written from
// consensus-specs altair/light-client/sync-protocol.md (+ capella/deneb/electra changes):
// Merkle branches, execution branches, sync-committee signatures, committee rotation. Used by
// selfcheck.mjs and by the tampering tests (to prove each tampered answer is really invalid).
import "./preset.mjs";
import { ssz } from "@lodestar/types";
import { SYNC_COMMITTEE_SIZE, DOMAIN_SYNC_COMMITTEE } from "@lodestar/params";
import { PublicKey, Signature, fastAggregateVerify } from "@chainsafe/blst";
import { GINDEX, DEPTH, periodOf, computeDomain, computeSigningRoot } from "./beacon.mjs";
import { fromHex, sha256, toHex } from "./util.mjs";

export class LcError extends Error {}
const fail = (m) => { throw new LcError(m); };

function eq(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/* consensus-specs is_valid_merkle_branch; gindex = 2^depth + index. */
export function isValidMerkleBranch(leaf, branch, depth, gindex, root) {
  if (branch.length !== depth) return false;
  const index = gindex - 2 ** depth;
  let value = leaf;
  for (let i = 0; i < depth; i++) {
    value = Math.floor(index / 2 ** i) % 2 ? sha256(branch[i], value) : sha256(value, branch[i]);
  }
  return eq(value, root);
}

export function checkLightClientHeader(h, what) {
  const execRoot = ssz.electra.ExecutionPayloadHeader.hashTreeRoot(h.execution);
  if (!isValidMerkleBranch(execRoot, h.executionBranch, DEPTH.executionPayload, GINDEX.executionPayload, h.beacon.bodyRoot)) {
    fail(`${what}: execution branch does not prove the execution header in body_root`);
  }
}

const isZero = (b) => b.every((x) => x === 0);

export class LightClientChecker {
  constructor({ genesisValidatorsRoot, forkVersion }) {
    this.domain = computeDomain(DOMAIN_SYNC_COMMITTEE, forkVersion, genesisValidatorsRoot);
    this.committees = new Map(); // period -> SyncCommittee value
    this.finalized = null;
  }

  bootstrap(b, trustedRoot) {
    const root = ssz.phase0.BeaconBlockHeader.hashTreeRoot(b.header.beacon);
    if (!eq(root, trustedRoot)) fail(`bootstrap: header root ${toHex(root)} is not the checkpoint ${toHex(trustedRoot)}`);
    checkLightClientHeader(b.header, "bootstrap header");
    const leaf = ssz.altair.SyncCommittee.hashTreeRoot(b.currentSyncCommittee);
    if (!isValidMerkleBranch(leaf, b.currentSyncCommitteeBranch, DEPTH.currentSyncCommittee, GINDEX.currentSyncCommittee, b.header.beacon.stateRoot)) {
      fail("bootstrap: current_sync_committee_branch is invalid");
    }
    this.committees.set(periodOf(b.header.beacon.slot), b.currentSyncCommittee);
    this.finalized = b.header;
  }

  /* Signature of `u` by the committee of its signature slot's period; returns participants. */
  checkSyncAggregate(u, what) {
    const sigPeriod = periodOf(u.signatureSlot);
    const committee = this.committees.get(sigPeriod);
    if (!committee) fail(`${what}: no known sync committee for period ${sigPeriod}`);
    if (!(u.signatureSlot > u.attestedHeader.beacon.slot)) fail(`${what}: signature slot not after attested slot`);
    const pks = [];
    for (let i = 0; i < SYNC_COMMITTEE_SIZE; i++) {
      if (u.syncAggregate.syncCommitteeBits.get(i)) pks.push(PublicKey.fromBytes(committee.pubkeys[i], true));
    }
    if (pks.length < 1) fail(`${what}: no participants`);
    const signingRoot = computeSigningRoot(ssz.phase0.BeaconBlockHeader.hashTreeRoot(u.attestedHeader.beacon), this.domain);
    let ok = false;
    try {
      ok = fastAggregateVerify(signingRoot, pks, Signature.fromBytes(u.syncAggregate.syncCommitteeSignature, true, true));
    } catch {
      ok = false;
    }
    if (!ok) fail(`${what}: sync committee signature does not verify`);
    return pks.length;
  }

  checkFinality(u, what) {
    const attestedState = u.attestedHeader.beacon.stateRoot;
    let leaf;
    if (u.finalizedHeader.beacon.slot === 0) {
      // Finality at genesis: the state holds a zero root and the header must be empty.
      const empty = ssz.deneb.LightClientHeader.serialize(ssz.deneb.LightClientHeader.defaultValue());
      if (!eq(ssz.deneb.LightClientHeader.serialize(u.finalizedHeader), empty)) {
        fail(`${what}: genesis finality with a non-empty finalized header`);
      }
      leaf = new Uint8Array(32);
    } else {
      checkLightClientHeader(u.finalizedHeader, `${what} finalized header`);
      leaf = ssz.phase0.BeaconBlockHeader.hashTreeRoot(u.finalizedHeader.beacon);
    }
    if (!isValidMerkleBranch(leaf, u.finalityBranch, DEPTH.finalizedRoot, GINDEX.finalizedRoot, attestedState)) {
      fail(`${what}: finality_branch is invalid`);
    }
    if (u.finalizedHeader.beacon.slot > u.attestedHeader.beacon.slot) fail(`${what}: finalized after attested`);
  }

  /* A LightClientUpdate: attested header, next committee, finality, signature; then rotate. */
  update(u, what = "update") {
    checkLightClientHeader(u.attestedHeader, `${what} attested header`);
    const leaf = ssz.altair.SyncCommittee.hashTreeRoot(u.nextSyncCommittee);
    if (!isValidMerkleBranch(leaf, u.nextSyncCommitteeBranch, DEPTH.nextSyncCommittee, GINDEX.nextSyncCommittee, u.attestedHeader.beacon.stateRoot)) {
      fail(`${what}: next_sync_committee_branch is invalid`);
    }
    this.checkFinality(u, what);
    const n = this.checkSyncAggregate(u, what);
    if (n * 3 < SYNC_COMMITTEE_SIZE * 2) fail(`${what}: only ${n} participants`);
    const attPeriod = periodOf(u.attestedHeader.beacon.slot);
    if (periodOf(u.signatureSlot) === attPeriod) this.committees.set(attPeriod + 1, u.nextSyncCommittee);
    if (u.finalizedHeader.beacon.slot > (this.finalized?.beacon.slot ?? -1)) this.finalized = u.finalizedHeader;
    return n;
  }

  finalityUpdate(u, what = "finality_update") {
    checkLightClientHeader(u.attestedHeader, `${what} attested header`);
    this.checkFinality(u, what);
    return this.checkSyncAggregate(u, what);
  }

  optimisticUpdate(u, what = "optimistic_update") {
    checkLightClientHeader(u.attestedHeader, `${what} attested header`);
    return this.checkSyncAggregate(u, what);
  }
}

/* Parses beacon-API JSON (`{version,data}`) into lodestar values. */
export function parseJson(kind, body) {
  const type = ssz.electra[kind];
  if (Array.isArray(body)) return body.map((x) => type.fromJson(x.data));
  return type.fromJson(body.data);
}

/* Splits the chunked SSZ stream of /updates: [u64 LE len][4-byte digest][payload of len-4]. */
export function parseUpdatesSsz(bytes, expectDigest) {
  const out = [];
  let off = 0;
  while (off < bytes.length) {
    if (bytes.length - off < 12) fail("updates ssz: truncated chunk header");
    const len = Number(Buffer.from(bytes.subarray(off, off + 8)).readBigUInt64LE());
    if (len < 4 || off + 8 + len > bytes.length) fail("updates ssz: bad chunk length");
    const digest = bytes.subarray(off + 8, off + 12);
    if (expectDigest && !eq(digest, expectDigest)) fail(`updates ssz: fork digest ${toHex(digest)}`);
    out.push(ssz.electra.LightClientUpdate.deserialize(bytes.subarray(off + 12, off + 8 + len)));
    off += 8 + len;
  }
  return out;
}

export { fromHex };
