import { afterAll, beforeEach, describe, expect, test } from "vitest";
import type { ProviderConfig } from "../src/config.js";
import { ModelError } from "../src/errors.js";
import type { ChatChunk, ChatModel, ChatRequest } from "../src/moa/chat-model.js";
import { OpenAICompatibleModel, retryAfterMs } from "../src/moa/providers/openai-compatible.js";
import { resolveModel } from "../src/moa/providers/resolve-model.js";
import { type ScriptedFailure, startFakeOpenAI } from "./fake-openai-server.js";

const main = await startFakeOpenAI();
const other = await startFakeOpenAI({ strict: true });
const providers: Record<string, ProviderConfig> = {
  default: main.provider("default", "sk-default-key-0001"),
  alt: other.provider("alt", "sk-alt-key-0002"),
};
const model = new OpenAICompatibleModel(providers);
afterAll(() => Promise.all([main.close(), other.close()]));
beforeEach(() => {
  main.reset();
  other.reset();
});

const request = (id: string): ChatRequest => ({
  model: id,
  messages: [{ role: "user", content: "hi" }],
  temperature: 0.3,
  maxTokens: 77,
});
/** Streams one request to the end; returns the chunks and the ModelError it threw, if any. */
async function drain(
  id: string,
  options: { via?: ChatModel; signal?: AbortSignal; onChunk?: () => void } = {},
): Promise<{ chunks: ChatChunk[]; error?: ModelError }> {
  const chunks: ChatChunk[] = [];
  try {
    const signal = options.signal ?? new AbortController().signal;
    for await (const chunk of (options.via ?? model).stream(request(id), signal)) {
      chunks.push(chunk);
      options.onChunk?.();
    }
    return { chunks };
  } catch (error) {
    if (error instanceof ModelError) return { chunks, error };
    throw error;
  }
}
async function failure(id: string, options: Parameters<typeof drain>[1] = {}): Promise<ModelError> {
  const { error } = await drain(id, options);
  if (!error) throw new Error("expected a ModelError");
  return error;
}

