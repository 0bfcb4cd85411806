// Cross-check with an independent implementation: @lodestar/light-client 1.28.1 (its spec
// module: validateLightClientBootstrap, LightclientSpec.onUpdate/onFinalityUpdate/...) fed with
// the objects our server hands out, under the network config our YAML describes.
import "./preset.mjs";
import { createChainForkConfig, createBeaconConfig } from "@lodestar/config";
import { LightclientSpec } from "@lodestar/light-client/spec";
import { validateLightClientBootstrap } from "../node_modules/@lodestar/light-client/lib/spec/validateLightClientBootstrap.js";
import { fromHex } from "./util.mjs";

/* Our YAML (the one candor reads) -> lodestar's chain config. */
export function lodestarConfig(yamlText, genesisValidatorsRoot) {
  const cfg = {};
  for (const line of yamlText.split("\n")) {
    const m = /^([A-Z0-9_]+):\s*'?([^'#]*?)'?\s*$/.exec(line);
    if (!m || m[1] === "GENESIS_VALIDATORS_ROOT" || m[1] === "GENESIS_TIME") continue;
    let v = m[2];
    if (/^0x[0-9a-fA-F]*$/.test(v)) v = fromHex(v);
    else if (/^\d+$/.test(v)) v = BigInt(v) > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
    cfg[m[1]] = v;
  }
  return createBeaconConfig(createChainForkConfig(cfg), genesisValidatorsRoot);
}

export class LodestarClient {
  constructor(config, trustedRoot, bootstrap) {
    validateLightClientBootstrap(config, trustedRoot, bootstrap);
    this.spec = new LightclientSpec(config, { allowForcedUpdates: false, updateHeadersOnForcedUpdate: false }, bootstrap);
  }

  get finalizedSlot() { return this.spec.store.finalizedHeader.beacon.slot; }
  get optimisticSlot() { return this.spec.store.optimisticHeader.beacon.slot; }
  update(currentSlot, u) { this.spec.onUpdate(currentSlot, u); }
  finalityUpdate(currentSlot, u) { this.spec.onFinalityUpdate(currentSlot, u); }
  optimisticUpdate(currentSlot, u) { this.spec.onOptimisticUpdate(currentSlot, u); }
}
