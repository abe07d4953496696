import { z } from "zod";
import type { Invocation } from "../../commands/invocation.js";
import type { Logger } from "../../log.js";
import type { Lifecycle } from "../../ops/shutdown.js";
import type { JournalEntry, RunJournal } from "../../store/run-journal.js";
import type { ResumeMode } from "../handle-invocation.js";

/** Past this age a journaled run is not re-run (the asker has moved on): it is marked interrupted. */
export const MAX_RESUME_AGE_MS = 15 * 60 * 1000;

/** What can take over a run of one platform (each bot's `resume`). */
export type Resumer = (inv: Invocation, message: Record<string, string>, how: ResumeMode) => void;

/** The stored invocation is data that outlived its code: checked before it is re-dispatched. */
const StoredInvocation = z.object({
  platform: z.enum(["slack", "discord"]),
  workspaceId: z.string(),
  channelId: z.string(),
  threadId: z.string().optional(),
  userId: z.string(),
  source: z.enum(["command", "mention", "thread-reply"]),
  text: z.string(),
  presetOverride: z.string().optional(),
  platformAdmin: z.boolean(),
  eventKey: z.string(),
});

/**
 * Takes over the journaled runs of instances that stopped heartbeating for `staleMs` (0 =
 * every other instance: at the start of a one-process store): re-runs each in its own
 * message, or marks it interrupted when older than MAX_RESUME_AGE_MS. Returns how many.
 */
export async function takeOverRuns(
  journal: RunJournal,
  staleMs: number,
  resumers: Partial<Record<Invocation["platform"], Resumer>>,
  log: Logger,
  now: () => number = Date.now,
): Promise<number> {
  // A run of a platform not running here is left for an instance that runs it (an
  // unreadable one is taken, to be logged and dropped).
  const canTake = (entry: JournalEntry) => {
    const platform = StoredInvocation.shape.platform.safeParse(entry.inv.platform);
    return !platform.success || resumers[platform.data] !== undefined;
  };
  const entries = await journal.takeOver(staleMs, canTake);
  for (const entry of entries) takeOver(entry, resumers, log, now());
  return entries.length;
}

function takeOver(
  entry: JournalEntry,
  resumers: Partial<Record<Invocation["platform"], Resumer>>,
  log: Logger,
  at: number,
): void {
  const parsed = StoredInvocation.safeParse(entry.inv);
  if (!parsed.success) {
    log.warn({ event: entry.runKey }, "journaled run unreadable; left as it is");
    return;
  }
  const { threadId, presetOverride, ...rest } = parsed.data;
  const inv: Invocation = {
    ...rest,
    ...(threadId !== undefined && { threadId }),
    ...(presetOverride !== undefined && { presetOverride }),
  };
  const resume = resumers[inv.platform];
  if (!resume) {
    log.warn(
      { event: entry.runKey, platform: inv.platform },
      "journaled run of a platform not running here",
    );
    return;
  }
  const how: ResumeMode = at - entry.startedAt > MAX_RESUME_AGE_MS ? "interrupt" : "rerun";
  log.info(
    { event: entry.runKey, how, ageMs: at - entry.startedAt },
    "taking over a journaled run",
  );
  resume(inv, entry.message, how);
}

/** A dead instance is one silent for this many heartbeats. */
const STALE_HEARTBEATS = 4;

/**
 * Registers this instance's run journal, takes over the runs a crash left (every other
 * instance's on a one-process store; with Redis those of instances silent for
 * STALE_HEARTBEATS), then heartbeats and, with Redis, keeps watching for dead instances.
 */
export async function startRunJournal(
  journal: RunJournal,
  shared: boolean,
  heartbeatMs: number,
  lifecycle: Lifecycle,
  log: Logger,
  resumers: Partial<Record<Invocation["platform"], Resumer>>,
): Promise<void> {
  const warn = (err: unknown) => log.warn({ err }, "run journal unavailable");
  const staleMs = heartbeatMs * STALE_HEARTBEATS;
  await journal.register().catch(warn);
  await takeOverRuns(journal, shared ? staleMs : 0, resumers, log).catch(warn);
  const beat = setInterval(() => {
    journal.heartbeat().catch(warn);
    if (shared && !lifecycle.draining) takeOverRuns(journal, staleMs, resumers, log).catch(warn);
  }, heartbeatMs);
  beat.unref();
  lifecycle.onClose("run journal", () => clearInterval(beat));
}
