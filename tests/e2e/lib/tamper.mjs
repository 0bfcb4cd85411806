// Tampering proxies: one in front of the beacon API, one in front of anvil's JSON-RPC. Each
// forwards everything and changes exactly ONE field in the answers that carry it, chosen by
// `mode` (settable while running). Counters say how many answers were really tampered, so a
// test can tell "refused" from "never looked at the field".
import "./preset.mjs";
import http from "node:http";
import { ssz } from "@lodestar/types";
import { CURRENT_FORK } from "./beacon.mjs";
import { fromHex, toHex } from "./util.mjs";

const MAX_BODY = 64 << 20;

function flipByte(hex, pos = null) {
  const b = fromHex(hex);
  if (b.length === 0) return "0x01";
  const i = pos === null ? Math.floor(b.length / 2) : Math.min(pos, b.length - 1);
  b[i] ^= 0x01;
  return toHex(b);
}
const flipBytes = (u8, i = null) => { const c = Uint8Array.from(u8); c[i === null ? Math.floor(c.length / 2) : i] ^= 1; return c; };
const plusOne = (q) => "0x" + (BigInt(q) + 1n).toString(16);

// ---- beacon modes: each mutates a decoded lodestar value of one endpoint ----
// [mode]: { endpoint: "bootstrap"|"updates"|"finality_update"|"optimistic_update", mutate(v), what }
export const BEACON_MODES = {
  "bootstrap.header.state_root": { endpoint: "bootstrap", mutate: (v) => { v.header.beacon.stateRoot = flipBytes(v.header.beacon.stateRoot); } },
  "bootstrap.committee_branch": { endpoint: "bootstrap", mutate: (v) => { v.currentSyncCommitteeBranch[1] = flipBytes(v.currentSyncCommitteeBranch[1]); } },
  "bootstrap.committee_pubkey": { endpoint: "bootstrap", mutate: (v) => { v.currentSyncCommittee.pubkeys[0] = v.currentSyncCommittee.pubkeys[1]; } },
  "bootstrap.execution_state_root": { endpoint: "bootstrap", mutate: (v) => { v.header.execution.stateRoot = flipBytes(v.header.execution.stateRoot); } },
  "updates.signature": { endpoint: "updates", mutate: (v) => { v.syncAggregate.syncCommitteeSignature = flipBytes(v.syncAggregate.syncCommitteeSignature, 40); } },
  "updates.participation_bit": { endpoint: "updates", mutate: (v) => { const b = v.syncAggregate.syncCommitteeBits; b.set(5, !b.get(5)); } },
  "updates.next_committee_branch": { endpoint: "updates", mutate: (v) => { v.nextSyncCommitteeBranch[2] = flipBytes(v.nextSyncCommitteeBranch[2]); } },
  "updates.next_committee_pubkey": { endpoint: "updates", mutate: (v) => { v.nextSyncCommittee.pubkeys[3] = v.nextSyncCommittee.pubkeys[4]; } },
  "updates.finality_branch": { endpoint: "updates", mutate: (v) => { v.finalityBranch[3] = flipBytes(v.finalityBranch[3]); } },
  "updates.finalized_slot": { endpoint: "updates", mutate: (v) => { v.finalizedHeader.beacon.slot += 1; } },
  "updates.attested_execution_state_root": { endpoint: "updates", mutate: (v) => { v.attestedHeader.execution.stateRoot = flipBytes(v.attestedHeader.execution.stateRoot); } },
  "updates.execution_branch": { endpoint: "updates", mutate: (v) => { v.attestedHeader.executionBranch[0] = flipBytes(v.attestedHeader.executionBranch[0]); } },
  "finality.signature": { endpoint: "finality_update", mutate: (v) => { v.syncAggregate.syncCommitteeSignature = flipBytes(v.syncAggregate.syncCommitteeSignature, 40); } },
  "finality.finalized_execution_state_root": { endpoint: "finality_update", mutate: (v) => { v.finalizedHeader.execution.stateRoot = flipBytes(v.finalizedHeader.execution.stateRoot); } },
  "finality.finalized_execution_block_hash": { endpoint: "finality_update", mutate: (v) => { v.finalizedHeader.execution.blockHash = flipBytes(v.finalizedHeader.execution.blockHash); } },
  "finality.attested_state_root": { endpoint: "finality_update", mutate: (v) => { v.attestedHeader.beacon.stateRoot = flipBytes(v.attestedHeader.beacon.stateRoot); } },
  "finality.finality_branch": { endpoint: "finality_update", mutate: (v) => { v.finalityBranch[0] = flipBytes(v.finalityBranch[0]); } },
  "optimistic.signature": { endpoint: "optimistic_update", mutate: (v) => { v.syncAggregate.syncCommitteeSignature = flipBytes(v.syncAggregate.syncCommitteeSignature, 40); } },
  "optimistic.attested_execution_receipts_root": { endpoint: "optimistic_update", mutate: (v) => { v.attestedHeader.execution.receiptsRoot = flipBytes(v.attestedHeader.execution.receiptsRoot); } },
};

