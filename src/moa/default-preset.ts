import type { Config } from "../config.js";
import { ConfigError } from "../errors.js";
import { type Preset, type PresetInput, PresetSchema } from "./preset.js";

/** The environment variables a preset is built from. */
export type PresetConfig = Pick<
  Config,
  | "MOA_PROPOSERS"
  | "MOA_AGGREGATOR"
  | "MOA_LAYERS"
  | "MOA_TEMPERATURE"
  | "MOA_MAX_TOKENS"
  | "MOA_MIN_PROPOSERS"
  | "MOA_LAYER_DEADLINE_MS"
  | "MOA_CALL_TIMEOUT_MS"
  | "MOA_MAX_REFERENCE_CHARS"
  | "MOA_HISTORY_BUDGET_CHARS"
>;

/**
 * The `default` preset from MOA_* variables: MOA_PROPOSERS as a mixture, MOA_AGGREGATOR,
 * MOA_LAYERS (aggregator included), MOA_LAYER_DEADLINE_MS (0 = off) and the limits.
 * MOA_MIN_PROPOSERS is capped at the number of proposers. Throws ConfigError when the
 * result breaks a preset rule.
 */
export function defaultPresetFromConfig(config: PresetConfig): Preset {
  return parsePreset("MOA_*", {
    name: "default",
    description: "Built from the MOA_* environment variables",
    kind: "mixture",
    proposers: config.MOA_PROPOSERS,
    aggregator: config.MOA_AGGREGATOR,
    layers: config.MOA_LAYERS,
    temperature: config.MOA_TEMPERATURE,
    maxTokens: config.MOA_MAX_TOKENS,
    minProposers: Math.min(config.MOA_MIN_PROPOSERS, config.MOA_PROPOSERS.length),
    ...(config.MOA_LAYER_DEADLINE_MS > 0 ? { layerDeadlineMs: config.MOA_LAYER_DEADLINE_MS } : {}),
    callTimeoutMs: config.MOA_CALL_TIMEOUT_MS,
    maxReferenceChars: config.MOA_MAX_REFERENCE_CHARS,
    historyBudgetChars: config.MOA_HISTORY_BUDGET_CHARS,
  });
}

function parsePreset(name: string, input: PresetInput): Preset {
  const parsed = PresetSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map(
      (i) => `preset ${name}: ${i.path.join(".") || "(preset)"}: ${i.message}`,
    ),
  );
}
