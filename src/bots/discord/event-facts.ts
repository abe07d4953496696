import {
  type Channel,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
  type Message,
  PermissionFlagsBits,
} from "discord.js";
import type { OptionValue } from "./command-definitions.js";
import type { CommandFacts, MessageFacts } from "./to-invocation.js";

/** True for a thread the bot started (its drafts threads). */
function isBotThread(channel: Channel | null, botId: string): boolean {
  return channel?.isThread() === true && channel.ownerId === botId;
}

/** The conversation's place: a thread counts under its parent channel, as a Slack thread does. */
export function place(
  channelId: string,
  channel: Channel | null,
): { channelId: string; threadId: string | null } {
  return channel?.isThread() && channel.parentId
    ? { channelId: channel.parentId, threadId: channelId }
    : { channelId, threadId: null };
}

/** Reads what `messageToInvocation` needs off a discord.js Message. */
export function messageFacts(message: Message, botId: string): MessageFacts {
  const member = message.member;
  return {
    id: message.id,
    content: message.content,
    guildId: message.guildId,
    ...place(message.channelId, message.channel),
    authorId: message.author.id,
    // System notices and webhook posts are not people asking.
    authorIsBot: message.author.bot || message.system || message.webhookId !== null,
    mentionsBot: message.mentions.users.has(botId),
    replyToId: message.reference?.messageId ?? null,
    inBotThread: isBotThread(message.channel, botId),
    authorCanManageChannels:
      member !== null && message.inGuild()
        ? (message.channel.permissionsFor(member)?.has(PermissionFlagsBits.ManageChannels) ?? false)
        : false,
  };
}

function optionValues(options: readonly CommandInteractionOption[]): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const o of options) {
    if (o.options) Object.assign(out, optionValues(o.options));
    else if (o.value !== undefined) out[o.name] = o.value;
  }
  return out;
}

/** Reads what `commandToInvocation` needs off a slash-command interaction. */
export function commandFacts(interaction: ChatInputCommandInteraction): CommandFacts {
  return {
    id: interaction.id,
    commandName: interaction.commandName,
    subcommand: interaction.options.getSubcommand(false),
    options: optionValues(interaction.options.data),
    guildId: interaction.guildId,
    ...place(interaction.channelId, interaction.channel),
    userId: interaction.user.id,
    // Resolved by Discord for this member in this channel, overwrites included.
    canManageChannels:
      interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels) ?? false,
  };
}
