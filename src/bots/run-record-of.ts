import { createHash } from "node:crypto";
import type { Invocation } from "../commands/invocation.js";
import type { CallStat } from "../moa/events.js";
import type { RunRecord, StoredCall } from "../store/run-record.js";
import type { RunView } from "../view/run-view.js";

/**
 * A user's pseudonym in stored runs: a truncated SHA-256 of platform, workspace and user id,
 * so votes can be told apart per user without the store holding the raw id.
 */
export function hashUser(platform: string, workspaceId: string, userId: string): string {
  return createHash("sha256")
    .update(`moa-user\0${platform}\0${workspaceId}\0${userId}`)
    .digest("base64url")
    .slice(0, 22);
}

/**
 * The model each proposer layer waited for: the call of that layer that took longest
 * (failed and skipped calls too: the layer waited for them until they ended). Layers
 * with a single proposer have no "slowest" and are left out ("").
 */
export function slowestPerLayer(calls: readonly CallStat[]): string[] {
  const layers = new Map<number, CallStat[]>();
  for (const c of calls) {
    if (c.role !== "proposer") continue;
    layers.set(c.layer, [...(layers.get(c.layer) ?? []), c]);
  }
  const out: string[] = [];
  for (const layer of [...layers.keys()].sort((a, b) => a - b)) {
    const inLayer = layers.get(layer) ?? [];
    const slowest = inLayer.reduce((a, b) => (b.latencyMs > a.latencyMs ? b : a));
    out.push(inLayer.length > 1 ? slowest.model : "");
  }
  return out;
}

const stored = (c: CallStat): StoredCall => ({
  role: c.role,
  layer: c.layer,
  model: c.model,
  outcome: c.outcome,
  latencyMs: c.latencyMs,
  inputTokens: c.usage.inputTokens,
  outputTokens: c.usage.outputTokens,
  ...(c.costUsd !== undefined && { costUsd: c.costUsd }),
});

/** The record of a finished run, or undefined when the run never started (no run id). */
export function runRecordOf(inv: Invocation, view: RunView, at: number): RunRecord | undefined {
  if (view.runId === undefined || view.phase === "queued" || view.phase === "starting")
    return undefined;
  const outcome =
    view.phase === "done" ? "done" : view.phase === "cancelled" ? "cancelled" : "failed";
  const calls = view.stats?.calls ?? [];
  return {
    v: 1,
    runKey: view.runId,
    platform: inv.platform,
    workspaceId: inv.workspaceId,
    channelId: inv.channelId,
    userHash: hashUser(inv.platform, inv.workspaceId, inv.userId),
    preset: view.preset,
    at,
    outcome,
    totalMs: view.stats?.totalMs ?? 0,
    calls: calls.slice(0, 64).map(stored),
    slowest: slowestPerLayer(calls).slice(0, 8),
    votes: {},
  };
}
