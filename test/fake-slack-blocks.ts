/**
 * Block Kit rules the fake Slack applies to every `blocks` it receives (chat.postMessage,
 * chat.update, response_url, chat.stopStream's `blocks` and streamed `blocks` chunks), as
 * docs.slack.dev documents them; Slack answers `invalid_blocks` to a payload that breaks one:
 * - at most 50 blocks per array (stopStream's `blocks` and its chunks' blocks count apart);
 * - a known block type; `block_id` at most 255 chars and unique among the blocks sent;
 * - `actions`: 1..25 interactive elements; a button has `plain_text` text of 1..75 chars,
 *   `action_id` <= 255 (unique within its block), `value` <= 2,000, `style` primary|danger;
 * - `context_actions`: 1..5 elements, each `feedback_buttons` (a positive and a negative
 *   button, each `plain_text` text <= 75 and a value <= 2,000) or `icon_button`.
 */

type Json = Record<string, unknown>;

/** Most blocks in one `blocks` array. */
export const MAX_BLOCKS = 50;
const BLOCK_TYPES = new Set([
  "actions",
  "context",
  "context_actions",
  "divider",
  "file",
  "header",
  "image",
  "input",
  "markdown",
  "rich_text",
  "section",
  "video",
]);
const INTERACTIVE = new Set([
  "button",
  "checkboxes",
  "datepicker",
  "datetimepicker",
  "multi_static_select",
  "multi_users_select",
  "multi_conversations_select",
  "multi_channels_select",
  "multi_external_select",
  "overflow",
  "radio_buttons",
  "static_select",
  "users_select",
  "conversations_select",
  "channels_select",
  "external_select",
  "timepicker",
]);

const tooLong = (v: unknown, max: number) => v !== undefined && String(v).length > max;

/** A `plain_text` object of 1..max chars. */
function plainText(t: unknown, max: number): boolean {
  const o = t as Json | undefined;
  return (
    o?.type === "plain_text" && typeof o.text === "string" && o.text !== "" && o.text.length <= max
  );
}

function buttonProblem(e: Json): string | undefined {
  if (!plainText(e.text, 75)) return "button text must be plain_text of 1..75 chars";
  if (tooLong(e.value, 2_000)) return "button value over 2,000 chars";
  if (tooLong(e.url, 3_000)) return "button url over 3,000 chars";
  if (e.style !== undefined && e.style !== "primary" && e.style !== "danger")
    return "button style must be primary or danger";
  return undefined;
}

function elementProblem(e: Json, seen: Set<string>): string | undefined {
  if (tooLong(e.action_id, 255)) return "action_id over 255 chars";
  if (typeof e.action_id === "string") {
    if (seen.has(e.action_id)) return `duplicate action_id ${e.action_id} in one block`;
    seen.add(e.action_id);
  }
  return e.type === "button" ? buttonProblem(e) : undefined;
}

function feedbackProblem(e: Json): string | undefined {
  for (const side of [e.positive_button, e.negative_button] as Array<Json | undefined>) {
    if (!side || !plainText(side.text, 75)) return "feedback button text must be plain_text";
    if (typeof side.value !== "string" || side.value.length > 2_000)
      return "feedback button value must be a string of at most 2,000 chars";
  }
  return undefined;
}

function blockProblem(b: Json): string | undefined {
  if (!BLOCK_TYPES.has(String(b.type))) return `unknown block type ${String(b.type)}`;
  const elements = b.elements as Json[] | undefined;
  const seen = new Set<string>();
  if (b.type === "actions") {
    if (!Array.isArray(elements) || elements.length < 1 || elements.length > 25)
      return "an actions block holds 1..25 elements";
    for (const e of elements) {
      if (!INTERACTIVE.has(String(e.type)))
        return `${String(e.type)} is not an interactive element`;
      const problem = elementProblem(e, seen);
      if (problem) return problem;
    }
  }
  if (b.type === "context_actions") {
    if (!Array.isArray(elements) || elements.length < 1 || elements.length > 5)
      return "a context_actions block holds 1..5 elements";
    for (const e of elements) {
      if (e.type !== "feedback_buttons" && e.type !== "icon_button")
        return `${String(e.type)} cannot be in context_actions`;
      const problem =
        elementProblem(e, seen) ?? (e.type === "feedback_buttons" ? feedbackProblem(e) : undefined);
      if (problem) return problem;
    }
  }
  if (b.type === "markdown" && typeof b.text !== "string") return "markdown block without text";
  return undefined;
}

/** Why Slack would refuse these blocks (a human-readable reason), or undefined when they are fine. */
export function blocksProblem(blocks: unknown): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return "blocks must be an array";
  if (blocks.length > MAX_BLOCKS) return `more than ${MAX_BLOCKS} blocks`;
  const ids = new Set<string>();
  for (const b of blocks as Json[]) {
    if (tooLong(b.block_id, 255)) return "block_id over 255 chars";
    if (typeof b.block_id === "string") {
      if (ids.has(b.block_id)) return `duplicate block_id ${b.block_id}`;
      ids.add(b.block_id);
    }
    const problem = blockProblem(b);
    if (problem) return problem;
  }
  return undefined;
}

/** Slack's answer to blocks it refuses (the reason in `response_metadata`, as Slack gives it), or undefined. */
export function invalidBlocks(blocks: unknown): Record<string, unknown> | undefined {
  const problem = blocksProblem(blocks);
  return problem === undefined
    ? undefined
    : {
        ok: false,
        error: "invalid_blocks",
        response_metadata: { messages: [`[ERROR] ${problem}`] },
      };
}
