/**
 * In-process OpenAI-compatible chat server for tests and benchmarks (HTTP on 127.0.0.1,
 * random port). Point the real `openai` client (or OPENAI_BASE_URL) at `server.url`.
 *
 *   const server = await startFakeOpenAI({ models: { "m-a": { reply: "Hi", firstTokenMs: 50 } } });
 *   // ... run code that calls `${server.url}/chat/completions` ...
 *   expect(server.requestsFor("m-a")[0]?.messages).toEqual([...]);
 *   await server.close();
 *
 * `POST /v1/chat/completions` streams SSE (`data: {...}\n\n`, a usage chunk when
 * `stream_options.include_usage`, then `data: [DONE]`) or answers JSON when `stream` is
 * false. `GET /v1/models` lists scripted models. Each model is scripted with latencies,
 * a reply (text, explicit chunks, or a function of the request) and failures for its
 * first requests (`failures`) or for all (`always`): 429 with Retry-After, any status,
 * hang (before or mid-stream), mid-stream disconnect. Unscripted models answer
 * `Answer from <model>.` unless `strict`, then 404. Every request is recorded with its
 * headers, body and timestamps (epoch ms, fractional, comparable across processes).
 * Token i is sent at `firstTokenMs + i * tokenMs` after arrival, on an absolute
 * schedule, so timer lateness does not pile up.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProviderConfig } from "../src/config.js";
import { Conditions } from "./fixtures/conditions.js";

/** A scripted failure of one request. */
export type ScriptedFailure =
  /** 429 with `retry-after` (seconds) and/or `retry-after-ms` headers when given. */
  | { kind: "rate-limit"; retryAfterSeconds?: number; retryAfterMs?: number }
  /** Any HTTP status with an OpenAI-style error body. */
  | { kind: "status"; status: number; message?: string; code?: string }
  /** Never answer (`afterTokens` undefined), or stall after streaming that many tokens. */
  | { kind: "hang"; afterTokens?: number }
  /** Stream `afterTokens` tokens (default 0), then drop the connection. */
  | { kind: "disconnect"; afterTokens?: number };

/** How one model behaves. */
export interface ModelScript {
  /** Reply text (split into word tokens), explicit chunks, or a function of the request. */
  reply?: string | string[] | ((request: RecordedRequest) => string | string[]);
  /** Delay from request to the first token, ms (default 0). */
  firstTokenMs?: number;
  /** Delay between tokens, ms (default 0). */
  tokenMs?: number;
  /** Failures of the first requests, in order; later requests answer normally. */
  failures?: ScriptedFailure[];
  /** Failure of every request once `failures` are used up. */
  always?: ScriptedFailure;
  /** Leave out the usage chunk even when asked for it. */
  omitUsage?: boolean;
}

/** One request as the server saw it. */
export interface RecordedRequest {
  /** 0-based arrival order. */
  id: number;
  /** `model` of the body. */
  model: string;
  /** `messages` of the body. */
  messages: Array<{ role: string; content: string }>;
  /** The whole JSON body. */
  body: Record<string, unknown>;
  /** Request headers, lower-cased, nothing removed (authorization included). */
  headers: IncomingHttpHeaders;
  /** Arrival time, epoch ms. */
  receivedAt: number;
  /** When the first content token was written, epoch ms. */
  firstTokenAt?: number;
  /** When the server finished, failed, or saw the client go, epoch ms. */
  endedAt?: number;
  /** `pending` while open; `aborted` when the client closed the connection first. */
  outcome: "pending" | "completed" | "failed" | "aborted" | "disconnected";
  /** HTTP status sent (0 before headers). */
  status: number;
}

/**
 * Provider-wide limits enforced as a strict provider does: beyond them a request gets 429
 * with `retry-after` and OpenAI's `x-ratelimit-*-requests` headers (sent on every answer).
 * Every request counts toward the window, rejected ones included.
 */
