// A signed beacon chain (minimal preset, Electra) whose execution payloads are anvil's blocks.
//
// One beacon block per slot; slot s carries anvil block s. Each block's state is a real
// ssz.electra.BeaconState (64 validators, rotating 32-member sync committees) so that the
// light-client branches (current/next sync committee, finalized root, execution payload) are
// genuine Merkle proofs into genuine SSZ objects, and each block's sync aggregate is a real BLS
// signature by the committee of its period over the previous block's root, as in
// consensus-specs altair/light-client (sync-protocol.md, full-node.md) with Electra gindices.
//
// Not modelled (the light-client protocol does not look at them): attestations, deposits,
// randao accumulation, justification. Finality is "two epochs behind the head" like a healthy
// chain: the state at slot s finalizes the first block of epoch floor(s/8)-2.
import "./preset.mjs";
import { ssz } from "@lodestar/types";
import {
  SLOTS_PER_EPOCH, EPOCHS_PER_SYNC_COMMITTEE_PERIOD, SYNC_COMMITTEE_SIZE, SLOTS_PER_HISTORICAL_ROOT,
  DOMAIN_SYNC_COMMITTEE, DOMAIN_RANDAO, ACTIVE_PRESET,
} from "@lodestar/params";
import { Tree } from "@chainsafe/persistent-merkle-tree";
import { SecretKey } from "@chainsafe/blst";
import { fromHex, sha256, toHex } from "./util.mjs";

if (ACTIVE_PRESET !== "minimal") throw new Error(`preset is ${ACTIVE_PRESET}, want minimal`);

export const SLOTS_PER_PERIOD = SLOTS_PER_EPOCH * EPOCHS_PER_SYNC_COMMITTEE_PERIOD; // 64
export const VALIDATOR_COUNT = 64;
export const FAR_FUTURE_EPOCH = 18446744073709551615n;

// Electra BeaconState has 37 fields (64 leaves, depth 6); BeaconBlockBody has 13 (16 leaves).
export const GINDEX = {
  currentSyncCommittee: 64 + 22,       // 86: field 22
  nextSyncCommittee: 64 + 23,          // 87: field 23
  finalizedRoot: (64 + 20) * 2 + 1,    // 169: finalized_checkpoint (field 20) -> root (field 1)
  executionPayload: 16 + 9,            // 25 in the block body
};
export const DEPTH = { currentSyncCommittee: 6, nextSyncCommittee: 6, finalizedRoot: 7, executionPayload: 4 };

/* Fork schedule: everything up to Electra at genesis; Fulu not scheduled. Our own versions
 * (…0e2e) so that a client which ignores the config file and uses the minimal defaults fails. */
export const FORKS = [
  { name: "GENESIS", version: "0x00000e2e", epoch: 0n },
  { name: "ALTAIR", version: "0x01000e2e", epoch: 0n },
  { name: "BELLATRIX", version: "0x02000e2e", epoch: 0n },
  { name: "CAPELLA", version: "0x03000e2e", epoch: 0n },
  { name: "DENEB", version: "0x04000e2e", epoch: 0n },
  { name: "ELECTRA", version: "0x05000e2e", epoch: 0n },
  { name: "FULU", version: "0x06000e2e", epoch: FAR_FUTURE_EPOCH },
];
export const CURRENT_FORK = "electra";
const CURRENT_VERSION = fromHex("0x05000e2e");
const BLS_R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
const G2_INFINITY = (() => { const b = new Uint8Array(96); b[0] = 0xc0; return b; })();

export const periodOf = (slot) => Math.floor(slot / SLOTS_PER_PERIOD);
export const epochOf = (slot) => Math.floor(slot / SLOTS_PER_EPOCH);

function bytesToBigInt(b) { return BigInt(toHex(b)); }
function bigIntTo32(n) { return fromHex("0x" + n.toString(16).padStart(64, "0")); }