const ENDPOINT_TYPES = {
  bootstrap: "LightClientBootstrap",
  updates: "LightClientUpdate",
  finality_update: "LightClientFinalityUpdate",
  optimistic_update: "LightClientOptimisticUpdate",
};

function beaconEndpoint(pathname) {
  const m = /\/eth\/v1\/beacon\/light_client\/(bootstrap|updates|finality_update|optimistic_update)\b/.exec(pathname);
  return m ? m[1] : null;
}

/* Rewrites one beacon-API body (JSON or SSZ) under `mode`; returns null when untouched. */
export function tamperBeaconBody(mode, pathname, contentType, body) {
  const spec = BEACON_MODES[mode];
  if (!spec || beaconEndpoint(pathname) !== spec.endpoint) return null;
  const type = ssz.electra[ENDPOINT_TYPES[spec.endpoint]];
  const isSsz = String(contentType).includes("octet-stream");
  if (spec.endpoint === "updates") {
    if (isSsz) {
      const out = [];
      let off = 0;
      while (off + 12 <= body.length) {
        const len = Number(body.readBigUInt64LE(off));
        const v = type.deserialize(body.subarray(off + 12, off + 8 + len));
        spec.mutate(v);
        const ser = Buffer.from(type.serialize(v));
        const lenBuf = Buffer.alloc(8);
        lenBuf.writeBigUInt64LE(BigInt(4 + ser.length));
        out.push(lenBuf, body.subarray(off + 8, off + 12), ser);
        off += 8 + len;
      }
      return Buffer.concat(out);
    }
    const list = JSON.parse(body.toString());
    for (const item of list) {
      const v = type.fromJson(item.data);
      spec.mutate(v);
      item.data = type.toJson(v);
    }
    return Buffer.from(JSON.stringify(list));
  }
  if (isSsz) {
    const v = type.deserialize(body);
    spec.mutate(v);
    return Buffer.from(type.serialize(v));
  }
  const obj = JSON.parse(body.toString());
  const v = type.fromJson(obj.data);
  spec.mutate(v);
  obj.data = type.toJson(v);
  obj.version = obj.version || CURRENT_FORK;
  return Buffer.from(JSON.stringify(obj));
}

