// The execution side of the test chain: a real anvil node on 127.0.0.1, our contracts compiled
// with solc, and blocks mined on demand at the timestamps the beacon chain dictates.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { JsonRpc, abiCall, abiWord, freePort, quantity, waitFor } from "./util.mjs";

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const E2E_DIR = path.resolve(HERE, "..");

export function anvilBinary() {
  const pkg = path.dirname(require.resolve("@foundry-rs/anvil-linux-amd64/package.json"));
  return path.join(pkg, "bin", "anvil");
}

/* Anvil's default dev accounts (mnemonic "test test ... junk"), unlocked for eth_sendTransaction. */
export const DEV = [
  "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
  "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
  "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
  "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
  "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65",
];

/* Runs `cmd args` under coreutils timeout(1) when present, so that the process cannot outlive a
 * test run even if its parent is killed with SIGKILL. */
export function boundedSpawn(cmd, args, maxSeconds, options) {
  if (fs.existsSync("/usr/bin/timeout")) return spawn("/usr/bin/timeout", ["-s", "KILL", String(Math.ceil(maxSeconds)), cmd, ...args], options);
  return spawn(cmd, args, options);
}

export async function startAnvil({ genesisTime, chainId = 31337, hardfork = "prague", log = null, maxSeconds = 3600 }) {
  const port = await freePort();
  const args = [
    "--host", "127.0.0.1", "--port", String(port), "--no-mining", "--hardfork", hardfork,
    "--timestamp", String(genesisTime), "--chain-id", String(chainId), "--accounts", String(DEV.length),
    "--silent",
  ];
  const proc = boundedSpawn(anvilBinary(), args, maxSeconds, { stdio: ["ignore", log ? "pipe" : "ignore", log ? "pipe" : "ignore"] });
  if (log) {
    proc.stdout.pipe(log);
    proc.stderr.pipe(log);
  }
  // However this process ends (even on EPIPE when piped into `head`), anvil goes with it.
  process.on("exit", () => { try { proc.kill("SIGTERM"); } catch { /* gone */ } });
  const url = `http://127.0.0.1:${port}`;
  const rpc = new JsonRpc(url);
  await waitFor(() => rpc.call("eth_chainId"), { timeoutMs: 20000, what: "anvil" });
  return { proc, url, rpc, port };
}

/* Compiles tests/e2e/contracts/*.sol with solc-js (offline: the compiler ships in the package). */
export function compileContracts() {
  const solc = require("solc");
  const dir = path.join(E2E_DIR, "contracts");
  const sources = {};
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".sol")).sort()) {
    sources[f] = { content: fs.readFileSync(path.join(dir, f), "utf8") };
  }
  const input = {
    language: "Solidity",
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "prague",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors || []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error("solc: " + errors.map((e) => e.formattedMessage).join("\n"));
  const result = {};
  for (const file of Object.keys(out.contracts)) {
    for (const [name, c] of Object.entries(out.contracts[file])) {
      result[name] = { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object, runtime: "0x" + c.evm.deployedBytecode.object };
    }
  }
  return result;
}

/* Slots (contracts/Slots.sol) holds SLOTS_FILLED non-zero slots, written SLOTS_PER_FILL a block. */
export const SLOTS_FILLED = 4096;
const SLOTS_PER_FILL = 1024;

/* Drives anvil: every mined block gets the timestamp of its beacon slot. */
export class ExecutionChain {
  constructor(rpc, { genesisTime, secondsPerSlot }) {
    this.rpc = rpc;
    this.genesisTime = genesisTime;
    this.secondsPerSlot = secondsPerSlot;
    this.contracts = {};
    this.txCount = 0;
  }

  async head() {
    return Number(await this.rpc.call("eth_blockNumber"));
  }

  /* Mines block `number` (which must be head+1) at slot `number`'s time, with the pool's txs. */
  async mineAt(number) {
    const ts = this.genesisTime + number * this.secondsPerSlot;
    await this.rpc.call("evm_setNextBlockTimestamp", [quantity(ts)]);
    await this.rpc.call("evm_mine", []);
    const got = await this.head();
    if (got !== number) throw new Error(`anvil mined ${got}, wanted ${number}`);
  }

  async send(tx) {
    this.txCount++;
    return this.rpc.call("eth_sendTransaction", [tx]);
  }

  async deploy(artifact, ctorArgsHex = "") {
    const hash = await this.send({ from: DEV[0], data: artifact.bytecode + ctorArgsHex, gas: quantity(3000000) });
    return hash;
  }

  async receipt(hash) {
    return this.rpc.call("eth_getTransactionReceipt", [hash]);
  }

  /* Deterministic traffic for block `n`: token transfers, a store() with an event, an ETH payment. */
  async queueTraffic(n) {
    const hashes = [];
    const { token, store } = this.contracts;
    if (token) {
      const from = DEV[n % 3];
      const to = DEV[(n % 3) + 1 + (n % 2)];
      const amount = 1000n + BigInt(n) * 7n;
      hashes.push(await this.send({ from, to: token, data: abiCall("transfer(address,uint256)", to, amount), gas: quantity(100000) }));
    }
    if (store && n % 2 === 0) {
      // Keys and values are never zero: anvil 1.7.1 keeps a zero-valued leaf in the storage
      // trie when zero is written to an empty slot (history.push(0)), which no Ethereum node
      // does; a strict verifier rightly calls such a proof a lie.
      const value = abiWord(BigInt(n) * 0x1000193n + 0xc0ffeen);
      hashes.push(await this.send({ from: DEV[4], to: store, data: abiCall("store(uint256,bytes32)", (n % 5) + 1, "0x" + value), gas: quantity(200000) }));
    }
    if (n % 3 === 0) {
      hashes.push(await this.send({ from: DEV[1], to: DEV[3], value: quantity(BigInt(n) * 10n ** 15n) }));
    }
    const { slots } = this.contracts;
    if (slots && n >= 3 && n < 3 + SLOTS_FILLED / SLOTS_PER_FILL) {
      hashes.push(await this.send({ from: DEV[0], to: slots, data: abiCall("fill(uint256)", SLOTS_PER_FILL), gas: quantity(29000000) }));
    }
    return hashes;
  }

  /* Block 1: deploy Token (1,000,000 * 10^18 to DEV[0]), Store and Slots; block 2: hand
   * tokens out. Blocks 3..: Slots is filled, SLOTS_PER_FILL slots a block (one transaction
   * under the 30M block gas limit), until SLOTS_FILLED. */
  async setupContracts(artifacts) {
    const t = await this.deploy(artifacts.Token, abiWord(10n ** 24n));
    const s = await this.deploy(artifacts.Store);
    const sl = await this.deploy(artifacts.Slots);
    await this.mineAt(1);
    const rt = await this.receipt(t);
    const rs = await this.receipt(s);
    const rsl = await this.receipt(sl);
    if (rt.status !== "0x1" || rs.status !== "0x1" || rsl.status !== "0x1") throw new Error("contract deployment failed");
    this.contracts = { token: rt.contractAddress, store: rs.contractAddress, slots: rsl.contractAddress };
    for (let i = 1; i < 4; i++) {
      await this.send({ from: DEV[0], to: this.contracts.token, data: abiCall("transfer(address,uint256)", DEV[i], 10n ** 21n * BigInt(i)), gas: quantity(100000) });
    }
    await this.mineAt(2);
    return this.contracts;
  }
}
