import type { types } from "@slack/bolt";
import { FEEDBACK_ACTION_ID, type MessageControls } from "../chat-sink.js";
import { MAX_BUTTON_VALUE_CHARS } from "./stop-button.js";

/**
 * The 👍/👎 row under a finished answer: a `context_actions` block (at most 5 elements)
 * holding one `feedback_buttons` element whose values are `up:<runKey>` / `down:<runKey>`.
 * None without a feedback key (or with one too long for a button value).
 */
export function feedbackBlocks(controls: MessageControls | undefined): types.KnownBlock[] {
  const key = controls?.feedbackKey;
  if (key === undefined || key.length + 5 > MAX_BUTTON_VALUE_CHARS) return [];
  return [
    {
      type: "context_actions",
      elements: [
        {
          type: "feedback_buttons",
          action_id: FEEDBACK_ACTION_ID,
          positive_button: {
            text: { type: "plain_text", text: "👍" },
            accessibility_label: "Good answer",
            value: `up:${key}`,
          },
          negative_button: {
            text: { type: "plain_text", text: "👎" },
            accessibility_label: "Bad answer",
            value: `down:${key}`,
          },
        },
      ],
    },
  ];
}
