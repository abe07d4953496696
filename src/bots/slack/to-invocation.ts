import type { Invocation } from "../../commands/invocation.js";

/** The fields of a `/moa` slash command payload this adapter reads. */
export interface SlackCommandPayload {
  /** Workspace id. */
  team_id: string;
  /** Channel the command was typed in. */
  channel_id: string;
  /** User who typed it. */
  user_id: string;
  /** Everything after `/moa`, as Slack sends it (entity-escaped). */
  text: string;
  /** Unique per invocation; Slack does not retry commands, but a key keeps the flow uniform. */
  trigger_id: string;
}

/** The fields of an `app_mention` or `message` event this adapter reads. */
export interface SlackMessagePayload {
  /** `app_mention` or `message`. */
  type: string;
  /** Set for edits, deletions, joins, bot posts... (ignored) and a few question-bearing kinds (kept). */
  subtype?: string | undefined;
  /** Author; absent for some system messages. */
  user?: string | undefined;
  /** Set when a bot (this one included) wrote the message. */
  bot_id?: string | undefined;
  /** Message text in Slack markup. */
  text?: string | undefined;
  /** Message id (unique within the channel). */
  ts: string;
  /** Root of the thread the message is in, when it is in one. */
  thread_ts?: string | undefined;
  /** Channel id. */
  channel: string;
}

/** Who the bot is in this workspace (from auth.test, via Bolt's context). */
export interface SlackSelf {
  /** The bot's user id, e.g. U0BOT; mentions of it are `<@U0BOT>`. */
  botUserId: string;
  /** The bot's bot id, e.g. B0BOT; its own messages carry it. */
  botId?: string | undefined;
}

/** `/moa ...` as an invocation. The dedup key uses trigger_id (unique per command). */
export function commandToInvocation(cmd: SlackCommandPayload): Invocation {
  return {
    platform: "slack",
    workspaceId: cmd.team_id,
    channelId: cmd.channel_id,
    userId: cmd.user_id,
    source: "command",
    text: slackToPlain(cmd.text),
    platformAdmin: false,
    eventKey: `slack:${cmd.team_id}:cmd:${cmd.trigger_id}`,
  };
}

/**
 * An `app_mention` as an invocation answered in the mention's thread (`thread_ts ?? ts`);
 * undefined when it must be ignored (bots, subtypes).
 */
export function mentionToInvocation(
  event: SlackMessagePayload,
  teamId: string,
  self: SlackSelf,
): Invocation | undefined {
  if (!isHumanMessage(event, self)) return undefined;
  return messageInvocation(event, teamId, self, "mention");
}

/**
 * A reply in a thread as a follow-up; undefined for anything else. A reply that mentions the
 * bot is left to its `app_mention` twin (which answers even outside the bot's threads); both
 * would share one dedup key anyway.
 */
export function threadReplyToInvocation(
  event: SlackMessagePayload,
  teamId: string,
  self: SlackSelf,
): Invocation | undefined {
  if (!isHumanMessage(event, self)) return undefined;
  if (event.thread_ts === undefined || event.thread_ts === event.ts) return undefined;
  if (mentionPattern(self.botUserId).test(event.text ?? "")) return undefined;
  return messageInvocation(event, teamId, self, "thread-reply");
}

/**
 * A direct message to the app (`message.im`, the app's Messages tab): every DM is one
 * conversation with history, like a thread (its id is the DM channel), whether written at
 * the top level or in a reply thread; commands work as in a mention. Undefined for bots,
 * the bot itself, edits and other subtypes.
 */
export function directMessageToInvocation(
  event: SlackMessagePayload,
  teamId: string,
  self: SlackSelf,
): Invocation | undefined {
  if (!isHumanMessage(event, self)) return undefined;
  return { ...messageInvocation(event, teamId, self, "mention"), threadId: event.channel };
}

/** Message subtypes that still carry a person's question: a reply also sent to the channel, a reply with a file. */
const QUESTION_SUBTYPES = new Set(["thread_broadcast", "file_share"]);

function isHumanMessage(
  event: SlackMessagePayload,
  self: SlackSelf,
): event is SlackMessagePayload & { user: string } {
  if (event.subtype !== undefined && !QUESTION_SUBTYPES.has(event.subtype)) return false;
  if (event.bot_id !== undefined) return false;
  return event.user !== undefined && event.user !== self.botUserId;
}

function messageInvocation(
  event: SlackMessagePayload & { user: string },
  teamId: string,
  self: SlackSelf,
  source: "mention" | "thread-reply",
): Invocation {
  return {
    platform: "slack",
    workspaceId: teamId,
    channelId: event.channel,
    threadId: event.thread_ts ?? event.ts,
    userId: event.user,
    source,
    text: slackToPlain(stripBotMention(event.text ?? "", self.botUserId)),
    platformAdmin: false,
    // The same key for an app_mention and its `message` twin, and for Events API retries.
    eventKey: `slack:${teamId}:${event.channel}:${event.ts}`,
  };
}

function mentionPattern(botUserId: string): RegExp {
  return new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, "g");
}

/** Removes every `<@BOT>` / `<@BOT|name>` from a message and trims it. */
export function stripBotMention(text: string, botUserId: string): string {
  return text
    .replace(mentionPattern(botUserId), " ")
    .replace(/[ \t]+/g, " ")
    .trim();
}

/**
 * Slack markup to the plain text a model should read: links unwrapped, entities decoded
 * (Slack escapes `&`, `<`, `>` in user text). Other users' mentions stay as `<@U…>`.
 */
export function slackToPlain(text: string): string {
  return text
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, (_a, url: string, label: string) =>
      label === url || url.endsWith(label) ? url : `${label} (${url})`,
    )
    .replace(/<((?:https?|mailto):[^>]+)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .trim();
}
