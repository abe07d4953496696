import { ModelError } from "../errors.js";
import type { ChatModel, ChatRequest } from "./chat-model.js";
import type { CallStat } from "./events.js";
import { retryDelayMs } from "./retry.js";

/** What every model call of a run shares. */
export interface CallEnv {
  /** The port to the models. */
  model: ChatModel;
  /** Clock, ms. */
  now: () => number;
  /** Abortable wait used between attempts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Uniform [0, 1) source for backoff jitter. */
  random: () => number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Per-attempt timeout, ms: the whole streamed answer must arrive within it. */
  timeoutMs: number;
}

/** What a caller learns as a call streams. */
export interface CallHooks {
  /** A piece of raw text (think blocks included). */
  onDelta(text: string): void;
  /** An attempt failed and another follows after `delayMs`; text streamed so far is void. */
  onRetry(attempt: number, delayMs: number, error: ModelError): void;
  /** Asked before retrying; false makes the failure final (e.g. the answer was already shown). */
  canRetry?(): boolean;
}

/** How a call ended. `stopped`: the caller's stop signal aborted it (it knows why). */
export type CallResult =
  | { status: "ok"; text: string }
  | { status: "error"; error: ModelError }
  | { status: "stopped" };

/**
 * One model call with per-attempt timeout and bounded retries. Fills `stat` (attempts,
 * usage, latency, first token); `stop` aborts the in-flight request at once.
 */
export async function callModel(
  env: CallEnv,
  request: ChatRequest,
  stat: CallStat,
  stop: AbortSignal,
  hooks: CallHooks,
): Promise<CallResult> {
  const started = env.now();
  let firstTokenMs: number | undefined;
  const end = (result: CallResult): CallResult => {
    stat.latencyMs = env.now() - started;
    if (firstTokenMs !== undefined) stat.firstTokenMs = firstTokenMs;
    return result;
  };
  for (let attempt = 1; ; attempt++) {
    if (stop.aborted) return end({ status: "stopped" });
    stat.attempts = attempt;
    const attemptAbort = new AbortController();
    const relay = () => attemptAbort.abort(stop.reason);
    stop.addEventListener("abort", relay);
    let timedOut = false;
    const onTimeout = () => {
      timedOut = true;
      attemptAbort.abort();
    };
    let timer = setTimeout(onTimeout, env.timeoutMs);
    let text = "";
    let error: ModelError;
    try {
      for await (const chunk of env.model.stream(request, attemptAbort.signal)) {
        if (chunk.type === "delta") {
          if (text === "") firstTokenMs = env.now() - started;
          text += chunk.text;
          hooks.onDelta(chunk.text);
        } else if (chunk.type === "started") {
          // Time spent queued behind provider limits is not the provider hanging.
          clearTimeout(timer);
          timer = setTimeout(onTimeout, env.timeoutMs);
        } else {
          stat.usage.inputTokens += chunk.usage.inputTokens;
          stat.usage.outputTokens += chunk.usage.outputTokens;
        }
      }
      // A ChatModel that ends quietly on abort must not pass for a complete answer.
      if (attemptAbort.signal.aborted) throw new ModelError("aborted", request.model, "cancelled");
      return end({ status: "ok", text });
    } catch (caught) {
      if (stop.aborted) return end({ status: "stopped" });
      error = timedOut
        ? new ModelError(
            "timeout",
            request.model,
            `no complete answer within ${env.timeoutMs} ms`,
            {
              cause: caught,
            },
          )
        : asModelError(caught, request.model);
    } finally {
      clearTimeout(timer);
      stop.removeEventListener("abort", relay);
    }
    const delay =
      hooks.canRetry?.() === false
        ? undefined
        : retryDelayMs(attempt, error, {
            maxRetries: env.maxRetries,
            maxWaitMs: env.timeoutMs,
            random: env.random,
          });
    if (delay === undefined) return end({ status: "error", error });
    firstTokenMs = undefined;
    hooks.onRetry(attempt, delay, error);
    await env.sleep(delay, stop);
  }
}

function asModelError(error: unknown, model: string): ModelError {
  if (error instanceof ModelError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ModelError("unknown", model, reason, { cause: error });
}
