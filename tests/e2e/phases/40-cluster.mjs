// Attested peers and one cluster key (issue 10; docs/cluster.md). On loopback, with the mock TEE
// (--tee mock --peer-allow-mock on every node) and CandorGovernance on anvil for admission:
//   - node 1 bootstraps (no peers), nodes 2 and 3 join through it once governance approves the
//     mock build and lists them as members; before that they sign nothing (503 no_cluster_key);
//   - /block on all three recovers to one cluster address, which is not any node's own key,
//     and /attest binds node key and cluster address (nonce = clusterAddress ‖ request nonce);
//   - node 4 (a member, its measurement not approved) and node 5 (approved build, not a
//     member) are refused, with the reason in both logs, and never hold the key;
//   - governance removes a member: the node that admitted it re-checks it and shows it revoked;
//   - kill -9 of a joined node, bootstrap node stopped: it restarts with the key, without
//     joining again; nodes 4 and 5 restarted show their stores hold no key;
//   - the peer port of a key holder refuses garbage, a truncated handshake, a replayed quote
//     (answering an old nonce) and a quote for another TLS key — no key sent, no crash;
//   - --peer-allow mode: POST /setup once (409 after), a join by policy file, /health says weaker.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { createRequire } from "node:module";
import { assert } from "../lib/report.mjs";
import { DEV } from "../lib/anvil.mjs";
import { REPO, WORK, Service, checkBlockAnswer, http as req, log, svcCheck } from "../lib/harness.mjs";
import { recoverAddress } from "../lib/signing.mjs";
import { abiCall, abiEncodeCall, abiWord, freePort, fromHex, keccak, quantity, sha256, sleep, toHex, waitFor } from "../lib/util.mjs";

export const name = "cluster";

const require = createRequire(import.meta.url);
const te = new TextEncoder();
const U64_MAX = (1n << 64n) - 1n;
const MOCK_BAD = "0x" + "4b".repeat(48); // node 4's build: never approved

// ---------------------------------------------------------------- governance on anvil
function compileGovernance() {
  const solc = require("solc");
  const sources = { "CandorGovernance.sol": { content: fs.readFileSync(path.join(REPO, "contracts", "CandorGovernance.sol"), "utf8") } };
  const input = { language: "Solidity", sources, settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "prague", outputSelection: { "*": { "*": ["evm.bytecode.object"] } } } };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors || []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error("solc: " + errors.map((e) => e.formattedMessage).join("\n").slice(0, 400));
  return "0x" + out.contracts["CandorGovernance.sol"].CandorGovernance.evm.bytecode.object;
}


async function send(chain, to, data, what) {
  const hash = await chain.anvil.call("eth_sendTransaction", [{ from: DEV[0], to, data, gas: quantity(3000000) }]);
  return waitFor(async () => {
    const r = await chain.anvil.call("eth_getTransactionReceipt", [hash]);
    if (r && r.status !== "0x1") throw new Error(`${what}: transaction reverted`);
    return r;
  }, { timeoutMs: 30000, intervalMs: 300, what });
}

// ---------------------------------------------------------------- helpers
const health = async (svc) => (await req("GET", `${svc.url}/health`)).json;
const clusterOf = async (svc) => (await health(svc))?.cluster;
const logText = (svc) => { try { return fs.readFileSync(svc.logFile, "utf8"); } catch { return ""; } };
/* Log lines of one event, optionally only those after `from` characters of the log. */
const events = (svc, event, from = 0) => logText(svc).slice(from).split("\n").filter((l) => l.includes(`event=${event} `));

async function waitKey(svc, timeoutMs = 180000) {
  return waitFor(async () => {
    const c = await clusterOf(svc);
    return c?.hasKey ? c : null;
  }, { timeoutMs, intervalMs: 1000, what: `${svc.name} holds the cluster key` });
}

async function signedBlock(chain, svc) {
  const b = await req("GET", `${svc.url}/block`);
  assert(b.status === 200, `${svc.name} /block ${b.status} ${b.text.slice(0, 160)}`);
  await checkBlockAnswer(chain, b.json);
  return { ans: b.json, who: recoverAddress(b.json.digest, b.json.signature) };
}

