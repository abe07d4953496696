import type { Usage } from "./chat-model.js";
import type { ChatMessage } from "./messages.js";
import type { Preset, ProposerSlot } from "./preset.js";

/** A failure as events carry it: stable code plus a short human reason. */
export interface EventError {
  /** Stable code, e.g. `model_timeout`. */
  code: string;
  /** Short reason fit for a status line. */
  message: string;
}

/** Tags shared by events about one proposer call, and by its draft. */
interface ProposerTag {
  /** Proposer layer, 1-based. */
  layer: number;
  /** Position in the layer, 0-based. */
  index: number;
  /** Model id. */
  model: string;
}

/** One proposer's finished answer, as injected into the next layer. */
export interface Draft extends ProposerTag {
  /** Answer with `<think>` blocks removed. */
  text: string;
  /** Wall time of the call, ms (retries included). */
  latencyMs: number;
  /** Tokens of the call (zeros when the provider did not report them). */
  usage: Usage;
}

/** Accounting for one model call of a run. */
export interface CallStat {
  /** `proposer` or `aggregator`. */
  role: "proposer" | "aggregator";
  /** Layer, 1-based (the aggregator's layer is `preset.layers`). */
  layer: number;
  /** Position in the layer (0 for the aggregator). */
  index: number;
  /** Model id. */
  model: string;
  /** How the call ended. */
  outcome: "ok" | "error" | "skipped" | "cancelled";
  /** Wall time, ms, retries included. */
  latencyMs: number;
  /** Time to first text delta, ms, when there was one. */
  firstTokenMs?: number;
  /** Attempts made (1 = no retry). */
  attempts: number;
  /** Tokens reported by the provider. */
  usage: Usage;
  /** Cost in USD when prices are configured for the model. */
  costUsd?: number;
}

/** Totals of a run, carried by `run-end` and `run-error`. */
export interface RunStats {
  /** Wall time of the run, ms. */
  totalMs: number;
  /** Every model call, in start order. */
  calls: CallStat[];
  /** Sum over calls. */
  usage: Usage;
  /** Sum over calls with a configured price; absent when no model has one. */
  costUsd?: number;
}

/** Everything a run reports, in order; concurrent proposers interleave, told apart by layer/index. */
export type MoaEvent =
  | {
      type: "run-start";
      /** Unique id of the run. */
      runId: string;
      /** The preset in force. */
      preset: Preset;
      /** Proposer calls of each proposer layer. */
      proposers: ProposerSlot[];
      /** Epoch ms. */
      startedAt: number;
    }
  | {
      type: "warning";
      /** `history_trimmed` (old turns left out), or `aggregator_retry` (the aggregator failed before writing anything and is tried again). */
      code: string;
      message: string;
    }
  | ({ type: "proposer-start" } & ProposerTag)
  | ({
      type: "proposer-delta" /** New text (may include think blocks). */;
      text: string;
    } & ProposerTag)
  | ({
      /** The text this proposer streamed so far is void: its next deltas start the draft over. */
      type: "proposer-retry";
      /** Attempt that just failed, 1-based. */
      attempt: number;
      /** Wait before the next attempt, ms. */
      delayMs: number;
      error: EventError;
    } & ProposerTag)
  | ({ type: "proposer-end"; draft: Draft } & ProposerTag)
  | ({
      type: "proposer-error";
      error: EventError;
      /** True when dropped as a straggler past the layer deadline (not a failure of the model). */
      skipped: boolean;
      /** Wall time until failure or skip, ms. */
      latencyMs: number;
    } & ProposerTag)
  | {
      type: "layer-end";
      /** Proposer layer, 1-based. */
      layer: number;
      /** Drafts that go into the next layer. */
      succeeded: number;
      failed: number;
      skipped: number;
    }
  | {
      /** Early agreement exit: every pair of this layer's drafts was at least `threshold` alike, so the remaining proposer layers are skipped. */
      type: "agreement-exit";
      /** Proposer layer whose drafts agreed, 1-based. */
      layer: number;
      /** Least similar pair's token-set Jaccard index (see agreement.ts). */
      similarity: number;
      /** The preset's `agreementExit`. */
      threshold: number;
      /** Proposer layers not run. */
      skippedLayers: number;
    }
  | {
      type: "aggregate-start" /** Aggregator model id. */;
      model: string /** Layer number (= preset.layers). */;
      layer: number;
    }
  | { type: "aggregate-delta" /** New answer text, think blocks already removed. */; text: string }
  | { type: "aggregate-end" /** Full answer. */; text: string; latencyMs: number; usage: Usage }
  | {
      type: "run-end";
      /** `ok`: an answer was written; `cancelled`: the signal aborted the run (not an error). */
      outcome: "ok" | "cancelled";
      /** Final answer ("" when cancelled before the aggregator wrote anything). */
      answer: string;
      /** Drafts of the last proposer layer. */
      drafts: Draft[];
      stats: RunStats;
    }
  | {
      type: "run-error";
      error: EventError;
      /** Every failed call (model + reason), so a bot can list them. */
      failures: Array<{ model: string; layer: number; index: number; error: EventError }>;
      /** Drafts produced before the failure (e.g. when the aggregator failed). */
      drafts: Draft[];
      stats: RunStats;
    };

/** What `runMoa` needs to run. */
export interface MoaRequest {
  /** Conversation so far, ending with the current user turn. */
  messages: ChatMessage[];
  /** Recipe to run. */
  preset: Preset;
  /** Aborting it cancels every in-flight call; the run then ends with `run-end` outcome `cancelled`. */
  signal?: AbortSignal;
  /** Drafts of an earlier run (regenerate): no proposer is called, only the aggregator runs on them. */
  reuseDrafts?: Draft[];
}
