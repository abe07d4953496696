import type { RespondFn, webApi } from "@slack/bolt";
import { MoaBotError } from "../../errors.js";
import { type ChatSink, type MessageControls, RateLimitedError } from "../chat-sink.js";
import { answerBlocks } from "./feedback-blocks.js";
import { type SlackMessageBody, slackMessage } from "./markdown.js";
import { stopBlocks } from "./stop-button.js";

/** The three Web API methods a run needs (a narrow port over Bolt's WebClient). */
export type SlackChatPort = Pick<
  webApi.WebClient["chat"],
  "postMessage" | "update" | "postEphemeral"
>;

/** Where one run's messages go. */
export interface SlackSinkTarget {
  /** Channel id. */
  channel: string;
  /** Thread to answer in (mentions and follow-ups); absent for `/moa`, whose interim message becomes the root. */
  threadTs?: string | undefined;
  /** The asker: ephemeral replies go to them. */
  userId: string;
  /** Bolt's replier for the command's response_url: it works where the bot is not a member. */
  respond?: RespondFn | undefined;
  /** Key of the conversation memory when it is not the thread (a DM: the DM channel). */
  conversationId?: string | undefined;
  /** Show Slack's loading status in `threadTs` while proposers run (DMs, the app's Messages tab). */
  loadingStatus?: boolean | undefined;
  /** An existing message to rewrite (regenerate, or a run resumed after a crash): `open` edits it. */
  messageTs?: string | undefined;
}

/** Slack errors meaning "the bot cannot post here", which only the asker can fix. */
const CANNOT_POST = new Set(["not_in_channel", "channel_not_found", "is_archived"]);

const CANNOT_POST_MESSAGE =
  "I can't post in this conversation because I'm not a member of it. Add me with `/invite @MoA` (use my name), or ask in a channel I'm in.";

/**
 * ChatSink over Slack's Web API. Every message is one markdown block plus a plain fallback
 * (see markdown.ts); while a run is in flight the interim message also carries a Stop button
 * (see stop-button.ts), which every edit without controls drops. The app's WebClient rejects
 * 429s instead of pausing every call (see slack-client-options.ts): an edit's 429 becomes a
 * `RateLimitedError` the presenter paces with; posts wait out their own Retry-After here.
 */
export class SlackSink implements ChatSink {
  private interimTs: string | undefined;

  constructor(
    private readonly chat: SlackChatPort,
    private readonly target: SlackSinkTarget,
  ) {}

  /** Posts the interim message; a "bot not in channel" failure becomes a MoaBotError the asker can act on. */
  async open(text: string, controls?: MessageControls): Promise<void> {
    if (this.target.messageTs !== undefined) {
      this.interimTs = this.target.messageTs;
      await this.edit(text, controls);
      return;
    }
    try {
      const res = await waitingOutRateLimits(() =>
        this.chat.postMessage({
          channel: this.target.channel,
          ...(this.target.threadTs === undefined ? {} : { thread_ts: this.target.threadTs }),
          ...withControls(slackMessage(text), controls),
          parse: "none",
        }),
      );
      if (res.ts === undefined) throw new Error("chat.postMessage returned no ts");
      this.interimTs = res.ts;
    } catch (error) {
      throw cannotPostError(error) ?? error;
    }
  }

  /** Takes `ts` as the run's message without posting (a streamed message another sink opened), so drafts thread under it. */
  adopt(ts: string): void {
    this.interimTs = ts;
  }

  /**
   * Replaces the interim message (parse `none` each time: chat.update defaults to `client`).
   * The blocks are replaced whole, so an edit without `controls` removes the Stop button.
   */
  async edit(text: string, controls?: MessageControls): Promise<void> {
    try {
      await this.chat.update({
        channel: this.target.channel,
        ts: this.requireInterim(),
        ...withControls(slackMessage(text), controls),
        parse: "none",
      });
    } catch (error) {
      const retryAfterMs = rateLimitedMs(error);
      throw retryAfterMs === undefined
        ? error
        : new RateLimitedError(retryAfterMs, { cause: error });
    }
  }

  /** Posts under the interim message's thread (Slack threads need no name). */
  async postInThread(text: string, _threadName: string): Promise<void> {
    // An existing message (regenerate) has its thread before `open`.
    const root = this.target.threadTs ?? this.interimTs ?? this.target.messageTs;
    if (root === undefined) throw new Error("postInThread before open");
    await waitingOutRateLimits(() =>
      this.chat.postMessage({
        channel: this.target.channel,
        thread_ts: root,
        ...slackMessage(text),
        parse: "none",
      }),
    );
  }

  /** response_url when there is one (works without membership), else chat.postEphemeral. */
  async replyPrivately(text: string): Promise<void> {
    const body = slackMessage(text);
    if (this.target.respond) {
      await this.target.respond({ response_type: "ephemeral", replace_original: false, ...body });
      return;
    }
    await waitingOutRateLimits(() =>
      this.chat.postEphemeral({
        channel: this.target.channel,
        user: this.target.userId,
        ...(this.target.threadTs === undefined ? {} : { thread_ts: this.target.threadTs }),
        ...body,
      }),
    );
  }

  /** Channel and ts of the run's message, once posted. */
  messageRef(): Record<string, string> | undefined {
    if (this.interimTs === undefined) return undefined;
    const { channel, threadTs } = this.target;
    return { channel, ts: this.interimTs, ...(threadTs !== undefined && { threadTs }) };
  }

  /** The conversation follow-ups continue: a DM's channel, else the root ts of the thread holding the drafts. */
  threadId(): string | undefined {
    return (
      this.target.conversationId ?? this.target.threadTs ?? this.interimTs ?? this.target.messageTs
    );
  }

  private requireInterim(): string {
    if (this.interimTs === undefined) throw new Error("edit before open");
    return this.interimTs;
  }
}

/** The message body with the Stop button, the 👍/👎 and the Regenerate blocks after the markdown block, if any. */
function withControls(
  body: SlackMessageBody,
  controls: MessageControls | undefined,
): SlackMessageBody {
  return {
    ...body,
    blocks: [...body.blocks, ...stopBlocks(controls), ...answerBlocks(controls)],
  };
}

/** The error the asker can act on when Slack says the bot cannot post here; undefined for other errors. */
export function cannotPostError(error: unknown): MoaBotError | undefined {
  return CANNOT_POST.has(slackErrorCode(error) ?? "")
    ? new MoaBotError("slack_cannot_post", CANNOT_POST_MESSAGE, { cause: error })
    : undefined;
}

/** The `error` field of a Slack platform error (`{ ok: false, error }`), if it is one. */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === "string" ? data.error : undefined;
}

/** Retry-After of a WebClient rate-limited rejection, ms (undefined for any other error). */
export function rateLimitedMs(error: unknown): number | undefined {
  const e = error as { code?: unknown; retryAfter?: unknown } | undefined;
  if (e?.code !== "slack_webapi_rate_limited_error") return undefined;
  return typeof e.retryAfter === "number" ? e.retryAfter * 1000 : 1000;
}

/** Most 429s one post waits out before giving up. */
const POST_RATE_LIMIT_TRIES = 6;

/** Runs a post, waiting out its own 429s only (other calls of the client carry on meanwhile). */
async function waitingOutRateLimits<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const ms = rateLimitedMs(error);
      if (ms === undefined || attempt >= POST_RATE_LIMIT_TRIES) throw error;
      await new Promise((r) => setTimeout(r, ms));
    }
  }
}
