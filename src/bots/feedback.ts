import type { Logger } from "../log.js";
import type { Vote, VoteResult } from "../store/run-store.js";

/** A 👍/👎 press, as both platforms' listeners hand it over. */
export interface VotePress {
  /** `slack` or `discord`. */
  platform: string;
  /** Slack team / Discord guild ("dm" for DMs). */
  workspaceId: string;
  /** Who pressed (hashed before it is stored). */
  userId: string;
  /** The run the pressed message answered. */
  runKey: string;
  /** 👍 or 👎. */
  vote: Vote;
}

/** Records a press; resolves with what it did. */
export type VoteFn = (press: VotePress) => Promise<VoteResult>;

/** The wire value of a feedback button: `up:<runKey>` or `down:<runKey>`. */
export function feedbackValue(vote: Vote, runKey: string): string {
  return `${vote}:${runKey}`;
}

/** Parses a feedback button value back; undefined when it is not one. */
export function parseFeedbackValue(value: string): { vote: Vote; runKey: string } | undefined {
  const m = /^(up|down):(.+)$/s.exec(value);
  if (!m) return undefined;
  return { vote: m[1] as Vote, runKey: m[2] as string };
}

/** What the presser alone sees after a press (the answer itself is never re-rendered). */
export const VOTE_REPLIES: Record<VoteResult | "failed", (vote: Vote) => string> = {
  recorded: (v) => `Thanks, your ${icon(v)} is recorded. It feeds \`stats\` for this channel.`,
  changed: (v) => `Changed your vote to ${icon(v)}.`,
  unchanged: (v) => `Your ${icon(v)} was already recorded.`,
  "unknown-run": () =>
    "That answer is no longer in the run records (older than the retention period), so the vote was not recorded.",
  failed: () =>
    "Your vote could not be recorded right now (the store is unavailable); please try again.",
};

/** Records a press through `vote` (absent or failing: "failed") and logs it; resolves with the presser's reply. */
export async function recordVote(
  vote: VoteFn | undefined,
  press: VotePress,
  log: Logger,
): Promise<string> {
  const result = vote
    ? await vote(press).catch((err: unknown) => {
        log.warn({ err, run: press.runKey }, "vote not recorded");
        return "failed" as const;
      })
    : "failed";
  log.info({ run: press.runKey, vote: press.vote, result }, "feedback pressed");
  return VOTE_REPLIES[result](press.vote);
}

function icon(vote: Vote): string {
  return vote === "up" ? "👍" : "👎";
}
