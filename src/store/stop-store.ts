import { z } from "zod";
import type { Kv } from "./kv.js";
import type { WarnLog } from "./warn-log.js";

/** What a Stop press did. */
export type StopResult = "stopped" | "not-running" | "not-allowed";

/** How long a run's asker record outlives a crash of its instance, ms (longer than any run). */
export const RUN_RECORD_TTL_MS = 60 * 60 * 1000;
/** How long an unread stop flag stays, ms (its run ends long before). */
const FLAG_TTL_MS = 10 * 60 * 1000;

const RunRecord = z.object({ v: z.literal(1), asker: z.string() });

const part = (id: string) => encodeURIComponent(id);
const runKeyOf = (runKey: string) => `run:${part(runKey)}:asker`;
const flagKeyOf = (runKey: string) => `run:${part(runKey)}:stop`;

/**
 * Stop across instances through the shared store, no messaging protocol: the instance
 * running a run records who asked; a press on any instance reads that record, decides
 * (asker or admin) and sets a stop flag; the owning instance reads the flag on its tick.
 */
export class StopStore {
  constructor(
    private readonly kv: Kv,
    private readonly log: WarnLog,
  ) {}

  /** Records that `asker` started run `runKey` (so presses elsewhere can be decided). */
  async announce(runKey: string, asker: string): Promise<void> {
    await this.kv.set(runKeyOf(runKey), { v: 1, asker }, RUN_RECORD_TTL_MS);
  }

  /** Forgets the run once it ended (its flag too). */
  async withdraw(runKey: string): Promise<void> {
    await Promise.all([this.kv.delete(runKeyOf(runKey)), this.kv.delete(flagKeyOf(runKey))]);
  }

  /** Decides a press on a run of another instance; `stopped` means the flag is set. */
  async request(runKey: string, userId: string, isAdmin: boolean): Promise<StopResult> {
    const raw = await this.kv.get(runKeyOf(runKey));
    if (raw === undefined) return "not-running";
    const parsed = RunRecord.safeParse(raw);
    if (!parsed.success) {
      this.log.warn({ runKey }, "store: run record has an unknown shape; treated as absent");
      return "not-running";
    }
    if (parsed.data.asker !== userId && !isAdmin) return "not-allowed";
    await this.kv.set(flagKeyOf(runKey), { v: 1, by: userId }, FLAG_TTL_MS);
    return "stopped";
  }

  /** The user who asked to stop `runKey` from another instance, if anyone did. */
  async stopRequestedBy(runKey: string): Promise<string | undefined> {
    const raw = (await this.kv.get(flagKeyOf(runKey))) as { by?: unknown } | undefined;
    if (raw === undefined) return undefined;
    return typeof raw?.by === "string" ? raw.by : "someone";
  }
}
