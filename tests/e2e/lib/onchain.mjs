// The Solidity checker of docs/signing.md, run for real: extracted from the doc, compiled with
// solc next to solidity/SigCheck.sol, and executed by anvil (eth_call with a code override, so
// nothing is mined) on candor's own answers.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { E2E_DIR } from "./anvil.mjs";
import { abiWord, fromHex, selector, toHex } from "./util.mjs";
import { CALL_STATUS } from "./signing.mjs";

const require = createRequire(import.meta.url);
export const SIGCHECK_ADDRESS = "0x00000000000000000000000000000000000c0de1";

export function compileSigCheck(signingMd) {
  const doc = fs.readFileSync(signingMd, "utf8");
  const m = /```solidity\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error(`${signingMd} has no solidity block`);
  const solc = require("solc");
  const input = {
    language: "Solidity",
    sources: {
      "CandorSig.sol": { content: m[1] },
      "SigCheck.sol": { content: fs.readFileSync(path.join(E2E_DIR, "solidity", "SigCheck.sol"), "utf8") },
    },
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "prague", outputSelection: { "*": { "*": ["evm.deployedBytecode.object"] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors || []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error("solc: " + errors.map((e) => e.formattedMessage).join("\n").slice(0, 400));
  return "0x" + out.contracts["SigCheck.sol"].SigCheck.evm.deployedBytecode.object;
}

function blockWords(c) {
  return [c.chainId, c.number, c.blockHash, c.stateRoot, c.receiptsRoot, c.beaconSlot, c.beaconRoot, c.finalized ? 1 : 0].map(abiWord).join("");
}

function sigWords(sigHex) {
  const s = fromHex(sigHex);
  return abiWord(s[64]) + abiWord(toHex(s.slice(0, 32))) + abiWord(toHex(s.slice(32, 64)));
}

/* ABI encoding of (static words..., bytes) */
function withBytes(sig, words, bytesHex) {
  const b = fromHex(bytesHex);
  const head = words.map(abiWord).join("") + abiWord(32 * (words.length + 1));
  const padded = Buffer.concat([Buffer.from(b), Buffer.alloc((32 - (b.length % 32)) % 32)]).toString("hex");
  return selector(sig) + head + abiWord(b.length) + padded;
}

export class OnChainChecker {
  constructor(anvilRpc, runtime) {
    this.rpc = anvilRpc;
    this.override = { [SIGCHECK_ADDRESS]: { code: runtime } };
  }

  async call(data) {
    return this.rpc.call("eth_call", [{ to: SIGCHECK_ADDRESS, data }, "latest", this.override]);
  }

  /* here: the contract uses its own block.chainid (anvil's), not the answer's chainId. */
  async blockSigner(claim, sigHex, { here = false } = {}) {
    const data = selector(`${here ? "blockSignerHere" : "blockSigner"}((uint256,uint64,bytes32,bytes32,bytes32,uint64,bytes32,bool),uint8,bytes32,bytes32)`) + blockWords(claim) + sigWords(sigHex);
    return "0x" + (await this.call(data)).slice(-40);
  }

  async callSigner(claim, req, answer, sigHex, { here = false } = {}) {
    const rq = await this.call(withBytes("requestHash(address,address,uint256,uint64,bytes)",
      [req.from, req.to, BigInt(req.value ?? 0), BigInt(req.gas ?? 0)], req.input));
    const [kind] = Object.keys(answer.response);
    const output = kind === "Halt" ? toHex(new TextEncoder().encode(answer.response.Halt)) : answer.response[kind];
    const rs = await this.call(withBytes("resultHash(uint8,uint64,bytes)", [CALL_STATUS[kind], BigInt(answer.gasUsed)], output));
    const data = selector(`${here ? "callSignerHere" : "callSigner"}((uint256,uint64,bytes32,bytes32,bytes32,uint64,bytes32,bool),bytes32,bytes32,uint8,bytes32,bytes32)`) +
      blockWords(claim) + abiWord(rq) + abiWord(rs) + sigWords(sigHex);
    return { signer: "0x" + (await this.call(data)).slice(-40), requestHash: rq, resultHash: rs };
  }
}