// ---- execution JSON-RPC modes: method -> mutate(result, params) (returns true if changed) ----
const lastOf = (a) => a.length - 1;
export const EL_MODES = {
  "getProof.balance": { method: "eth_getProof", mutate: (r) => { r.balance = plusOne(r.balance); return true; } },
  "getProof.nonce": { method: "eth_getProof", mutate: (r) => { r.nonce = plusOne(r.nonce); return true; } },
  "getProof.codeHash": { method: "eth_getProof", mutate: (r) => { r.codeHash = flipByte(r.codeHash); return true; } },
  "getProof.storageHash": { method: "eth_getProof", mutate: (r) => { r.storageHash = flipByte(r.storageHash); return true; } },
  "getProof.accountProof_node": { method: "eth_getProof", mutate: (r) => { const i = lastOf(r.accountProof); r.accountProof[i] = flipByte(r.accountProof[i], 40); return true; } },
  "getProof.accountProof_root_node": { method: "eth_getProof", mutate: (r) => { r.accountProof[0] = flipByte(r.accountProof[0], 20); return true; } },
  "getProof.storage_value": { method: "eth_getProof", mutate: (r) => { if (!r.storageProof.length) return false; r.storageProof[0].value = plusOne(r.storageProof[0].value); return true; } },
  "getProof.storage_node": {
    method: "eth_getProof",
    mutate: (r) => {
      const sp = r.storageProof.find((s) => s.proof.length);
      if (!sp) return false;
      const i = lastOf(sp.proof);
      sp.proof[i] = flipByte(sp.proof[i], sp.proof[i].length / 2 - 4);
      return true;
    },
  },
  "getCode.byte": { method: "eth_getCode", mutate: (r, _p, set) => { if (r === "0x") return false; set(flipByte(r, 10)); return true; } },
  "header.stateRoot": { method: /^eth_getBlockBy(Number|Hash)$/, mutate: (r) => { if (!r) return false; r.stateRoot = flipByte(r.stateRoot); return true; } },
  "header.receiptsRoot": { method: /^eth_getBlockBy(Number|Hash)$/, mutate: (r) => { if (!r) return false; r.receiptsRoot = flipByte(r.receiptsRoot); return true; } },
  "header.gasUsed": { method: /^eth_getBlockBy(Number|Hash)$/, mutate: (r) => { if (!r) return false; r.gasUsed = plusOne(r.gasUsed); return true; } },
  "receipt.status": { method: "eth_getTransactionReceipt", mutate: (r) => { if (!r) return false; r.status = r.status === "0x1" ? "0x0" : "0x1"; return true; } },
  "receipt.log_data": { method: /^eth_get(TransactionReceipt|BlockReceipts)$/, mutate: (r) => tamperFirstLog(Array.isArray(r) ? r.flatMap((x) => x.logs) : r?.logs ?? []) },
  "receipt.cumulativeGasUsed": { method: /^eth_get(TransactionReceipt|BlockReceipts)$/, mutate: (r) => { const x = Array.isArray(r) ? r[0] : r; if (!x) return false; x.cumulativeGasUsed = plusOne(x.cumulativeGasUsed); return true; } },
  "logs.data": { method: "eth_getLogs", mutate: (r) => tamperFirstLog(r || []) },
  "logs.drop": { method: "eth_getLogs", mutate: (r) => { if (!r || !r.length) return false; r.splice(0, 1); return true; } },
  "call.result": { method: "eth_call", mutate: (r, _p, set) => { set(flipByte(r === "0x" ? "0x00" : r)); return true; } },
  "chainId": { method: "eth_chainId", mutate: (r, _p, set) => { set(plusOne(r)); return true; } },
  // Benign: a wrong access list only costs the service extra proofs; answers must still be right.
  "accessList.empty": { method: "eth_createAccessList", benign: true, mutate: (r) => { if (!r) return false; r.accessList = []; return true; } },
};

function tamperFirstLog(logs) {
  const log = logs.find((l) => l.data && l.data !== "0x");
  if (!log) return false;
  log.data = flipByte(log.data);
  return true;
}

// keccak256("PacketSent(bytes,bytes,address)"), LayerZero V2's endpoint event.
const PACKET_SENT_TOPIC = "0x1ab700d4ced0c005b164c0f789fd09fcbb0156d4c2041b8a3bfbcd961cd1567f";
/* Changes one byte of the first PacketSent message, keeping the ABI encoding valid: the packet
 * starts at byte 160 of the data (3 head words + its length word), its message 113 bytes later. */
function tamperPacketMessage(logs) {
  const log = logs.find((l) => l.topics?.[0]?.toLowerCase() === PACKET_SENT_TOPIC && (l.data.length - 2) / 2 > 160 + 113);
  if (!log) return false;
  log.data = flipByte(log.data, 160 + 113);
  return true;
}

