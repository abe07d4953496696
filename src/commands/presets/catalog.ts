import { ConfigError } from "../../errors.js";
import { defaultPresetFromConfig, type PresetConfig } from "../../moa/default-preset.js";
import type { Preset } from "../../moa/preset.js";
import { type ModelPolicyConfig, presetProblems } from "../model-policy.js";
import { builtinPresets } from "./builtin.js";
import { readPresetsFile } from "./presets-file.js";

/** Where a catalog preset comes from. */
export type PresetOrigin = "built-in" | "operator";

/** One preset every channel of this bot can use. */
export interface CatalogEntry {
  /** The preset. */
  preset: Preset;
  /** Shipped with the bot, or from MOA_PRESETS_FILE. */
  origin: PresetOrigin;
}

/** The presets fixed at startup: built-in ones and the operator's file. */
export interface PresetCatalog {
  /** The `default` preset (MOA_* variables); also the fallback when the store is down. */
  defaultPreset: Preset;
  /** Every catalog preset by name, `default` first. */
  entries: ReadonlyMap<string, CatalogEntry>;
}

/** Config a catalog is built from. */
export type CatalogConfig = PresetConfig &
  ModelPolicyConfig & { MOA_PRESETS_FILE?: string | undefined };

/**
 * Builds the catalog: `default`, then the built-ins, then the operator's presets
 * (which may replace a built-in other than `default`, e.g. a newer `together`).
 */
export function presetCatalog(
  config: CatalogConfig,
  operatorPresets: readonly Preset[] = [],
): PresetCatalog {
  const defaultPreset = defaultPresetFromConfig(config);
  const problems = presetProblems(defaultPreset, config);
  if (problems.length > 0)
    throw new ConfigError(problems.map((p) => `default preset (MOA_*): ${p.replaceAll("`", "")}`));
  const entries = new Map<string, CatalogEntry>([
    ["default", { preset: defaultPreset, origin: "built-in" }],
  ]);
  for (const preset of builtinPresets(defaultPreset))
    entries.set(preset.name, { preset, origin: "built-in" });
  for (const preset of operatorPresets) entries.set(preset.name, { preset, origin: "operator" });
  return { defaultPreset, entries };
}

/** The catalog for this config, reading MOA_PRESETS_FILE when set; throws ConfigError. */
export function loadPresetCatalog(config: CatalogConfig): PresetCatalog {
  const file = config.MOA_PRESETS_FILE ? readPresetsFile(config.MOA_PRESETS_FILE, config) : [];
  return presetCatalog(config, file);
}
