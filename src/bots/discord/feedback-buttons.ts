import { ButtonStyle, ComponentType } from "discord.js";
import type { Vote } from "../../store/run-record.js";
import { DISCORD_FEEDBACK_PREFIX, type MessageControls } from "../chat-sink.js";
import { feedbackValue, parseFeedbackValue } from "../feedback.js";
import { type ButtonRows, MAX_CUSTOM_ID_CHARS } from "./stop-button.js";

const PREFIX = `${DISCORD_FEEDBACK_PREFIX}:`;

/** Custom id of a 👍/👎 button: `moa_fb:up:<runKey>` / `moa_fb:down:<runKey>`. */
export function feedbackCustomId(vote: Vote, runKey: string): string {
  return PREFIX + feedbackValue(vote, runKey);
}

/** The vote and run a pressed custom id stands for; undefined when it is not a feedback button. */
export function parseFeedbackCustomId(
  customId: string,
): { vote: Vote; runKey: string } | undefined {
  return customId.startsWith(PREFIX)
    ? parseFeedbackValue(customId.slice(PREFIX.length))
    : undefined;
}

/**
 * One row with 👍 and 👎 (grey buttons, so the answer stays the eye-catcher) when `controls`
 * carry a feedback key that fits Discord's 100-character custom id (engine run ids do).
 */
export function feedbackRows(controls: MessageControls | undefined): ButtonRows {
  const key = controls?.feedbackKey;
  if (key === undefined || feedbackCustomId("down", key).length > MAX_CUSTOM_ID_CHARS) return [];
  const button = (vote: Vote, emoji: string) =>
    ({
      type: ComponentType.Button,
      style: ButtonStyle.Secondary,
      emoji: { name: emoji },
      custom_id: feedbackCustomId(vote, key),
    }) as const;
  return [
    { type: ComponentType.ActionRow, components: [button("up", "👍"), button("down", "👎")] },
  ];
}
