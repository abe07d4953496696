import { type Preset, type PresetInput, PresetSchema } from "../../moa/preset.js";

/**
 * The paper's recipe (Wang et al. 2024, "Mixture-of-Agents Enhances Large Language
 * Model Capabilities", arXiv:2406.04692): 3 layers (two proposer layers, then the
 * aggregator), six open models per proposer layer, a Qwen 72B aggregator. The
 * paper's Qwen1.5 / WizardLM / dbrx line-up is retired on Together, so these are
 * current Together serverless ids of the same families and sizes; Together retires
 * models often, so check them against `GET https://api.together.xyz/v1/models`.
 * Usable once MOA_PROVIDER_TOGETHER_BASE_URL=https://api.together.xyz/v1 and
 * MOA_PROVIDER_TOGETHER_API_KEY are set; until then `presets` marks it unavailable.
 */
export const TOGETHER_PRESET: PresetInput = {
  name: "together",
  description: "The MoA paper's recipe on Together: 6 open models, 3 layers, Qwen aggregator",
  kind: "mixture",
  proposers: [
    "together:Qwen/Qwen2.5-72B-Instruct-Turbo",
    "together:meta-llama/Llama-3.3-70B-Instruct-Turbo",
    "together:deepseek-ai/DeepSeek-V3",
    "together:Qwen/Qwen3-235B-A22B-Instruct-2507-tput",
    "together:meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
    "together:mistralai/Mistral-Small-24B-Instruct-2501",
  ],
  aggregator: "together:Qwen/Qwen2.5-72B-Instruct-Turbo",
  layers: 3,
  temperature: 0.7,
  maxTokens: 1024,
  // Six calls per layer: carry on with four answers rather than wait on a straggler past 60 s.
  minProposers: 4,
  layerDeadlineMs: 60_000,
};

/** Samples per layer of the `self` preset (Self-MoA, arXiv:2502.00674, used 4-6). */
const SELF_SAMPLES = 4;
/** Sampling temperature of `self`: the samples must differ to be worth aggregating. */
const SELF_TEMPERATURE = 0.7;

/**
 * The built-in presets besides `default`, derived from it so they use the
 * operator's models: `lite` (MoA-Lite, one proposer layer), `self` (Self-MoA:
 * the aggregator model sampled four times, then aggregating its own samples),
 * and the `together` paper recipe.
 */
export function builtinPresets(base: Preset): Preset[] {
  const { name: _name, description: _description, ...shared } = base;
  return [
    PresetSchema.parse({
      ...shared,
      name: "lite",
      description: "MoA-Lite: the default models, one proposer layer, then the aggregator",
      layers: 2,
    }),
    PresetSchema.parse({
      ...shared,
      name: "self",
      description: `Self-MoA: ${base.aggregator} sampled ${SELF_SAMPLES} times, then aggregating its own answers`,
      kind: "self",
      proposers: [base.aggregator],
      samples: SELF_SAMPLES,
      layers: 2,
      temperature: SELF_TEMPERATURE,
      minProposers: 1,
    }),
    PresetSchema.parse(TOGETHER_PRESET),
  ];
}
