// Small helpers shared by the e2e tools: hex, hashes, JSON-RPC over fetch, ports, waiting.
import { createHash } from "node:crypto";
import net from "node:net";
import { keccak_256 } from "@noble/hashes/sha3";

export function toHex(bytes) {
  return "0x" + Buffer.from(bytes).toString("hex");
}

export function fromHex(hex) {
  if (typeof hex !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`bad hex: ${hex}`);
  return new Uint8Array(Buffer.from(hex.slice(2), "hex"));
}

export function sha256(...parts) {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function keccak(bytes) {
  return keccak_256(bytes);
}

export function quantity(n) {
  return "0x" + BigInt(n).toString(16);
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/* A free TCP port on 127.0.0.1 (the kernel picks it; small race until the user binds it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/* JSON-RPC 2.0 client with a timeout; throws on transport errors and on error answers. */
export class JsonRpc {
  constructor(url, timeoutMs = 10000) {
    this.url = url;
    this.timeoutMs = timeoutMs;
    this.nextId = 1;
  }

  async raw(body) {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    try {
      return { status: res.status, json: JSON.parse(text) };
    } catch {
      return { status: res.status, json: null, text };
    }
  }

  async call(method, params = []) {
    const { json, text } = await this.raw({ jsonrpc: "2.0", id: this.nextId++, method, params });
    if (!json) throw new Error(`${method}: not JSON: ${String(text).slice(0, 200)}`);
    if (json.error) throw new Error(`${method}: ${json.error.message || JSON.stringify(json.error)}`);
    return json.result;
  }
}

/* Polls `fn` until it returns a truthy value or the deadline passes (bounded loop). */
export async function waitFor(fn, { timeoutMs = 30000, intervalMs = 200, what = "condition" } = {}) {
  const end = Date.now() + timeoutMs;
  let lastErr = null;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastErr = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}${lastErr ? `: ${lastErr.message}` : ""}`);
}

/* ABI encoding for the handful of calls the tests make (static types only). */
export function selector(signature) {
  return toHex(keccak(new TextEncoder().encode(signature)).slice(0, 4));
}

export function abiWord(v) {
  if (typeof v === "string" && v.startsWith("0x")) return v.slice(2).toLowerCase().padStart(64, "0");
  return BigInt(v).toString(16).padStart(64, "0");
}

export function abiCall(signature, ...args) {
  return selector(signature) + args.map(abiWord).join("");
}

// Calldata for a function whose arguments are static words or (one level of) dynamic strings.
export function abiEncodeCall(signature, args) {
  const types = /\((.*)\)/.exec(signature)[1].split(",").filter(Boolean);
  let head = "", tail = "";
  const headLen = 32 * types.length;
  types.forEach((t, i) => {
    if (t === "string") {
      head += abiWord(headLen + tail.length / 2);
      const b = new TextEncoder().encode(args[i]);
      tail += abiWord(b.length) + Buffer.from(b).toString("hex").padEnd(Math.ceil(b.length / 32) * 64, "0");
    } else head += abiWord(args[i]);
  });
  return selector(signature) + head + tail;
}
