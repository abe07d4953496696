import type { Invocation } from "../../commands/invocation.js";
import type { Metrics, RunOutcome } from "../../ops/metrics.js";
import { DRAINING_MESSAGE, type Lifecycle, ShutdownAbort } from "../../ops/shutdown.js";
import type { StopResult, StopStore } from "../../store/stop-store.js";
import type { RunView } from "../../view/run-view.js";
import type { Quotas } from "./quotas.js";
import type { RunQueue } from "./run-queue.js";
import type { RunEntry, RunRegistry } from "./run-registry.js";

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
  /** Makes a registered run stoppable (here and, through the store, from other instances); returns the undo. */
  track(inv: Invocation, entry: RunEntry): () => void;
  /**
   * A Stop press by `userId` on run `runKey`: only the asker or an admin may stop a run.
   * Runs of this instance are decided at once; others through the store's run record, whose
   * stop flag their instance reads within `pollMs`. Never rejects.
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

/** How often a run reads its stop flag when presses may come from other instances, ms. */
export const STOP_POLL_MS = 1_000;

/** The parts a gate is built from (each optional but the registry: absent means no limit). */
export interface RunGateParts {
  /** The instance's in-flight runs. */
  runs: RunRegistry;
  /** User ids that may stop anyone's run (MOA_ADMIN_USERS). */
  admins?: readonly string[];
  lifecycle?: Lifecycle;
  quotas?: Quotas;
  runQueue?: RunQueue;
  metrics?: Metrics;
  /** Run records and stop flags in the shared store, for presses on other instances. */
  stops?: StopStore;
  /** Stop-flag reading interval, ms (default STOP_POLL_MS). */
  pollMs?: number;
  /** Told when the store could not record or read a stop (the press or run goes on). */
  onStoreError?: (error: unknown, what: string) => void;
}

const scope = (inv: Invocation) => `${inv.platform}:${inv.workspaceId}`;

/** Builds the gate both bots share. */
export function createRunGate(parts: RunGateParts): RunGate {
  const admins = new Set(parts.admins ?? []);
  const storeError = parts.onStoreError ?? (() => {});
  const pollMs = parts.pollMs ?? STOP_POLL_MS;
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
    track(inv, entry) {
      entry.stoppable = true;
      const stops = parts.stops;
      if (!stops) return () => {};
      const key = inv.eventKey;
      stops.announce(key, inv.userId).catch((e) => storeError(e, "announce run"));
      const poll = setInterval(() => {
        stops.stopRequestedBy(key).then(
          (by) => by && entry.controller.abort(new Error(`stopped by ${by}`)),
          (e) => storeError(e, "read stop flag"),
        );
      }, pollMs);
      poll.unref();
      return () => {
        clearInterval(poll);
        stops.withdraw(key).catch((e) => storeError(e, "withdraw run"));
      };
    },
    async stop(runKey, userId) {
      const local = parts.runs.find(runKey);
      if (local.length > 0) {
        if (!local.some((r) => r.userId === userId) && !admins.has(userId)) return "not-allowed";
        for (const run of local) run.controller.abort(new Error(`stopped by ${userId}`));
        return "stopped";
      }
      if (!parts.stops) return "not-running";
      return parts.stops.request(runKey, userId, admins.has(userId)).catch((e) => {
        storeError(e, "stop press");
        return "not-running" as const;
      });
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
