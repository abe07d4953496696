import { UsageError } from "../errors.js";
import {
  type NumericPresetField,
  PRESET_LIMITS,
  type Preset,
  presetFieldBounds,
} from "../moa/preset.js";
import { type ModelPolicyConfig, modelProblem, sentence } from "./model-policy.js";

/** One key of `preset set key=value`: metadata for help and Discord, and how it changes a draft. */
export interface SetKeySpec {
  /** The key as typed. */
  name: string;
  /** One line for help. */
  summary: string;
  /** A valid `key=value`. */
  example: string;
  /** Validates `value` and writes it into `draft`; throws UsageError saying what is wrong. */
  apply(value: string, draft: Preset, config: ModelPolicyConfig): void;
}

const MAX = PRESET_LIMITS.maxProposersPerLayer;
const LAYERS = presetFieldBounds("layers");
const TEMPERATURE = presetFieldBounds("temperature");
const DEADLINE = presetFieldBounds("layerDeadlineMs");
/** Self-MoA samples when `self=model` gives no `*N`. */
const DEFAULT_SELF_SAMPLES = 4;

/** A duration in the unit people type: whole seconds as `Ns`, else `Nms`. */
function duration(ms: number): string {
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`;
}

/** A whole number within the schema's bounds of `field` (and at most `cap`, a deployment policy). */
function wholeNumber(
  key: string,
  value: string,
  field: NumericPresetField,
  example: string,
  cap = Number.POSITIVE_INFINITY,
): number {
  const bounds = presetFieldBounds(field);
  const min = bounds.min;
  const max = Math.min(bounds.max, cap);
  if (!/^\d+$/.test(value)) {
    throw new UsageError(
      `\`${key}\` takes a whole number from ${min} to ${max}, e.g. \`${example}\`; got \`${value}\`.`,
    );
  }
  return inRange(key, Number(value), min, max);
}

function inRange(key: string, n: number, min: number, max: number): number {
  if (n < min || n > max)
    throw new UsageError(`\`${key}\` must be from ${min} to ${max}; got ${n}.`);
  return n;
}

function model(key: string, value: string, config: ModelPolicyConfig): string {
  if (value === "")
    throw new UsageError(`\`${key}\` needs a model id, e.g. \`${key}=gpt-4.1-mini\`.`);
  const problem = modelProblem(value, config);
  if (problem) throw new UsageError(`Unknown model for \`${key}\`: ${sentence(problem)}`);
  return value;
}

function tooMany(n: number, source: string): UsageError {
  return new UsageError(`Too many proposers: ${source} gives ${n} per layer; the limit is ${MAX}.`);
}

/** Every key `preset set` accepts, in help order. */
export const SET_KEYS: readonly SetKeySpec[] = [
  {
    name: "proposers",
    summary: "comma-separated proposer models (a mixture)",
    example: "proposers=gpt-4.1-mini,gpt-4o-mini",
    apply(value, draft, config) {
      const models = value
        .split(",")
        .map((m) => m.trim())
        .filter(Boolean);
      if (models.length === 0)
        throw new UsageError(
          "`proposers` needs at least one model, e.g. `proposers=gpt-4.1-mini,gpt-4o-mini`.",
        );
      if (models.length > MAX) throw tooMany(models.length, "`proposers`");
      draft.proposers = models.map((m) => model("proposers", m, config));
      draft.kind = "mixture";
      draft.samples = 1;
    },
  },
  {
    name: "aggregator",
    summary: "the model that writes the final answer",
    example: "aggregator=gpt-4.1",
    apply(value, draft, config) {
      draft.aggregator = model("aggregator", value, config);
    },
  },
  {
    name: "layers",
    summary: `total layers including the aggregator (${LAYERS.min}-${LAYERS.max})`,
    example: "layers=3",
    apply(value, draft) {
      draft.layers = wholeNumber("layers", value, "layers", "layers=3");
    },
  },
  {
    name: "temperature",
    summary: `sampling temperature (${TEMPERATURE.min}-${TEMPERATURE.max})`,
    example: "temperature=0.5",
    apply(value, draft) {
      if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) {
        throw new UsageError(
          `\`temperature\` takes a number from ${TEMPERATURE.min} to ${TEMPERATURE.max}, e.g. \`temperature=0.5\`; got \`${value}\`.`,
        );
      }
      draft.temperature = inRange("temperature", Number(value), TEMPERATURE.min, TEMPERATURE.max);
    },
  },
  {
    name: "max_tokens",
    summary: "most tokens each call may generate",
    example: "max_tokens=800",
    apply(value, draft, config) {
      draft.maxTokens = wholeNumber(
        "max_tokens",
        value,
        "maxTokens",
        "max_tokens=800",
        config.MOA_MAX_TOKENS_CEILING,
      );
    },
  },
  {
    name: "min_proposers",
    summary: "answers a layer needs before it may move on",
    example: "min_proposers=2",
    apply(value, draft) {
      draft.minProposers = wholeNumber("min_proposers", value, "minProposers", "min_proposers=2");
    },
  },
  {
    name: "deadline",
    summary: "per-layer wait for stragglers once min_proposers answered (20s, 1500ms, off)",
    example: "deadline=20s",
    apply(value, draft) {
      if (value === "off" || value === "none") {
        delete draft.layerDeadlineMs;
        return;
      }
      const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(value);
      if (!m)
        throw new UsageError(
          `\`deadline\` takes a duration such as \`deadline=20s\` or \`deadline=1500ms\`, or \`deadline=off\`; got \`${value}\`.`,
        );
      const ms = Math.round(Number(m[1]) * (m[2] === "s" ? 1_000 : 1));
      if (ms < DEADLINE.min || ms > DEADLINE.max) {
        throw new UsageError(
          `\`deadline\` must be from ${duration(DEADLINE.min)} to ${duration(DEADLINE.max)}; got ${value}.`,
        );
      }
      draft.layerDeadlineMs = ms;
    },
  },
  {
    name: "self",
    summary: `Self-MoA: one model sampled N times (model*N, N 1-${MAX}; off for a mixture again)`,
    example: "self=gpt-4.1-mini*4",
    apply(value, draft, config) {
      if (value === "off") {
        draft.kind = "mixture";
        draft.samples = 1;
        return;
      }
      const m = /^(.*?)(?:\*(\d+))?$/.exec(value) as RegExpExecArray;
      const samples = m[2] === undefined ? DEFAULT_SELF_SAMPLES : Number(m[2]);
      if (samples > MAX) throw tooMany(samples, `\`self=${value}\``);
      draft.kind = "self";
      draft.proposers = [model("self", m[1] as string, config)];
      const bounds = presetFieldBounds("samples");
      draft.samples = inRange("self samples", samples, bounds.min, bounds.max);
    },
  },
];
