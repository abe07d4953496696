import { ModelError } from "../../errors.js";
import type { ChatChunk, ChatModel, ChatRequest } from "../chat-model.js";
import { ProviderLane, type ProviderLimits } from "./provider-lane.js";

export type { ProviderLimits } from "./provider-lane.js";

/** A minute and a second of slack (see `rateWindowMs`). */
export const DEFAULT_RATE_WINDOW_MS = 61_000;

/** Provider-wide pause after a 429 that carried no Retry-After, ms. */
const FALLBACK_PAUSE_MS = 1_000;
/** Longest provider-wide pause honoured, ms, against absurd headers. */
const MAX_PAUSE_MS = 120_000;

/** 429s a call may absorb by queueing again before the error reaches the engine. */
export const DEFAULT_MAX_REQUEUES = 50;

/** Options of `ProviderScheduler`. */
export interface ProviderSchedulerOptions {
  /** Provider name of a model id, e.g. `(id) => resolveModel(id, providers).provider`. */
  providerOf: (model: string) => string;
  /** Limits by provider name; `config.providers` fits. Unlisted providers are unlimited. */
  limits: Readonly<Record<string, ProviderLimits>>;
  /**
   * The request budget shared with other instances (Redis), when there are any; the local
   * sliding window still holds on its own, so a failing shared budget only loses the sharing.
   */
  sharedBudget?: SharedStartBudget;
  /**
   * Length of the request budget's sliding window, ms. Default 61 000: `rpm` is per
   * minute, plus a second of slack so network jitter between our count and the
   * provider's cannot squeeze one request too many into its window.
   */
  rateWindowMs?: number;
  /**
   * 429s absorbed per call (default 50): a call rate-limited before any text is queued
   * again, ahead of new calls, instead of failing; the engine's queue timeout bounds the wait.
   */
  maxRequeues?: number;
  /** Told when a provider pauses (for a log line); must not throw. */
  onPause?: (provider: string, pauseMs: number) => void;
}

/** A provider's request budget counted across instances. */
export interface SharedStartBudget {
  /**
   * Counts one start of `provider`, allowed `rpm` per `windowMs` (the scheduler's own
   * window); resolves to 0 when the call may go, else to the ms until the budget has room
   * (then nothing was counted). Never rejects.
   */
  take(provider: string, rpm: number, windowMs: number): Promise<number>;
}

/** Calls queued and in flight for one provider. */
export interface ProviderLoad {
  /** Calls waiting for a slot, the request budget or the end of a pause. */
  queued: number;
  /** Calls streaming now. */
  active: number;
  /** Calls allowed at once now (configured, or learnt from 429s). */
  limit: number;
}

/**
 * A `ChatModel` decorator shared by every run: per provider, at most `maxConcurrency`
 * calls stream at once (learnt from 429s when not configured) and at most `rpm` start per
 * window, in FIFO order with retries first. A 429 pauses the WHOLE provider until its
 * Retry-After (or `x-ratelimit-reset-requests`), so concurrent runs stop hammering it
 * together, and the call queues again instead of failing; so does a spent budget
 * (`x-ratelimit-remaining-requests: 0`) before the next 429.
 */
export class ProviderScheduler implements ChatModel {
  private readonly lanes = new Map<string, { lane: ProviderLane; limits: ProviderLimits }>();

  constructor(
    private readonly inner: ChatModel,
    private readonly options: ProviderSchedulerOptions,
  ) {}

  async *stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatChunk> {
    const provider = this.providerOf(request.model);
    // An unroutable id is the inner model's error to report, not ours.
    if (provider === undefined) return yield* this.inner.stream(request, signal);
    const { lane, limits } = this.lane(provider);
    const maxRequeues = this.options.maxRequeues ?? DEFAULT_MAX_REQUEUES;
    let retry = (request.attempt ?? 1) > 1;
    for (let requeue = 0; ; ) {
      const slot = lane.acquire(signal, retry);
      // Said before waiting, so the engine bounds queue time apart from the call timeout.
      if (slot.waits) yield { type: "queued" };
      try {
        await slot.ready;
      } catch (reason) {
        throw new ModelError("aborted", request.model, "cancelled while queued", { cause: reason });
      }
      retry = true;
      let streamed = false;
      try {
        const wait =
          limits.rpm > 0
            ? await this.options.sharedBudget?.take(provider, limits.rpm, this.windowMs)
            : 0;
        if (wait) {
          // Other instances spent the budget: nobody here starts until it has room.
          lane.pause(Date.now() + Math.min(wait, MAX_PAUSE_MS));
          continue;
        }
        yield { type: "started" };
        for await (const chunk of this.inner.stream(request, signal)) {
          if (chunk.type === "limits") {
            this.learn(lane, chunk.limits.remainingRequests, chunk.limits.resetRequestsMs);
            continue;
          }
          if (chunk.type === "delta") streamed = true;
          yield chunk;
        }
        lane.succeeded();
        return;
      } catch (error) {
        if (!(error instanceof ModelError && error.kind === "rate_limit")) throw error;
        lane.throttled();
        this.pause(provider, lane, error);
        // Nothing shown yet: wait our turn again (ahead of new calls) instead of failing.
        if (streamed || ++requeue > maxRequeues || signal.aborted) throw error;
      } finally {
        slot.release();
      }
    }
  }

  /** Queued and in-flight calls by provider (every provider seen so far), for metrics. */
  load(): Record<string, ProviderLoad> {
    const out: Record<string, ProviderLoad> = {};
    for (const [name, { lane }] of this.lanes)
      out[name] = { queued: lane.queued, active: lane.active, limit: Math.floor(lane.limit) };
    return out;
  }

  private get windowMs(): number {
    return this.options.rateWindowMs ?? DEFAULT_RATE_WINDOW_MS;
  }

  /** Epoch ms until which `provider` starts nothing (0 when not paused). */
  pausedUntil(provider: string): number {
    const until = this.lanes.get(provider)?.lane.pausedUntil ?? 0;
    return until > Date.now() ? until : 0;
  }

  /** The provider says its request budget is spent: start nothing until it resets. */
  private learn(lane: ProviderLane, remaining: number | undefined, resetMs: number | undefined) {
    if (remaining !== 0 || resetMs === undefined || resetMs <= 0) return;
    lane.pause(Date.now() + Math.min(resetMs, MAX_PAUSE_MS));
  }

  private pause(provider: string, lane: ProviderLane, error: ModelError): void {
    const wanted = error.retryAfterMs ?? FALLBACK_PAUSE_MS;
    const pauseMs = Math.min(Math.max(0, wanted), MAX_PAUSE_MS);
    if (pauseMs <= 0) return;
    lane.pause(Date.now() + pauseMs);
    this.options.onPause?.(provider, pauseMs);
  }

  private providerOf(model: string): string | undefined {
    try {
      return this.options.providerOf(model);
    } catch {
      return undefined;
    }
  }

  private lane(provider: string): { lane: ProviderLane; limits: ProviderLimits } {
    let entry = this.lanes.get(provider);
    if (!entry) {
      const limits = Object.hasOwn(this.options.limits, provider)
        ? (this.options.limits[provider] as ProviderLimits)
        : { maxConcurrency: 0, rpm: 0 };
      const lane = new ProviderLane(limits, this.windowMs);
      entry = { lane, limits };
      this.lanes.set(provider, entry);
    }
    return entry;
  }
}
