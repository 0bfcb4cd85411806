#!/bin/sh
# Offline demo: needs no network. Grows with the service; for now it shows the CLI and
# verifies a recorded mainnet eth_getProof against its block's state root.
set -e
BIN=${CANDOR_BIN:-build/candor}
DATA=${CANDOR_DATA:-../shared/data}
$BIN --help
if [ -d "$DATA/el-mainnet-block-21925176-helios" ]; then
    ROOT=$(sed -n 's/.*"stateRoot": *"\(0x[0-9a-fA-F]*\)".*/\1/p' "$DATA/el-mainnet-block-21925176-helios/rpc/block.json" | head -n 1)
    echo "\$ candor proof verify --state-root $ROOT .../rpc/proof.json"
    $BIN proof verify --state-root "$ROOT" "$DATA/el-mainnet-block-21925176-helios/rpc/proof.json"
fi
