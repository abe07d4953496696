import { ButtonStyle, ComponentType } from "discord.js";
import type { Vote } from "../../store/run-record.js";
import {
  DISCORD_FEEDBACK_PREFIX,
  DISCORD_REGENERATE_PREFIX,
  type MessageControls,
} from "../chat-sink.js";
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

/** Custom id of a Regenerate button: `moa_regen:<runKey>`. */
export function regenerateCustomId(runKey: string): string {
  return `${DISCORD_REGENERATE_PREFIX}:${runKey}`;
}

/** The run a pressed custom id asks to regenerate; undefined when it is not a Regenerate button. */
export function parseRegenerateCustomId(customId: string): string | undefined {
  const prefix = `${DISCORD_REGENERATE_PREFIX}:`;
  return customId.startsWith(prefix) && customId.length > prefix.length
    ? customId.slice(prefix.length)
    : undefined;
}

/**
 * One row under a finished answer: 👍 and 👎 (grey, so the answer stays the eye-catcher)
 * when `controls` carry a feedback key, and 🔄 Regenerate when they carry a regenerate key;
 * each only when its custom id fits Discord's 100 characters (engine run ids do).
 */
export function feedbackRows(controls: MessageControls | undefined): ButtonRows {
  const fits = (id: string) => id.length <= MAX_CUSTOM_ID_CHARS;
  const buttons: ButtonRows[number]["components"] = [];
  const key = controls?.feedbackKey;
  if (key !== undefined && fits(feedbackCustomId("down", key))) {
    for (const [vote, emoji] of [
      ["up", "👍"],
      ["down", "👎"],
    ] as const)
      buttons.push({
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        emoji: { name: emoji },
        custom_id: feedbackCustomId(vote, key),
      });
  }
  const regen = controls?.regenerateKey;
  if (regen !== undefined && fits(regenerateCustomId(regen)))
    buttons.push({
      type: ComponentType.Button,
      style: ButtonStyle.Secondary,
      label: "Regenerate",
      emoji: { name: "🔄" },
      custom_id: regenerateCustomId(regen),
    });
  return buttons.length > 0 ? [{ type: ComponentType.ActionRow, components: buttons }] : [];
}
