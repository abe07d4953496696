import { type Message, type SendableChannels, ThreadAutoArchiveDuration } from "discord.js";
import type { ChatSink, MessageControls } from "../chat-sink.js";
import { feedbackRows } from "./feedback-buttons.js";
import { NO_MENTIONS } from "./profile.js";
import { type ButtonRows, StopButtons } from "./stop-button.js";

/**
 * Where the answer message lives and how it is posted and edited: an interaction
 * reply (`interaction-anchor.ts`) or a reply to a mention (`message-anchor.ts`).
 */
export interface Anchor {
  /** Posts the interim message (with `components`, when given) and returns it. */
  open(text: string, components?: ButtonRows): Promise<Message>;
  /** Replaces the interim message's text and components (after `open`); none (`[]`) by default. */
  edit(text: string, components?: ButtonRows): Promise<void>;
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

  constructor(
    private readonly anchor: Anchor,
    private readonly stopButtons: StopButtons = sharedStopButtons,
  ) {}

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

  async edit(text: string, controls?: MessageControls): Promise<void> {
    await this.anchor.edit(text, [
      ...this.stopButtons.components(controls),
      ...feedbackRows(controls),
    ]);
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
