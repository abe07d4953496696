import type { types } from "@slack/bolt";
import { FEEDBACK_ACTION_ID, type MessageControls, REGENERATE_ACTION_ID } from "../chat-sink.js";
import { feedbackValue } from "../feedback.js";
import { MAX_BUTTON_VALUE_CHARS } from "./stop-button.js";

/**
 * The 👍/👎 under a final answer: a `context_actions` block holding one `feedback_buttons`
 * element (docs.slack.dev/reference/block-kit/blocks/context-actions-block: at most 5
 * elements; button text <= 75 chars, value <= 2,000). A press arrives as `block_actions`
 * with action_id `moa_feedback` and the pressed button's value, `up:<runKey>` or
 * `down:<runKey>`. None when there is no feedback key or it would not fit a value.
 */
export function feedbackBlocks(controls: MessageControls | undefined): types.KnownBlock[] {
  const key = controls?.feedbackKey;
  if (key === undefined || feedbackValue("down", key).length > MAX_BUTTON_VALUE_CHARS) return [];
  return [
    {
      type: "context_actions",
      elements: [
        {
          type: "feedback_buttons",
          action_id: FEEDBACK_ACTION_ID,
          positive_button: {
            text: { type: "plain_text", text: "👍" },
            value: feedbackValue("up", key),
            accessibility_label: "Good answer",
          },
          negative_button: {
            text: { type: "plain_text", text: "👎" },
            value: feedbackValue("down", key),
            accessibility_label: "Bad answer",
          },
        },
      ],
    },
  ];
}

/**
 * The Regenerate button under a finished answer: an `actions` block with one button whose
 * value is the run key (action_id `moa_regenerate`). None without a regenerate key.
 */
export function regenerateBlocks(controls: MessageControls | undefined): types.KnownBlock[] {
  const key = controls?.regenerateKey;
  if (key === undefined || key.length > MAX_BUTTON_VALUE_CHARS) return [];
  return [
    {
      type: "actions",
      elements: [
        {
          type: "button",
          text: { type: "plain_text", text: "🔄 Regenerate" },
          action_id: REGENERATE_ACTION_ID,
          value: key,
        },
      ],
    },
  ];
}

/**
 * Everything under a finished answer, on the edit and the streaming path alike: the 👍/👎
 * `context_actions` block, then the Regenerate `actions` block (each only with its key).
 */
export function answerBlocks(controls: MessageControls | undefined): types.KnownBlock[] {
  return [...feedbackBlocks(controls), ...regenerateBlocks(controls)];
}
