import type { Client, Message } from "discord.js";
import type { Cv2Final } from "./cv2-final.js";
import type { Anchor } from "./discord-sink.js";
import { NO_MENTIONS } from "./profile.js";
import type { ButtonRows } from "./stop-button.js";

/**
 * The answer message of a run resumed after a crash: it already exists, so `open` edits it
 * (with the bot token, which never expires, unlike the original interaction's token).
 */
export class ExistingMessageAnchor implements Anchor {
  #message: Message | undefined;

  constructor(
    private readonly client: Client,
    private readonly channelId: string,
    private readonly messageId: string,
  ) {}

  async open(text: string, components: ButtonRows = []): Promise<Message> {
    const channel = await this.client.channels.fetch(this.channelId);
    if (!channel?.isTextBased()) throw new Error(`channel ${this.channelId} is not text-based`);
    const message = await channel.messages.fetch(this.messageId);
    this.#message = await message.edit({ content: text, allowedMentions: NO_MENTIONS, components });
    return this.#message;
  }

  async edit(text: string, components: ButtonRows = []): Promise<void> {
    if (!this.#message) throw new Error("edit before open");
    this.#message = await this.#message.edit({
      content: text,
      allowedMentions: NO_MENTIONS,
      components,
    });
  }

  async editCv2(body: Cv2Final["body"]): Promise<void> {
    if (!this.#message) throw new Error("edit before open");
    this.#message = await this.#message.edit({ ...body, allowedMentions: NO_MENTIONS });
  }

  async replyPrivately(text: string): Promise<void> {
    if (!this.#message) throw new Error("reply before open");
    await this.#message.reply({ content: text, allowedMentions: NO_MENTIONS });
  }

  async close(): Promise<void> {
    // Nothing pending: no interaction is being answered.
  }
}
