import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "openai";
import { ModelError } from "../../errors.js";
import type { ChatChunk, ChatModel, ChatRequest } from "../chat-model.js";
import type { ProviderConfig } from "./provider-config.js";
import { rateLimitInfo } from "./rate-limit-headers.js";
import { resolveModel } from "./resolve-model.js";

/** Options for `OpenAICompatibleModel`, mostly for tests. */
export interface OpenAICompatibleOptions {
  /** fetch implementation handed to the SDK. */
  fetch?: typeof fetch;
}

/**
 * The `ChatModel` for any OpenAI-compatible endpoint (OpenAI, Together, OpenRouter,
 * Groq, Ollama, vLLM). One SDK client per provider, made on first use. The SDK never
 * retries (the engine does, with its own policy) and its timeout is a backstop: the
 * engine's per-call signal ends calls first.
 */
export class OpenAICompatibleModel implements ChatModel {
  private readonly clients = new Map<string, OpenAI>();

  constructor(
    private readonly providers: Record<string, ProviderConfig>,
    private readonly options: OpenAICompatibleOptions = {},
  ) {}

  async *stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatChunk> {
    const route = resolveModel(request.model, this.providers);
    const provider = this.providers[route.provider];
    if (!provider) {
      throw new ModelError("bad_request", request.model, "no default provider is configured");
    }
    const fail = (error: unknown) => toModelError(error, request.model, provider, signal);
    let finished = false;
    try {
      const { data: stream, response } = await this.client(provider)
        .chat.completions.create(
          {
            model: route.model,
            messages: request.messages,
            temperature: request.temperature,
            max_tokens: request.maxTokens,
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal },
        )
        .withResponse();
      const limits = rateLimitInfo(response.headers);
      if (limits) yield { type: "limits", limits };
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (choice) {
          const text = choice.delta?.content;
          if (text) yield { type: "delta", text };
          if (choice.finish_reason) finished = true;
        }
        if (chunk.usage) {
          yield {
            type: "usage",
            usage: {
              inputTokens: chunk.usage.prompt_tokens ?? 0,
              outputTokens: chunk.usage.completion_tokens ?? 0,
            },
          };
        }
      }
    } catch (error) {
      throw fail(error);
    }
    // The SDK ends the stream quietly when aborted; the port promises an error instead.
    if (signal.aborted) throw fail(signal.reason);
    // Every supported provider sends a finish_reason; without one the answer was cut off.
    if (!finished) {
      throw new ModelError(
        "network",
        request.model,
        "the stream ended before the answer was complete",
      );
    }
  }

  private client(provider: ProviderConfig): OpenAI {
    let client = this.clients.get(provider.name);
    if (!client) {
      client = new OpenAI({
        baseURL: provider.baseURL,
        apiKey: provider.apiKey,
        maxRetries: 0,
        timeout: 15 * 60_000,
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      });
      this.clients.set(provider.name, client);
    }
    return client;
  }
}

/** Maps anything the SDK throws to a `ModelError`; messages name the provider, never its key. */
export function toModelError(
  error: unknown,
  model: string,
  provider: ProviderConfig,
  signal: AbortSignal,
): ModelError {
  if (error instanceof ModelError) return error;
  const opts = { cause: error };
  if (signal.aborted || error instanceof APIUserAbortError) {
    return new ModelError("aborted", model, "cancelled", opts);
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new ModelError(
      "timeout",
      model,
      `provider ${provider.name} did not answer in time`,
      opts,
    );
  }
  if (error instanceof APIConnectionError) {
    const code = (error.cause as { cause?: { code?: string } } | undefined)?.cause?.code;
    const why = code ? ` (${code})` : "";
    return new ModelError("network", model, `cannot reach provider ${provider.name}${why}`, opts);
  }
  if (error instanceof APIError) return fromStatus(error, model, provider);
  if (error instanceof SyntaxError) {
    return new ModelError("server", model, "the provider sent a malformed stream", opts);
  }
  // undici throws a bare TypeError ("terminated") when the socket closes mid-body.
  const why = error instanceof Error ? `: ${redact(error.message, provider)}` : "";
  return new ModelError("network", model, `connection lost mid-answer${why}`, opts);
}

function fromStatus(error: APIError, model: string, provider: ProviderConfig): ModelError {
  const status = error.status;
  // Without Retry-After, a 429's request budget reset says how long to wait.
  const wait =
    retryAfterMs(error.headers) ??
    (status === 429 ? rateLimitInfo(error.headers)?.resetRequestsMs : undefined);
  const options = { cause: error, status, retryAfterMs: wait };
  const detail = redact(detailOf(error), provider);
  const http = status === undefined ? "" : ` (HTTP ${status})`;
  if (status === undefined) {
    return new ModelError("server", model, `provider error mid-stream: ${detail}`, options);
  }
  if (status === 429) return new ModelError("rate_limit", model, `rate limited${http}`, options);
  if (status === 401 || status === 403) {
    return new ModelError(
      "auth",
      model,
      `provider ${provider.name} refused the API key${http}`,
      options,
    );
  }
  if (status === 404)
    return new ModelError("not_found", model, `model not found${http}: ${detail}`, options);
  if (status === 408) return new ModelError("timeout", model, `request timed out${http}`, options);
  if (status === 409 || status >= 500) {
    return new ModelError("server", model, `provider error${http}: ${detail}`, options);
  }
  if (status >= 400)
    return new ModelError("bad_request", model, `request rejected${http}: ${detail}`, options);
  return new ModelError("unknown", model, `unexpected response${http}: ${detail}`, options);
}

function detailOf(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  const text = typeof body?.message === "string" ? body.message : error.message;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

const KEY_LIKE = /\b(?:sk|gsk|pk|rk|xai|key)[-_][\w*.-]{6,}/gi;

/** Removes the provider's key and anything shaped like an API key from provider text. */
function redact(text: string, provider: ProviderConfig): string {
  const noKey = provider.apiKey.length >= 6 ? text.split(provider.apiKey).join("[redacted]") : text;
  return noKey.replace(KEY_LIKE, "[redacted]");
}

/** Server-requested wait from `retry-after-ms` (ms) or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get("retry-after");
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