export function computeForkDataRoot(version, genesisValidatorsRoot) {
  return ssz.phase0.ForkData.hashTreeRoot({ currentVersion: version, genesisValidatorsRoot });
}

export function computeForkDigest(version, genesisValidatorsRoot) {
  return computeForkDataRoot(version, genesisValidatorsRoot).slice(0, 4);
}

export function computeDomain(domainType, version, genesisValidatorsRoot) {
  const d = new Uint8Array(32);
  d.set(domainType, 0);
  d.set(computeForkDataRoot(version, genesisValidatorsRoot).slice(0, 28), 4);
  return d;
}

export function computeSigningRoot(objectRoot, domain) {
  return sha256(objectRoot, domain); // hash_tree_root(SigningData): two 32-byte leaves
}

/* Deterministic validator keys: IKM = sha256("candor-e2e validator <i>"). Test keys only. */
function makeValidatorKeys(n) {
  const keys = [];
  for (let i = 0; i < n; i++) {
    const sk = SecretKey.fromKeygen(sha256(Buffer.from(`candor-e2e validator ${i}`)));
    keys.push({ sk, skInt: bytesToBigInt(sk.toBytes()), pk: sk.toPublicKey().toBytes(true) });
  }
  return keys;
}

function treeProof(view, gindex) {
  return new Tree(view.node).getSingleProof(BigInt(gindex));
}

/* anvil JSON block (+ raw transactions) -> ssz.electra.ExecutionPayload value. */
export function payloadFromAnvil(block, rawTxs) {
  return {
    parentHash: fromHex(block.parentHash),
    feeRecipient: fromHex(block.miner),
    stateRoot: fromHex(block.stateRoot),
    receiptsRoot: fromHex(block.receiptsRoot),
    logsBloom: fromHex(block.logsBloom),
    prevRandao: fromHex(block.mixHash),
    blockNumber: Number(block.number),
    gasLimit: Number(block.gasLimit),
    gasUsed: Number(block.gasUsed),
    timestamp: Number(block.timestamp),
    extraData: fromHex(block.extraData),
    baseFeePerGas: BigInt(block.baseFeePerGas),
    blockHash: fromHex(block.hash),
    transactions: rawTxs.map(fromHex),
    withdrawals: [],
    blobGasUsed: BigInt(block.blobGasUsed ?? "0x0"),
    excessBlobGas: BigInt(block.excessBlobGas ?? "0x0"),
  };
}

export function payloadHeaderOf(p) {
  const { transactions, withdrawals, ...rest } = p;
  return {
    ...rest,
    transactionsRoot: ssz.bellatrix.Transactions.hashTreeRoot(transactions),
    withdrawalsRoot: ssz.capella.Withdrawals.hashTreeRoot(withdrawals),
  };
}

export class BeaconChain {
  /* chainId: the execution chain (anvil); depositChainId: the config's DEPOSIT_CHAIN_ID, which
   * need not be the same chain (the e2e chain makes them differ, see chain.mjs). */
  constructor({ genesisTime, secondsPerSlot, chainId = 31337, depositChainId = chainId, participation = SYNC_COMMITTEE_SIZE - 1 }) {
    this.genesisTime = genesisTime;
    this.secondsPerSlot = secondsPerSlot;
    this.chainId = chainId;
    this.depositChainId = depositChainId;
    this.participation = participation;
    this.keys = makeValidatorKeys(VALIDATOR_COUNT);
    this.validators = this.keys.map((k, i) => ({
      pubkey: k.pk,
      withdrawalCredentials: sha256(Buffer.from(`withdrawal ${i}`)),
      effectiveBalance: 32_000_000_000,
      slashed: false,
      activationEligibilityEpoch: 0,
      activationEpoch: 0,
      exitEpoch: Infinity,
      withdrawableEpoch: Infinity,
    }));
    this.genesisValidatorsRoot = ssz.phase0.Validators.hashTreeRoot(this.validators);
    this.syncDomain = computeDomain(DOMAIN_SYNC_COMMITTEE, CURRENT_VERSION, this.genesisValidatorsRoot);
    this.randaoDomain = computeDomain(DOMAIN_RANDAO, CURRENT_VERSION, this.genesisValidatorsRoot);
    this.committees = new Map(); // period -> {members, value}
    this.slots = [];             // slot -> record
    this.byRoot = new Map();     // hex block root -> slot
    this.state = this.genesisStateView();
  }

