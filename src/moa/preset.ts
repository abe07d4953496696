import { z } from "zod";

/** Hard bounds so one command cannot run up a bill. */
export const PRESET_LIMITS = {
  /** Proposer calls per layer, after Self-MoA expansion. */
  maxProposersPerLayer: 8,
  /** Total layers, aggregator included. */
  minLayers: 1,
  maxLayers: 4,
  maxTemperature: 2,
} as const;

const modelId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.\-/:@]+$/, "model ids use letters, digits and . - _ / : @ only");

/**
 * A MoA recipe: plain data, validated on save and on load (stored data outlives code).
 * `kind: "mixture"` runs several different proposers; `kind: "self"` samples one model
 * `samples` times at temperature > 0 (Self-MoA, arXiv 2502.00674).
 */
export const PresetSchema = z
  .object({
    /** Short name, unique in a workspace/guild. */
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "names are 1-32 of a-z 0-9 _ -"),
    /** One line shown in `/moa presets`. */
    description: z.string().max(200).optional(),
    /** `mixture`: different models; `self`: one model sampled N times. */
    kind: z.enum(["mixture", "self"]).default("mixture"),
    /** Proposer model ids (mixture), or exactly one (self). */
    proposers: z.array(modelId).min(1).max(PRESET_LIMITS.maxProposersPerLayer),
    /** Samples of the single proposer per layer (self only; 1 for mixture). */
    samples: z.number().int().min(1).max(PRESET_LIMITS.maxProposersPerLayer).default(1),
    /** Model that writes the final answer. */
    aggregator: modelId,
    /** Total layers including the aggregator: 2 = one proposer layer + aggregator (MoA-Lite). */
    layers: z.number().int().min(PRESET_LIMITS.minLayers).max(PRESET_LIMITS.maxLayers),
    /** Sampling temperature for every call. */
    temperature: z.number().min(0).max(PRESET_LIMITS.maxTemperature),
    /** Max generated tokens per call. */
    maxTokens: z.number().int().min(1).max(32_768),
    /** A layer proceeds when at least this many proposers answered. */
    minProposers: z.number().int().min(1).max(PRESET_LIMITS.maxProposersPerLayer).default(1),
    /** Optional straggler deadline per layer, ms: past it (with minProposers in) late proposers are dropped. */
    layerDeadlineMs: z.number().int().min(100).max(600_000).optional(),
    /** Per-call timeout, ms (covers the whole streamed answer). */
    callTimeoutMs: z.number().int().min(1_000).max(900_000).default(120_000),
    /** Each reference is cut to this many characters, with a visible marker. */
    maxReferenceChars: z.number().int().min(200).max(200_000).default(16_000),
    /** History (all turns before the current one) is trimmed, oldest first, to this many characters. */
    historyBudgetChars: z.number().int().min(0).max(1_000_000).default(24_000),
    /** `paper`: the paper's aggregator prompt; `council`: also report agreement, disagreement, unique points and confidence after the answer. */
    style: z.enum(["paper", "council"]).default("paper"),
    /** Early agreement exit: when every pair of a layer's drafts is at least this similar (token-set Jaccard, 0-1), later proposer layers are skipped. Absent = off. */
    agreementExit: z.number().min(0.05).max(1).optional(),
  })
  // Rules across fields are judged only on fields that each pass, so one bad value reports once.
  .superRefine(
    (p, ctx) => {
      const fail = (field: string, message: string) =>
        ctx.addIssue({ code: "custom", path: [field], message });
      if (p.kind === "self" && p.proposers.length !== 1)
        fail("proposers", "Self-MoA takes exactly one proposer model");
      if (p.kind === "self" && p.temperature <= 0)
        fail("temperature", "Self-MoA needs temperature > 0");
      if (p.kind === "mixture" && p.samples !== 1)
        fail("samples", "samples is for Self-MoA presets only");
      if (p.minProposers > proposersPerLayer(p))
        fail("minProposers", "minProposers exceeds the proposers per layer");
    },
    { when: (payload) => payload.issues.length === 0 },
  );

/** A validated preset. */
export type Preset = z.output<typeof PresetSchema>;
/** A preset as written by hand (defaults not yet applied). */
export type PresetInput = z.input<typeof PresetSchema>;

/** Numeric fields of a preset (the ones with bounds). */
export type NumericPresetField = {
  [K in keyof Preset]-?: NonNullable<Preset[K]> extends number ? K : never;
}[keyof Preset];

/** Self-MoA samples per layer when `preset set self=model` gives no `*N`. */
export const DEFAULT_SELF_SAMPLES = 4;

/** The schema's own [min, max] of a numeric field, and whether it must be whole, so commands never copy them. */
export function presetFieldBounds(field: NumericPresetField) {
  let schema: unknown = PresetSchema.shape[field];
  // Unwrap .default()/.optional() down to the number schema carrying the checks.
  while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional)
    schema = schema.unwrap();
  const { minValue, maxValue, isInt } = schema as z.ZodNumber;
  return { min: minValue ?? 0, max: maxValue ?? Number.MAX_SAFE_INTEGER, int: isInt };
}

/** Proposer calls per layer: the samples of Self-MoA, else the proposers. */
export function proposersPerLayer(p: Pick<Preset, "kind" | "proposers" | "samples">): number {
  return p.kind === "self" ? p.samples : p.proposers.length;
}

/** One proposer call in a layer. */
export interface ProposerSlot {
  /** Position in the layer, 0-based; stable across layers. */
  index: number;
  /** Model id. */
  model: string;
}

/** The proposer calls of every proposer layer (the same list each layer), Self-MoA expanded. */
export function proposerSlots(preset: Preset): ProposerSlot[] {
  const models =
    preset.kind === "self"
      ? Array.from({ length: preset.samples }, () => preset.proposers[0] as string)
      : preset.proposers;
  return models.map((model, index) => ({ index, model }));
}

/** Number of proposer layers (all layers but the aggregator's). */
export function proposerLayerCount(preset: Preset): number {
  return preset.layers - 1;
}

/** Every distinct model a preset calls, aggregator last. */
export function modelsOf(preset: Preset): string[] {
  return [...new Set([...preset.proposers, preset.aggregator])];
}
