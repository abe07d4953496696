import { type ButtonInteraction, MessageFlags } from "discord.js";
import type { Logger } from "../../log.js";
import type { Vote } from "../../store/run-record.js";
import { recordVote, type VoteFn } from "../feedback.js";
import { NO_MENTIONS } from "./profile.js";

/**
 * A 👍/👎 press: recorded (one vote per user per run; a second press changes it) and
 * answered with an ephemeral reply to the presser, so the answer message is never edited.
 * The store call is bounded (2 s) and the reply follows it, within Discord's 3 s.
 */
export async function onFeedbackPress(
  interaction: ButtonInteraction,
  press: { vote: Vote; runKey: string },
  deps: { vote?: VoteFn; log: Logger },
): Promise<void> {
  const { log } = deps;
  const where = { platform: "discord", workspaceId: interaction.guildId ?? "dm" };
  const reply = await recordVote(
    deps.vote,
    { ...where, userId: interaction.user.id, ...press },
    log,
  );
  await interaction
    .reply({
      content: reply,
      flags: MessageFlags.Ephemeral,
      allowedMentions: NO_MENTIONS,
    })
    .catch((err: unknown) =>
      log.warn({ err, run: press.runKey }, "feedback press not acknowledged"),
    );
}