  get head() { return this.slots.length - 1; }

  /* Committee of `period`: validators (13p + 2j) mod 64, j < 32 — distinct, and different each
   * period, so the client must really rotate committees. */
  committee(period) {
    let c = this.committees.get(period);
    if (!c) {
      const members = [];
      for (let j = 0; j < SYNC_COMMITTEE_SIZE; j++) members.push((13 * period + 2 * j) % VALIDATOR_COUNT);
      const pubkeys = members.map((i) => this.keys[i].pk);
      let agg = 0n;
      for (const i of members) agg = (agg + this.keys[i].skInt) % BLS_R;
      const aggregatePubkey = SecretKey.fromBytes(bigIntTo32(agg)).toPublicKey().toBytes(true);
      c = { members, value: { pubkeys, aggregatePubkey } };
      this.committees.set(period, c);
    }
    return c;
  }

  genesisStateView() {
    const v = ssz.electra.BeaconState.defaultViewDU();
    v.genesisTime = this.genesisTime;
    v.genesisValidatorsRoot = this.genesisValidatorsRoot;
    v.fork = ssz.phase0.Fork.toViewDU({ previousVersion: fromHex("0x04000e2e"), currentVersion: CURRENT_VERSION, epoch: 0 });
    v.validators = ssz.phase0.Validators.toViewDU(this.validators);
    v.balances = ssz.phase0.Balances.toViewDU(this.validators.map(() => 32_000_000_000));
    v.eth1Data = ssz.phase0.Eth1Data.toViewDU({ depositRoot: new Uint8Array(32), depositCount: VALIDATOR_COUNT, blockHash: new Uint8Array(32) });
    v.eth1DepositIndex = VALIDATOR_COUNT;
    return v;
  }

  /* The sync aggregate carried by block `slot`: committee of period(slot) over block slot-1.
   * Member (slot mod 32) abstains, so bits are not all ones and aggregation is exercised. The
   * aggregate is sign(sum of secret keys) — identical to aggregating the individual signatures. */
  syncAggregateFor(slot) {
    if (slot === 0) {
      return { syncCommitteeBits: ssz.altair.SyncAggregate.fields.syncCommitteeBits.defaultValue(), syncCommitteeSignature: G2_INFINITY };
    }
    const { members } = this.committee(periodOf(slot));
    const bits = ssz.altair.SyncAggregate.fields.syncCommitteeBits.defaultValue();
    let sk = 0n;
    let count = 0;
    for (let j = 0; j < SYNC_COMMITTEE_SIZE && count < this.participation; j++) {
      if (this.participation < SYNC_COMMITTEE_SIZE && j === slot % SYNC_COMMITTEE_SIZE) continue;
      bits.set(j, true);
      sk = (sk + this.keys[members[j]].skInt) % BLS_R;
      count++;
    }
    const signingRoot = computeSigningRoot(this.slots[slot - 1].blockRoot, this.syncDomain);
    const sig = SecretKey.fromBytes(bigIntTo32(sk)).sign(signingRoot).toBytes(true);
    return { syncCommitteeBits: bits, syncCommitteeSignature: sig };
  }

  finalizedSlotAt(slot) {
    const fe = epochOf(slot) - 2;
    return fe > 0 ? fe * SLOTS_PER_EPOCH : null; // null: finalized checkpoint is (0, zero root)
  }

