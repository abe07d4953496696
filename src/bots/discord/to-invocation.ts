import type { Invocation } from "../../commands/invocation.js";
import { commandText, type OptionValue } from "./command-definitions.js";

/** What a message needs to become an invocation, read off a discord.js Message by the bot. */
export interface MessageFacts {
  /** Message id (the dedup key). */
  id: string;
  /** Raw content; empty without the Message Content intent unless the bot is mentioned or it is a DM. */
  content: string;
  /** Guild id, null in DMs. */
  guildId: string | null;
  /** Channel id; for a message in a thread, the thread's parent (where the channel preset lives). */
  channelId: string;
  /** Thread id when the message is in a thread, else null. */
  threadId: string | null;
  /** Author id. */
  authorId: string;
  /** Author is a bot or a webhook. */
  authorIsBot: boolean;
  /** The bot user itself is mentioned (not via @everyone or a role). */
  mentionsBot: boolean;
  /** The channel is a thread the bot started (a drafts thread). */
  inBotThread: boolean;
  /** Author has Manage Channels in the channel. */
  authorCanManageChannels: boolean;
  /** Id of the message this one replies to (a Discord reply), else null. */
  replyToId?: string | null;
}

/** What a slash command needs to become an invocation, read off a ChatInputCommandInteraction. */
export interface CommandFacts {
  /** Interaction id (the dedup key). */
  id: string;
  /** Command name, e.g. `moa`. */
  commandName: string;
  /** Subcommand name, null when the command has none. */
  subcommand: string | null;
  /** Option values by name (subcommand options flattened). */
  options: Record<string, OptionValue>;
  /** Guild id, null in DMs. */
  guildId: string | null;
  /** Channel id; in a thread, the thread's parent. */
  channelId: string;
  /** Thread id when run in a thread, else null. */
  threadId: string | null;
  /** Invoking user id. */
  userId: string;
  /** Member has Manage Channels (Discord's resolved permissions in the channel). */
  canManageChannels: boolean;
}

/** Who the bot is and what it accepts. */
export interface DiscordContext {
  /** Bot user id. */
  botId: string;
  /** Answer DMs (DISCORD_ALLOW_DMS). */
  allowDms: boolean;
}

/** Removes the bot's own mention (`<@id>` or the legacy `<@!id>`) wherever it appears. */
export function stripBotMention(content: string, botId: string): string {
  return content
    .replaceAll(`<@${botId}>`, " ")
    .replaceAll(`<@!${botId}>`, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * A message becomes an invocation when a human mentions the bot, writes in one of
 * the bot's drafts threads (a follow-up), or DMs it where DMs are allowed; anything
 * else, bots included (the bot itself above all), yields undefined. In a thread the
 * channel is the thread's parent and the thread keys the conversation, as on Slack.
 * A mention is read for commands wherever it is (`@MoA regenerate` in a drafts thread);
 * an unmentioned follow-up is always a question.
 */
export function messageToInvocation(m: MessageFacts, ctx: DiscordContext): Invocation | undefined {
  if (m.authorIsBot || m.authorId === ctx.botId) return undefined;
  const text = stripBotMention(m.content, ctx.botId);
  const base = {
    platform: "discord" as const,
    channelId: m.channelId,
    userId: m.authorId,
    text,
    platformAdmin: m.authorCanManageChannels,
    eventKey: `discord:msg:${m.id}`,
  };
  if (m.guildId === null) {
    if (!ctx.allowDms || text === "") return undefined;
    // A DM channel is one long conversation: its id keys the history.
    return { ...base, workspaceId: "dm", threadId: m.channelId, source: "mention" };
  }
  const thread = m.threadId === null ? {} : { threadId: m.threadId };
  if (m.inBotThread && !m.mentionsBot) {
    // Without the Message Content intent an unmentioned follow-up arrives empty: nothing to answer.
    if (text === "") return undefined;
    return { ...base, ...thread, workspaceId: m.guildId, source: "thread-reply" };
  }
  if (!m.mentionsBot) return undefined;
  // A reply outside threads names the replied-to answer's thread (which shares its id).
  const replied = m.threadId === null && m.replyToId ? { repliesTo: m.replyToId } : {};
  return { ...base, ...thread, ...replied, workspaceId: m.guildId, source: "mention" };
}

/**
 * A slash command becomes an invocation in the text grammar commands share with
 * Slack (`/moa prompt:` -> `ask <prompt>`, `/moa-preset use name:x` -> `preset use x`);
 * unknown commands yield undefined. Run in a thread (or a DM), it continues that conversation.
 */
export function commandToInvocation(c: CommandFacts, ctx: DiscordContext): Invocation | undefined {
  if (c.guildId === null && !ctx.allowDms) return undefined;
  const rendered = commandText(c.commandName, c.subcommand, c.options);
  if (!rendered) return undefined;
  const threadId = c.guildId === null ? c.channelId : c.threadId;
  return {
    platform: "discord",
    workspaceId: c.guildId ?? "dm",
    channelId: c.channelId,
    ...(threadId !== null && { threadId }),
    userId: c.userId,
    source: "command",
    text: rendered.text,
    ...(rendered.presetOverride !== undefined && { presetOverride: rendered.presetOverride }),
    platformAdmin: c.canManageChannels,
    eventKey: `discord:cmd:${c.id}`,
  };
}