export interface FakeRateLimits {
  /** Requests open at once (streams); 0 = unlimited. */
  maxConcurrent?: number;
  /** Requests per window; 0 = unlimited. */
  requestsPerWindow?: number;
  /** Window length, ms (default 60 000). */
  windowMs?: number;
  /** `retry-after` of a 429, seconds (default 1). */
  retryAfterSeconds?: number;
}

/** Options of `startFakeOpenAI`. */
export interface FakeOpenAIOptions {
  /** Scripts by model id. */
  models?: Record<string, ModelScript>;
  /** Provider-wide limits (none by default). */
  limits?: FakeRateLimits;
  /** Answer 404 model_not_found for unscripted models instead of a default reply. */
  strict?: boolean;
}

/** A running fake server. */
export interface FakeOpenAIServer {
  /** Base URL ending in `/v1`, for `baseURL` / OPENAI_BASE_URL. */
  url: string;
  /** Every request so far, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Requests still open. */
  readonly inFlight: number;
  /** Most requests the limits let stream at once so far. */
  readonly maxAccepted: number;
  /** A provider entry pointing at this server, for `Config.providers` (key recorded in `authorization`). */
  provider(name?: string, apiKey?: string): ProviderConfig;
  /** Sets or replaces a model's script (its failure counter restarts). */
  script(model: string, script: ModelScript): void;
  /** Requests for one model. */
  requestsFor(model: string): RecordedRequest[];
  /** Requests whose client closed the connection before the server finished. */
  aborted(): RecordedRequest[];
  /** Resolves once `predicate` holds (checked on every request state change); rejects after `timeoutMs`. */
  waitFor(predicate: (server: FakeOpenAIServer) => boolean, timeoutMs?: number): Promise<void>;
  /** Forgets recorded requests, failure counters and scripts set by `script()` (startup scripts return). */
  reset(): void;
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
}

