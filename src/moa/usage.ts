import type { Usage } from "./chat-model.js";
import type { CallStat, RunStats } from "./events.js";

/** Price of a model in USD per million tokens. */
export interface ModelPrice {
  /** USD per 1M prompt tokens. */
  input: number;
  /** USD per 1M completion tokens. */
  output: number;
}

/** A usage of zero tokens (fresh object: callers mutate it). */
export function zeroUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0 };
}

/** Cost in USD of one call at `price` (USD per million tokens). */
export function costOf(usage: Usage, price: ModelPrice): number {
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}

/** Folds the calls of a run into its totals; `costUsd` only when some call had a price. */
export function summarize(calls: CallStat[], totalMs: number): RunStats {
  const usage = zeroUsage();
  let cost: number | undefined;
  for (const call of calls) {
    usage.inputTokens += call.usage.inputTokens;
    usage.outputTokens += call.usage.outputTokens;
    if (call.costUsd !== undefined) cost = (cost ?? 0) + call.costUsd;
  }
  const stats: RunStats = { totalMs, calls, usage };
  if (cost !== undefined) stats.costUsd = cost;
  return stats;
}
