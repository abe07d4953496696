import type { webApi } from "@slack/bolt";
import type { RunView } from "../../view/run-view.js";
import type { ChatSink, MessageControls } from "../chat-sink.js";
import { footer, INTERRUPTED_MESSAGE } from "../render-view.js";
import { answerBlocks } from "./feedback-blocks.js";
import { slackMessage } from "./markdown.js";
import { neutralizeSlack } from "./neutralize.js";
import { nothingShown, planChunks, type StreamChunk } from "./plan-chunks.js";
import {
  cannotPostError,
  type SlackSink,
  type SlackSinkTarget,
  slackErrorCode,
} from "./slack-sink.js";
import { stopBlocks } from "./stop-button.js";
import { rolloverCut, streamablePrefix } from "./stream-text.js";
import { STREAM_REFUSALS, type StreamingPolicy } from "./streaming-policy.js";

/** The Web API methods a streamed run needs (narrow port over Bolt's WebClient). */
export type SlackStreamPort = Pick<
  webApi.WebClient["chat"],
  "startStream" | "appendStream" | "stopStream" | "update" | "postMessage"
>;

/** Where a streamed run goes: the edit path's target plus the recipient's team. */
export interface SlackStreamTarget extends SlackSinkTarget {
  /** Workspace (team) id: `recipient_team_id`, and the key of the streaming decision. */
  teamId: string;
}

/**
 * Chars one streamed message is filled to before the answer rolls over into a continuation
 * (Slack refuses appends with `msg_too_long` at about 12,000; room is left for the footer).
 */
export const STREAM_ROLLOVER_CHARS = 11_000;

/**
 * Min gap between two appends of one stream, ms; the first answer text and the stop go at
 * once. chat.appendStream is Tier 4 (100+/min per workspace, docs.slack.dev), shared by every
 * run in the workspace, so a stream appends less often than the edit path edits (1/s).
 */
export const STREAM_APPEND_INTERVAL_MS = 1_500;

const NOT_STREAMING = "message_not_in_streaming_state";

/** What the final chat.stopStream carries: the last task updates and the rest of the text. */
interface Pending {
  chunks: StreamChunk[];
  text: string;
}

/** One message holding part of the answer: a live stream, or (expired) a plain message edited with chat.update. */
interface Segment {
  ts: string;
  text: string;
  live: boolean;
}

/**
 * ChatSink over Slack's native streaming (chat.startStream / appendStream / stopStream):
 * a plan of the run's tasks (one per proposer, then the aggregator) followed by the answer
 * as streamed Markdown. When the workspace refuses streaming it delegates everything to the
 * post-and-edit `fallback` (and the policy remembers the workspace). An answer nearing the
 * per-message cap rolls over into a continuation stream in the same thread; a stream that
 * expired (~5 min) is finished with chat.update on its ts. Drafts and private replies go
 * through the fallback sink's thread logic, rooted at the first streamed message.
 */
export class SlackStreamSink implements ChatSink {
  #mode: "pending" | "stream" | "fallback" = "pending";
  #segments: Segment[] = [];
  #shown = nothingShown();
  #answerSent = "";
  #view: RunView | undefined;
  #pump: Promise<void> | undefined;
  #dirty = false;
  #lastCallAt = 0;
  #finished = false;
  #armed = false;
  #wake: (() => void) | undefined;

