/**
 * In-process fake of Slack's Web API on 127.0.0.1 for tests and benches. Point Bolt at it
 * with `clientOptions.slackApiUrl = fake.apiUrl` (SLACK_API_URL). It answers like Slack
 * (HTTP 200 with `{ ok, ... }`; platform errors as `{ ok: false, error }`; rate limits as
 * HTTP 429 + Retry-After), records every call (method, args, time) and keeps the messages
 * the bot wrote so a test can read the final state. Command `response_url`s point at
 * `fake.responseUrl(id)`; their posts are recorded as method `response_url`.
 *
 *   const fake = await startFakeSlack();
 *   fake.script("chat.postMessage", { error: "not_in_channel" }); // next call only
 *   fake.script("chat.update", { rateLimitSec: 1 });               // next call: 429
 *   fake.script("chat.update", { hang: true });                    // next call never answers
 *   fake.refuseAlways("chat.update", "internal_error");            // every call fails
 *   await fake.waitFor((f) => f.callsTo("chat.update").length >= 3);
 *
 * Rate limits are on by default, per method per workspace as Slack applies them (Tier 3
 * chat.update 50 per minute, Tier 4 100 per minute) and chat.postMessage per channel (1 per
 * second with short bursts: 5 in any 5 s); a refused call gets HTTP 429 + Retry-After.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { RateWindows, type WindowLimit } from "./fake-rate-windows.js";
import { invalidBlocks } from "./fake-slack-blocks.js";
import type { FakeStream } from "./fake-slack-stream.js";
import { Conditions } from "./fixtures/conditions.js";

/** One Web API call (or response_url post) as the fake saw it. */
export interface SlackCall {
  /** Web API method, e.g. `chat.update`, or `response_url`. */
  method: string;
  /** Arguments, form or JSON decoded (`blocks` parsed back to objects). */
  args: Record<string, unknown>;
  /** Arrival time, epoch ms (fractional). */
  at: number;
  /** How the fake answered: `ok`, a Slack error code, or `ratelimited`. */
  outcome: string;
}

/** A scripted answer for the next call of a method. */
export type Scripted =
  | { /** Answer `{ ok: false, error }`. */ error: string }
  | { /** Answer HTTP 429 with this Retry-After (seconds). */ rateLimitSec: number }
  | { /** Answer normally after this delay, ms. */ delayMs: number }
  | { /** Never answer (until the fake closes): a Web API call that hangs. */ hang: true };

/** Which calls share a rate limit: all of a workspace's calls of the method, or per channel. */
export interface MethodTier extends WindowLimit {
  /** Key of the window. */
  per: "workspace" | "channel";
}

/** Slack's limits per method (docs.slack.dev/apis/web-api/rate-limits). */
export const SLACK_TIERS: Record<string, MethodTier> = {
  "chat.update": { per: "workspace", limit: 50, windowMs: 60_000 },
  "chat.postMessage": { per: "channel", limit: 5, windowMs: 5_000 },
  "chat.postEphemeral": { per: "workspace", limit: 100, windowMs: 60_000 },
  "users.info": { per: "workspace", limit: 100, windowMs: 60_000 },
};

/** A message the bot posted, with every version it had. */
export interface FakeMessage {
  /** Channel id. */
  channel: string;
  /** Message ts. */
  ts: string;
  /** Root ts when posted in a thread. */
  threadTs?: string;
  /** Current Markdown (the markdown block's text, else `text`). */
  text: string;
  /** Current blocks (the markdown block and, while a run is in flight, its Stop button). */
  blocks: Array<Record<string, unknown>>;
  /** Every text it had, first post first. */
  versions: string[];
}

/** Options of `startFakeSlack`. */
export interface FakeSlackOptions {
  /** Bot user id auth.test reports (default U0BOT). */
  botUserId?: string;
  /** Bot id auth.test reports (default B0BOT). */
  botId?: string;
  /** Team id (default T0TEAM). */
  teamId?: string;
  /** Users that users.info reports as admins. */
  admins?: string[];
  /** Latency of every answer, ms (default 0). */
  latencyMs?: number;
  /** Streaming methods (fake-slack-stream.ts); without them chat.startStream is `unknown_method`. */
  stream?: FakeStream;
  /** Rate limits per method (default SLACK_TIERS); `false` turns them off. */
  tiers?: Record<string, MethodTier> | false;
}

