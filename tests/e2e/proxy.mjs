#!/usr/bin/env node
// Stand-alone tampering proxy:  node proxy.mjs --kind beacon|el --upstream URL --mode MODE [--port N]
//                               node proxy.mjs --list
// Prints "listening URL" and forwards until SIGTERM/SIGINT or --max-seconds (default 1800).
import "./lib/preset.mjs";
import { startTamperProxy, BEACON_MODES, EL_MODES } from "./lib/tamper.mjs";

const a = process.argv.slice(2);
const opt = (n, d = null) => { const i = a.indexOf(n); return i >= 0 ? a[i + 1] : d; };
if (a.includes("--list")) {
  console.log("beacon modes:\n  " + Object.keys(BEACON_MODES).join("\n  "));
  console.log("el modes:\n  " + Object.keys(EL_MODES).join("\n  "));
  process.exit(0);
}
const kind = opt("--kind");
const mode = opt("--mode");
if (!["beacon", "el"].includes(kind) || !opt("--upstream")) {
  console.error("usage: node proxy.mjs --kind beacon|el --upstream URL [--mode MODE] [--port N] | --list");
  process.exit(2);
}
if (mode && !(kind === "beacon" ? BEACON_MODES : EL_MODES)[mode]) {
  console.error(`unknown ${kind} mode ${mode} (see --list)`);
  process.exit(2);
}
const p = await startTamperProxy({ upstream: opt("--upstream"), kind, mode, port: Number(opt("--port", "0")) });
console.log(`listening ${p.url}`);
const stop = () => { p.server.close(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setTimeout(stop, Number(opt("--max-seconds", "1800")) * 1000).unref();
setInterval(() => {}, 1 << 30);
