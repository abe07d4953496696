import { type Message, type SendableChannels, ThreadAutoArchiveDuration } from "discord.js";
import type { RunView } from "../../view/run-view.js";
import type { ChatSink, MessageControls } from "../chat-sink.js";
import { footer, renderView } from "../render-view.js";
import {
  CV2_FLAG,
  CV2_MAX_TEXT_CHARS,
  type Cv2Final,
  cv2Final,
  cv2Footer,
  isFinal,
} from "./cv2-final.js";
import { feedbackRows } from "./feedback-buttons.js";
import { discordProfile, NO_MENTIONS } from "./profile.js";
import { type ButtonRows, StopButtons } from "./stop-button.js";
import { type TypingChannel, TypingIndicator } from "./typing.js";

/**
 * Where the answer message lives and how it is posted and edited: an interaction
 * reply (`interaction-anchor.ts`) or a reply to a mention (`message-anchor.ts`).
 */
export interface Anchor {
  /** Posts the interim message (with `components`, when given) and returns it. */
  open(text: string, components?: ButtonRows): Promise<Message>;
  /** Replaces the interim message's text and components (after `open`); none (`[]`) by default. */
  edit(text: string, components?: ButtonRows): Promise<void>;
  /** Replaces the message with a Components V2 body (flag set, content/embeds null). */
  editCv2(body: Cv2Final["body"]): Promise<void>;
  /** Tells only the asker where Discord allows it (ephemeral), else replies in the channel. */
  replyPrivately(text: string): Promise<void>;
  /** Called once the flow is over: cleans up anything left half-done (an unanswered deferral). */
  close(): Promise<void>;
  /** The answer message when it exists before `open` (regenerate rewrites it). */
  readonly existing?: Message;
}

/** Thread names must be 1..100 characters. */
export const MAX_THREAD_NAME_CHARS = 100;

/** A drafts thread stays open for follow-ups for a day of inactivity. */
const ARCHIVE_AFTER = ThreadAutoArchiveDuration.OneDay;

/** Cuts a thread name to Discord's 1..100 chars, on one line. */
export function clipThreadName(name: string): string {
  const line = name.replace(/\s+/g, " ").trim() || "MoA drafts";
  return line.length > MAX_THREAD_NAME_CHARS
    ? `${line.slice(0, MAX_THREAD_NAME_CHARS - 1)}…`
    : line;
}

/** Options of a DiscordSink. */
export interface DiscordSinkOptions {
  /** Native surfaces: the final answer as Components V2 and the typing indicator while proposers run. */
  native?: boolean;
  /** Where failed optional calls (typing, a refused CV2 edit) are reported. */
  onError?: (error: unknown, what: string) => void;
}

/** Custom ids of Stop buttons of sinks built without their bot's own (tests). */
const sharedStopButtons = new StopButtons();

/**
 * ChatSink for Discord: the anchor owns the answer message; drafts and overflow go
 * to a thread started from it, or straight into the channel when the answer already
 * sits in a thread (a follow-up) or in a DM, where threads cannot be started. While
 * the run is in flight the answer message carries a Stop button; an edit without
 * controls removes it.
 */
export class DiscordSink implements ChatSink {
  #answer: Message | undefined;
  #thread: Promise<SendableChannels> | undefined;
  #threadId: string | undefined;

  #view: RunView | undefined;
  #cv2Refused = false;
  #room: number | undefined;
  readonly #typing: TypingIndicator;

