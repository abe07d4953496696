import type { PlatformProfile } from "../chat-sink.js";

/**
 * The playground as data for the shared presenter: a local page has no rate limit and no
 * message cap worth splitting for, and no mentions to neutralise (the page escapes all
 * model text as HTML itself). Edits every 250 ms keep the receipt lively without flooding.
 */
export const webProfile: PlatformProfile = {
  name: "web",
  maxMessageChars: 200_000,
  editIntervalMs: 250,
  neutralize: (text) => text,
};
