#!/bin/sh
# Offline demo (no network beyond 127.0.0.1): starts a local chain — anvil with our contracts and
# a signed beacon chain that follows it — then `candor serve` from a checkpoint, and shows the
# answers of /block, /call (an ERC-20 balanceOf), /attest and one JSON-RPC call with curl-style
# commands; then stops everything. Needs node + npm (the JS tooling installs from the lock file).
set -e
BIN=${CANDOR_BIN:-build/candor}
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    CANDOR_BIN="$BIN" exec sh tests/e2e/run.sh --demo
fi
echo "node/npm missing: showing the offline proof check only (apt-get install nodejs npm for the full demo)"
DATA=${CANDOR_DATA:-../shared/data}
$BIN --help
if [ -d "$DATA/el-mainnet-block-21925176-helios" ]; then
    ROOT=$(sed -n 's/.*"stateRoot": *"\(0x[0-9a-fA-F]*\)".*/\1/p' "$DATA/el-mainnet-block-21925176-helios/rpc/block.json" | head -n 1)
    echo "\$ candor proof verify --state-root $ROOT .../rpc/proof.json"
    $BIN proof verify --state-root "$ROOT" "$DATA/el-mainnet-block-21925176-helios/rpc/proof.json"
fi
