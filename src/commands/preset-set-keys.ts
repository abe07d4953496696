import type { z } from "zod";
import { UsageError } from "../errors.js";
import {
  DEFAULT_SELF_SAMPLES,
  type NumericPresetField,
  type Preset,
  presetFieldBounds,
  proposersPerLayer,
} from "../moa/preset.js";
import { type ModelPolicyConfig, modelProblem, sentence } from "./model-policy.js";
import { OPTION_KEYS } from "./preset-option-keys.js";

/** A PresetSchema issue of the draft, handed to the key that writes its field. */
export interface KeyIssue {
  issue: z.core.$ZodIssue;
  /** What was typed for the key; undefined when another key's change broke its field. */
  value: string | undefined;
  draft: Preset;
  config: ModelPolicyConfig;
}

/** One key of `preset set key=value`: metadata for help and Discord, and how it changes a draft. */
export interface SetKeySpec {
  /** The key as typed. */
  name: string;
  /** One line for help. */
  summary: string;
  /** A valid `key=value`. */
  example: string;
  /** The PresetSchema fields it writes: schema issues on them are reported under this key. */
  fields: readonly (keyof Preset)[];
  /** Reads `value` into `draft` (syntax, model policy); the schema judges the rest. Throws UsageError. */
  apply(value: string, draft: Preset, config: ModelPolicyConfig): void;
  /** Its wording for a schema issue on `fields`; undefined leaves the schema's message. */
  problem?(at: KeyIssue): string | undefined;
}

const LAYERS = presetFieldBounds("layers");
const TEMPERATURE = presetFieldBounds("temperature");
const SAMPLES = presetFieldBounds("samples");

/** A plain decimal as typed; anything else is NaN, which the schema refuses as not a number. */
const decimal = (v: string) => (/^(\d+\.?\d*|\.\d+)$/.test(v) ? Number(v) : Number.NaN);

/** A duration in the unit people type: whole seconds as `Ns`, else `Nms`. */
function duration(ms: number): string {
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`;
}

/** "`label` must be from min to max; got n.": the schema's bounds of `field` (ms as durations), max lowered to `cap`. */
function outOfRange(label: string, field: NumericPresetField, draft: Preset, cap = Infinity) {
  const { min, max } = presetFieldBounds(field);
  const show = field.endsWith("Ms") ? duration : String;
  return `\`${label}\` must be from ${show(min)} to ${show(Math.min(max, cap))}; got ${show(draft[field] as number)}.`;
}

function model(key: string, value: string, config: ModelPolicyConfig): string {
  if (value === "")
    throw new UsageError(`\`${key}\` needs a model id, e.g. \`${key}=gpt-4.1-mini\`.`);
  const problem = modelProblem(value, config);
  if (problem) throw new UsageError(`Unknown model for \`${key}\`: ${sentence(problem)}`);
  return value;
}

/** The schema's too_big of the proposers per layer, said as `source` typed it. */
function tooMany({ issue, draft }: KeyIssue, source: string): string | undefined {
  if (issue.code !== "too_big" || issue.path.length !== 1) return undefined;
  return `Too many proposers: ${source} gives ${proposersPerLayer(draft)} per layer; the limit is ${issue.maximum}.`;
}

/**
 * A key writing the number typed into its one field, for the schema to judge; its messages quote
 * the schema's bounds, with the max lowered to `cap` (a deployment ceiling, which is policy).
 */
function numberKey(
  spec: Omit<SetKeySpec, "apply">,
  cap: (config: ModelPolicyConfig) => number = () => Infinity,
): SetKeySpec {
  const field = spec.fields[0] as NumericPresetField;
  const { min, max, int } = presetFieldBounds(field);
  return {
    ...spec,
    apply(value, draft, config) {
      (draft as Record<NumericPresetField, number>)[field] = decimal(value);
      if ((draft[field] as number) > cap(config))
        throw new UsageError(outOfRange(spec.name, field, draft, cap(config)));
    },
    problem(at) {
      const { issue } = at;
      if (issue.code === "invalid_type")
        return `\`${spec.name}\` takes a ${int ? "whole number" : "number"} from ${min} to ${Math.min(max, cap(at.config))}, e.g. \`${spec.example}\`; got \`${at.value}\`.`;
      if (issue.code === "too_big" || issue.code === "too_small")
        return outOfRange(spec.name, field, at.draft, cap(at.config));
      return spec.problem?.(at);
    },
  };
}

