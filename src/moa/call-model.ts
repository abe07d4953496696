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
  /** Per-attempt timeout, ms: the whole streamed answer must arrive within it, from its real start. */
  timeoutMs: number;
  /**
   * Longest wait for a provider slot per attempt, ms, while a scheduler says the call is
   * `queued` (undefined: unbounded). Its own error, never retried (it would queue again).
   */
  queueTimeoutMs?: number | undefined;
  /**
   * Retry an attempt that hit `timeoutMs` (default false): a hung model would make the
   * user wait `timeoutMs` again per retry, and past the layer deadline.
   */
  retryTimeouts?: boolean | undefined;
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
    // One timer per attempt: the queue bound while a scheduler holds the call, else the call timeout.
    let expired: "call" | "queue" | undefined;
    let timer: NodeJS.Timeout | undefined;
    const arm = (phase: "call" | "queue", ms: number | undefined) => {
      clearTimeout(timer);
      timer =
        ms === undefined
          ? undefined
          : setTimeout(() => {
              expired = phase;
              attemptAbort.abort();
            }, ms);
    };
    arm("call", env.timeoutMs);
    let text = "";
    let error: ModelError;
    try {
      const attemptRequest = attempt === 1 ? request : { ...request, attempt };
      for await (const chunk of env.model.stream(attemptRequest, attemptAbort.signal)) {
        if (chunk.type === "delta") {
          if (text === "") firstTokenMs = env.now() - started;
          text += chunk.text;
          hooks.onDelta(chunk.text);
        } else if (chunk.type === "queued") {
          arm("queue", env.queueTimeoutMs);
        } else if (chunk.type === "started") {
          // Time spent queued behind provider limits is not the provider hanging.
          arm("call", env.timeoutMs);
        } else if (chunk.type === "usage") {
          stat.usage.inputTokens += chunk.usage.inputTokens;
          stat.usage.outputTokens += chunk.usage.outputTokens;
        }
      }
      // A ChatModel that ends quietly on abort must not pass for a complete answer.
      if (attemptAbort.signal.aborted) throw new ModelError("aborted", request.model, "cancelled");
      return end({ status: "ok", text });
    } catch (caught) {
      if (stop.aborted) return end({ status: "stopped" });
      error =
        expired === "call"
          ? new ModelError(
              "timeout",
              request.model,
              `timed out after ${secondsOf(env.timeoutMs)}`,
              {
                cause: caught,
              },
            )
          : expired === "queue"
            ? new ModelError(
                "queue_timeout",
                request.model,
                `still waiting for the provider after ${secondsOf(env.queueTimeoutMs ?? 0)} (busy or rate-limited)`,
                { cause: caught },
              )
            : asModelError(caught, request.model);
    } finally {
      clearTimeout(timer);
      stop.removeEventListener("abort", relay);
    }
    const retryThis = expired !== "call" || env.retryTimeouts === true;
    const delay =
      hooks.canRetry?.() === false || !retryThis
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

/** "3 s", "1.5 s": a duration as users read it. */
export function secondsOf(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
