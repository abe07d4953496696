/** One invocation in flight on this instance. */
export interface RunEntry {
  /** The invocation's event key: the run key a Stop button carries back. */
  readonly key: string;
  /** The asker's platform user id. */
  readonly userId: string;
  /** Aborting it cancels the run's model calls (Stop, shutdown). */
  readonly controller: AbortController;
  /** True once the invocation passed dedup and admission and is a run a Stop press may abort. */
  stoppable: boolean;
}

/**
 * The one registry of what this instance is doing: every invocation from the moment a bot
 * hands it to the shared flow until the flow returns. Both bots count their work with it,
 * the run gate finds Stop targets in it and shutdown waits for it and aborts what is left.
 * Entries are objects, not keys: a duplicate delivery of one event key (dedup store down)
 * is a second entry, and removing one never removes the other.
 */
export class RunRegistry {
  readonly #entries = new Set<RunEntry>();
  readonly #idle = new Set<() => void>();

  /** Invocations in flight. */
  get size(): number {
    return this.#entries.size;
  }

  /** Registers an invocation; returns its entry and the removal (call it in `finally`). */
  add(key: string, userId: string): { entry: RunEntry; remove: () => void } {
    const entry: RunEntry = { key, userId, controller: new AbortController(), stoppable: false };
    this.#entries.add(entry);
    return {
      entry,
      remove: () => {
        if (!this.#entries.delete(entry) || this.#entries.size > 0) return;
        for (const resolve of [...this.#idle]) resolve();
      },
    };
  }

  /** The stoppable runs under `key` (usually one). */
  find(key: string): RunEntry[] {
    return [...this.#entries].filter((e) => e.key === key && e.stoppable);
  }

  /** Aborts every entry with `reason`; returns how many there were. */
  abortAll(reason: unknown): number {
    for (const entry of this.#entries) entry.controller.abort(reason);
    return this.#entries.size;
  }

  /** Resolves true once nothing is in flight, or false after `ms` (no limit when omitted). */
  idle(ms?: number): Promise<boolean> {
    if (this.#entries.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.#idle.delete(onIdle);
        resolve(value);
      };
      const onIdle = () => done(true);
      this.#idle.add(onIdle);
      // Not unref'd: shutdown's close hooks must still run if nothing else holds the process open.
      if (ms !== undefined) timer = setTimeout(() => done(false), ms);
    });
  }
}