  constructor(
    private readonly chat: SlackStreamPort,
    private readonly target: SlackStreamTarget,
    private readonly policy: StreamingPolicy,
    private readonly fallback: SlackSink,
    private readonly onError: (error: unknown, what: string) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts the stream with the plan (and the Stop button); a refusal switches to the edit path. */
  async open(text: string, controls?: MessageControls): Promise<void> {
    // Only a run (announced by a progress call before open) streams; plain replies are posted.
    if (!this.#armed || !this.policy.wants(this.target.teamId))
      return this.openFallback(text, controls);
    const stop = stopBlocks(controls);
    const chunks: StreamChunk[] = [{ type: "plan_update", title: "Mixture-of-Agents" }];
    if (stop.length > 0) chunks.push({ type: "blocks", blocks: stop });
    try {
      const ts = await this.start(chunks);
      this.#segments.push({ ts, text: "", live: true });
      this.#mode = "stream";
      this.fallback.adopt(ts);
    } catch (error) {
      const code = slackErrorCode(error) ?? "";
      const cannot = cannotPostError(error);
      if (cannot) throw cannot;
      if (STREAM_REFUSALS.has(code)) this.policy.refused(this.target.teamId, code);
      else this.onError(error, "chat.startStream (edit path for this run)");
      return this.openFallback(text, controls);
    }
  }

  /**
   * Before open: announces a run (so open streams). After open: takes the live view; true
   * while streaming (the presenter then leaves the message to this sink).
   */
  progress(view: RunView): boolean {
    if (this.#mode === "pending") {
      this.#armed = true;
      return true;
    }
    if (this.#mode !== "stream") return false;
    this.#view = view;
    this.#dirty = true;
    // The first answer text is worth a call at once, whatever the interval.
    if (this.#answerSent === "" && view.answer !== "") this.#wake?.();
    this.#pump ??= this.drain().finally(() => {
      this.#pump = undefined;
    });
    return true;
  }

  /**
   * On the edit path: an edit. While streaming this is the final edit (or the gate's
   * interruption notice): the rest of the answer, the footer and the 👍/👎 and Regenerate buttons,
   * with chat.stopStream, or chat.update when the stream expired.
   */
  async edit(text: string, controls?: MessageControls): Promise<void> {
    if (this.#mode !== "stream") return this.fallback.edit(text, controls);
    if (this.#finished) return;
    this.#dirty = false;
    this.#wake?.();
    await this.#pump;
    const view = this.#view;
    const terminal = view && ["done", "failed", "cancelled"].includes(view.phase);
    const last = view && terminal ? await this.writeAnswer(view, true) : { chunks: [], text: "" };
    const tail = terminal && view ? closing(view, text) : `\n\n${text}`;
    try {
      await this.finish({ chunks: last.chunks, text: last.text + tail }, controls);
    } catch (error) {
      // Not shown: the presenter's retry of the final edit sends this text again.
      if (last.text) this.#answerSent = this.#answerSent.slice(0, -last.text.length);
      throw error;
    }
    this.#finished = true;
  }

  postInThread(text: string, threadName: string): Promise<void> {
    return this.fallback.postInThread(text, threadName);
  }

  replyPrivately(text: string): Promise<void> {
    return this.fallback.replyPrivately(text);
  }

  threadId(): string | undefined {
    return this.fallback.threadId();
  }

  messageRef(): Record<string, string> | undefined {
    return this.fallback.messageRef();
  }

  private async openFallback(text: string, controls?: MessageControls): Promise<void> {
    this.#mode = "fallback";
    await this.fallback.open(text, controls);
  }

  private async start(chunks: StreamChunk[]): Promise<string> {
    const root = this.target.threadTs ?? this.#segments[0]?.ts;
    this.#lastCallAt = this.now();
    // `thread_ts` is typed as required, but Slack streams top-level messages in channels
    // (a `/moa` answer has no user message to reply to); DMs always pass it.
    const res = await this.chat.startStream({
      channel: this.target.channel,
      ...(root === undefined ? {} : { thread_ts: root }),
      recipient_user_id: this.target.userId,
      recipient_team_id: this.target.teamId,
      task_display_mode: "plan",
      chunks,
    } as Parameters<SlackStreamPort["startStream"]>[0]);
    if (res.ts === undefined) throw new Error("chat.startStream returned no ts");
    return res.ts;
  }

  /** Sends the newest view while it changes, at most one append per interval (the first answer text at once). */
  private async drain(): Promise<void> {
    while (this.#dirty && !this.#finished) {
      const view = this.#view;
      if (!view) return;
      const firstText = this.#answerSent === "" && view.answer !== "";
      const wait = firstText ? 0 : this.#lastCallAt + STREAM_APPEND_INTERVAL_MS - this.now();
      if (wait > 0) await this.pause(wait);
      if (!this.#dirty || this.#finished) return;
      this.#dirty = false;
      await this.writeAnswer(this.#view ?? view, false).catch((e) => this.onError(e, "stream"));
    }
  }

  /** Waits `ms`, or less when woken (the first answer text, the final edit). */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.#wake = undefined;
    });
  }

  /**
   * Brings the messages up to `view`. With `final`, the last piece (what fits the current
   * message) is not appended but returned, so chat.stopStream carries it in the same call.
   */
  private async writeAnswer(view: RunView, final: boolean): Promise<Pending> {
    const chunks = planChunks(view, this.#shown);
    const full = neutralizeSlack(view.answer);
    const safe = final ? full : streamablePrefix(full);
    let delta = safe.startsWith(this.#answerSent) ? safe.slice(this.#answerSent.length) : "";
    if (chunks.length === 0 && delta === "") return { chunks: [], text: "" };
    // Advanced only once written: a refused append is retried by the next view or the final.
    const sent = this.#answerSent + delta;
    while (this.current().text.length + delta.length > STREAM_ROLLOVER_CHARS) {
      const cut = rolloverCut(this.current().text, delta, STREAM_ROLLOVER_CHARS);
      await this.write(cut.head, chunks.splice(0));
      await this.rollover();
      delta = cut.tail;
    }
    this.#answerSent = sent;
    if (final && this.current().live) return { chunks, text: delta };
    await this.write(delta, chunks);
    return { chunks: [], text: "" };
  }

  private current(): Segment {
    const seg = this.#segments.at(-1);
    if (!seg) throw new Error("stream sink used before open");
    return seg;
  }

  /** Appends to the current message; an expired stream becomes a message edited with chat.update. */
  private async write(text: string, chunks: StreamChunk[]): Promise<void> {
    const seg = this.current();
    const all: StreamChunk[] = [
      ...chunks,
      ...(text ? [{ type: "markdown_text", text } as const] : []),
    ];
    if (all.length === 0) return;
    if (seg.live) {
      try {
        this.#lastCallAt = this.now();
        await this.chat.appendStream({ channel: this.target.channel, ts: seg.ts, chunks: all });
        seg.text += text;
        return;
      } catch (error) {
        if (slackErrorCode(error) !== NOT_STREAMING) throw error;
        seg.live = false;
      }
    }
    seg.text += text;
    if (text) await this.update(seg, []);
  }

  /** Ends the current message and opens a continuation in the same thread. */
  private async rollover(): Promise<void> {
    const seg = this.current();
    if (seg.live) {
      await this.chat
        .stopStream({ channel: this.target.channel, ts: seg.ts })
        .catch((e) => this.onError(e, "stopStream before rollover"));
      seg.live = false;
    }
    const ts = await this.start([{ type: "markdown_text", text: "_(continued)_\n\n" }]);
    this.#segments.push({ ts, text: "_(continued)_\n\n", live: true });
  }

  /**
   * Stops the last stream with the closing text and the answer's buttons (👍/👎, Regenerate)
   * in stopStream's `blocks`, rendered under the streamed content (chat.update when it expired).
   */
  private async finish(last: Pending, controls: MessageControls | undefined): Promise<void> {
    const seg = this.current();
    const blocks = answerBlocks(controls);
    if (seg.live) {
      try {
        await this.chat.stopStream({
          channel: this.target.channel,
          ts: seg.ts,
          chunks: [...last.chunks, { type: "markdown_text", text: last.text }],
          ...(blocks.length > 0 ? { blocks } : {}),
        });
        seg.live = false;
        seg.text += last.text;
        return;
      } catch (error) {
        if (slackErrorCode(error) !== NOT_STREAMING) throw error;
        seg.live = false;
      }
    }
    seg.text += last.text;
    await this.update(seg, blocks);
  }

  private async update(seg: Segment, extra: ReturnType<typeof answerBlocks>): Promise<void> {
    const body = slackMessage(seg.text);
    this.#lastCallAt = this.now();
    await this.chat.update({
      channel: this.target.channel,
      ts: seg.ts,
      blocks: [...body.blocks, ...extra],
      text: body.text,
      parse: "none",
    });
  }
}

/** What ends a streamed answer: the stop notice, the footer, or (failed) the rendered failure. */
function closing(view: RunView, rendered: string): string {
  switch (view.phase) {
    case "failed":
      return `\n\n${rendered}`;
    case "cancelled":
      return view.interrupted
        ? `\n\n${INTERRUPTED_MESSAGE}\n\n${footer(view)}`
        : `\n\n⏹️ Stopped before the answer was finished.\n\n${footer(view)}`;
    default:
      return view.answer.trim() === ""
        ? `_(the aggregator returned an empty answer)_\n\n${footer(view)}`
        : `\n\n${footer(view)}`;
  }
}
