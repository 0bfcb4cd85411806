#!/bin/sh
# End-to-end test of `candor serve` on this machine (no network beyond 127.0.0.1):
#   tests/e2e/run.sh [--demo] [--only lc,sync,rpc,tamper-el,tamper-beacon,config,restart] [--keep] [--selfcheck]
# Installs the pinned JS tooling (npm install from the lock) when missing, then runs run.mjs, which prints one line
# per check and ends with "N passed, N failed". --selfcheck runs the chain's own checks instead.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
command -v node >/dev/null 2>&1 || { echo "node is missing (apt-get install nodejs npm)"; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "npm is missing (apt-get install npm)"; exit 1; }
# Reinstall when node_modules is missing or older than the lock file.
if [ ! -d "$HERE/node_modules/@foundry-rs/anvil-linux-amd64" ] || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]; then
    # --ignore-scripts: the packages ship their binaries; npm 9 (Debian) would otherwise run
    # anvil's postinstall, which tries to download. npm 11 skips install scripts anyway.
    # `npm install`, not `npm ci`: npm ci insists that the lock lists anvil's optional
    # binary package for every platform, and the registry reachable here serves only
    # linux-amd64's, so no complete lock can be made. npm install still installs exactly the
    # locked versions (the lock pins every package); --no-save keeps npm 11 from rewriting
    # the lock with the other platforms' entries on every fresh install.
    (cd "$HERE" && npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error)
    # anvil's binary is an optional dependency that declares node >= 20: npm skips it under
    # Debian bookworm's node 18. The binary does not use node, so install it regardless.
    if [ ! -d "$HERE/node_modules/@foundry-rs/anvil-linux-amd64" ] && [ "$(uname -m)" = x86_64 ]; then
        (cd "$HERE" && npm install --no-save --force --ignore-scripts --no-audit --no-fund --loglevel=error \
            @foundry-rs/anvil-linux-amd64@1.7.1)
    fi
fi
cd "$ROOT"
if [ "$1" = "--selfcheck" ]; then
    shift
    exec node "$HERE/selfcheck.mjs" "$@"
fi
exec node "$HERE/run.mjs" "$@"