/** Every key `preset set` accepts, in help order. */
export const SET_KEYS: readonly SetKeySpec[] = [
  {
    name: "proposers",
    summary: "comma-separated proposer models (a mixture)",
    example: "proposers=gpt-4.1-mini,gpt-4o-mini",
    fields: ["proposers", "kind", "samples"],
    apply(value, draft, config) {
      const models = value.split(/\s*,\s*/).filter(Boolean);
      if (models.length === 0)
        throw new UsageError(
          "`proposers` needs at least one model, e.g. `proposers=gpt-4.1-mini,gpt-4o-mini`.",
        );
      draft.proposers = models.map((m) => model("proposers", m, config));
      draft.kind = "mixture";
      draft.samples = 1;
    },
    problem: (at) => tooMany(at, "`proposers`"),
  },
  {
    name: "aggregator",
    summary: "the model that writes the final answer",
    example: "aggregator=gpt-4.1",
    fields: ["aggregator"],
    apply(value, draft, config) {
      draft.aggregator = model("aggregator", value, config);
    },
  },
  numberKey({
    name: "layers",
    summary: `total layers including the aggregator (${LAYERS.min}-${LAYERS.max})`,
    example: "layers=3",
    fields: ["layers"],
  }),
  numberKey({
    name: "temperature",
    summary: `sampling temperature (${TEMPERATURE.min}-${TEMPERATURE.max})`,
    example: "temperature=0.5",
    fields: ["temperature"],
    problem: ({ issue }) =>
      issue.code === "custom"
        ? "Self-MoA needs `temperature` above 0, or every sample is the same answer; e.g. `temperature=0.7`."
        : undefined,
  }),
  numberKey(
    {
      name: "max_tokens",
      summary: "most tokens each call may generate",
      example: "max_tokens=800",
      fields: ["maxTokens"],
    },
    (config) => config.MOA_MAX_TOKENS_CEILING,
  ),
  numberKey({
    name: "min_proposers",
    summary: "answers a layer needs before it may move on",
    example: "min_proposers=2",
    fields: ["minProposers"],
    problem({ issue, draft }) {
      if (issue.code !== "custom") return undefined;
      const n = proposersPerLayer(draft);
      return `\`min_proposers\` is ${draft.minProposers} but each layer has only ${n} proposer${n === 1 ? "" : "s"}; lower it, e.g. \`min_proposers=${n}\`.`;
    },
  }),
  {
    name: "deadline",
    summary: "per-layer wait for stragglers once min_proposers answered (20s, 1500ms, off)",
    example: "deadline=20s",
    fields: ["layerDeadlineMs"],
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
      draft.layerDeadlineMs = Math.round(Number(m[1]) * (m[2] === "s" ? 1_000 : 1));
    },
    problem: ({ draft }) => outOfRange("deadline", "layerDeadlineMs", draft),
  },
  {
    name: "self",
    summary: `Self-MoA: one model sampled N times (model*N, N ${SAMPLES.min}-${SAMPLES.max}; off for a mixture again)`,
    example: "self=gpt-4.1-mini*4",
    fields: ["samples", "proposers", "kind"],
    apply(value, draft, config) {
      if (value === "off") {
        draft.kind = "mixture";
        draft.samples = 1;
        return;
      }
      const m = /^(.*?)(?:\*(\d+))?$/.exec(value) as RegExpExecArray;
      draft.proposers = [model("self", m[1] as string, config)];
      draft.kind = "self";
      draft.samples = m[2] === undefined ? DEFAULT_SELF_SAMPLES : Number(m[2]);
    },
    problem: (at) =>
      at.issue.path[0] !== "samples"
        ? undefined
        : (tooMany(at, `\`self=${at.value}\``) ?? outOfRange("self samples", "samples", at.draft)),
  },
  ...OPTION_KEYS,
];
