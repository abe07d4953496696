import { type Message, MessageFlags } from "discord.js";
import { type Cv2Final, cv2Text } from "./cv2-final.js";
import type { Anchor } from "./discord-sink.js";
import { NO_MENTIONS } from "./profile.js";
import type { ButtonRows } from "./stop-button.js";

/**
 * An answer message that already exists (a regenerate, or a run resumed after a crash):
 * `open` and `edit` rewrite it with the bot token, which never expires; private notes go
 * where the caller says (an ephemeral follow-up of a press, or a reply). A message that
 * is already Components V2 (a native final being regenerated) stays CV2.
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

  /** Plain content, or on a Components V2 message (a native final) the same text and buttons as CV2. */
  async edit(text: string, components: ButtonRows = []): Promise<void> {
    if (this.isCv2()) return this.editCv2(cv2Text(text, components));
    this.existing = await this.existing.edit({
      content: text,
      allowedMentions: NO_MENTIONS,
      components,
    });
  }

  /** True when the message carries the Components V2 flag, which no edit can remove. */
  isCv2(): boolean {
    return this.existing.flags.has(MessageFlags.IsComponentsV2);
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
