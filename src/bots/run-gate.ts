import type { Invocation } from "../commands/invocation.js";
import type { Metrics, RunOutcome } from "../ops/metrics.js";
import type { Quotas } from "../ops/quotas.js";
import type { RunQueue } from "../ops/run-queue.js";
import { DRAINING_MESSAGE, type Lifecycle, ShutdownAbort } from "../ops/shutdown.js";
import type { RunView } from "./run-view.js";

/** Admission and bookkeeping around every run: shutdown, quotas, fair queue, Stop, metrics. */
export interface RunGate {
  /** Why new runs are refused right now (restarting), or undefined. */
  refusal(): string | undefined;
  /** Counts the run against the asker's quotas; a refusal message says when to retry. */
  checkQuota(inv: Invocation): Promise<string | undefined>;
  /** Waits for a run slot, fair across channels; resolves to the slot's release. */
  admit(
    inv: Invocation,
    signal: AbortSignal,
    onPosition: (position: number) => void,
  ): Promise<() => void>;
  /** Tracks a run so a Stop button or a shutdown can abort it; returns the untrack. */
  track(runKey: string, controller: AbortController, onInterrupt: () => Promise<void>): () => void;
  /** Records how a run ended (or that it was refused). */
  finished(inv: Invocation, view: RunView | "refused", signal?: AbortSignal): void;
}

/** The ops modules a gate is built from (each optional: absent means no limit). */
export interface RunGateParts {
  lifecycle?: Lifecycle;
  quotas?: Quotas;
  runQueue?: RunQueue;
  metrics?: Metrics;
}

const scope = (inv: Invocation) => `${inv.platform}:${inv.workspaceId}`;

/** Builds the gate main.ts hands to both bots. */
export function createRunGate(parts: RunGateParts): RunGate {
  return {
    refusal: () => (parts.lifecycle?.draining ? DRAINING_MESSAGE : undefined),
    async checkQuota(inv) {
      if (!parts.quotas) return undefined;
      const decision = await parts.quotas.check(
        `${scope(inv)}:user:${inv.userId}`,
        `${scope(inv)}:channel:${inv.channelId}`,
      );
      return decision.ok ? undefined : decision.message;
    },
    admit: (inv, signal, onPosition) =>
      parts.runQueue
        ? parts.runQueue.admit(`${scope(inv)}:${inv.channelId}`, signal, onPosition)
        : Promise.resolve(() => {}),
    track: (runKey, controller, onInterrupt) =>
      parts.lifecycle?.track(runKey, { controller, onInterrupt }) ?? (() => {}),
    finished(inv, view, signal) {
      parts.metrics?.recordRun(
        inv.platform,
        outcomeOf(view, signal),
        view === "refused" ? undefined : view.stats,
      );
    },
  };
}

function outcomeOf(view: RunView | "refused", signal?: AbortSignal): RunOutcome {
  if (view === "refused") return "refused";
  if (view.phase === "done") return "ok";
  if (view.phase === "cancelled")
    return signal?.reason instanceof ShutdownAbort ? "interrupted" : "cancelled";
  return "failed";
}
