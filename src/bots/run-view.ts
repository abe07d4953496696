import type { Draft, EventError, MoaEvent, RunStats } from "../moa/events.js";

/** What one proposer call is doing, as the interim message shows it. */
export interface ProposerStatus {
  /** Proposer layer, 1-based. */
  layer: number;
  /** Position in the layer. */
  index: number;
  /** Model id. */
  model: string;
  /** Lifecycle state. */
  state: "waiting" | "writing" | "retrying" | "done" | "failed" | "skipped";
  /** Wall time, ms, once done/failed/skipped. */
  latencyMs?: number;
  /** Output tokens once done. */
  outputTokens?: number;
  /** Short failure or retry reason. */
  reason?: string;
}

/** Everything the presenter knows about a run, folded from its events. */
export interface RunView {
  /** Engine's run id, once run-start arrived. */
  runId?: string;
  /** Preset name. */
  preset: string;
  /** The question, when the message should quote it. */
  question?: string;
  /** Total layers including the aggregator. */
  layers: number;
  /** Proposer layer in progress (or last finished). */
  layer: number;
  /** Statuses of the current layer's proposers. */
  proposers: ProposerStatus[];
  /** Aggregator model once it started. */
  aggregator?: string;
  /** Answer written so far (think blocks already removed by the engine). */
  answer: string;
  /** Where the run is. */
  phase: "queued" | "starting" | "proposing" | "aggregating" | "done" | "failed" | "cancelled";
  /** The run was re-run after the instance that started it crashed. */
  resumed?: boolean;
  /** A cancelled run was cut short by a restart (shutdown), not by a Stop press. */
  interrupted?: boolean;
  /** Place in the run queue while queued, 1-based. */
  queuePosition?: number;
  /** Non-fatal notes, e.g. history trimmed. */
  warnings: string[];
  /** Failure of the run, when phase is failed. */
  error?: EventError;
  /** Proposers that failed or were dropped (every layer), so the finished message still names them. */
  dropped: Array<{ model: string; layer: number; reason: string; skipped: boolean }>;
  /** Per-model failures listed by a failed run. */
  failures: Array<{ model: string; message: string }>;
  /** Drafts carried by the final event. */
  drafts: Draft[];
  /** Totals from run-end / run-error. */
  stats?: RunStats;
}

/** The view before any event arrived. */
export function initialView(preset: string): RunView {
  return {
    preset,
    layers: 0,
    layer: 0,
    proposers: [],
    answer: "",
    phase: "starting",
    warnings: [],
    dropped: [],
    failures: [],
    drafts: [],
  };
}

function patchProposer(
  view: RunView,
  layer: number,
  index: number,
  patch: Partial<ProposerStatus>,
): void {
  const p = view.proposers.find((s) => s.layer === layer && s.index === index);
  if (p) Object.assign(p, patch);
}

/** Folds one event into the view (mutates and returns it: the view is private to one presenter). */
export function foldEvent(view: RunView, e: MoaEvent): RunView {
  switch (e.type) {
    case "run-start":
      view.runId = e.runId;
      view.preset = e.preset.name;
      view.layers = e.preset.layers;
      view.phase = e.preset.layers > 1 ? "proposing" : "aggregating";
      break;
    case "warning":
      view.warnings.push(e.message);
      break;
    case "proposer-start":
      if (e.layer !== view.layer) {
        view.layer = e.layer;
        view.proposers = [];
      }
      view.proposers.push({ layer: e.layer, index: e.index, model: e.model, state: "waiting" });
      view.proposers.sort((a, b) => a.index - b.index);
      break;
    case "proposer-delta":
      patchProposer(view, e.layer, e.index, { state: "writing" });
      break;
    case "proposer-retry":
      patchProposer(view, e.layer, e.index, { state: "retrying", reason: e.error.message });
      break;
    case "proposer-end":
      patchProposer(view, e.layer, e.index, {
        state: "done",
        latencyMs: e.draft.latencyMs,
        outputTokens: e.draft.usage.outputTokens,
      });
      break;
    case "proposer-error":
      view.dropped.push({
        model: e.model,
        layer: e.layer,
        reason: e.error.message,
        skipped: e.skipped,
      });
      patchProposer(view, e.layer, e.index, {
        state: e.skipped ? "skipped" : "failed",
        latencyMs: e.latencyMs,
        reason: e.error.message,
      });
      break;
    case "layer-end":
      break;
    case "aggregate-start":
      view.phase = "aggregating";
      view.aggregator = e.model;
      break;
    case "aggregate-delta":
      view.answer += e.text;
      break;
    case "aggregate-end":
      view.answer = e.text;
      break;
    case "run-end":
      view.phase = e.outcome === "ok" ? "done" : "cancelled";
      view.answer = e.answer || view.answer;
      view.drafts = e.drafts;
      view.stats = e.stats;
      break;
    case "run-error":
      view.phase = "failed";
      view.error = e.error;
      view.failures = e.failures.map((f) => ({ model: f.model, message: f.error.message }));
      view.drafts = e.drafts;
      view.stats = e.stats;
      break;
  }
  return view;
}
