/**
 * Slack's streaming methods for the fake Web API (plugged in with `startFakeSlack({ stream })`):
 * chat.startStream / chat.appendStream / chat.stopStream with the validation Slack does and
 * the limits others measured in production:
 * - `markdown_text` of one call <= 12,000 chars (docs.slack.dev chat.startStream), and the
 *   whole streamed message <= ~12,000 chars, else `msg_too_long` (CopilotKit #6063/#6244:
 *   appends fail deterministically once a streamed message holds ~12k);
 * - about 5 minutes after chat.startStream the message leaves the streaming state and
 *   appendStream / stopStream answer `message_not_in_streaming_state` (python-slack-sdk
 *   #1859, vercel/chat #671); chat.update on its ts still works;
 * - `recipient_user_id` + `recipient_team_id` are required outside DMs; `thread_ts` may be
 *   omitted only in channels; `task_display_mode` is `timeline` or `plan`;
 * - chunks: `markdown_text{text}`, `task_update{id,title,status in pending|in_progress|complete|error}`,
 *   `plan_update{title}`, `blocks{blocks}` (@slack/types chunk.ts);
 * - chat.stopStream's `blocks` (any Block Kit blocks, at most 50, apart from the chunks'
 *   blocks) render under the streamed content (docs.slack.dev chat.stopStream); every
 *   blocks array must pass Slack's Block Kit rules (fake-slack-blocks.ts).
 * A workspace can refuse streaming altogether (`refuse`), as one without the feature does.
 */
import type { FakeMessage } from "./fake-slack.js";
import { blocksProblem, invalidBlocks } from "./fake-slack-blocks.js";

/** Options of the fake's streaming methods. */
export interface FakeStreamOptions {
  /** Max chars one streamed message holds in total (default 12,000). */
  maxChars?: number;
  /** Lifetime of a stream after chat.startStream, ms of the fake's clock (default 300,000). */
  lifetimeMs?: number;
  /** Error every stream method answers for these recipient team ids (`*` = every team), e.g. `unknown_method`. */
  refuse?: { teams: string[]; error: string };
  /** Clock, ms (default Date.now). */
  now?: () => number;
}

/** One streamed message's state. */
export interface FakeStreamState {
  /** Message ts. */
  ts: string;
  /** Channel id. */
  channel: string;
  /** Epoch ms at chat.startStream. */
  startedAt: number;
  /** `streaming` until stopped or expired. */
  state: "streaming" | "stopped" | "expired";
  /** Every chunk received, in order. */
  chunks: Array<Record<string, unknown>>;
  /** task_display_mode it was started with. */
  displayMode: string;
}

/** The streaming half of the fake; `handle` answers a method or returns undefined when it is not one of them. */
export interface FakeStream {
  /** Streams by ts. */
  readonly streams: Map<string, FakeStreamState>;
  /** Forces a stream out of the streaming state (as the ~5 minute expiry does). */
  expire(ts: string): void;
  /** Options, mutable by tests (e.g. refuse another team). */
  options: FakeStreamOptions;
  /** Answers a Web API call when it is a stream method. */
  handle(
    method: string,
    args: Record<string, unknown>,
    messages: Map<string, FakeMessage>,
  ): Record<string, unknown> | undefined;
}

/** Slack's documented per-call cap of `markdown_text` and the measured per-message cap. */
export const STREAM_MAX_CHARS = 12_000;
/** Measured stream lifetime. */
export const STREAM_LIFETIME_MS = 300_000;

const STATUSES = new Set(["pending", "in_progress", "complete", "error"]);
const MODES = new Set(["timeline", "plan"]);
const JSON_FIELDS = ["chunks", "blocks"];

let seq = 0;

