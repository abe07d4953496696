import { z } from "zod";
import type { Kv } from "./kv.js";
import type { WarnLog } from "./warn-log.js";

/** A journaled run: enough to re-run it into its own message after a crash. */
export interface JournalEntry {
  /** The run's event key. */
  runKey: string;
  /** The invocation as the bot received it (re-dispatched on resume). */
  inv: Record<string, unknown>;
  /** Platform ids of the run's message (channel, ts / message id), from its sink. */
  message: Record<string, string>;
  /** When the run started, ms since the epoch. */
  startedAt: number;
}

const Entry = z.object({
  runKey: z.string(),
  inv: z.record(z.string(), z.unknown()),
  message: z.record(z.string(), z.string()),
  startedAt: z.number(),
});
const InstanceJournal = z.object({
  v: z.literal(1),
  heartbeatAt: z.number(),
  runs: z.array(Entry),
});
const Instances = z.array(z.string());

/** How long a journal outlives its instance, ms: long enough to mark its runs interrupted. */
const JOURNAL_TTL_MS = 24 * 60 * 60 * 1000;
const INSTANCES_KEY = "journal:instances";
const journalKey = (instance: string) => `journal:run:${encodeURIComponent(instance)}`;
const takeoverKey = (instance: string) => `journal:takeover:${encodeURIComponent(instance)}`;

/** Options of `RunJournal`. */
export interface RunJournalOptions {
  /** This instance's id (unique per process start). */
  instance: string;
  /** Clock, ms. */
  now?: () => number;
}

/**
 * Runs in flight, per instance, in the store: each instance rewrites only its own key (no
 * cross-instance write races) and heartbeats it; an instance that stopped heartbeating
 * (crash, SIGKILL, OOM) leaves its runs for another instance, or its own restart, to take over.
 */
export class RunJournal {
  readonly #runs = new Map<string, JournalEntry>();
  readonly #now: () => number;
  #writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: Kv,
    private readonly log: WarnLog,
    private readonly options: RunJournalOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** Registers this instance (once, at start) and writes its first heartbeat. */
  register(): Promise<void> {
    return this.heartbeat();
  }

  /** Journals a run (after its message is up). */
  add(entry: JournalEntry): Promise<void> {
    this.#runs.set(entry.runKey, entry);
    return this.write();
  }

  /** Forgets a run that ended. */
  remove(runKey: string): Promise<void> {
    if (!this.#runs.delete(runKey)) return Promise.resolve();
    return this.write();
  }

  /**
   * Rewrites this instance's journal with a fresh heartbeat, and lists the instance again if
   * it is missing: two instances registering at once can each overwrite the other's entry
   * (the list is read, then written), and an unlisted instance's runs would never be taken over.
   */
  async heartbeat(): Promise<void> {
    const known = await this.instances();
    if (!known.includes(this.options.instance))
      await this.kv.set(INSTANCES_KEY, [...known, this.options.instance], JOURNAL_TTL_MS);
    await this.write();
  }

  /**
   * Takes over the runs of instances whose heartbeat is older than `staleMs` (this
   * instance's own earlier lives included), each instance at most once at a time across all
   * takers: the caller now owns those runs. Runs `canTake` refuses (a platform this instance
   * does not run) stay journaled under their instance for another taker to find.
   */
  async takeOver(
    staleMs: number,
    canTake: (entry: JournalEntry) => boolean = () => true,
  ): Promise<JournalEntry[]> {
    const taken: JournalEntry[] = [];
    const instances = await this.instances();
    const alive: string[] = [];
    for (const instance of instances) {
      if (instance === this.options.instance) {
        alive.push(instance);
        continue;
      }
      const journal = await this.read(instance);
      if (journal && this.#now() - journal.heartbeatAt < staleMs) {
        alive.push(instance);
        continue;
      }
      if (!(await this.kv.setIfAbsent(takeoverKey(instance), this.options.instance, staleMs)))
        continue;
      const runs = journal?.runs ?? [];
      taken.push(...runs.filter(canTake));
      const left = runs.filter((r) => !canTake(r) && this.#fresh(r));
      if (left.length < runs.length - taken.length)
        this.log.warn(
          { instance },
          "store: journaled runs no instance could resume for a day; dropped",
        );
      if (left.length === 0) {
        await this.kv.delete(journalKey(instance));
        continue;
      }
      // The dead instance stays listed, with only the runs this one cannot resume.
      alive.push(instance);
      await this.kv.set(journalKey(instance), { ...journal, runs: left }, JOURNAL_TTL_MS);
      await this.kv.delete(takeoverKey(instance));
    }
    if (alive.length !== instances.length) {
      // Re-read so an instance that registered meanwhile is not dropped.
      const now = await this.instances();
      const gone = new Set(instances.filter((i) => !alive.includes(i)));
      await this.kv.set(
        INSTANCES_KEY,
        now.filter((i) => !gone.has(i)),
        JOURNAL_TTL_MS,
      );
    }
    return taken;
  }

  /** Young enough to be kept for an instance that can resume it. */
  #fresh(entry: JournalEntry): boolean {
    return this.#now() - entry.startedAt < JOURNAL_TTL_MS;
  }

  private write(): Promise<void> {
    const next = this.#writes.then(() =>
      this.kv.set(
        journalKey(this.options.instance),
        { v: 1, heartbeatAt: this.#now(), runs: [...this.#runs.values()] },
        JOURNAL_TTL_MS,
      ),
    );
    this.#writes = next.catch(() => {});
    return next;
  }

  private async instances(): Promise<string[]> {
    const raw = await this.kv.get(INSTANCES_KEY);
    if (raw === undefined) return [];
    const parsed = Instances.safeParse(raw);
    if (parsed.success) return parsed.data;
    this.log.warn({ key: INSTANCES_KEY }, "store: journal instances unreadable; starting afresh");
    return [];
  }

  private async read(instance: string): Promise<z.infer<typeof InstanceJournal> | undefined> {
    const raw = await this.kv.get(journalKey(instance));
    if (raw === undefined) return undefined;
    const parsed = InstanceJournal.safeParse(raw);
    if (parsed.success) return parsed.data;
    this.log.warn({ instance }, "store: run journal has an unknown shape; its runs are lost");
    return undefined;
  }
}
