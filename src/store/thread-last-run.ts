import { z } from "zod";
import type { Kv } from "./kv.js";
import { type ThreadScope, threadLastRunKey } from "./store-keys.js";
import type { WarnLog } from "./warn-log.js";

/** Longest id kept in a stored message reference (platform ids are far shorter). */
const MAX_ID_CHARS = 200;
/** Most fields of a stored message reference (channel, ts, thread: three today). */
const MAX_REF_FIELDS = 8;

const MessageRef = z
  .record(z.string().max(MAX_ID_CHARS), z.string().max(MAX_ID_CHARS))
  .refine((ref) => Object.keys(ref).length <= MAX_REF_FIELDS, "too many fields");
const LastRunSchema = z.object({
  v: z.literal(1),
  runKey: z.string().min(1).max(MAX_ID_CHARS),
  message: MessageRef,
});

/** The last run answered in a thread, and where its answer message is. */
export interface ThreadLastRun {
  /** The run's key (its drafts and record are stored under it). */
  runKey: string;
  /** Platform ids of the answer message (the sinks' `messageRef`: channel, ts / message id). */
  message: Record<string, string>;
}

/**
 * Thread -> last run answered there, so `regenerate` typed in a thread knows which answer
 * it means. One small key per thread, overwritten by each finished run and expiring after
 * `ttlMs` (the run retention); reads are validated, a corrupt value is logged and treated
 * as absent.
 */
export class ThreadLastRunStore {
  constructor(
    private readonly kv: Kv,
    private readonly ttlMs: number,
    private readonly log: WarnLog,
  ) {}

  /** Records `run` as the thread's last answered run (replacing the one before). */
  async set(scope: ThreadScope, run: ThreadLastRun): Promise<void> {
    await this.kv.set(
      threadLastRunKey(scope),
      { v: 1, runKey: run.runKey, message: { ...run.message } },
      this.ttlMs,
    );
  }

  /** The thread's last run, or undefined when absent, expired or corrupt (logged). */
  async get(scope: ThreadScope): Promise<ThreadLastRun | undefined> {
    const key = threadLastRunKey(scope);
    const raw = await this.kv.get(key);
    if (raw === undefined) return undefined;
    const parsed = LastRunSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn({ key, issues: parsed.error.issues.length }, "store: thread last run skipped");
      return undefined;
    }
    return { runKey: parsed.data.runKey, message: parsed.data.message };
  }
}
