import type { FakeDiscord } from "./fake-discord.js";
import { allComponents } from "./fake-discord-cv2.js";
import {
  ADMIN_ROLE_ID,
  alice,
  buttonPress,
  interaction,
  type Json,
  message,
  type OptionData,
  snowflake,
} from "./fake-discord-payloads.js";

export { alice, bob, otherBot } from "./fake-discord-payloads.js";

/** What a user types in a channel. */
export interface UserMessage {
  /** Text as typed; `<@bot>` is prepended when `mentionBot`. */
  content: string;
  /** Channel or thread id (default: the guild's text channel). */
  channelId?: string;
  /** Put a bot mention in front and in `mentions`. */
  mentionBot?: boolean;
  /** Author (default alice). */
  author?: Json;
  /** Author holds the admin role (Manage Channels). */
  admin?: boolean;
  /** Send as a DM (no guild; default channel: alice's DM with the bot). */
  dm?: boolean;
  /** Id of a message in the same channel this one replies to (a Discord reply). */
  replyTo?: string;
}

/** A user posts a message: dispatched as MESSAGE_CREATE; returns the message. */
export function postAsUser(fake: FakeDiscord, m: UserMessage): Json {
  const channelId = m.channelId ?? (m.dm ? fake.dmChannelId : fake.channelId);
  const content = m.mentionBot ? `<@${fake.botId}> ${m.content}` : m.content;
  const data = message({
    id: snowflake(),
    channelId,
    guildId: m.dm ? undefined : fake.guildId,
    author: m.author ?? alice,
    // Without the Message Content intent Discord blanks content unless the bot is mentioned (or in DMs).
    content: fake.options.messageContentIntent || m.mentionBot || m.dm ? content : "",
    mentions: m.mentionBot ? [fake.bot] : [],
    roles: m.admin ? [ADMIN_ROLE_ID] : [],
    reference: m.replyTo
      ? { message_id: m.replyTo, channel_id: channelId, guild_id: fake.guildId, type: 0 }
      : undefined,
  });
  if (m.dm) Object.assign(data, { channel_type: 1 });
  fake.messages.set(data.id as string, data);
  fake.gateway.dispatch("MESSAGE_CREATE", data);
  return data;
}

/** A slash command as a user runs it. */
export interface CommandRun {
  /** Command name, e.g. `moa`. */
  name: string;
  /** Options (subcommands nest their own). */
  options: OptionData[];
  /** Member has Manage Channels. */
  admin?: boolean;
  /** Channel or thread id (default: the guild's text channel). */
  channelId?: string;
  /** Autocomplete request instead of a run. */
  autocomplete?: boolean;
}

/** A user runs a slash command: dispatched as INTERACTION_CREATE; returns the interaction. */
export function runCommand(fake: FakeDiscord, run: CommandRun): { id: string; token: string } {
  const id = snowflake();
  const token = `token-${id}`;
  const channel = fake.channels.get(run.channelId ?? fake.channelId) as Json;
  const data = interaction({
    id,
    token,
    appId: fake.appId,
    guildId: fake.guildId,
    channel,
    user: alice,
    permissions: run.admin ? "68624" : "68608",
    commandName: run.name,
    options: run.options,
    autocomplete: run.autocomplete ?? false,
  });
  fake.interactions.set(id, data);
  fake.gateway.dispatch("INTERACTION_CREATE", data);
  return { id, token };
}

/** A press on a button of a message in the fake. */
export interface ButtonPress {
  /** Id of the message carrying the button. */
  messageId: string;
  /** Custom id pressed (default: the message's first button). */
  customId?: string;
  /** Who presses (default alice). */
  user?: Json;
}

/** Custom ids of the buttons a message in the fake carries now, in order. */
export function buttonIds(fake: FakeDiscord, messageId: string): string[] {
  // Rows sit at the top level, or inside a Container on a Components V2 message.
  return allComponents((fake.messages.get(messageId)?.components ?? []) as Json[])
    .filter((c) => c.type === 2)
    .map((c) => String(c.custom_id));
}

/** A user presses a button: dispatched as INTERACTION_CREATE (type 3); returns the interaction. */
export function pressButton(fake: FakeDiscord, press: ButtonPress): { id: string; token: string } {
  const message = fake.messages.get(press.messageId);
  if (!message) throw new Error(`fake Discord: no message ${press.messageId}`);
  const customId = press.customId ?? buttonIds(fake, press.messageId)[0];
  if (customId === undefined)
    throw new Error(`fake Discord: message ${press.messageId} has no button`);
  const id = snowflake();
  const token = `token-${id}`;
  const data = buttonPress({
    id,
    token,
    appId: fake.appId,
    guildId: fake.guildId,
    channel: fake.channels.get(message.channel_id as string) as Json,
    user: press.user ?? alice,
    message: structuredClone(message),
    customId,
  });
  fake.interactions.set(id, data);
  fake.gateway.dispatch("INTERACTION_CREATE", data);
  return { id, token };
}

/** A string option. */
export function opt(name: string, value: string, focused = false): OptionData {
  return { name, type: 3, value, ...(focused && { focused }) };
}

/** A subcommand with its options. */
export function sub(name: string, options: OptionData[] = []): OptionData {
  return { name, type: 1, options };
}

/** Bodies of every message-bearing REST call (sends, edits, replies, follow-ups). */
export function messageBodies(fake: FakeDiscord): Json[] {
  return fake.calls
    .filter(
      (c) =>
        (c.method === "POST" && /^\/channels\/\d+\/messages$/.test(c.path)) ||
        (c.method === "PATCH" && /^\/channels\/\d+\/messages\/\d+$/.test(c.path)) ||
        (/^\/webhooks\//.test(c.path) && (c.method === "POST" || c.method === "PATCH")) ||
        (/\/callback$/.test(c.path) && [4, 7].includes(Number(c.body?.type))),
    )
    .map((c) => (/\/callback$/.test(c.path) ? ((c.body?.data ?? {}) as Json) : (c.body ?? {})));
}
