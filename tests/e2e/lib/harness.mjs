// The e2e harness: options, the work folder, the test chain, the `candor serve` process wrapper
// and the checks of signed answers against anvil, shared by run.mjs and the subsystem phases
// in phases/*.mjs (each exports `name`, the --only word, and `async run(r, chain)`).
import "./preset.mjs";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { assert } from "./report.mjs";
import { boundedSpawn } from "./anvil.mjs";
import { verifySignedAnswer } from "./signing.mjs";
import { JsonRpc, abiWord, freePort, keccak, fromHex, quantity, sleep, toHex, waitFor } from "./util.mjs";

export const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const REPO = path.resolve(HERE, "../..");

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 && i + 1 < argv.length ? argv[i + 1] : d; };
export const CANDOR = path.resolve(REPO, opt("--candor", process.env.CANDOR_BIN || "build/candor"));
export const SPS = Number(opt("--seconds-per-slot", "2"));
export const DEMO = flag("--demo");
export const BENCH = flag("--bench");
export const KEEP = flag("--keep");
const PHASE_DIR = path.join(HERE, "phases");
const phaseFiles = () => (fs.existsSync(PHASE_DIR) ? fs.readdirSync(PHASE_DIR).filter((f) => f.endsWith(".mjs")).sort() : []);
// The default --only: the built-in phases, then every phase module's name (file NN-name.mjs).
const DEFAULT_ONLY = ["lc", "sync", "rpc", "tamper-el", "tamper-beacon", "config", "restart",
  ...phaseFiles().map((f) => f.replace(/^\d+-/, "").replace(/\.mjs$/, ""))];
export const ONLY = opt("--only", DEFAULT_ONLY.join(",")).split(",");
export const SYNC_TIMEOUT_MS = Number(opt("--sync-timeout", "90")) * 1000;
export const RUN_DEADLINE = Date.now() + Number(opt("--max-minutes", "25")) * 60000; // whole run is bounded

export const WORK = fs.mkdtempSync(path.join(os.tmpdir(), "candor-e2e-"));
export const children = new Set();
export const log = (m) => process.stderr.write(`[e2e] ${m}\n`);

export const services = new Set();
export function cleanup() {
  for (const svc of services) { if (svc.running()) { try { process.kill(svc.candorPid(), "SIGKILL"); } catch { /* gone */ } } }
  for (const c of children) { try { c.kill("SIGKILL"); } catch { /* gone */ } }
  if (!KEEP) fs.rmSync(WORK, { recursive: true, force: true });
  else log(`kept ${WORK}`);
}
process.on("SIGINT", () => { cleanup(); process.exit(130); });
process.on("SIGTERM", () => { cleanup(); process.exit(143); });

