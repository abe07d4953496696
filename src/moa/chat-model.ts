import type { ChatMessage } from "./messages.js";

/** One completion request, already resolved to a provider-neutral shape. */
export interface ChatRequest {
  /** Model id as the preset names it, e.g. `groq:llama-3.3-70b-versatile` or `Qwen/Qwen2.5-72B-Instruct-Turbo`. */
  model: string;
  /** Full prompt, system message first when there is one. */
  messages: ChatMessage[];
  /** Sampling temperature, 0..2. */
  temperature: number;
  /** Upper bound on generated tokens. */
  maxTokens: number;
  /** 1-based attempt of this call (default 1); a scheduler queues retries ahead of first attempts. */
  attempt?: number;
}

/** Request budget a provider reported in its `x-ratelimit-*` headers. */
export interface RateLimitInfo {
  /** Requests left in the current window (`x-ratelimit-remaining-requests`). */
  remainingRequests?: number;
  /** Ms until the request budget is full again (`x-ratelimit-reset-requests`). */
  resetRequestsMs?: number;
}

/** Token counts reported by the provider for one call. */
export interface Usage {
  /** Prompt tokens. */
  inputTokens: number;
  /** Completion tokens. */
  outputTokens: number;
}

/** A piece of a streamed completion. */
export type ChatChunk =
  | { /** A piece of generated text. */ type: "delta"; text: string }
  | {
      /** Final token counts (sent once, near the end, when the provider reports them). */ type: "usage";
      usage: Usage;
    }
  | {
      /**
       * The request leaves a scheduling queue and really starts (sent by a scheduler
       * decorator, first): the engine's per-call timeout counts from here, not queue time.
       */
      type: "started";
    }
  | {
      /**
       * The request waits in a scheduling queue (provider busy or rate-limited): the engine
       * bounds this wait with its queue timeout, not the per-call timeout, until `started`.
       */
      type: "queued";
    }
  | {
      /** The provider's reported request budget (for a scheduler; the engine ignores it). */
      type: "limits";
      limits: RateLimitInfo;
    };

/**
 * The one narrow port between the engine and the models. Implementations throw
 * `ModelError` (src/errors.ts) for every failure and stop at once when `signal` aborts.
 */
export interface ChatModel {
  stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatChunk>;
}