/** Creates the streaming methods of one fake workspace. */
export function fakeStream(options: FakeStreamOptions = {}): FakeStream {
  const streams = new Map<string, FakeStreamState>();
  const now = () => (stream.options.now ?? Date.now)();
  const live = (ts: unknown): FakeStreamState | { error: string } => {
    const s = streams.get(String(ts));
    if (!s) return { error: "message_not_found" };
    const lifetime = stream.options.lifetimeMs ?? STREAM_LIFETIME_MS;
    if (s.state === "streaming" && now() - s.startedAt > lifetime) s.state = "expired";
    if (s.state !== "streaming") return { error: "message_not_in_streaming_state" };
    return s;
  };
  // Adds chunks/markdown_text to the message; an error code when Slack would refuse them.
  const add = (
    msg: FakeMessage,
    s: FakeStreamState | undefined,
    args: Record<string, unknown>,
    required: boolean,
  ): string | undefined => {
    const chunks = args.chunks ?? [];
    if (!Array.isArray(chunks)) return "invalid_chunks";
    const md = args.markdown_text;
    if (md !== undefined && typeof md !== "string") return "invalid_arguments";
    if (required && chunks.length === 0 && !md) return "no_text";
    let added = typeof md === "string" ? md : "";
    if (added.length > STREAM_MAX_CHARS) return "msg_too_long";
    for (const c of chunks as Array<Record<string, unknown>>) {
      const problem = chunkProblem(c);
      if (problem) return problem;
      if (c.type === "markdown_text") added += String(c.text);
    }
    // Blocks chunks render in place and stay (streamed content is append-only).
    for (const c of chunks as Array<Record<string, unknown>>)
      if (c.type === "blocks") msg.blocks.push(...(c.blocks as Array<Record<string, unknown>>));
    if (msg.text.length + added.length > (stream.options.maxChars ?? STREAM_MAX_CHARS))
      return "msg_too_long";
    msg.text += added;
    msg.versions.push(msg.text);
    s?.chunks.push(...(chunks as Array<Record<string, unknown>>));
    if (md) s?.chunks.push({ type: "markdown_text", text: md });
    return undefined;
  };

  const stream: FakeStream = {
    streams,
    options,
    expire(ts) {
      const s = streams.get(ts);
      if (s && s.state === "streaming") s.state = "expired";
    },
    handle(method, raw, messages) {
      if (!["chat.startStream", "chat.appendStream", "chat.stopStream"].includes(method))
        return undefined;
      const args = decodeJsonFields(raw);
      const channel = String(args.channel ?? "");
      if (!channel) return { ok: false, error: "channel_not_found" };
      const refuse = stream.options.refuse;
      const team = String(args.recipient_team_id ?? "");
      if (refuse && (refuse.teams.includes("*") || refuse.teams.includes(team)))
        return { ok: false, error: refuse.error };
      if (method === "chat.startStream") {
        const dm = channel.startsWith("D");
        if (!dm && (!args.recipient_user_id || !args.recipient_team_id))
          return { ok: false, error: "invalid_arguments" };
        if (dm && args.thread_ts === undefined) return { ok: false, error: "invalid_thread_ts" };
        const mode = String(args.task_display_mode ?? "timeline");
        if (!MODES.has(mode)) return { ok: false, error: "invalid_arguments" };
        const ts = `${1_800_000_000 + ++seq}.000300`;
        const threadTs = args.thread_ts === undefined ? undefined : String(args.thread_ts);
        const msg: FakeMessage = {
          channel,
          ts,
          ...(threadTs ? { threadTs } : {}),
          text: "",
          blocks: [],
          versions: [],
        };
        const s: FakeStreamState = {
          ts,
          channel,
          startedAt: now(),
          state: "streaming",
          chunks: [],
          displayMode: mode,
        };
        const problem = add(msg, s, args, true);
        if (problem) return { ok: false, error: problem };
        messages.set(ts, msg);
        streams.set(ts, s);
        return { ok: true, channel, ts };
      }
      const s = live(args.ts);
      if ("error" in s) return { ok: false, error: s.error };
      const msg = messages.get(s.ts);
      if (!msg) return { ok: false, error: "message_not_found" };
      // A refused call changes nothing: stopStream's blocks are checked before any text is added.
      const invalid = method === "chat.stopStream" ? invalidBlocks(args.blocks) : undefined;
      if (invalid) return invalid;
      const problem = add(msg, s, args, method === "chat.appendStream");
      if (problem) return { ok: false, error: problem };
      if (method === "chat.stopStream") {
        const blocks = args.blocks ?? [];
        // stopStream's blocks render after the streamed content.
        msg.blocks.push(...(blocks as Array<Record<string, unknown>>));
        s.state = "stopped";
        return { ok: true, channel, ts: s.ts, message: { text: msg.text, ts: s.ts } };
      }
      return { ok: true, channel, ts: s.ts };
    },
  };
  return stream;
}

function chunkProblem(c: Record<string, unknown>): string | undefined {
  switch (c.type) {
    case "markdown_text":
      return typeof c.text === "string" ? undefined : "invalid_chunks";
    case "plan_update":
      return typeof c.title === "string" && c.title !== "" ? undefined : "invalid_chunks";
    case "task_update":
      return typeof c.id === "string" &&
        typeof c.title === "string" &&
        STATUSES.has(String(c.status))
        ? undefined
        : "invalid_chunks";
    case "blocks":
      if (!Array.isArray(c.blocks)) return "invalid_chunks";
      return blocksProblem(c.blocks) === undefined ? undefined : "invalid_blocks";
    default:
      return "invalid_chunks";
  }
}

/** The WebClient sends arrays as JSON strings in form bodies. */
function decodeJsonFields(args: Record<string, unknown>): Record<string, unknown> {
  const out = { ...args };
  for (const key of JSON_FIELDS) {
    const v = out[key];
    if (typeof v === "string") out[key] = JSON.parse(v);
  }
  return out;
}

/** The task_update chunks a stream received, as `id:status` in arrival order. */
export function taskTrail(s: FakeStreamState | undefined): string[] {
  return (s?.chunks ?? [])
    .filter((c) => c.type === "task_update")
    .map((c) => `${String(c.id)}:${String(c.status)}`);
}