// ---------------------------------------------------------------- a hand-driven peer (bad input)
function makeCert(dir, tag) {
  const key = path.join(dir, `${tag}.key`), cert = path.join(dir, `${tag}.crt`);
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=e2e",
    "-days", "1", "-keyout", key, "-out", cert], { stdio: "ignore" });
  const certPem = fs.readFileSync(cert);
  const spki = new crypto.X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  return { key: fs.readFileSync(key), cert: certPem, spkiHash: sha256(spki) };
}

const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const msg = (type, payload) => Buffer.concat([Buffer.from([type]), u32(payload.length), Buffer.from(payload)]);
const cat = (...a) => Buffer.concat(a.map((x) => Buffer.from(x)));

/* The report data of docs/cluster.md (layout peer/v1). */
function peerReportData(spkiHash, address, nonce) {
  const z = Buffer.from([0]);
  return cat(sha256(cat(te.encode("candor/peer/v1"), z, spkiHash, fromHex(address))),
    sha256(cat(te.encode("candor/peer-nonce/v1"), z, nonce, spkiHash)));
}

/* A mock quote (docs/attestation.md) signed with a node's mock TEE key file. */
function mockQuote(keyPem, reportData, measurement) {
  const key = crypto.createPrivateKey(keyPem);
  const jwk = crypto.createPublicKey(key).export({ format: "jwk" });
  const pub = cat([4], Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url"));
  const body = cat(te.encode("CDMOCKQ1"), reportData, measurement, pub);
  const sig = crypto.sign("sha256", body, { key, dsaEncoding: "ieee-p1363" });
  return cat(body, sig);
}

/* Connects to a peer port, runs `script(sock, next)` where next() yields the peer's messages;
 * resolves with every message type the peer sent until it closed. */
function peerSession(port, tlsId, script) {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: "127.0.0.1", port, key: tlsId.key, cert: tlsId.cert, rejectUnauthorized: false,
      minVersion: "TLSv1.3", maxVersion: "TLSv1.3" });
    let buf = Buffer.alloc(0), waiting = null;
    const seen = [], queue = [];
    const pump = () => {
      while (buf.length >= 5) {
        const n = buf.readUInt32BE(1);
        if (buf.length < 5 + n) break;
        const m = { type: buf[0], payload: buf.subarray(5, 5 + n) };
        buf = buf.subarray(5 + n);
        seen.push(m.type);
        if (waiting) { const w = waiting; waiting = null; w(m); } else queue.push(m);
      }
    };
    const next = () => new Promise((r) => { if (queue.length) r(queue.shift()); else waiting = r; });
    sock.on("data", (d) => { buf = Buffer.concat([buf, d]); pump(); });
    sock.on("error", () => {});
    sock.on("close", () => { if (waiting) waiting(null); resolve(seen); });
    sock.setTimeout(20000, () => sock.destroy());
    sock.on("secureConnect", () => script(sock, next).catch((e) => { sock.destroy(); reject(e); }));
  });
}

