import { KeyIndexSchema } from "./key-index.js";
import { keyedSerial } from "./keyed-serial.js";
import type { Kv } from "./kv.js";
import { type RunRecord, RunRecordSchema, type Vote } from "./run-record.js";
import { type ChannelScope, runDayKey, runKey, type WorkspaceScope } from "./store-keys.js";
import type { WarnLog } from "./warn-log.js";

const DAY_MS = 86_400_000;

/** Most run ids kept in one day index; past it the oldest drop out of stats (not out of the store). */
export const MAX_RUNS_PER_DAY_INDEX = 5_000;

/** Records read at once while collecting stats (bounds the backend load of one `/moa stats`). */
const READ_BATCH = 50;

export type { Vote } from "./run-record.js";

/** What a vote did. */
export type VoteResult = "recorded" | "changed" | "unchanged" | "unknown-run";

/** Which runs `list` reads: a channel, or a whole workspace when `channelId` is absent. */
export type RunScope = WorkspaceScope & { channelId?: string };

/** UTC day of an epoch ms, `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Run records for feedback and stats. A record and its entries in the channel's and the
 * workspace's day index expire after `retentionMs`. Reads are validated: a corrupt value
 * is logged and skipped (a corrupt day index is logged and started afresh). Day index
 * appends are one atomic step of the store (`Kv.appendToIndex`), so runs finishing at the
 * same moment, on one instance or several, are all listed. Votes are read-modify-write,
 * serialised per run in this process.
 */
export class RunStore {
  readonly #serial = keyedSerial();

  constructor(
    private readonly kv: Kv,
    private readonly retentionMs: number,
    private readonly log: WarnLog,
    /** Most run ids kept in one day index (tests lower it). */
    private readonly maxPerDay = MAX_RUNS_PER_DAY_INDEX,
  ) {}

  /** Stores a finished run and lists it under its day for its channel and workspace. */
  async save(record: RunRecord): Promise<void> {
    const scope: WorkspaceScope = { platform: record.platform, workspaceId: record.workspaceId };
    await this.kv.set(runKey(scope, record.runKey), record, this.retentionMs);
    const day = utcDay(record.at);
    const channel: ChannelScope = { ...scope, channelId: record.channelId };
    await Promise.all(
      [runDayKey(channel, day), runDayKey(scope, day)].map(async (key) => {
        const result = await this.kv.appendToIndex(
          key,
          record.runKey,
          this.maxPerDay,
          this.retentionMs + DAY_MS,
        );
        if (result === "replaced") this.unknownShape(key);
      }),
    );
  }

  /** One run, or undefined when absent, expired or corrupt. */
  async get(scope: WorkspaceScope, runId: string): Promise<RunRecord | undefined> {
    const key = runKey(scope, runId);
    const raw = await this.kv.get(key);
    if (raw === undefined) return undefined;
    const parsed = RunRecordSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    this.log.warn({ key, issues: parsed.error.issues.length }, "store: run record skipped");
    return undefined;
  }

  /** Sets `voter`'s vote on a run (one per voter, replacing any earlier one). */
  async vote(scope: WorkspaceScope, runId: string, voter: string, vote: Vote): Promise<VoteResult> {
    const key = runKey(scope, runId);
    return this.#serial(key, async () => {
      const record = await this.get(scope, runId);
      if (!record) return "unknown-run";
      const before = record.votes[voter];
      if (before === vote) return "unchanged";
      record.votes[voter] = vote;
      const left = Math.max(1_000, record.at + this.retentionMs - Date.now());
      await this.kv.set(key, record, left);
      return before === undefined ? "recorded" : "changed";
    });
  }

  /** Runs of the scope that finished in the last `days` days before `now`, oldest first. */
  async list(scope: RunScope, days: number, now: number): Promise<RunRecord[]> {
    const since = now - days * DAY_MS;
    const ids: string[] = [];
    for (let t = since; utcDay(t) <= utcDay(now); t += DAY_MS)
      ids.push(...(await this.dayIndex(runDayKey(scope, utcDay(t)))));
    const records: RunRecord[] = [];
    for (let i = 0; i < ids.length; i += READ_BATCH) {
      const batch = ids.slice(i, i + READ_BATCH);
      const got = await Promise.all(batch.map((id) => this.get(scope, id)));
      for (const r of got) if (r && r.at >= since && r.at <= now) records.push(r);
    }
    return records.sort((a, b) => a.at - b.at);
  }

  private async dayIndex(key: string): Promise<string[]> {
    const raw = await this.kv.get(key);
    if (raw === undefined) return [];
    const parsed = KeyIndexSchema.safeParse(raw);
    if (parsed.success) return parsed.data.keys;
    this.unknownShape(key);
    return [];
  }

  private unknownShape(key: string): void {
    this.log.warn({ key }, "store: run day index has an unknown shape; treated as empty");
  }
}
