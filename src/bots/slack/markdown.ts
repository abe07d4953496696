import type { types } from "@slack/bolt";

/**
 * Slack's `markdown` block renders standard Markdown (headings, lists, tables, fenced code),
 * which is what models write, so answers are sent as-is instead of converted to mrkdwn.
 * One block per message, because the 12,000-character limit is counted across all markdown
 * blocks of a message (docs.slack.dev/reference/block-kit/blocks/markdown-block).
 */
export const MARKDOWN_BLOCK_MAX_CHARS = 12_000;

/** Notification previews are short; the fallback need not carry the whole answer. */
const FALLBACK_MAX_CHARS = 280;

/** Body of a Slack message: one markdown block plus the plain-text fallback for notifications. */
export interface SlackMessageBody {
  /** Exactly one `markdown` block holding the text. */
  blocks: types.KnownBlock[];
  /** Plain text for notifications and clients without Block Kit (mrkdwn-escaped). */
  text: string;
}

/** Builds the message body for already neutralised Markdown within `MARKDOWN_BLOCK_MAX_CHARS`. */
export function slackMessage(markdown: string): SlackMessageBody {
  // An empty markdown block is rejected by Slack; a single space keeps edits valid.
  const text = markdown.trim() === "" ? " " : markdown;
  return { blocks: [{ type: "markdown", text }], text: fallbackText(text) };
}

/**
 * First words of the message as plain text. `text` is parsed as mrkdwn, so `&`, `<`, `>` are
 * escaped (nothing in it can become a link or a mention) and Markdown emphasis is dropped.
 */
export function fallbackText(markdown: string): string {
  const plain = markdown
    .replace(/```[^\n]*\n?/g, "")
    .replace(/\*\*|__|~~|`/g, "")
    .replace(/^#{1,6}\s+/gm, "")
    .replace(/\s+/g, " ")
    .trim();
  const cut =
    plain.length > FALLBACK_MAX_CHARS ? `${plain.slice(0, FALLBACK_MAX_CHARS - 1)}…` : plain;
  return (cut || "MoA").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