  /* Adds the beacon block for slot = this.head+1, carrying `payload` (anvil block of that number). */
  addSlot(payload) {
    const slot = this.slots.length;
    if (payload.blockNumber !== slot) throw new Error(`payload ${payload.blockNumber} for slot ${slot}`);
    if (payload.timestamp !== this.genesisTime + slot * this.secondsPerSlot) throw new Error(`payload time mismatch at slot ${slot}`);
    const proposer = slot % VALIDATOR_COUNT;
    const parentRoot = slot === 0 ? new Uint8Array(32) : this.slots[slot - 1].blockRoot;
    const epochBytes = new Uint8Array(32);
    new DataView(epochBytes.buffer).setBigUint64(0, BigInt(epochOf(slot)), true);
    const body = ssz.electra.BeaconBlockBody.defaultValue();
    body.randaoReveal = this.keys[proposer].sk.sign(computeSigningRoot(epochBytes, this.randaoDomain)).toBytes(true);
    body.eth1Data = { depositRoot: new Uint8Array(32), depositCount: VALIDATOR_COUNT, blockHash: new Uint8Array(32) };
    body.graffiti = sha256(Buffer.from("candor-e2e")); // any 32 bytes
    body.syncAggregate = this.syncAggregateFor(slot);
    body.executionPayload = payload;
    const bodyView = ssz.electra.BeaconBlockBody.toView(body);
    const bodyRoot = bodyView.hashTreeRoot();
    const executionBranch = treeProof(bodyView, GINDEX.executionPayload);
    const execution = payloadHeaderOf(payload);

    const st = this.state;
    const period = periodOf(slot);
    const fslot = this.finalizedSlotAt(slot);
    st.slot = slot;
    if (slot > 0) {
      st.blockRoots.set((slot - 1) % SLOTS_PER_HISTORICAL_ROOT, parentRoot);
      st.stateRoots.set((slot - 1) % SLOTS_PER_HISTORICAL_ROOT, this.slots[slot - 1].header.stateRoot);
    }
    st.latestBlockHeader = ssz.phase0.BeaconBlockHeader.toViewDU({ slot, proposerIndex: proposer, parentRoot, stateRoot: new Uint8Array(32), bodyRoot });
    st.finalizedCheckpoint = ssz.phase0.Checkpoint.toViewDU(
      fslot === null ? { epoch: 0, root: new Uint8Array(32) } : { epoch: epochOf(fslot), root: this.slots[fslot].blockRoot });
    st.currentSyncCommittee = ssz.altair.SyncCommittee.toViewDU(this.committee(period).value);
    st.nextSyncCommittee = ssz.altair.SyncCommittee.toViewDU(this.committee(period + 1).value);
    st.latestExecutionPayloadHeader = ssz.electra.ExecutionPayloadHeader.toViewDU(execution);
    st.commit();
    const stateRoot = st.hashTreeRoot();
    const header = { slot, proposerIndex: proposer, parentRoot, stateRoot, bodyRoot };
    const blockRoot = ssz.phase0.BeaconBlockHeader.hashTreeRoot(header);
    const rec = {
      slot, header, blockRoot, finalizedSlot: fslot,
      lcHeader: { beacon: header, execution, executionBranch },
      syncAggregate: body.syncAggregate,
      currentSyncCommitteeBranch: treeProof(st, GINDEX.currentSyncCommittee),
      nextSyncCommitteeBranch: treeProof(st, GINDEX.nextSyncCommittee),
      finalityBranch: treeProof(st, GINDEX.finalizedRoot),
    };
    this.slots.push(rec);
    this.byRoot.set(toHex(blockRoot), slot);
    return rec;
  }

  // ---- light-client objects (consensus-specs altair/light-client/full-node.md, Electra shapes) ----

  bootstrap(blockRootHex) {
    const slot = this.byRoot.get(blockRootHex.toLowerCase());
    if (slot === undefined) return null;
    const r = this.slots[slot];
    return {
      header: r.lcHeader,
      currentSyncCommittee: this.committee(periodOf(slot)).value,
      currentSyncCommitteeBranch: r.currentSyncCommitteeBranch,
    };
  }