  constructor(
    private readonly anchor: Anchor,
    private readonly stopButtons: StopButtons = sharedStopButtons,
    private readonly options: DiscordSinkOptions = {},
  ) {
    this.#typing = new TypingIndicator(
      () => this.#answer?.channel as Partial<TypingChannel> | null | undefined,
      (e) => options.onError?.(e, "typing"),
    );
  }

  /** Cleans up what the anchor left half-done (an unanswered deferral). */
  close(): Promise<void> {
    return this.anchor.close();
  }

  /** Channel and message id of the answer message, once posted. */
  messageRef(): Record<string, string> | undefined {
    const answer = this.#answer;
    return answer && { channelId: answer.channelId, messageId: answer.id };
  }

  async open(text: string, controls?: MessageControls): Promise<void> {
    this.#answer = await this.anchor.open(
      text,
      controls ? this.stopButtons.components(controls) : undefined,
    );
    const channel = this.#answer.channel;
    // A follow-up answered inside a thread (or a DM) continues that same conversation.
    if (channel?.isThread() || channel?.isDMBased()) this.#threadId = this.#answer.channelId;
  }

  /**
   * The final edit (a finished view, no Stop key) becomes a Components V2 message when
   * native surfaces are on, or the message already is one (a regenerated native final).
   * It uses CV2's room (4,000 chars, not content's 2,000): the answer is rendered again at
   * that size (`finalRoom` then tells the presenter, which posts only the rest); when that
   * does not fit the byte budget, the presenter's text is used. A refusal falls back to
   * the presenter's plain text (as CV2 text on a CV2 message).
   */
  async edit(text: string, controls?: MessageControls): Promise<void> {
    const view = this.#view;
    this.#room = undefined;
    const cv2 = this.options.native || this.anchor.existing?.flags.has(CV2_FLAG) === true;
    if (cv2 && !this.#cv2Refused && isFinal(view) && !controls?.stopKey) {
      this.#typing.stop();
      const room = CV2_MAX_TEXT_CHARS - cv2Footer(view).length;
      const roomy = renderView(view, { ...discordProfile, maxMessageChars: room }).main;
      const wide = cv2Final(view, stripFooter(roomy, view), controls);
      if (room > discordProfile.maxMessageChars && wide.rest === "") {
        if (await this.tryCv2(wide)) {
          this.#room = room;
          return;
        }
      } else {
        const final = cv2Final(view, stripFooter(text, view), controls);
        if (final.rest === "" && (await this.tryCv2(final))) return;
      }
    }
    await this.anchor.edit(text, [
      ...this.stopButtons.components(controls),
      ...feedbackRows(controls),
    ]);
  }

  /** The message size the last final edit showed the answer at, when CV2 gave it more room. */
  finalRoom(): number | undefined {
    return this.#room;
  }

  /** Not native (the presenter edits as usual); keeps the view for the final and types while proposers run. */
  progress(view: RunView): boolean {
    this.#view = view;
    if (!this.options.native || !this.#answer) return false;
    const thinking = view.phase === "starting" || view.phase === "proposing";
    if (thinking && view.answer === "") this.#typing.start();
    else this.#typing.stop();
    return false;
  }

  async postInThread(text: string, threadName: string): Promise<void> {
    const channel = await this.threadChannel(threadName);
    await channel.send({ content: text, allowedMentions: NO_MENTIONS });
  }

  async replyPrivately(text: string): Promise<void> {
    await this.anchor.replyPrivately(text);
  }

  threadId(): string | undefined {
    return this.#threadId;
  }

  private async tryCv2(final: Cv2Final): Promise<boolean> {
    try {
      await this.anchor.editCv2(final.body);
      return true;
    } catch (error) {
      // A refused CV2 edit changes nothing, so the plain edit that follows is safe.
      this.#cv2Refused = true;
      this.options.onError?.(error, "Components V2 final (plain content instead)");
      return false;
    }
  }

  /** The channel drafts go to, created once; a failed creation is retried by the next post. */
  private threadChannel(name: string): Promise<SendableChannels> {
    this.#thread ??= this.createThread(name).catch((error: unknown) => {
      this.#thread = undefined;
      throw error;
    });
    return this.#thread;
  }

  private async createThread(name: string): Promise<SendableChannels> {
    const answer = this.#answer ?? this.anchor.existing;
    if (!answer) throw new Error("postInThread before open");
    // A regenerated or resumed answer already has its drafts thread: a second start would be refused.
    const existing = answer.thread;
    if (existing) {
      this.#threadId = existing.id;
      return existing;
    }
    const here = answer.channel ?? (await answer.client.channels.fetch(answer.channelId));
    if (!here?.isSendable()) throw new Error(`channel ${answer.channelId} is not sendable`);
    if (here.isThread() || here.isDMBased()) {
      this.#threadId = here.id;
      return here;
    }
    const thread = await answer.startThread({
      name: clipThreadName(name),
      autoArchiveDuration: ARCHIVE_AFTER,
    });
    this.#threadId = thread.id;
    return thread;
  }
}

/** The presenter's final text without its footer line (CV2 shows its own footer). */
function stripFooter(text: string, view: RunView): string {
  const foot = footer(view);
  return text.endsWith(foot) ? text.slice(0, -foot.length).trimEnd() : text;
}
