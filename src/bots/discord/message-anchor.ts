import type { Message } from "discord.js";
import type { Cv2Final } from "./cv2-final.js";
import type { Anchor } from "./discord-sink.js";
import { NO_MENTIONS } from "./profile.js";
import type { ButtonRows } from "./stop-button.js";

/** The slice of the asker's message the anchor uses. */
export type RepliableMessage = Pick<Message, "reply">;

/**
 * Answers an @mention (or a follow-up in a drafts thread) with a reply to it, then
 * edits that reply with the bot token, which never expires. Messages cannot be
 * answered ephemerally, so a private note is an ordinary reply.
 */
export class MessageAnchor implements Anchor {
  #reply: Message | undefined;

  constructor(private readonly asked: RepliableMessage) {}

  async open(text: string, components?: ButtonRows): Promise<Message> {
    this.#reply = await this.asked.reply({
      content: text,
      allowedMentions: NO_MENTIONS,
      ...(components && { components }),
    });
    return this.#reply;
  }

  async edit(text: string, components: ButtonRows = []): Promise<void> {
    if (!this.#reply) throw new Error("edit before open");
    this.#reply = await this.#reply.edit({
      content: text,
      allowedMentions: NO_MENTIONS,
      components,
    });
  }

  async editCv2(body: Cv2Final["body"]): Promise<void> {
    if (!this.#reply) throw new Error("edit before open");
    this.#reply = await this.#reply.edit({ ...body, allowedMentions: NO_MENTIONS });
  }

  async replyPrivately(text: string): Promise<void> {
    await this.asked.reply({ content: text, allowedMentions: NO_MENTIONS });
  }

  async close(): Promise<void> {
    // Nothing is ever left pending: a message reply has no deadline to meet.
  }
}