/** Wall clock in epoch ms with sub-ms precision. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/** Starts a fake OpenAI-compatible server on 127.0.0.1 with a random port. */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAIServer> {
  const scripts = new Map(Object.entries(options.models ?? {}));
  const served = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  const conditions = new Conditions<FakeOpenAIServer>(() => api, "fake server");
  const changed = () => conditions.changed();

  const finish = (rec: RecordedRequest, outcome: RecordedRequest["outcome"]) => {
    if (rec.outcome !== "pending") return;
    rec.outcome = outcome;
    rec.endedAt = epochMs();
    inFlight--;
    changed();
  };

  const limits = options.limits;
  const windowMs = limits?.windowMs ?? 60_000;
  const arrivals: number[] = [];
  let accepted = 0;
  let maxAccepted = 0;
  /** Counts the request; headers to send, and whether it is over a limit. */
  const admit = (res: ServerResponse): { headers: Record<string, string>; over: boolean } => {
    if (!limits) return { headers: {}, over: false };
    const now = epochMs();
    while (arrivals.length > 0 && (arrivals[0] as number) <= now - windowMs) arrivals.shift();
    const perWindow = limits.requestsPerWindow ?? 0;
    const overRate = perWindow > 0 && arrivals.length >= perWindow;
    arrivals.push(now);
    const overConcurrency =
      (limits.maxConcurrent ?? 0) > 0 && accepted >= (limits.maxConcurrent ?? 0);
    const headers: Record<string, string> = {};
    if (perWindow > 0) {
      const resetMs = Math.max(0, (arrivals[0] as number) + windowMs - now);
      headers["x-ratelimit-limit-requests"] = String(perWindow);
      headers["x-ratelimit-remaining-requests"] = String(Math.max(0, perWindow - arrivals.length));
      headers["x-ratelimit-reset-requests"] = `${(resetMs / 1000).toFixed(3)}s`;
    }
    const over = overRate || overConcurrency;
    if (over) headers["retry-after"] = String(limits.retryAfterSeconds ?? 1);
    else {
      accepted++;
      maxAccepted = Math.max(maxAccepted, accepted);
      res.on("close", () => accepted--);
    }
    return { headers, over };
  };

  const handle = (body: string, headers: IncomingHttpHeaders, res: ServerResponse) => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return failureResponse(res, { kind: "status", status: 400, message: "body is not JSON" });
    }
    const model = String(parsed.model ?? "");
    const rec: RecordedRequest = {
      id: requests.length,
      model,
      messages: (parsed.messages ?? []) as RecordedRequest["messages"],
      body: parsed,
      headers,
      receivedAt: epochMs(),
      outcome: "pending",
      status: 0,
    };
    requests.push(rec);
    inFlight++;
    res.on("close", () => finish(rec, "aborted"));
    changed();
    const limit = admit(res);
    if (limit.over) {
      rec.status = failureResponse(res, { kind: "rate-limit" }, limit.headers);
      return finish(rec, "failed");
    }
    const script = scripts.get(model) ?? (options.strict ? undefined : {});
    if (!script) {
      const message = `The model \`${model}\` does not exist`;
      rec.status = 404;
      failureResponse(res, { kind: "status", status: 404, message, code: "model_not_found" });
      return finish(rec, "failed");
    }
    const n = served.get(model) ?? 0;
    served.set(model, n + 1);
    const failure = script.failures?.[n] ?? script.always;
    if (failure && failure.kind !== "hang" && failure.kind !== "disconnect") {
      rec.status = failureResponse(res, failure, limit.headers);
      return finish(rec, "failed");
    }
    const reply = typeof script.reply === "function" ? script.reply(rec) : script.reply;
    const chunks = tokenize(reply ?? `Answer from ${model}.`);
    sendCompletion(res, rec, chunks, script, failure, limit.headers, {
      firstToken: () => {
        rec.firstTokenAt = epochMs();
        changed();
      },
      finish: (outcome) => finish(rec, outcome),
    });
  };

  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/v1/models") {
      const data = [...scripts.keys()].map((id) => ({ id, object: "model", owned_by: "fake" }));
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ object: "list", data }));
    }
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      return failureResponse(res, { kind: "status", status: 404, message: "not found" });
    }
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (part: string) => {
      body += part;
    });
    req.on("end", () => handle(body, req.headers, res));
  });
  // A deep accept queue: hundreds of concurrent runs open their connections at once, and
  // the default 511 would drop SYNs into the kernel's 1 s / 3 s retransmit.
  await new Promise<void>((resolve) =>
    server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, resolve),
  );
  const { port } = server.address() as AddressInfo;

  const api: FakeOpenAIServer = {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxAccepted() {
      return maxAccepted;
    },
    provider: (name = "default", apiKey = `key-${name}`) => ({
      name,
      baseURL: `http://127.0.0.1:${port}/v1`,
      apiKey,
      maxConcurrency: 0,
      rpm: 0,
    }),
    script(model, script) {
      scripts.set(model, script);
      served.delete(model);
    },
    requestsFor: (model) => requests.filter((r) => r.model === model),
    aborted: () => requests.filter((r) => r.outcome === "aborted"),
    waitFor: (predicate, timeoutMs) => conditions.waitFor(predicate, timeoutMs),
    reset() {
      requests.length = 0;
      served.clear();
      scripts.clear();
      for (const [model, script] of Object.entries(options.models ?? {}))
        scripts.set(model, script);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}

/** Splits a reply into word tokens (each keeps its trailing whitespace); arrays are kept as given. */
export function tokenize(reply: string | string[]): string[] {
  if (Array.isArray(reply)) return reply;
  return reply.match(/\s+|\S+\s*/g) ?? [];
}

/** One SSE frame. */
const sse = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;

/** Writes an OpenAI-style error response; returns the status sent. */
function failureResponse(
  res: ServerResponse,
  failure: Exclude<ScriptedFailure, { kind: "hang" | "disconnect" }>,
  extraHeaders: Record<string, string> = {},
): number {
  const headers: Record<string, string> = { "content-type": "application/json", ...extraHeaders };
  let status: number;
  let message: string;
  let code: string | undefined;
  if (failure.kind === "rate-limit") {
    status = 429;
    message = "Rate limit reached, slow down";
    code = "rate_limit_exceeded";
    if (failure.retryAfterSeconds !== undefined)
      headers["retry-after"] = String(failure.retryAfterSeconds);
    if (failure.retryAfterMs !== undefined)
      headers["retry-after-ms"] = String(failure.retryAfterMs);
  } else {
    status = failure.status;
    message = failure.message ?? `scripted failure ${failure.status}`;
    code = failure.code;
  }
  res.writeHead(status, headers);
  res.end(JSON.stringify({ error: { message, type: "fake_error", code: code ?? null } }));
  return status;
}

/** Streams (or returns as JSON) one completion on the script's schedule, with any scripted hang/disconnect. */
function sendCompletion(
  res: ServerResponse,
  rec: RecordedRequest,
  chunks: string[],
  script: ModelScript,
  failure: Extract<ScriptedFailure, { kind: "hang" | "disconnect" }> | undefined,
  limitHeaders: Record<string, string>,
  on: { firstToken: () => void; finish: (outcome: RecordedRequest["outcome"]) => void },
): void {
  if (failure?.kind === "hang" && failure.afterTokens === undefined) return;
  const stop = failure ? Math.min(failure.afterTokens ?? 0, chunks.length) : chunks.length;
  const firstTokenMs = script.firstTokenMs ?? 0;
  const tokenMs = script.tokenMs ?? 0;
  const base = {
    id: `chatcmpl-fake-${rec.id}`,
    created: Math.floor(rec.receivedAt / 1000),
    model: rec.model,
  };
  const promptTokens = Math.ceil(
    rec.messages.reduce((n, m) => n + String(m.content).length, 0) / 4,
  );
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: chunks.length,
    total_tokens: promptTokens + chunks.length,
  };
  const streaming = rec.body.stream === true;
  let timer: NodeJS.Timeout | undefined;
  res.on("close", () => clearTimeout(timer));
  rec.status = 200;
  if (!streaming) {
    if (failure?.kind === "disconnect") {
      on.finish("disconnected");
      res.socket?.destroy();
    }
    if (failure) return;
    timer = setTimeout(
      () => {
        on.firstToken();
        res.writeHead(200, { "content-type": "application/json", ...limitHeaders });
        const message = { role: "assistant", content: chunks.join("") };
        res.end(
          JSON.stringify({
            ...base,
            object: "chat.completion",
            choices: [{ index: 0, message, finish_reason: "stop" }],
            usage,
          }),
        );
        on.finish("completed");
      },
      firstTokenMs + tokenMs * Math.max(0, chunks.length - 1),
    );
    return;
  }
  const frame = (choices: unknown[], extra?: object) =>
    sse({ ...base, object: "chat.completion.chunk", choices, ...extra });
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    ...limitHeaders,
  });
  res.write(frame([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]));
  const start = performance.now();
  let sent = 0;
  const step = () => {
    const now = performance.now();
    let out = "";
    // Send every token that is due, so a late timer catches up instead of drifting.
    while (sent < stop && start + firstTokenMs + sent * tokenMs <= now + 0.5) {
      out += frame([{ index: 0, delta: { content: chunks[sent] }, finish_reason: null }]);
      sent++;
    }
    if (out !== "") {
      if (rec.firstTokenAt === undefined) on.firstToken();
      res.write(out);
    }
    if (sent < stop) {
      timer = setTimeout(step, start + firstTokenMs + sent * tokenMs - now);
      return;
    }
    if (failure?.kind === "hang") return;
    if (failure?.kind === "disconnect") {
      on.finish("disconnected");
      // Drop the connection only once the tokens are on the wire, as a real crash would.
      const drop = () => setTimeout(() => res.socket?.destroy(), 20);
      if (out === "") drop();
      else res.write("", drop);
      return;
    }
    out = frame([{ index: 0, delta: {}, finish_reason: "stop" }]);
    if (
      !script.omitUsage &&
      (rec.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage
    ) {
      out += frame([], { usage });
    }
    res.end(`${out}data: [DONE]\n\n`);
    on.finish("completed");
  };
  if (stop === 0) step();
  else timer = setTimeout(step, firstTokenMs);
}
