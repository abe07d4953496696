import type { types } from "@slack/bolt";
import { type MessageControls, STOP_ACTION_ID } from "../chat-sink.js";

/** Slack rejects a button whose `value` is longer than 2,000 characters. */
export const MAX_BUTTON_VALUE_CHARS = 2_000;

/**
 * The blocks a message carries after its markdown block: while the run is in flight, one
 * `actions` block with a red Stop button whose value is the run key (a press brings it
 * back in a `block_actions` payload); none once `controls` are gone, so an edit without
 * them removes the button (chat.update replaces all blocks). A run key too long for a
 * button value gets no button rather than a message Slack would reject; Slack run keys
 * (team, channel and ts, or a trigger id) are far shorter.
 */
export function stopBlocks(controls: MessageControls | undefined): types.KnownBlock[] {
  const key = controls?.stopKey;
  if (key === undefined || key.length > MAX_BUTTON_VALUE_CHARS) return [];
  return [
    {
      type: "actions",
      elements: [
        {
          type: "button",
          style: "danger",
          text: { type: "plain_text", text: "Stop" },
          action_id: STOP_ACTION_ID,
          value: key,
        },
      ],
    },
  ];
}
