// Must be the FIRST import of every entry point: @lodestar/params fixes its preset when it is
// first evaluated, and our test chain uses the minimal preset (sync committee of 32,
// 8 slots per epoch, 8 epochs per sync-committee period) so that periods pass in minutes.
import { setActivePreset, PresetName } from "@lodestar/params/setPreset";

if (process.env.LODESTAR_PRESET && process.env.LODESTAR_PRESET !== "minimal") {
  throw new Error(`LODESTAR_PRESET=${process.env.LODESTAR_PRESET}: the e2e chain needs the minimal preset`);
}
process.env.LODESTAR_PRESET = "minimal";
setActivePreset(PresetName.minimal);