// ---------------------------------------------------------------- HTTP helpers
export async function http(method, url, body = undefined, headers = {}) {
  const res = await fetch(url, {
    method, headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30000),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

// ---------------------------------------------------------------- the chain (child process)
export async function startChain() {
  const dir = path.join(WORK, "chain");
  fs.mkdirSync(dir);
  const initialSlots = 3 * 64 + 24; // head in period 3: the checkpoint (slot 8) needs 3 rotations
  const out = fs.openSync(path.join(dir, "chain.log"), "a");
  const proc = spawn(process.execPath, [path.join(HERE, "chain.mjs"), "--out", dir, "--seconds-per-slot", String(SPS),
    "--initial-slots", String(initialSlots), "--checkpoint-slot", "8", "--max-seconds", "1800"],
  { stdio: ["ignore", out, out] });
  children.add(proc);
  proc.on("exit", () => children.delete(proc));
  const info = await waitFor(() => {
    if (proc.exitCode !== null) throw new Error(`chain exited: ${tail(path.join(dir, "chain.log"))}`);
    const f = path.join(dir, "chain.json");
    return fs.existsSync(f) && JSON.parse(fs.readFileSync(f, "utf8"));
  }, { timeoutMs: 120000, intervalMs: 300, what: "the test chain" });
  info.yaml = path.join(dir, "network.yaml");
  info.proc = proc;
  info.anvil = new JsonRpc(info.anvilUrl);
  // Answers are checked against the chain id anvil itself reports (the network config's
  // DEPOSIT_CHAIN_ID is another chain's, on purpose).
  const anvilChainId = Number(BigInt(await info.anvil.call("eth_chainId")));
  if (anvilChainId !== info.chainId) throw new Error(`anvil says chain ${anvilChainId}, chain.json ${info.chainId}`);
  info.chainId = anvilChainId;
  return info;
}

export function tail(file, n = 8) {
  try { return fs.readFileSync(file, "utf8").trim().split("\n").slice(-n).join(" | "); } catch { return "(no log)"; }
}

// ---------------------------------------------------------------- the service
export class Service {
  constructor(name, { chain, beaconUrl, elUrl, dataDir = null }) {
    this.name = name;
    this.chain = chain;
    this.beaconUrl = beaconUrl;
    this.elUrl = elUrl;
    this.dataDir = dataDir || fs.mkdtempSync(path.join(WORK, `data-${name}-`));
    this.logFile = path.join(WORK, `serve-${name}.log`);
    this.proc = null;
    services.add(this);
  }

  /* executionChainId: --execution-chain-id (default anvil's; null: not given, which a network
   * file without EXECUTION_CHAIN_ID refuses). */
  async start({ checkpoint = true, extraArgs = [], network = null, logLevel = "debug", executionChainId = this.chain.chainId } = {}) {
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    const args = ["serve", "--network", network || this.chain.yaml, "--consensus-rpc", this.beaconUrl, "--execution-rpc", this.elUrl,
      "--listen", `127.0.0.1:${this.port}`, "--data-dir", this.dataDir, "--tee", "mock", "--log-level", logLevel];
    if (checkpoint) args.push("--checkpoint", this.chain.checkpoint);
    if (executionChainId !== null) args.push("--execution-chain-id", String(executionChainId));
    args.push(...extraArgs);
    const out = fs.openSync(this.logFile, "a");
    fs.writeSync(out, `\n=== start ${new Date().toISOString()} candor ${args.join(" ")}\n`);
    this.proc = boundedSpawn(CANDOR, args, (RUN_DEADLINE - Date.now()) / 1000 + 120, { stdio: ["ignore", out, out] });
    children.add(this.proc);
    this.exited = new Promise((r) => this.proc.on("exit", (code, sig) => { children.delete(this.proc); r({ code, sig }); }));
    return this;
  }

  running() { return this.proc && this.proc.exitCode === null && this.proc.signalCode === null; }

  /* The candor process itself: under timeout(1) it is the wrapper's only child. SIGKILL must
   * reach candor (timeout cannot forward it); other signals are forwarded by timeout. */
  candorPid() {
    try {
      const kids = fs.readFileSync(`/proc/${this.proc.pid}/task/${this.proc.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
      const exe = kids.length === 1 ? fs.readlinkSync(`/proc/${kids[0]}/exe`) : "";
      if (path.basename(exe) === path.basename(CANDOR)) return Number(kids[0]);
    } catch { /* not wrapped, or gone */ }
    return this.proc.pid;
  }

  async stop(signal = "SIGTERM") {
    if (!this.running()) return;
    const pid = this.candorPid();
    const t0 = Date.now();
    try { process.kill(pid, signal); } catch { /* already gone */ }
    // SIGKILL candor itself (not the timeout wrapper, which would orphan it) if it lingers.
    const t = setTimeout(() => { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }, 10000);
    await this.exited;
    clearTimeout(t);
    this.lastStopMs = Date.now() - t0;
  }

  async health() {
    try { return (await http("GET", `${this.url}/health`)).status; } catch { return 0; }
  }

  async waitHealthy(timeoutMs = SYNC_TIMEOUT_MS) {
    const t0 = Date.now();
    await waitFor(async () => {
      if (!this.running()) throw new Error(`candor exited (${tail(this.logFile, 4)})`);
      return (await this.health()) === 200;
    }, { timeoutMs, intervalMs: 250, what: `${this.name} /health 200` });
    return Date.now() - t0;
  }

  rpc() { return new JsonRpc(this.url, 30000); }

  /* After a check: if candor died (crash), that is a failure of its own; restart it on the same
   * store so that the remaining checks still say something. */
  async reviveIfDead(r, after) {
    if (this.running()) {
      if ((await this.health()) !== 0) return true; // it answers
      // Not answering: a crash is reported by the 'exit' event a little later than the refused
      // connections that follow it, so give the event time to arrive.
      await Promise.race([this.exited, sleep(1500)]);
      if (this.running()) return true;
    }
    const { code, sig } = await this.exited;
    const exit = sig ? `signal ${sig}` : code === 137 || code === 139 || code === 134 ? `exit ${code} (${{ 137: "SIGKILL", 139: "SIGSEGV", 134: "SIGABRT" }[code]})` : `exit ${code}`;
    r.fail(`candor stays up (${after})`, `candor died: ${exit}; log: ${tail(this.logFile, 2)}`);
    await this.start({ checkpoint: true });
    try { await this.waitHealthy(); return true; } catch (e) { r.fail("candor restarts after the crash", e.message); return false; }
  }
}

/* r.check, then the liveness check of the service. */
export async function svcCheck(r, svc, name, fn) {
  const ok = await r.check(name, fn);
  await svc.reviveIfDead(r, name);
  return ok;
}

// ---------------------------------------------------------------- truth from anvil
export function balanceSlot(holder) {
  return toHex(keccak(fromHex("0x" + abiWord(holder) + abiWord(0))));
}

export async function anvilBlock(chain, n) {
  return chain.anvil.call("eth_getBlockByNumber", [quantity(n), false]);
}

export async function beaconRootAt(chain, slot) {
  const r = await http("GET", `${chain.beaconUrl}/eth/v1/beacon/headers/${slot}`);
  return r.json?.data?.root;
}

/* Every claim of a signed answer against anvil (block) and our beacon chain (slot, root). */
export async function checkClaim(chain, claim) {
  const b = await anvilBlock(chain, claim.number);
  assert(b, `anvil has no block ${claim.number}`);
  assert(b.hash === claim.blockHash.toLowerCase(), `block hash ${claim.blockHash} != anvil ${b.hash}`);
  assert(b.stateRoot === claim.stateRoot.toLowerCase(), "stateRoot differs from anvil");
  assert(b.receiptsRoot === claim.receiptsRoot.toLowerCase(), "receiptsRoot differs from anvil");
  const root = await beaconRootAt(chain, Number(claim.beaconSlot));
  assert(root === claim.beaconRoot.toLowerCase(), `beacon root at slot ${claim.beaconSlot} is ${root}, answer says ${claim.beaconRoot}`);
  assert(Number(claim.beaconSlot) === Number(claim.number), `slot ${claim.beaconSlot} does not carry block ${claim.number}`);
}

/* A signed /block answer: signature, then every claim. */
export async function checkBlockAnswer(chain, ans, { finalized = null, signer = null } = {}) {
  const { claim } = verifySignedAnswer(ans, { chainId: chain.chainId, expectSigner: signer });
  if ("blocknum" in ans) assert(String(ans.blocknum) === String(BigInt(claim.number)), `blocknum ${ans.blocknum} != number`);
  await checkClaim(chain, claim);
  if (finalized !== null) assert(!!claim.finalized === finalized, `finalized=${claim.finalized}`);
  return claim;
}

export function callRequest(chain, to, input) {
  return { from: chain.accounts[2], to, input, value: "0x0", gas: quantity(30000000) };
}

/* A /call answer: signature over (block, request, result); result equals anvil's eth_call. */
export async function checkCallAnswer(chain, req, ans, signer) {
  const { claim } = verifySignedAnswer(ans, { chainId: chain.chainId, request: req, expectSigner: signer });
  await checkClaim(chain, claim);
  let truth;
  try {
    truth = { Success: await chain.anvil.call("eth_call", [{ from: req.from, to: req.to, data: req.input, gas: req.gas }, quantity(claim.number)]) };
  } catch (e) {
    truth = { Revert: e.message };
  }
  if (truth.Success !== undefined) {
    assert(ans.response?.Success?.toLowerCase() === truth.Success.toLowerCase(), `response ${JSON.stringify(ans.response)} != anvil ${truth.Success}`);
  } else {
    assert(ans.response?.Revert !== undefined, `anvil reverted (${truth.Revert}) but candor says ${JSON.stringify(ans.response)}`);
  }
  return claim;
}

// The JSON-RPC catalogue: each entry asks candor and anvil the same question at block N.

export async function serviceHead(svc) {
  const r = await http("GET", `${svc.url}/block`);
  if (r.status !== 200 || !r.json) throw new Error(`/block: HTTP ${r.status} ${r.text.slice(0, 120)}`);
  return Number(BigInt(r.json.number ?? r.json.blocknum));
}

/* The phase modules in phases/, in file-name order; each module's file name (without its
 * leading number) must equal its `name`, so that --only and the default list agree. */
export async function loadPhaseModules() {
  const mods = [];
  for (const f of phaseFiles()) {
    const m = await import(pathToFileURL(path.join(PHASE_DIR, f)).href);
    const want = f.replace(/^\d+-/, "").replace(/\.mjs$/, "");
    if (m.name !== want || typeof m.run !== "function") throw new Error(`${f}: must export name "${want}" and run(r, chain)`);
    mods.push(m);
  }
  return mods;
}
