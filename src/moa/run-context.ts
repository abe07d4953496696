import type { ModelError } from "../errors.js";
import type { CallEnv } from "./call-model.js";
import type { CallStat, Draft, EventError, MoaEvent } from "./events.js";
import type { Preset } from "./preset.js";
import type { ModelPrice } from "./usage.js";
import { costOf, summarize, zeroUsage } from "./usage.js";

/** One failed call, as `run-error` lists it. */
export type Failure = Extract<MoaEvent, { type: "run-error" }>["failures"][number];

/** State shared by the parts of one run. */
export interface RunContext {
  /** Recipe in force. */
  preset: Preset;
  /** What each model call needs. */
  env: CallEnv;
  /** USD per 1M tokens by model id. */
  prices: Record<string, ModelPrice>;
  /** Sends one event to the consumer. */
  emit: (event: MoaEvent) => void;
  /** Aborts when the run is cancelled (by the caller's signal or the consumer leaving). */
  signal: AbortSignal;
  /** Clock reading when the run started, ms. */
  startedAt: number;
  /** Every call, in start order. */
  calls: CallStat[];
  /** Every failed call so far. */
  failures: Failure[];
}

/** Registers a new call in the run's stats and returns its (mutable) record. */
export function startCall(
  run: RunContext,
  role: CallStat["role"],
  layer: number,
  index: number,
  model: string,
): CallStat {
  const stat: CallStat = {
    role,
    layer,
    index,
    model,
    outcome: "cancelled",
    latencyMs: 0,
    attempts: 0,
    usage: zeroUsage(),
  };
  run.calls.push(stat);
  return stat;
}

/** Sets how a call ended and its cost when the model has a price. */
export function settleCall(run: RunContext, stat: CallStat, outcome: CallStat["outcome"]): void {
  stat.outcome = outcome;
  const price = run.prices[stat.model];
  if (price) stat.costUsd = costOf(stat.usage, price);
}

/** A model failure as events carry it. */
export function eventError(error: ModelError): EventError {
  return { code: error.code, message: error.userMessage };
}

/** Ends the run with an answer, or as cancelled. */
export function endRun(
  run: RunContext,
  outcome: "ok" | "cancelled",
  answer: string,
  drafts: Draft[],
): void {
  const stats = summarize(run.calls, run.env.now() - run.startedAt);
  run.emit({ type: "run-end", outcome, answer, drafts, stats });
}

/** Ends the run with an error; the drafts still go out so a bot can show them. */
export function failRun(run: RunContext, error: EventError, drafts: Draft[]): void {
  const stats = summarize(run.calls, run.env.now() - run.startedAt);
  run.emit({ type: "run-error", error, failures: run.failures, drafts, stats });
}