/** A running fake Slack Web API. */
export interface FakeSlack {
  /** Base URL for `slackApiUrl` (ends in `/api/`). */
  apiUrl: string;
  /** Bot user id, bot id and team id it reports. */
  botUserId: string;
  botId: string;
  teamId: string;
  /** Every call so far, in arrival order. */
  readonly calls: SlackCall[];
  /** Messages the bot posted, by ts. */
  readonly messages: Map<string, FakeMessage>;
  /** Calls of one method. */
  callsTo(method: string): SlackCall[];
  /** Queues one-shot answers for the next calls of `method`. */
  script(method: string, ...answers: Scripted[]): void;
  /** Answers every call of `method` with `{ ok: false, error }` from now on (undefined: stop). */
  refuseAlways(method: string, error: string | undefined): void;
  /** Calls answered 429 by the rate limits (scripted ones not counted). */
  readonly rateLimited: number;
  /** A response_url handled by the fake. */
  responseUrl(id: string): string;
  /** URL apps.connections.open hands out (Socket Mode tests). */
  socketUrl: string;
  /** Messages posted in a thread (root ts), in order. */
  threadReplies(rootTs: string): FakeMessage[];
  /** Resolves once `predicate` holds (checked after every call); rejects after `timeoutMs`. */
  waitFor(predicate: (fake: FakeSlack) => boolean, timeoutMs?: number): Promise<void>;
  /** Forgets calls, messages and scripts. */
  reset(): void;
  /** Stops listening. */
  close(): Promise<void>;
}

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const scripts = new Map<string, Scripted[]>();
  const refusals = new Map<string, string>();
  const windows = new RateWindows();
  const tiers = options.tiers === false ? {} : (options.tiers ?? SLACK_TIERS);
  const conditions = new Conditions<FakeSlack>(() => fake, "fake Slack");
  const admins = new Set(options.admins ?? []);
  let seq = 0;

  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    const channel = String(args.channel ?? "");
    const streamed = options.stream?.handle(method, args, fake.messages);
    if (streamed) return streamed;
    // Slack refuses blocks that break a Block Kit rule (fake-slack-blocks.ts) and a
    // markdown block over 12,000 characters.
    const invalid = invalidBlocks(args.blocks);
    if (invalid) return invalid;
    const blocks = blocksOf(args);
    const markdown = blocks.filter((b) => b.type === "markdown");
    if (markdown.reduce((n, b) => n + String(b.text ?? "").length, 0) > 12_000)
      return { ok: false, error: "msg_blocks_too_long" };
    switch (method) {
      case "auth.test":
        return { ok: true, user_id: fake.botUserId, bot_id: fake.botId, team_id: fake.teamId };
      case "apps.connections.open":
        return { ok: true, url: fake.socketUrl };
      case "users.info": {
        const id = String(args.user ?? "");
        return { ok: true, user: { id, is_admin: admins.has(id), is_owner: false } };
      }
      case "chat.postMessage": {
        const ts = `${1_700_000_000 + ++seq}.000100`;
        const text = bodyText(args);
        const threadTs = args.thread_ts === undefined ? undefined : String(args.thread_ts);
        fake.messages.set(ts, {
          channel,
          ts,
          ...(threadTs ? { threadTs } : {}),
          text,
          blocks: blocksOf(args),
          versions: [text],
        });
        return { ok: true, channel, ts, message: { text: args.text, ts } };
      }
      case "chat.update": {
        const msg = fake.messages.get(String(args.ts));
        if (!msg) return { ok: false, error: "message_not_found" };
        msg.text = bodyText(args);
        msg.blocks = blocksOf(args);
        msg.versions.push(msg.text);
        return { ok: true, channel, ts: msg.ts, text: args.text };
      }
      case "chat.postEphemeral":
        return { ok: true, message_ts: `${1_700_000_000 + ++seq}.000200` };
      case "response_url":
        return { ok: true };
      case "assistant.threads.setStatus":
        // thread_ts and status are required (docs.slack.dev assistant.threads.setStatus).
        return args.channel_id && args.thread_ts && typeof args.status === "string"
          ? { ok: true }
          : { ok: false, error: "invalid_arguments" };
      case "assistant.threads.setSuggestedPrompts":
        return suggestedPromptsOk(args.prompts) && args.channel_id
          ? { ok: true }
          : { ok: false, error: "invalid_arguments" };
      default:
        return { ok: false, error: "unknown_method" };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = req.url ?? "";
    const method = url.startsWith("/response/") ? "response_url" : url.replace(/^\/api\//, "");
    const args = decodeArgs(raw, req.headers["content-type"]);
    const call: SlackCall = { method, args, at: now(), outcome: "pending" };
    fake.calls.push(call);
    const next = scripts.get(method)?.shift();
    if (options.latencyMs) await sleep(options.latencyMs);
    if (next && "delayMs" in next) await sleep(next.delayMs);
    if (next && "hang" in next) return;
    const tier = tiers[method];
    const hit = tier
      ? windows.hit(
          `${method}:${tier.per === "channel" ? String(args.channel) : fake.teamId}`,
          tier,
        )
      : undefined;
    let status = 200;
    let body: Record<string, unknown>;
    const refusal = refusals.get(method);
    if (next && "rateLimitSec" in next) {
      status = 429;
      res.setHeader("retry-after", String(next.rateLimitSec));
      body = { ok: false, error: "ratelimited" };
    } else if (hit && !hit.ok) {
      status = 429;
      res.setHeader("retry-after", String(Math.max(1, Math.ceil(hit.retryAfterMs / 1000))));
      body = { ok: false, error: "ratelimited" };
    } else if (refusal) {
      body = { ok: false, error: refusal };
    } else if (next && "error" in next) {
      body = { ok: false, error: next.error };
    } else {
      body = answer(method, args);
    }
    call.outcome = status === 429 ? "ratelimited" : body.ok ? "ok" : String(body.error);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
    conditions.changed();
  };

  const server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (part: string) => {
      raw += part;
    });
    req.on("end", () => void handle(req, res, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeSlack = {
    apiUrl: `${base}/api/`,
    botUserId: options.botUserId ?? "U0BOT",
    botId: options.botId ?? "B0BOT",
    teamId: options.teamId ?? "T0TEAM",
    calls: [],
    messages: new Map(),
    socketUrl: "",
    callsTo: (method) => fake.calls.filter((c) => c.method === method),
    script(method, ...answers) {
      scripts.set(method, [...(scripts.get(method) ?? []), ...answers]);
    },
    refuseAlways(method, error) {
      if (error === undefined) refusals.delete(method);
      else refusals.set(method, error);
    },
    get rateLimited() {
      return windows.refused;
    },
    responseUrl: (id) => `${base}/response/${id}`,
    threadReplies: (root) => [...fake.messages.values()].filter((m) => m.threadTs === root),
    waitFor: (predicate, timeoutMs) => conditions.waitFor(predicate, timeoutMs),
    reset() {
      fake.calls.length = 0;
      fake.messages.clear();
      scripts.clear();
      refusals.clear();
      windows.clear();
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

/** Up to four prompts, each with a title and a message (docs.slack.dev setSuggestedPrompts). */
function suggestedPromptsOk(raw: unknown): boolean {
  const prompts: unknown = typeof raw === "string" ? JSON.parse(raw) : raw;
  return (
    Array.isArray(prompts) &&
    prompts.length >= 1 &&
    prompts.length <= 4 &&
    prompts.every((p: { title?: unknown; message?: unknown }) => p.title && p.message)
  );
}

/** Form fields the WebClient sends as JSON strings. */
const JSON_FIELDS = new Set(["blocks", "attachments", "metadata"]);

/** Form (WebClient) or JSON (response_url) body to an object. */
function decodeArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === "") return {};
  if (contentType?.includes("json")) return JSON.parse(raw) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = JSON_FIELDS.has(key) ? JSON.parse(value) : value;
  }
  return args;
}

/** The blocks of a post or update (none when it sent only text). */
function blocksOf(args: Record<string, unknown>): Array<Record<string, unknown>> {
  return Array.isArray(args.blocks) ? (args.blocks as Array<Record<string, unknown>>) : [];
}

/** Values of the buttons a message shows now, by action_id (e.g. `moa_stop`). */
export function buttonValues(message: FakeMessage | undefined, actionId: string): string[] {
  return (message?.blocks ?? [])
    .filter((b) => b.type === "actions")
    .flatMap((b) => (b.elements as Array<Record<string, unknown>> | undefined) ?? [])
    .filter((e) => e.type === "button" && e.action_id === actionId)
    .map((e) => String(e.value));
}

/** The Markdown a message shows: its markdown block, else `markdown_text`, else `text`. */
export function bodyText(args: Record<string, unknown>): string {
  const blocks = args.blocks as Array<{ type?: string; text?: unknown }> | undefined;
  const md = blocks?.find((b) => b.type === "markdown");
  if (typeof md?.text === "string") return md.text;
  return String(args.markdown_text ?? args.text ?? "");
}
