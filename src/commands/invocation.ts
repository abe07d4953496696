/** Chat platforms moa-bot speaks to (`web`: the local playground, src/bots/web). */
export type Platform = "slack" | "discord" | "web";

/**
 * A platform event reduced to what commands need; produced by the pure
 * `bots/<platform>/to-invocation.ts`. After it, no code branches on platform.
 */
export interface Invocation {
  /** Where it came from (used for store keys and data-driven formatting only). */
  platform: Platform;
  /** Slack team id / Discord guild id ("dm" for Discord DMs). */
  workspaceId: string;
  /** Channel id. */
  channelId: string;
  /** Thread the conversation lives in (Slack root ts / Discord thread id), when known. */
  threadId?: string;
  /**
   * Message this one replies to (a Discord reply), when it is not in a thread already: a
   * thread started from a message shares that message's id, so it names the answer's thread.
   */
  repliesTo?: string;
  /** User who asked. */
  userId: string;
  /** `command`: /moa ...; `mention`: @bot ...; `thread-reply`: a message in a bot thread. */
  source: "command" | "mention" | "thread-reply";
  /** Text after `/moa` or after the bot mention, trimmed (Discord options are rendered into this same grammar). */
  text: string;
  /** Preset chosen for this one run (Discord `/moa preset:` option), overriding the channel's. */
  presetOverride?: string;
  /** Platform says the user may manage the channel (Discord Manage Channels; Slack admin/owner when known). */
  platformAdmin: boolean;
  /** Dedup key for this delivery (Slack event_id / channel+ts, Discord message or interaction id). */
  eventKey: string;
}
