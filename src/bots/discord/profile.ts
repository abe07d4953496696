import type { MessageMentionOptions } from "discord.js";
import type { PlatformProfile } from "../chat-sink.js";

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

/** Discord's limits and formatting, as data for the shared presenter. */
export const discordProfile: PlatformProfile = {
  name: "discord",
  maxMessageChars: DISCORD_MAX_CONTENT_CHARS,
  editIntervalMs: DISCORD_EDIT_INTERVAL_MS,
  neutralize: neutralizeDiscord,
};

/**
 * `allowedMentions` for every message the bot sends or edits: nothing Discord
 * parses in the text may notify anyone, and a reply does not ping its author.
 */
export const NO_MENTIONS: MessageMentionOptions = Object.freeze({ parse: [], repliedUser: false });