  /* The update attested at `attested`, signed by block attested+1. */
  updateAt(attested) {
    const a = this.slots[attested];
    const sig = this.slots[attested + 1];
    // Electra reuses the Deneb LightClientHeader.
    let finalizedHeader = ssz.deneb.LightClientHeader.defaultValue();
    if (a.finalizedSlot !== null) finalizedHeader = this.slots[a.finalizedSlot].lcHeader;
    return {
      attestedHeader: a.lcHeader,
      nextSyncCommittee: this.committee(periodOf(attested) + 1).value,
      nextSyncCommitteeBranch: a.nextSyncCommitteeBranch,
      finalizedHeader,
      finalityBranch: a.finalityBranch,
      syncAggregate: sig.syncAggregate,
      signatureSlot: attested + 1,
    };
  }

  /* Best update of `period`: the latest attested header whose signature slot is still in the
   * period (so the update's next_sync_committee is usable), which also has the latest finality. */
  updateForPeriod(period) {
    const first = period * SLOTS_PER_PERIOD;
    const attested = Math.min(first + SLOTS_PER_PERIOD - 2, this.head - 1);
    if (attested < first) return null;
    return this.updateAt(attested);
  }

  finalityUpdate() {
    if (this.head < 1) return null;
    const u = this.updateAt(this.head - 1);
    return {
      attestedHeader: u.attestedHeader, finalizedHeader: u.finalizedHeader, finalityBranch: u.finalityBranch,
      syncAggregate: u.syncAggregate, signatureSlot: u.signatureSlot,
    };
  }

  optimisticUpdate() {
    if (this.head < 1) return null;
    const u = this.updateAt(this.head - 1);
    return { attestedHeader: u.attestedHeader, syncAggregate: u.syncAggregate, signatureSlot: u.signatureSlot };
  }

  forkDigest() {
    return computeForkDigest(CURRENT_VERSION, this.genesisValidatorsRoot);
  }

  /* consensus-specs config YAML plus our GENESIS_VALIDATORS_ROOT and GENESIS_TIME keys. */
  configYaml() {
    const lines = [
      "# Candor e2e test network (generated by tests/e2e; minimal preset, Electra from genesis)",
      "PRESET_BASE: 'minimal'",
      "CONFIG_NAME: 'candor-e2e'",
      `GENESIS_TIME: ${this.genesisTime}`,
      `GENESIS_VALIDATORS_ROOT: ${toHex(this.genesisValidatorsRoot)}`,
      `MIN_GENESIS_TIME: ${this.genesisTime}`,
      "MIN_GENESIS_ACTIVE_VALIDATOR_COUNT: 64",
      "GENESIS_DELAY: 0",
    ];
    for (const f of FORKS) {
      lines.push(`${f.name}_FORK_VERSION: ${f.version}`);
      if (f.name !== "GENESIS") lines.push(`${f.name}_FORK_EPOCH: ${f.epoch}`);
    }
    lines.push(
      `SECONDS_PER_SLOT: ${this.secondsPerSlot}`,
      "SECONDS_PER_ETH1_BLOCK: 14",
      "MIN_VALIDATOR_WITHDRAWABILITY_DELAY: 256",
      "SHARD_COMMITTEE_PERIOD: 64",
      "ETH1_FOLLOW_DISTANCE: 16",
      "MIN_SYNC_COMMITTEE_PARTICIPANTS: 1",
      `DEPOSIT_CHAIN_ID: ${this.depositChainId}`,
      `DEPOSIT_NETWORK_ID: ${this.depositChainId}`,
      "DEPOSIT_CONTRACT_ADDRESS: 0x1234567890123456789012345678901234567890",
      "",
    );
    return lines.join("\n");
  }
}
