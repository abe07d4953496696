import type { Invocation } from "../commands/invocation.js";
import type { Metrics, RunOutcome } from "../ops/metrics.js";
import type { Quotas } from "../ops/quotas.js";
import type { RunQueue } from "../ops/run-queue.js";
import { DRAINING_MESSAGE, type Lifecycle, ShutdownAbort } from "../ops/shutdown.js";
import type { StopBus, StopResult } from "../ops/stop-bus.js";
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
  track(inv: Invocation, controller: AbortController, onInterrupt: () => Promise<void>): () => void;
  /**
   * A Stop press by `userId` on run `runKey`: only the asker or an admin may stop a run.
   * Runs of this process are decided at once; otherwise the stop bus (when configured) asks
   * the other instances, within its reply timeout. Never rejects.
   */
  stop(runKey: string, userId: string): Promise<StopResult>;
  /** Records how a run ended (or that it was refused). */
  finished(inv: Invocation, view: RunView | "refused", signal?: AbortSignal): void;
}

/** What a Stop press did. */
export type { StopResult };

/** Reply to the presser for each Stop result (`stopped` needs none: the message says it). */
export const STOP_REPLIES: Record<Exclude<StopResult, "stopped">, string> = {
  "not-running": "That run has already finished.",
  "not-allowed": "Only the person who asked (or a moa-bot admin) can stop this run.",
};

/** The ops modules a gate is built from (each optional: absent means no limit). */
export interface RunGateParts {
  /** User ids that may stop anyone's run (MOA_ADMIN_USERS). */
  admins?: readonly string[];
  lifecycle?: Lifecycle;
  quotas?: Quotas;
  runQueue?: RunQueue;
  metrics?: Metrics;
  /** Relays Stop presses to and from other instances sharing the store (Redis). */
  stopBus?: StopBus;
}

const scope = (inv: Invocation) => `${inv.platform}:${inv.workspaceId}`;

/** Builds the gate main.ts hands to both bots. */
export function createRunGate(parts: RunGateParts): RunGate {
  const owners = new Map<string, { userId: string; controller: AbortController }>();
  const admins = new Set(parts.admins ?? []);
  const localStop = (runKey: string, userId: string): StopResult => {
    const run = owners.get(runKey);
    if (!run) return "not-running";
    if (run.userId !== userId && !admins.has(userId)) return "not-allowed";
    run.controller.abort(new Error(`stopped by ${userId}`));
    return "stopped";
  };
  parts.stopBus?.serve(localStop);
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
    track(inv, controller, onInterrupt) {
      owners.set(inv.eventKey, { userId: inv.userId, controller });
      const untrack = parts.lifecycle?.track(inv.eventKey, { controller, onInterrupt });
      return () => {
        owners.delete(inv.eventKey);
        untrack?.();
      };
    },
    async stop(runKey, userId) {
      const local = localStop(runKey, userId);
      if (local !== "not-running" || !parts.stopBus) return local;
      const remote = await parts.stopBus.request(runKey, userId).catch(() => "unknown" as const);
      return remote === "unknown" ? "not-running" : remote;
    },
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
