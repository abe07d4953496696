import type { PlatformProfile } from "../chat-sink.js";
import { EDIT_INTERVAL_MS } from "../render-policy.js";
import { MARKDOWN_BLOCK_MAX_CHARS } from "./markdown.js";
import { neutralizeSlack } from "./neutralize.js";

/**
 * Slack as data for the shared presenter. Bodies go into one markdown block (12,000 chars);
 * chat.update is Tier 3 (50+/min per workspace), so about one edit per second per message
 * leaves room for a few runs in parallel before the WebClient has to wait out a 429.
 */
export const slackProfile: PlatformProfile = {
  name: "slack",
  maxMessageChars: MARKDOWN_BLOCK_MAX_CHARS,
  editIntervalMs: EDIT_INTERVAL_MS,
  neutralize: neutralizeSlack,
};
