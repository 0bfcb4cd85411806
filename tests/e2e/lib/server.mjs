// The beacon light-client API over our BeaconChain, on 127.0.0.1: JSON (beacon-API encoding,
// {"version","data"}) or SSZ with `Accept: application/octet-stream`. /updates in SSZ is the
// chunked stream: u64 LE length (= 4 + payload), 4-byte fork digest, SSZ payload.
// Test-only routes under /_e2e/ expose request counts and chain facts to the driver.
import "./preset.mjs";
import http from "node:http";
import { ssz } from "@lodestar/types";
import { CURRENT_FORK, periodOf } from "./beacon.mjs";
import { toHex } from "./util.mjs";

const MAX_UPDATES_COUNT = 128; // MAX_REQUEST_LIGHT_CLIENT_UPDATES

function wantsSsz(req) {
  const a = String(req.headers.accept || "");
  return a.includes("application/octet-stream") && !/application\/json\s*(;|,|$)/.test(a.split("application/octet-stream")[0]);
}

function sendJson(res, status, obj, extra = {}) {
  const body = Buffer.from(JSON.stringify(obj));
  res.writeHead(status, { "content-type": "application/json", "content-length": body.length, ...extra });
  res.end(body);
}

function sendSsz(res, bytes, extra = {}) {
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length, ...extra });
  res.end(Buffer.from(bytes));
}

function notFound(res, msg) {
  sendJson(res, 404, { code: 404, message: msg });
}

export function startBeaconServer(chain, { port = 0, extraInfo = () => ({}) } = {}) {
  const stats = {};
  const types = ssz.electra;
  const versionHeader = { "eth-consensus-version": CURRENT_FORK };

  function answer(req, res, type, value) {
    if (!value) return notFound(res, "not available");
    if (wantsSsz(req)) return sendSsz(res, type.serialize(value), versionHeader);
    return sendJson(res, 200, { version: CURRENT_FORK, data: type.toJson(value) }, versionHeader);
  }

  const routes = [
    [/^\/eth\/v1\/beacon\/light_client\/bootstrap\/(0x[0-9a-fA-F]{64})$/, (req, res, m) =>
      answer(req, res, types.LightClientBootstrap, chain.bootstrap(m[1]))],
    [/^\/eth\/v1\/beacon\/light_client\/finality_update$/, (req, res) =>
      answer(req, res, types.LightClientFinalityUpdate, chain.finalityUpdate())],
    [/^\/eth\/v1\/beacon\/light_client\/optimistic_update$/, (req, res) =>
      answer(req, res, types.LightClientOptimisticUpdate, chain.optimisticUpdate())],
    [/^\/eth\/v1\/beacon\/light_client\/updates$/, (req, res, m, url) => {
      const start = url.searchParams.get("start_period");
      const count = url.searchParams.get("count");
      if (!/^\d+$/.test(start ?? "") || !/^\d+$/.test(count ?? "")) {
        return sendJson(res, 400, { code: 400, message: "start_period and count are required integers" });
      }
      const updates = [];
      const n = Math.min(Number(count), MAX_UPDATES_COUNT);
      for (let p = Number(start); p < Number(start) + n; p++) {
        const u = chain.updateForPeriod(p);
        if (!u) break;
        updates.push(u);
      }
      if (wantsSsz(req)) {
        const digest = chain.forkDigest();
        const parts = [];
        for (const u of updates) {
          const body = types.LightClientUpdate.serialize(u);
          const len = Buffer.alloc(8);
          len.writeBigUInt64LE(BigInt(4 + body.length));
          parts.push(len, Buffer.from(digest), Buffer.from(body));
        }
        return sendSsz(res, Buffer.concat(parts));
      }
      return sendJson(res, 200, updates.map((u) => ({ version: CURRENT_FORK, data: types.LightClientUpdate.toJson(u) })));
    }],
    [/^\/eth\/v1\/beacon\/genesis$/, (req, res) => sendJson(res, 200, {
      data: {
        genesis_time: String(chain.genesisTime),
        genesis_validators_root: toHex(chain.genesisValidatorsRoot),
        genesis_fork_version: "0x00000e2e",
      },
    })],
    [/^\/eth\/v1\/config\/spec$/, (req, res) => {
      const data = {};
      for (const line of chain.configYaml().split("\n")) {
        const m = /^([A-Z0-9_]+):\s*'?([^']*)'?$/.exec(line);
        if (m) data[m[1]] = m[2];
      }
      sendJson(res, 200, { data });
    }],
    [/^\/eth\/v1\/beacon\/headers\/(head|finalized|\d+|0x[0-9a-fA-F]{64})$/, (req, res, m) => {
      let slot;
      if (m[1] === "head") slot = chain.head;
      else if (m[1] === "finalized") slot = chain.slots[chain.head]?.finalizedSlot ?? 0;
      else if (m[1].startsWith("0x")) slot = chain.byRoot.get(m[1].toLowerCase());
      else slot = Number(m[1]);
      const r = chain.slots[slot];
      if (!r) return notFound(res, "no such block");
      sendJson(res, 200, {
        execution_optimistic: false,
        finalized: slot <= (chain.slots[chain.head].finalizedSlot ?? 0),
        data: {
          root: toHex(r.blockRoot), canonical: true,
          header: { message: ssz.phase0.BeaconBlockHeader.toJson(r.header), signature: "0x" + "00".repeat(96) },
        },
      });
    }],
    [/^\/_e2e\/stats$/, (req, res) => sendJson(res, 200, stats)],
    [/^\/_e2e\/info$/, (req, res) => sendJson(res, 200, {
      head: chain.head, period: periodOf(chain.head), finalizedSlot: chain.slots[chain.head]?.finalizedSlot ?? null,
      headRoot: toHex(chain.slots[chain.head].blockRoot), ...extraInfo(),
    })],
  ];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const key = url.pathname.replace(/0x[0-9a-fA-F]{64}/, "{root}");
    stats[key] = (stats[key] || 0) + 1;
    if (req.method !== "GET") return sendJson(res, 405, { code: 405, message: "GET only" });
    for (const [re, fn] of routes) {
      const m = re.exec(url.pathname);
      if (m) {
        try {
          return fn(req, res, m, url);
        } catch (e) {
          return sendJson(res, 500, { code: 500, message: String(e && e.message) });
        }
      }
    }
    notFound(res, `no route ${url.pathname}`);
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${server.address().port}`, stats }));
  });
}