// ---------------------------------------------------------------- the phase
export async function run(r, chain) {
  const gov = (await send(chain, undefined, compileGovernance() + abiWord(DEV[0]), "deploy CandorGovernance")).contractAddress;
  log(`cluster: governance ${gov}`);
  const ports = [];
  for (let i = 0; i < 8; i++) ports.push(await freePort());
  const peer = (i) => `127.0.0.1:${ports[i]}`;
  const base = { chain, beaconUrl: chain.beaconUrl, elUrl: chain.anvilUrl };
  const N = [1, 2, 3, 4, 5].map((i) => new Service(`cluster-${i}`, base));
  const govArgs = ["--governance", gov, "--peer-allow-mock"];
  const args = [
    [...govArgs, "--peer-port", String(ports[0])],
    [...govArgs, "--peer-port", String(ports[1]), "--peers", peer(0)],
    [...govArgs, "--peer-port", String(ports[2]), "--peers", peer(0)],
    [...govArgs, "--peer-port", String(ports[3]), "--peers", peer(0), "--mock-measurement", MOCK_BAD],
    [...govArgs, "--peer-port", String(ports[4]), "--peers", peer(0)],
  ];
  const P = [new Service("cluster-p1", base), new Service("cluster-p2", base)];
  const policy = path.join(WORK, "cluster-allow.json");
  fs.writeFileSync(policy, JSON.stringify([{ name: "e2e mock build (all-zero measurement)", format: "mock", mrtd: "0x" + "00".repeat(48) }]));
  try {
    await Promise.all(N.map((n, i) => n.start({ extraArgs: args[i], logLevel: "info" })));
    await Promise.all(N.map((n) => n.waitHealthy()));
    const att = [];
    for (const n of N) att.push((await req("GET", `${n.url}/attest`)).json);
    const addr = att.map((a) => a.address.toLowerCase());
    const idGood = toHex(keccak(new Uint8Array(48)));
    const idBad = toHex(keccak(fromHex(MOCK_BAD)));

    await svcCheck(r, N[1], "cluster: a node set up to join signs nothing before it holds the cluster key (503 no_cluster_key)", async () => {
      const b = await req("GET", `${N[1].url}/block`);
      assert(b.status === 503 && b.json?.error?.code === "no_cluster_key", `/block ${b.status} ${b.text.slice(0, 160)}`);
      const c = await clusterOf(N[1]);
      assert(c.configured && c.role === "join" && !c.hasKey && c.clusterAddress === null, JSON.stringify(c).slice(0, 200));
      const c1 = await clusterOf(N[0]);
      assert(c1.role === "bootstrap" && c1.hasKey && c1.bootstrapped && c1.trust === "governance", JSON.stringify(c1).slice(0, 200));
      return `bootstrap node holds ${c1.clusterAddress.slice(0, 10)}…, joiner 503`;
    });

    // Governance: the mock build (all-zero measurement) approved; nodes 1-4 members (4 runs another build).
    await send(chain, gov, abiEncodeCall("addMeasurement(bytes32,string,uint64,uint64)", [idGood, "e2e mock build", 0, U64_MAX]), "addMeasurement");
    for (const a of addr.slice(0, 4)) await send(chain, gov, abiEncodeCall("addMember(address,string)", [a, "http://127.0.0.1"]), "addMember");
    log("cluster: governance approves the build and lists nodes 1-4");

    let cluster = null;
    await r.check("cluster: nodes 2 and 3 join after mutual attestation and governance admission", async () => {
      const [c2, c3] = await Promise.all([waitKey(N[1]), waitKey(N[2])]);
      cluster = (await clusterOf(N[0])).clusterAddress.toLowerCase();
      assert(c2.clusterAddress.toLowerCase() === cluster && c3.clusterAddress.toLowerCase() === cluster, "different cluster addresses");
      assert(!addr.includes(cluster), "the cluster address is a node key");
      for (const n of [N[1], N[2]]) assert(events(n, "cluster_joined").length === 1, `${n.name}: no cluster_joined line`);
      const admitted = events(N[0], "peer_admitted").join("\n");
      for (const a of addr.slice(1, 3)) assert(admitted.includes(`address=${a}`), `node 1 did not log admitting ${a}`);
      const h = await clusterOf(N[0]);
      assert(h.admitted.some((p) => p.address.toLowerCase() === addr[1] && p.measurementId === idGood), "/health admitted list");
      return `cluster ${cluster}`;
    });

    await r.check("cluster: all three nodes answer /block signed by the one cluster address", async () => {
      assert(cluster, "no cluster");
      const whos = [];
      for (const n of N.slice(0, 3)) {
        const { ans, who } = await signedBlock(chain, n);
        assert(who === cluster && ans.signer.toLowerCase() === cluster, `${n.name}: signed by ${who}`);
        whos.push(who);
      }
      return `3 × ${whos[0].slice(0, 10)}…`;
    });

    await r.check("cluster: /attest shows node key and cluster address, the quote binds both and the request nonce", async () => {
      const nonce = "0x" + "c0ffee".repeat(5);
      const a = (await req("GET", `${N[2].url}/attest?nonce=${nonce}`)).json;
      assert(a.clusterAddress.toLowerCase() === cluster && a.address.toLowerCase() === addr[2], JSON.stringify(a).slice(0, 200));
      assert(a.requestNonce === nonce && a.nonce === cluster + nonce.slice(2), `nonce ${a.nonce}`);
      // report data v1 (docs/attestation.md): [32..64) = sha256("candor/nonce/v1" 0 ‖ nonce)
      const want = toHex(sha256(cat(te.encode("candor/nonce/v1"), [0], fromHex(a.nonce))));
      assert(a.reportData.slice(66) === want.slice(2), `report data nonce half ${a.reportData.slice(66, 80)} != ${want.slice(2, 16)}`);
      assert(a.quote.slice(2 + 16, 2 + 16 + 128) === a.reportData.slice(2), "quote does not carry the report data");
      return "nonce = clusterAddress ‖ requestNonce";
    });

    await r.check("cluster: node 4 (measurement not approved) and node 5 (not a member) refused, reason in both logs, no key", async () => {
      await waitFor(() => {
        const holder = events(N[0], "peer_refused").join("\n");
        return holder.includes(`address=${addr[3]}`) && /not approved/.test(holder.split("\n").filter((l) => l.includes(addr[3])).join(" ")) &&
          holder.split("\n").some((l) => l.includes(`address=${addr[4]}`) && /not an active governance member/.test(l));
      }, { timeoutMs: 60000, intervalMs: 1000, what: "node 1 logs both refusals" });
      const l4 = events(N[3], "join_refused_by_peer").join("\n"), l5 = events(N[4], "join_refused_by_peer").join("\n");
      assert(/not approved/.test(l4) && l4.includes(idBad.slice(2, 12)), `node 4 log: ${l4.slice(-200)}`);
      assert(/not an active governance member/.test(l5), `node 5 log: ${l5.slice(-200)}`);
      for (const n of [N[3], N[4]]) {
        const c = await clusterOf(n);
        assert(!c.hasKey && c.clusterAddress === null, `${n.name} has a key`);
        const b = await req("GET", `${n.url}/block`);
        assert(b.status === 503 && b.json?.error?.code === "no_cluster_key", `${n.name} /block ${b.status}`);
      }
      return "holder: not approved / not an active governance member; joiners: refused by peer";
    });

    // ---- bad input on a key holder's peer port (node 3; node 1 stays up for now)
    const tlsA = makeCert(WORK, "cluster-evil-a"), tlsB = makeCert(WORK, "cluster-evil-b");
    const mockKey = fs.readFileSync(path.join(N[4].dataDir, "mock-tee-key.pem")); // node 5: approved build
    const port3 = ports[2];
    const hello = (nonce) => msg(1, cat([1], nonce));
    const noKey = (seen, what) => assert(!seen.includes(4), `${what}: the peer sent a KEY message`);
    const refusedSince = async (from, code, what) => {
      await waitFor(() => events(N[2], "peer_refused", from).some((l) => l.includes(`code=${code}`)),
        { timeoutMs: 30000, intervalMs: 300, what: `${what}: node 3 logs ${code}` });
      assert((await N[2].health()) === 200, `${what}: node 3 not healthy`);
    };
    await svcCheck(r, N[2], "cluster: peer port refuses garbage and a truncated handshake", async () => {
      let from = logText(N[2]).length;
      let seen = await peerSession(port3, tlsA, async (s) => { s.write(crypto.randomBytes(300)); });
      noKey(seen, "garbage");
      await refusedSince(from, "CD_ERR_PEER_PROTOCOL", "garbage");
      from = logText(N[2]).length;
      seen = await peerSession(port3, tlsA, async (s, next) => {
        s.write(hello(crypto.randomBytes(32)).subarray(0, 12)); // half a HELLO, then hang up
        await sleep(200);
        s.end();
      });
      noKey(seen, "truncated");
      await refusedSince(from, "CD_ERR_TRUNCATED", "truncated");
      return "PROTOCOL, TRUNCATED";
    });

    await svcCheck(r, N[2], "cluster: peer port refuses a replayed quote (old nonce) and a quote for another TLS key", async () => {
      const mr = new Uint8Array(48);
      // Session 1: learn a nonce, answer nothing.
      let oldNonce = null;
      await peerSession(port3, tlsA, async (s, next) => {
        s.write(hello(crypto.randomBytes(32)));
        const h = await next();
        oldNonce = h.payload.subarray(1, 33);
        s.end();
      });
      assert(oldNonce, "no HELLO from node 3");
      const attackWith = async (quoteFor) => peerSession(port3, tlsA, async (s, next) => {
        s.write(hello(crypto.randomBytes(32)));
        const h = await next();
        const q = quoteFor(h.payload.subarray(1, 33));
        s.write(msg(2, cat(fromHex(addr[4]), u32(q.length), q)));
      });
      let from = logText(N[2]).length;
      let seen = await attackWith(() => mockQuote(mockKey, peerReportData(tlsA.spkiHash, addr[4], oldNonce), mr));
      noKey(seen, "replay");
      await refusedSince(from, "CD_ERR_PEER_REPLAY", "replay");
      from = logText(N[2]).length;
      seen = await attackWith((nonce) => mockQuote(mockKey, peerReportData(tlsB.spkiHash, addr[4], nonce), mr));
      noKey(seen, "other TLS key");
      await refusedSince(from, "CD_ERR_ATT_BINDING", "other TLS key");
      // The same forger with the right binding gets as far as admission (node 5 is not a member).
      from = logText(N[2]).length;
      seen = await attackWith((nonce) => mockQuote(mockKey, peerReportData(tlsA.spkiHash, addr[4], nonce), mr));
      noKey(seen, "correct binding, not a member");
      await refusedSince(from, "CD_ERR_GOV_NOT_MEMBER", "correct binding");
      return "REPLAY, ATT_BINDING; a correct binding reaches admission (NOT_MEMBER)";
    });

    await r.check("cluster: governance removes a member: the node that admitted it re-checks and shows it revoked", async () => {
      await send(chain, gov, abiEncodeCall("removeMember(address)", [addr[1]]), "removeMember");
      await waitFor(() => events(N[0], "peer_revoked").some((l) => l.includes(`address=${addr[1]}`)),
        { timeoutMs: 150000, intervalMs: 1000, what: "node 1 logs peer_revoked for node 2" });
      const h = await clusterOf(N[0]);
      const e = h.admitted.find((p) => p.address.toLowerCase() === addr[1]);
      assert(e && e.revoked && /not an active governance member/.test(e.reason), JSON.stringify(e));
      const other = h.admitted.find((p) => p.address.toLowerCase() === addr[2]);
      assert(other && !other.revoked, `node 3: ${JSON.stringify(other)}`);
      return "node 2 revoked, node 3 still admitted";
    });

    // ---- restarts: node 2 killed, bootstrap node down
    await r.check("cluster: kill -9 a joined node, bootstrap node down: it restarts with the cluster key, without joining", async () => {
      process.kill(N[1].candorPid(), "SIGKILL");
      await N[1].exited;
      await N[0].stop();
      const from = logText(N[1]).length;
      await N[1].start({ extraArgs: args[1], logLevel: "info" });
      await N[1].waitHealthy();
      const c = await clusterOf(N[1]);
      assert(c.hasKey && c.clusterAddress.toLowerCase() === cluster, JSON.stringify(c).slice(0, 200));
      const { who } = await signedBlock(chain, N[1]);
      assert(who === cluster, `signed by ${who}`);
      assert(events(N[1], "cluster_joined", from).length === 0 && events(N[1], "join_failed", from).length === 0, "it tried to join again");
      return `node 2 signs as ${cluster.slice(0, 10)}… with node 1 down`;
    });

    await r.check("cluster: the refused nodes' stores hold no cluster key (restarted, they have none)", async () => {
      for (const i of [3, 4]) {
        await N[i].stop();
        await N[i].start({ extraArgs: args[i], logLevel: "info" });
        await N[i].waitHealthy();
        const c = await clusterOf(N[i]);
        assert(!c.hasKey, `${N[i].name} has a key after restart`);
      }
      return "nodes 4 and 5: hasKey false from their stores";
    });

    await r.check("cluster: the setup is sealed: other --peers on restart are refused, not silently used", async () => {
      await N[2].stop();
      await N[2].start({ extraArgs: [...govArgs, "--peer-port", String(ports[2]), "--peers", peer(4)], logLevel: "info" });
      const { code } = await N[2].exited;
      assert(code !== 0 && /differ from the cluster setup sealed/.test(logText(N[2]).slice(-2000)), `exit ${code}`);
      await N[2].start({ extraArgs: args[2], logLevel: "info" });
      await N[2].waitHealthy();
      assert((await clusterOf(N[2])).hasKey, "node 3 lost its key");
      return `exit ${code}, then back with the sealed setup`;
    });

    // ---- dev mode: --peer-allow instead of governance, setup over HTTP
    await r.check("cluster: --peer-allow mode: POST /setup once (409 after), a join by policy, reported as weaker trust", async () => {
      await P[0].start({ extraArgs: ["--peer-allow", policy, "--peer-allow-mock"], logLevel: "info" });
      await P[1].start({ extraArgs: ["--peer-allow", policy, "--peer-allow-mock", "--peer-port", String(ports[6]), "--peers", peer(5)], logLevel: "info" });
      await Promise.all(P.map((p) => p.waitHealthy()));
      const badBodies = [{ peers: [] }, { peers: ["no-port"], port: ports[5] }, { peers: ["h: 1"], port: ports[5] }, { peers: [], port: 70000 },
        { peers: [], port: ports[5], extra: 1 }, { peers: [], port: ports[5], execution_rpc: "file:///etc/passwd" }, { peers: "x", port: ports[5] }];
      for (const b of badBodies) {
        const x = await req("POST", `${P[0].url}/setup`, b);
        assert(x.status === 400 && x.json?.error?.code === "bad_setup", `${JSON.stringify(b)}: ${x.status} ${x.text.slice(0, 120)}`);
      }
      assert((await clusterOf(P[0])).configured === false, "a refused setup configured the node");
      const s1 = await req("POST", `${P[0].url}/setup`, { peers: [], port: ports[5], execution_rpc: chain.anvilUrl });
      assert(s1.status === 200 && s1.json?.status === "success", `setup ${s1.status} ${s1.text}`);
      const s2 = await req("POST", `${P[0].url}/setup`, { peers: [], port: ports[5] });
      assert(s2.status === 409, `second setup ${s2.status}`);
      const bad = await req("POST", `${P[0].url}/setup`, { peers: ["nope"], port: 1 });
      assert(bad.status === 409 || bad.status === 400, `bad setup ${bad.status}`);
      const c2 = await waitKey(P[1], 60000);
      const c1 = await clusterOf(P[0]);
      assert(c1.trust === "peer-allow" && /weaker/.test(c1.trustNote) && c2.trust === "peer-allow", JSON.stringify(c1).slice(0, 200));
      assert(c1.executionRpc?.url === chain.anvilUrl && c1.executionRpc.active === false, `executionRpc ${JSON.stringify(c1.executionRpc)}`);
      assert(c2.clusterAddress === c1.clusterAddress, "different cluster addresses");
      const { who } = await signedBlock(chain, P[1]);
      assert(who === c1.clusterAddress.toLowerCase(), `signed by ${who}`);
      return `${badBodies.length} bad bodies 400, trust peer-allow, cluster ${c1.clusterAddress.slice(0, 10)}…`;
    });
  } finally {
    await Promise.all([...N, ...P].map((n) => n.stop()));
  }
}
