import { randomUUID } from "node:crypto";
import { aggregate } from "./aggregate.js";
import type { ChatModel } from "./chat-model.js";
import { EventChannel } from "./event-channel.js";
import type { Draft, MoaEvent, MoaRequest } from "./events.js";
import { trimHistory } from "./history.js";
import { proposerSlots } from "./preset.js";
import { newNonce, proposerMessages, withReferences } from "./prompts.js";
import { runProposerLayer } from "./proposer-layer.js";
import { sleep } from "./retry.js";
import { endRun, failRun, type RunContext } from "./run-context.js";
import type { ModelPrice } from "./usage.js";

/** Retries after the first attempt when `deps.maxRetries` is not given (MOA_MAX_RETRIES default). */
export const DEFAULT_MAX_RETRIES = 2;

/** Collaborators of `runMoa`; only `model` is required. */
export interface MoaDeps {
  /** The port to the models, e.g. `new OpenAICompatibleModel(config.providers)`. */
  model: ChatModel;
  /** Clock in ms (default `Date.now`); `run-start.startedAt` uses it too. */
  now?: () => number;
  /** USD per 1M tokens by model id (config.prices); calls of other models have no cost. */
  prices?: Record<string, ModelPrice>;
  /** Retries per call after the first attempt (default 2). */
  maxRetries?: number;
  /** Longest wait for a provider slot per attempt, ms (MOA_QUEUE_TIMEOUT_MS; default unbounded). */
  queueTimeoutMs?: number;
  /** Retry calls that hit the call timeout (default false: the wait stays what the settings say). */
  retryTimeouts?: boolean;
  /** Abortable wait between attempts; must resolve early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Uniform [0, 1) source for backoff jitter (default `Math.random`). */
  random?: () => number;
}

/**
 * Runs one Mixture-of-Agents turn and streams what happens. The stream always ends with
 * exactly one `run-end` (answer written, or cancelled) or `run-error`; it never throws.
 * Nothing starts until the first event is read. Leaving the loop early (break) cancels
 * every in-flight call, as does aborting `request.signal`.
 */
export async function* runMoa(
  request: MoaRequest,
  deps: MoaDeps,
): AsyncGenerator<MoaEvent, void, undefined> {
  const events = new EventChannel<MoaEvent>();
  const cancel = new AbortController();
  const onCancel = () => cancel.abort(request.signal?.reason);
  if (request.signal?.aborted) onCancel();
  request.signal?.addEventListener("abort", onCancel);
  const now = deps.now ?? Date.now;
  const run: RunContext = {
    preset: request.preset,
    env: {
      model: deps.model,
      now,
      sleep: deps.sleep ?? sleep,
      random: deps.random ?? Math.random,
      maxRetries: deps.maxRetries ?? DEFAULT_MAX_RETRIES,
      timeoutMs: request.preset.callTimeoutMs,
      queueTimeoutMs: deps.queueTimeoutMs,
      retryTimeouts: deps.retryTimeouts,
    },
    prices: deps.prices ?? {},
    emit: (event) => events.push(event),
    signal: cancel.signal,
    startedAt: now(),
    calls: [],
    failures: [],
  };
  // execute() catches everything, so this promise never rejects and needs no await.
  void execute(run, request).finally(() => {
    request.signal?.removeEventListener("abort", onCancel);
    events.close();
  });
  try {
    yield* events;
  } finally {
    cancel.abort();
  }
}

async function execute(run: RunContext, request: MoaRequest): Promise<void> {
  const { preset } = run;
  let drafts: Draft[] = [];
  try {
    run.emit({
      type: "run-start",
      runId: randomUUID(),
      preset,
      proposers: proposerSlots(preset),
      startedAt: run.startedAt,
    });
    if (request.messages.at(-1)?.role !== "user") {
      const message = "The conversation must end with a user message.";
      return failRun(run, { code: "invalid_request", message }, []);
    }
    const trimmed = trimHistory(request.messages, preset.historyBudgetChars);
    if (trimmed.droppedTurns > 0) {
      run.emit({
        type: "warning",
        code: "history_trimmed",
        message: `Left out the ${trimmed.droppedTurns} oldest messages (${trimmed.droppedChars} characters) to fit the ${preset.historyBudgetChars}-character history budget.`,
      });
    }
    const conversation = trimmed.messages;
    for (let layer = 1; layer < preset.layers; layer++) {
      if (run.signal.aborted) return endRun(run, "cancelled", "", drafts);
      const messages =
        layer === 1
          ? proposerMessages(conversation)
          : withReferences(
              conversation,
              drafts.map((d) => d.text),
              { nonce: newNonce(), maxChars: preset.maxReferenceChars },
            );
      const layerDrafts = await runProposerLayer(run, layer, messages);
      if (run.signal.aborted) {
        return endRun(run, "cancelled", "", layerDrafts.length > 0 ? layerDrafts : drafts);
      }
      if (layerDrafts.length < preset.minProposers) {
        const shown = layerDrafts.length > 0 ? layerDrafts : drafts;
        return failRun(run, tooFewDrafts(run, layer, layerDrafts.length), shown);
      }
      drafts = layerDrafts;
    }
    if (run.signal.aborted) return endRun(run, "cancelled", "", drafts);
    await aggregate(run, conversation, drafts);
  } catch (error) {
    // A bug, not a model failure: still end the stream the way consumers expect.
    const message = `Internal error: ${error instanceof Error ? error.message : String(error)}`;
    failRun(run, { code: "internal", message }, drafts);
  }
}

function tooFewDrafts(run: RunContext, layer: number, answered: number) {
  const { preset } = run;
  const slots = proposerSlots(preset).length;
  const reasons = run.failures
    .filter((f) => f.layer === layer)
    .map((f) => f.error.message)
    .join("; ");
  return {
    code: "proposers_failed",
    message: `Only ${answered} of ${slots} proposers answered in layer ${layer} (need ${preset.minProposers}). ${reasons}`,
  };
}
