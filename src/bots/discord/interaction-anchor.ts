import {
  type ChatInputCommandInteraction,
  DiscordAPIError,
  type Message,
  type MessageEditOptions,
  MessageFlags,
  RESTJSONErrorCodes,
} from "discord.js";
import type { Cv2Final } from "./cv2-final.js";
import type { Anchor } from "./discord-sink.js";
import { NO_MENTIONS } from "./profile.js";
import type { ButtonRows } from "./stop-button.js";

/** The slice of a slash-command interaction the anchor uses. */
export type ReplyableInteraction = Pick<
  ChatInputCommandInteraction,
  | "reply"
  | "deferReply"
  | "editReply"
  | "fetchReply"
  | "followUp"
  | "deleteReply"
  | "replied"
  | "deferred"
  | "client"
>;

/**
 * Interaction tokens die 15 minutes after the interaction was created; past 14
 * minutes (one minute spare for clock skew and a slow request) the anchor stops
 * trusting the token and edits through the channel with the bot token.
 */
export const INTERACTION_TOKEN_SAFE_MS = 14 * 60_000;

/** Discord wants a first response within 3 s; when nothing was sent after this long, defer. */
export const DEFER_AFTER_MS = 2_000;

/** Tuning and clock of an interaction anchor. */
export interface InteractionAnchorOptions {
  /** Clock, ms (injected so tests can jump past the token's lifetime). */
  now: () => number;
  /** When the interaction arrived, by `now`. */
  receivedAt: number;
  /** Real-time delay before an unanswered interaction is deferred, ms. */
  deferAfterMs?: number;
  /** Where failures that cannot reach the caller (the automatic deferral) are reported. */
  onError?: (error: unknown, what: string) => void;
}

const DEAD_TOKEN_CODES = new Set<number | string>([
  RESTJSONErrorCodes.InvalidWebhookToken,
  RESTJSONErrorCodes.UnknownWebhook,
  RESTJSONErrorCodes.UnknownInteraction,
]);

/** True when Discord refused a call because the interaction token expired. */
export function isDeadTokenError(error: unknown): boolean {
  return error instanceof DiscordAPIError && DEAD_TOKEN_CODES.has(error.code);
}

/**
 * Answers a slash command: replies within the 3 s deadline (deferring on its own if
 * the caller is slow to open), edits through the interaction token while it lives,
 * then edits the same message with the bot token so a long run loses nothing.
 */
export class InteractionAnchor implements Anchor {
  #message: Message | undefined;
  #tokenDead = false;
  #deferTimer: NodeJS.Timeout | undefined;
  #deferring: Promise<unknown> | undefined;
  readonly #options: Required<InteractionAnchorOptions>;

  constructor(
    private readonly interaction: ReplyableInteraction,
    options: InteractionAnchorOptions,
  ) {
    this.#options = {
      now: options.now,
      receivedAt: options.receivedAt,
      deferAfterMs: options.deferAfterMs ?? DEFER_AFTER_MS,
      onError: options.onError ?? (() => {}),
    };
    this.#deferTimer = setTimeout(() => {
      this.#deferring = this.interaction
        .deferReply()
        .catch((error: unknown) => this.#options.onError(error, "defer"));
    }, this.#options.deferAfterMs);
  }

  async open(text: string, components?: ButtonRows): Promise<Message> {
    await this.settleDeferral();
    const body = { content: text, allowedMentions: NO_MENTIONS, ...(components && { components }) };
    if (this.interaction.deferred || this.interaction.replied) {
      this.#message = await this.interaction.editReply(body);
    } else {
      const response = await this.interaction.reply({ ...body, withResponse: true });
      this.#message = response.resource?.message ?? (await this.interaction.fetchReply());
    }
    return this.#message;
  }

  async edit(text: string, components: ButtonRows = []): Promise<void> {
    await this.send({ content: text, allowedMentions: NO_MENTIONS, components });
  }

  async editCv2(body: Cv2Final["body"]): Promise<void> {
    await this.send({ ...body, allowedMentions: NO_MENTIONS });
  }

  /** Edits through the interaction token while it lives, else through the channel with the bot token. */
  private async send(body: MessageEditOptions): Promise<void> {
    if (this.tokenAlive()) {
      try {
        await this.interaction.editReply(body);
        return;
      } catch (error) {
        if (!isDeadTokenError(error)) throw error;
        this.#tokenDead = true;
      }
    }
    const message = this.#message;
    if (!message) throw new Error("edit before open");
    // The reply is an ordinary (non-ephemeral) message of the bot, so the channel route can edit it.
    const channel = await message.client.channels.fetch(message.channelId);
    if (!channel?.isTextBased()) throw new Error(`channel ${message.channelId} is not text-based`);
    await channel.messages.edit(message.id, body);
  }

  async replyPrivately(text: string): Promise<void> {
    await this.settleDeferral();
    const body = {
      content: text,
      allowedMentions: NO_MENTIONS,
      flags: MessageFlags.Ephemeral,
    } as const;
    if (!this.interaction.deferred && !this.interaction.replied) {
      await this.interaction.reply(body);
      return;
    }
    if (!this.tokenAlive()) throw new Error("interaction token expired; cannot reply privately");
    // A public "thinking…" placeholder with nothing in it would outlive the private note.
    if (this.interaction.deferred && !this.#message)
      await this.interaction.deleteReply().catch(() => {});
    await this.interaction.followUp(body);
  }

  /** Ends the anchor: a deferral nobody answered is removed rather than left "thinking" forever. */
  async close(): Promise<void> {
    const placeholder = this.#deferring !== undefined;
    await this.settleDeferral();
    if (placeholder && this.interaction.deferred && !this.interaction.replied && !this.#message) {
      await this.interaction.deleteReply().catch(() => {});
    }
  }

  private tokenAlive(): boolean {
    return (
      !this.#tokenDead && this.#options.now() - this.#options.receivedAt < INTERACTION_TOKEN_SAFE_MS
    );
  }

  private async settleDeferral(): Promise<void> {
    clearTimeout(this.#deferTimer);
    await this.#deferring;
  }
}
