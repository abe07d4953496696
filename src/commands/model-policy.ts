import type { Config } from "../config.js";
import { modelsOf, type Preset } from "../moa/preset.js";
import { resolveModel } from "../moa/providers/resolve-model.js";
import { nearest } from "./suggest.js";

/** The settings that decide which models and sizes chat users may pick. */
export type ModelPolicyConfig = Pick<
  Config,
  "providers" | "MOA_ALLOWED_MODELS" | "MOA_PROPOSERS" | "MOA_AGGREGATOR" | "MOA_MAX_TOKENS_CEILING"
>;

/** A prefix that reads like a provider name (no dots), unlike the `llama3.1` of `llama3.1:8b`. */
const PROVIDER_LIKE = /^[a-z][a-z0-9_-]*$/;
/** Longest list of allowed models quoted back in an error. */
const LIST_AT_MOST = 10;

const listed = (items: readonly string[]) =>
  items.length > LIST_AT_MOST ? `${items.slice(0, LIST_AT_MOST).join(", ")}, …` : items.join(", ");

/**
 * Why `model` may not be used here, or undefined when it may. Models named in
 * MOA_PROPOSERS / MOA_AGGREGATOR were chosen by the operator and always pass; with
 * MOA_ALLOWED_MODELS set only those pass; otherwise a model must route to a
 * configured provider. A URL can never pass, so no command can point at a new endpoint.
 */
export function modelProblem(model: string, config: ModelPolicyConfig): string | undefined {
  if (model.includes("//") || !/^[\w.\-/:@]+$/.test(model)) {
    return `\`${model}\` is not a model id (letters, digits and . - _ / : @ only, no URLs)`;
  }
  if (config.MOA_PROPOSERS.includes(model) || config.MOA_AGGREGATOR === model) return undefined;
  if (config.MOA_ALLOWED_MODELS.length > 0) {
    if (config.MOA_ALLOWED_MODELS.includes(model)) return undefined;
    return `\`${model}\` is not on this bot's model allow-list (${listed(config.MOA_ALLOWED_MODELS)})`;
  }
  const route = resolveModel(model, config.providers);
  const prefix = route.unmatchedPrefix;
  if (prefix !== undefined && PROVIDER_LIKE.test(prefix)) {
    const names = Object.keys(config.providers).sort();
    const guess = nearest(prefix, names);
    const hint = guess ? `; did you mean \`${guess}:${model.slice(prefix.length + 1)}\`?` : "";
    return `\`${model}\` names provider \`${prefix}\`, which is not configured here (configured: ${names.join(", ")})${hint}`;
  }
  return undefined;
}

/** Problems for a chat reply: the first two, then how many more, so a reply stays short. */
export function problemsText(problems: readonly string[]): string {
  const shown = problems.slice(0, 2).join("; ");
  return problems.length > 2 ? `${shown}; and ${problems.length - 2} more` : shown;
}

/** Ends a clause as a sentence: a period unless it already ends in . ? or !. */
export function sentence(clause: string): string {
  return /[.?!]$/.test(clause) ? clause : `${clause}.`;
}

/** Every reason `preset` may not run here: its models, and max tokens above the ceiling. */
export function presetProblems(preset: Preset, config: ModelPolicyConfig): string[] {
  const problems: string[] = [];
  const reportedPrefixes = new Set<string>();
  for (const model of modelsOf(preset)) {
    const problem = modelProblem(model, config);
    if (!problem) continue;
    // One line per missing provider, not one per model of it (the together preset has seven).
    const prefix = resolveModel(model, config.providers).unmatchedPrefix;
    if (prefix !== undefined && reportedPrefixes.has(prefix)) continue;
    if (prefix !== undefined) reportedPrefixes.add(prefix);
    problems.push(problem);
  }
  if (preset.maxTokens > config.MOA_MAX_TOKENS_CEILING) {
    problems.push(
      `max tokens ${preset.maxTokens} is above this bot's ceiling of ${config.MOA_MAX_TOKENS_CEILING}`,
    );
  }
  return problems;
}

/**
 * `problem` (from `modelProblem`) with a "did you mean" when it has none and `model` is one
 * typo away from a model the operator named (allow-list, proposers, aggregator).
 */
export function withModelHint(problem: string, model: string, config: ModelPolicyConfig): string {
  if (/did you mean/i.test(problem)) return problem;
  const known = [...config.MOA_ALLOWED_MODELS, ...config.MOA_PROPOSERS, config.MOA_AGGREGATOR];
  const guess = nearest(model, [...new Set(known)]);
  return guess ? `${problem}; did you mean \`${guess}\`?` : problem;
}
