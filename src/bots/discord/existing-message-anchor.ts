import type { Message } from "discord.js";
import type { Cv2Final } from "./cv2-final.js";
import type { Anchor } from "./discord-sink.js";
import { NO_MENTIONS } from "./profile.js";
import type { ButtonRows } from "./stop-button.js";

/**
 * An answer message that already exists (a regenerate, or a run resumed after a crash):
 * `open` and `edit` rewrite it with the bot token, which never expires; private notes go
 * where the caller says (an ephemeral follow-up of a press, or a reply).
 */
export class ExistingMessageAnchor implements Anchor {
  constructor(
    public existing: Message,
    private readonly privately: (text: string) => Promise<unknown>,
  ) {}

  async open(text: string, components?: ButtonRows): Promise<Message> {
    await this.edit(text, components);
    return this.existing;
  }

  async edit(text: string, components: ButtonRows = []): Promise<void> {
    this.existing = await this.existing.edit({
      content: text,
      allowedMentions: NO_MENTIONS,
      components,
    });
  }

  async editCv2(body: Cv2Final["body"]): Promise<void> {
    this.existing = await this.existing.edit({ ...body, allowedMentions: NO_MENTIONS });
  }

  async replyPrivately(text: string): Promise<void> {
    await this.privately(text);
  }

  async close(): Promise<void> {
    // Nothing is pending: no interaction waits for an answer from this anchor.
  }
}
