import { type ButtonInteraction, type Message, MessageFlags } from "discord.js";
import type { Anchor } from "./discord-sink.js";
import { NO_MENTIONS } from "./profile.js";
import type { ButtonRows } from "./stop-button.js";

/**
 * An answer message that already exists (regenerate): `open` and `edit` rewrite it with the
 * bot token; private notes follow up the (already acknowledged) button press ephemerally.
 */
export class ExistingMessageAnchor implements Anchor {
  constructor(
    private readonly press: Pick<ButtonInteraction, "followUp">,
    public existing: Message,
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

  async replyPrivately(text: string): Promise<void> {
    await this.press.followUp({
      content: text,
      flags: MessageFlags.Ephemeral,
      allowedMentions: NO_MENTIONS,
    });
  }

  async close(): Promise<void> {
    // The press was acknowledged before the regenerate started; nothing is pending.
  }
}
