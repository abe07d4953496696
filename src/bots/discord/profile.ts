import type { MessageMentionOptions } from "discord.js";
import type { PlatformProfile } from "../chat-sink.js";
import type { EditRate } from "../edit-budget.js";

/** Max characters of a bot message's `content` on Discord. */
export const DISCORD_MAX_CONTENT_CHARS = 2_000;

/**
 * Min gap between two edits of one message, ms. Discord publishes no number for
 * edits; bot authors observe about 5 edits per 5 s per channel, and drafts posted
 * in the thread share that budget, so one edit a second leaves room for them.
 */
export const DISCORD_EDIT_INTERVAL_MS = 1_000;

const ZWSP = "\u200b";

/**
 * Breaks every mention form Discord parses so model text can never notify anyone,
 * even if a send forgot `allowedMentions` (defence in depth): `@everyone`, `@here`,
 * users `<@id>` / `<@!id>`, roles `<@&id>`. A zero-width space keeps the text
 * readable while Discord no longer recognises the token.
 */
export function neutralizeDiscord(text: string): string {
  return text
    .replace(/@(everyone|here)\b/gi, `@${ZWSP}$1`)
    .replace(/<@([!&]?\d+)>/g, `<@${ZWSP}$1>`);
}

/**
 * Edits per channel: Discord publishes no number (clients must read X-RateLimit-* headers);
 * buckets are per route and top-level resource (the channel), and about 5 per 5 s is what bot
 * authors observe. Two of each window are left to final edits.
 */
export const DISCORD_EDIT_RATE: EditRate = {
  scope: "channel",
  limit: 5,
  windowMs: 5_000,
  reserveForFinal: 2,
};

/** Longest wait for one REST request, ms (discord.js default 15 s, with 3 retries). */
export const DISCORD_REST_TIMEOUT_MS = 10_000;

/** Retries of a failed or timed-out REST request (so one call is bounded by about 3 timeouts). */
export const DISCORD_REST_RETRIES = 2;

/** Discord's limits and formatting, as data for the shared presenter. */
export const discordProfile: PlatformProfile = {
  name: "discord",
  maxMessageChars: DISCORD_MAX_CONTENT_CHARS,
  editIntervalMs: DISCORD_EDIT_INTERVAL_MS,
  neutralize: neutralizeDiscord,
  editRate: DISCORD_EDIT_RATE,
};

/**
 * `allowedMentions` for every message the bot sends or edits: nothing Discord
 * parses in the text may notify anyone, and a reply does not ping its author.
 */
export const NO_MENTIONS: MessageMentionOptions = Object.freeze({ parse: [], repliedUser: false });
