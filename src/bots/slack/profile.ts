import type { PlatformProfile } from "../chat-sink.js";
import type { EditRate } from "../edit-budget.js";
import { EDIT_INTERVAL_MS } from "../render-policy.js";
import { MARKDOWN_BLOCK_MAX_CHARS } from "./markdown.js";
import { neutralizeSlack } from "./neutralize.js";

/**
 * chat.update is Tier 3: "50+ per minute" per method per workspace, "sporadic bursts are
 * welcome" (docs.slack.dev/apis/web-api/rate-limits). The budget keeps to 50 in any minute and
 * leaves 25 of them to final edits, so 20 runs finishing together are not queued behind
 * progress edits (which then come about every 40 s per run, instead of every second).
 */
export const SLACK_EDIT_RATE: EditRate = {
  scope: "workspace",
  limit: 50,
  windowMs: 60_000,
  reserveForFinal: 25,
};

/**
 * Slack as data for the shared presenter. Bodies go into one markdown block (12,000 chars);
 * edits of one message at most once a second, and all runs of a workspace share
 * `SLACK_EDIT_RATE`.
 */
export const slackProfile: PlatformProfile = {
  name: "slack",
  maxMessageChars: MARKDOWN_BLOCK_MAX_CHARS,
  editIntervalMs: EDIT_INTERVAL_MS,
  neutralize: neutralizeSlack,
  editRate: SLACK_EDIT_RATE,
};