// Modes for the DVN phase (phases/30-dvn.mjs), kept apart from EL_MODES because they only fire
// on blocks with a LayerZero packet: a forged PacketSent message, a receipt left out.
export const DVN_EL_MODES = {
  "receipts.packet_message": { method: "eth_getBlockReceipts", mutate: (r) => tamperPacketMessage(Array.isArray(r) ? r.flatMap((x) => x.logs) : []) },
  "receipts.drop_last": { method: "eth_getBlockReceipts", mutate: (r) => { if (!Array.isArray(r) || !r.length) return false; r.pop(); return true; } },
};

function methodMatches(spec, method) {
  return spec.method instanceof RegExp ? spec.method.test(method) : spec.method === method;
}

/* Rewrites one JSON-RPC response body (single or batch) for the request body it answers. */
export function tamperRpcBody(mode, reqBody, resBody) {
  const spec = EL_MODES[mode] || DVN_EL_MODES[mode];
  if (!spec) return null;
  let req, res;
  try {
    req = JSON.parse(reqBody.toString());
    res = JSON.parse(resBody.toString());
  } catch {
    return null;
  }
  const reqs = Array.isArray(req) ? req : [req];
  const ress = Array.isArray(res) ? res : [res];
  const byId = new Map(reqs.map((r) => [JSON.stringify(r.id), r]));
  let changed = false;
  for (const r of ress) {
    const q = byId.get(JSON.stringify(r.id));
    if (!q || !methodMatches(spec, q.method) || r.result === undefined) continue;
    if (spec.mutate(r.result, q.params, (v) => { r.result = v; })) changed = true;
  }
  return changed ? Buffer.from(JSON.stringify(Array.isArray(res) ? ress : ress[0])) : null;
}

function readBody(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let n = 0;
    stream.on("data", (c) => {
      n += c.length;
      if (n > MAX_BODY) { reject(new Error("body too large")); stream.destroy(); return; }
      chunks.push(c);
    });
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

/* A proxy on 127.0.0.1 in front of `upstream` (kind "beacon" or "el"); `proxy.mode` picks the
 * field (null: pass through); `delayMs` slows every answer. proxy.stats = {requests, tampered}. */
export function startTamperProxy({ upstream, kind, mode = null, port = 0, delayMs = 0 }) {
  const proxy = { mode, delayMs, stats: { requests: 0, tampered: 0 }, url: null, server: null };
  const server = http.createServer(async (req, res) => {
    proxy.stats.requests++;
    try {
      // A slow upstream stretches the service's sync so that kills land in the middle of it.
      if (proxy.delayMs > 0) await new Promise((r) => setTimeout(r, proxy.delayMs));
      const reqBody = await readBody(req);
      const headers = { ...req.headers };
      delete headers.host;
      delete headers["content-length"];
      delete headers["accept-encoding"];
      const up = await fetch(upstream + req.url, {
        method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : reqBody,
        signal: AbortSignal.timeout(20000),
      });
      let body = Buffer.from(await up.arrayBuffer());
      const ct = up.headers.get("content-type") || "";
      if (proxy.mode && up.status === 200) {
        const url = new URL(req.url, "http://x");
        const t = kind === "beacon" ? tamperBeaconBody(proxy.mode, url.pathname, ct, body) : tamperRpcBody(proxy.mode, reqBody, body);
        if (t) {
          body = t;
          proxy.stats.tampered++;
        }
      }
      const out = { "content-type": ct, "content-length": body.length };
      const v = up.headers.get("eth-consensus-version");
      if (v) out["eth-consensus-version"] = v;
      res.writeHead(up.status, out);
      res.end(body);
    } catch (e) {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`proxy error: ${e.message}`);
    }
  });
  proxy.server = server;
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () => {
      proxy.url = `http://127.0.0.1:${server.address().port}`;
      resolve(proxy);
    });
  });
}