describe("resolveModel", () => {
  // A configured provider prefix routes there; anything else is a model of the default provider.
  test.each([
    ["alt:llama-3.3-70b", "alt", "llama-3.3-70b", undefined],
    ["alt:org/model:tag", "alt", "org/model:tag", undefined],
    ["default:gpt-4o", "default", "gpt-4o", undefined],
    ["Qwen/Qwen2.5-72B-Instruct-Turbo", "default", "Qwen/Qwen2.5-72B-Instruct-Turbo", undefined],
    ["llama3.1:8b", "default", "llama3.1:8b", "llama3.1"],
    ["toString:x", "default", "toString:x", "toString"],
  ])("%s -> provider %s, model %s", (id, provider, model, unmatchedPrefix) => {
    const expected = unmatchedPrefix ? { provider, model, unmatchedPrefix } : { provider, model };
    expect(resolveModel(id, providers)).toEqual(expected);
  });

  test("retry-after headers: ms, seconds, HTTP date", () => {
    const h = (init: Record<string, string>) => new Headers(init);
    expect(retryAfterMs(h({ "retry-after-ms": "250" }))).toBe(250);
    expect(retryAfterMs(h({ "retry-after": "3" }))).toBe(3000);
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterMs(h({ "retry-after": "Wed, 01 Jan 2025 00:00:05 GMT" }), now)).toBe(5000);
    expect(retryAfterMs(h({ "retry-after": "soon" }))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe("OpenAICompatibleModel", () => {
  test("streams deltas and usage, with stream_options.include_usage, and sends the engine's parameters", async () => {
    main.script("m", { reply: "Hello there world" });
    const { chunks } = await drain("m");
    expect(chunks).toEqual([
      { type: "delta", text: "Hello " },
      { type: "delta", text: "there " },
      { type: "delta", text: "world" },
      { type: "usage", usage: { inputTokens: 1, outputTokens: 3 } },
    ]);
    expect(main.requests[0]?.body).toMatchObject({
      model: "m",
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.3,
      max_tokens: 77,
    });
  });

  test("routes name:model to that provider with its own key, and ids with / and : to the default", async () => {
    other.script("llama-3.3-70b", { reply: "from alt" });
    await drain("alt:llama-3.3-70b");
    await drain("Qwen/Qwen2.5-72B-Instruct-Turbo");
    await drain("llama3.1:8b");
    expect(other.requests.map((r) => [r.model, r.headers.authorization])).toEqual([
      ["llama-3.3-70b", "Bearer sk-alt-key-0002"],
    ]);
    expect(main.requests.map((r) => [r.model, r.headers.authorization])).toEqual([
      ["Qwen/Qwen2.5-72B-Instruct-Turbo", "Bearer sk-default-key-0001"],
      ["llama3.1:8b", "Bearer sk-default-key-0001"],
    ]);
  });

  test.each<[string, ScriptedFailure, Partial<ModelError>]>([
    [
      "429",
      { kind: "rate-limit", retryAfterSeconds: 7 },
      { kind: "rate_limit", retryAfterMs: 7000, status: 429 },
    ],
    [
      "429 ms",
      { kind: "rate-limit", retryAfterMs: 120 },
      { kind: "rate_limit", retryAfterMs: 120 },
    ],
    ["500", { kind: "status", status: 500 }, { kind: "server", status: 500 }],
    ["503", { kind: "status", status: 503 }, { kind: "server", status: 503 }],
    ["401", { kind: "status", status: 401 }, { kind: "auth", status: 401 }],
    ["403", { kind: "status", status: 403 }, { kind: "auth", status: 403 }],
    ["404", { kind: "status", status: 404 }, { kind: "not_found", status: 404 }],
    ["400", { kind: "status", status: 400 }, { kind: "bad_request", status: 400 }],
    ["disconnect", { kind: "disconnect", afterTokens: 1 }, { kind: "network" }],
  ])("maps %s to a ModelError", async (_name, scripted, expected) => {
    main.script("m", { always: scripted });
    const error = await failure("m");
    expect(error).toMatchObject({ model: "m", ...expected });
    expect(error.code).toBe(`model_${expected.kind}`);
  });

  test("never echoes the API key, even when the provider does", async () => {
    main.script("m", {
      always: {
        kind: "status",
        status: 400,
        message: "Incorrect API key provided: sk-default-key-0001",
      },
    });
    const error = await failure("m");
    expect(error.userMessage).not.toContain("sk-default");
    expect(error.userMessage).toContain("[redacted]");
    main.script("m", {
      always: { kind: "status", status: 401, message: "key sk-default-key-0001 invalid" },
    });
    expect((await failure("m")).userMessage).toBe(
      "m: provider default refused the API key (HTTP 401)",
    );
  });

  test("unreachable provider is a network error naming the provider", async () => {
    const dead = new OpenAICompatibleModel({
      default: { ...providers.default, baseURL: "http://127.0.0.1:9/v1" } as ProviderConfig,
    });
    const error = await failure("m", { via: dead });
    expect(error).toMatchObject({ kind: "network" });
    expect(error.userMessage).toMatch(/^m: cannot reach provider default/);
  });

  test("abort stops the request at once and throws aborted, before or during the stream", async () => {
    main.script("m", { reply: "a b c d", tokenMs: 300 });
    const controller = new AbortController();
    const { chunks, error } = await drain("m", {
      signal: controller.signal,
      onChunk: () => controller.abort(),
    });
    expect(error).toMatchObject({ kind: "aborted" });
    expect(chunks).toHaveLength(1);
    await main.waitFor((s) => s.inFlight === 0, 2000);
    expect(main.aborted()).toHaveLength(1);
    const before = new AbortController();
    before.abort();
    expect(await failure("m", { signal: before.signal })).toMatchObject({ kind: "aborted" });
  });

  test("a connection dropped mid-answer is a network error", async () => {
    main.script("m", { always: { kind: "disconnect", afterTokens: 2 } });
    expect((await failure("m")).userMessage).toMatch(/^m: connection lost mid-answer/);
  });

  test("a stream that ends cleanly but without a finish_reason is reported as cut off", async () => {
    const body =
      'data: {"id":"x","object":"chat.completion.chunk","created":0,"model":"m","choices":[{"index":0,"delta":{"content":"half"},"finish_reason":null}]}\n\ndata: [DONE]\n\n';
    const fetchStub = (async () =>
      new Response(body, { headers: { "content-type": "text/event-stream" } })) as typeof fetch;
    const truncated = new OpenAICompatibleModel(providers, { fetch: fetchStub });
    const { chunks, error } = await drain("m", { via: truncated });
    expect(chunks).toEqual([{ type: "delta", text: "half" }]);
    expect(error?.userMessage).toBe("m: the stream ended before the answer was complete");
  });
});
