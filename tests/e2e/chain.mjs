#!/usr/bin/env node
// Local test chain: anvil (execution) + our signed beacon chain (consensus) + beacon API server.
//
//   node chain.mjs --out DIR [--seconds-per-slot 2] [--initial-slots 200] [--checkpoint-slot 8]
//                  [--max-seconds 1800] [--no-live] [--deposit-chain-id 5]
//
// Writes DIR/network.yaml (consensus-specs config + GENESIS_VALIDATORS_ROOT, GENESIS_TIME),
// DIR/chain.env (shell-sourceable: ANVIL_URL BEACON_URL CHECKPOINT TOKEN STORE ...) and
// DIR/chain.json, then keeps producing one anvil block + one beacon block per slot in real time
// (slot s at GENESIS_TIME + s*SECONDS_PER_SLOT) until SIGTERM/SIGINT or --max-seconds.
import "./lib/preset.mjs";
import fs from "node:fs";
import path from "node:path";
import { startAnvil, compileContracts, ExecutionChain, DEV } from "./lib/anvil.mjs";
import { BeaconChain, payloadFromAnvil, periodOf } from "./lib/beacon.mjs";
import { startBeaconServer } from "./lib/server.mjs";
import { quantity, sleep, toHex } from "./lib/util.mjs";

function parseArgs(argv) {
  const o = { out: null, secondsPerSlot: 2, initialSlots: 200, checkpointSlot: 8, maxSeconds: 1800, live: true, chainId: 31337, depositChainId: 5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === "--out") o.out = next();
    else if (a === "--seconds-per-slot") o.secondsPerSlot = Number(next());
    else if (a === "--initial-slots") o.initialSlots = Number(next());
    else if (a === "--checkpoint-slot") o.checkpointSlot = Number(next());
    else if (a === "--max-seconds") o.maxSeconds = Number(next());
    else if (a === "--no-live") o.live = false;
    else if (a === "--deposit-chain-id") o.depositChainId = Number(next());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.out) throw new Error("--out DIR is required");
  if (!(o.secondsPerSlot >= 1) || !(o.initialSlots >= 16) || !(o.checkpointSlot >= 1 && o.checkpointSlot < o.initialSlots)) {
    throw new Error("bad numbers: seconds-per-slot >= 1, initial-slots >= 16, 1 <= checkpoint-slot < initial-slots");
  }
  return o;
}

async function blockPayload(rpc, n) {
  const block = await rpc.call("eth_getBlockByNumber", [quantity(n), false]);
  const raws = [];
  for (const h of block.transactions) raws.push(await rpc.call("eth_getRawTransactionByHash", [h]));
  return payloadFromAnvil(block, raws);
}

export async function buildChain(o, log = () => {}) {
  // Genesis in the past so that after the initial slots the head is at the wall-clock slot.
  const genesisTime = o.genesisTime ?? Math.floor(Date.now() / 1000) - o.initialSlots * o.secondsPerSlot;
  const anvilLog = o.out ? fs.createWriteStream(path.join(o.out, "anvil.log")) : null;
  const anvil = await startAnvil({ genesisTime, chainId: o.chainId, log: anvilLog, maxSeconds: (o.maxSeconds ?? 1800) + 120 });
  const el = new ExecutionChain(anvil.rpc, { genesisTime, secondsPerSlot: o.secondsPerSlot });
  // DEPOSIT_CHAIN_ID (5 by default) differs from anvil's chain id (31337), as on devnets whose
  // deposit contract lives on another chain: answers must be signed for 31337 all the same.
  const beacon = new BeaconChain({ genesisTime, secondsPerSlot: o.secondsPerSlot, chainId: o.chainId, depositChainId: o.depositChainId ?? o.chainId });

  const t0 = Date.now();
  beacon.addSlot(await blockPayload(anvil.rpc, 0));
  const contracts = await el.setupContracts(compileContracts());
  beacon.addSlot(await blockPayload(anvil.rpc, 1));
  beacon.addSlot(await blockPayload(anvil.rpc, 2));
  async function produce(n) {
    await el.queueTraffic(n);
    await el.mineAt(n);
    beacon.addSlot(await blockPayload(anvil.rpc, n));
  }
  for (let n = 3; n < o.initialSlots; n++) await produce(n);
  log(`built ${o.initialSlots} slots in ${Date.now() - t0} ms (head period ${periodOf(beacon.head)})`);
  return { anvil, el, beacon, genesisTime, contracts, produce };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  fs.mkdirSync(o.out, { recursive: true });
  const log = (m) => process.stderr.write(`chain: ${m}\n`);
  const { anvil, el, beacon, genesisTime, contracts, produce } = await buildChain(o, log);
  let stopping = false;
  const stop = (why) => {
    if (stopping) return;
    stopping = true;
    log(`stopping (${why})`);
    anvil.proc.kill("SIGTERM");
    setTimeout(() => process.exit(0), 300).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("uncaughtException", (e) => { log(`error: ${e.stack || e}`); stop("error"); process.exitCode = 1; });

  const checkpoint = toHex(beacon.slots[o.checkpointSlot].blockRoot);
  const srv = await startBeaconServer(beacon, { extraInfo: () => ({ anvilTxs: el.txCount }) });
  const info = {
    anvilUrl: anvil.url, beaconUrl: srv.url, checkpoint, checkpointSlot: o.checkpointSlot, chainId: o.chainId, depositChainId: o.depositChainId,
    genesisTime, secondsPerSlot: o.secondsPerSlot, genesisValidatorsRoot: toHex(beacon.genesisValidatorsRoot),
    token: contracts.token, store: contracts.store, slots: contracts.slots, accounts: DEV, pid: process.pid,
  };
  fs.writeFileSync(path.join(o.out, "network.yaml"), beacon.configYaml());
  fs.writeFileSync(path.join(o.out, "chain.json"), JSON.stringify(info, null, 2));
  fs.writeFileSync(path.join(o.out, "chain.env"), [
    `ANVIL_URL=${anvil.url}`, `BEACON_URL=${srv.url}`, `CHECKPOINT=${checkpoint}`, `CHAIN_ID=${o.chainId}`,
    `TOKEN=${contracts.token}`, `STORE=${contracts.store}`, `SLOTS=${contracts.slots}`, `HOLDER=${DEV[1]}`, `NETWORK_YAML=${path.join(o.out, "network.yaml")}`,
    `CHAIN_PID=${process.pid}`, "",
  ].join("\n"));
  log(`ready: anvil ${anvil.url} beacon ${srv.url} checkpoint ${checkpoint}`);

  const deadline = Date.now() + o.maxSeconds * 1000;
  const parent = process.ppid;
  while (!stopping && Date.now() < deadline) {
    if (process.ppid !== parent) { stop("parent exited"); break; }
    if (o.live) {
      const wallSlot = Math.floor((Date.now() / 1000 - genesisTime) / o.secondsPerSlot);
      for (let n = beacon.head + 1; n <= wallSlot && !stopping; n++) await produce(n);
    }
    await sleep(200);
  }
  srv.server.close();
  stop(stopping ? "signal" : "max-seconds");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => { process.stderr.write(`chain: ${e.stack || e}\n`); process.exit(1); });
}
