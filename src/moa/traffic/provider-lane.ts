import PQueue from "p-queue";

/** Limits of one provider; a `ProviderConfig` from src/config.ts fits as is. */
export interface ProviderLimits {
  /** Max calls in flight at once (0 = unlimited). */
  maxConcurrency: number;
  /** Max calls started per rate window, normally a minute (0 = unlimited). */
  rpm: number;
}

/** Gives back a slot taken by `ProviderLane.acquire`; calling it twice is harmless. */
export type Release = () => void;

/** A slot, and whether the call had to wait for it (so the engine can tell queue time apart). */
export interface Slot {
  release: Release;
  /** Resolves when the call may start; rejects with `signal.reason` if aborted first. */
  ready: Promise<void>;
  /** False when the call started at once. */
  waits: boolean;
}

/** Concurrency an unconfigured provider starts at (then learnt: AIMD on 429s). */
export const ADAPTIVE_START_CONCURRENCY = 8;
/** Ceiling of the learnt concurrency of an unconfigured provider. */
export const ADAPTIVE_MAX_CONCURRENCY = 128;

/** Queue priority of a retry: ahead of first attempts, FIFO among retries. */
const RETRY_PRIORITY = 1;

/**
 * The gate in front of one provider, on p-queue: FIFO with retries first, concurrency slots,
 * a sliding-window start budget (`strict`), and a pause (Retry-After) that holds back every
 * new start. What p-queue does not do is the learning: the concurrency grows while calls
 * wait (slow start, then additive) and halves on a 429, below the configured maximum or
 * below `ADAPTIVE_MAX_CONCURRENCY` when none is configured.
 */
export class ProviderLane {
  /** Calls holding a slot (counted here, so a release shows at once). */
  active = 0;
  /** Learnt concurrency (fractional; `floor` of it is the slot count). */
  limit: number;
  private readonly ceiling: number;
  /** Set by the first 429: growth turns from slow start to additive. */
  private throttledOnce = false;
  /** Epoch ms before which no call starts (set from Retry-After). */
  pausedUntil = 0;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly queue: PQueue;

  constructor(limits: ProviderLimits, windowMs: number) {
    const configured = limits.maxConcurrency > 0;
    this.ceiling = configured ? limits.maxConcurrency : ADAPTIVE_MAX_CONCURRENCY;
    this.limit = configured ? limits.maxConcurrency : ADAPTIVE_START_CONCURRENCY;
    this.queue = new PQueue({
      concurrency: this.slots,
      ...(limits.rpm > 0 && { interval: windowMs, intervalCap: limits.rpm, strict: true }),
    });
  }

  /** Calls waiting for a slot, the request budget or the end of a pause. */
  get queued(): number {
    return this.queue.size;
  }

  /**
   * A call went through. Only while calls wait for a slot does the limit grow: by one per
   * success until the first 429 (slow start: doubling per round), then by one per round.
   */
  succeeded(): void {
    if (this.queue.size === 0) return;
    const step = this.throttledOnce ? 1 / this.limit : 1;
    this.setLimit(Math.min(this.ceiling, this.limit + step));
  }

  /** The provider said 429: halve the slots, once per pause (one burst is one signal). */
  throttled(): void {
    this.throttledOnce = true;
    if (this.pausedUntil > Date.now()) return;
    this.setLimit(Math.max(1, this.limit / 2));
  }

  /** Queues for a slot; `retry` goes ahead of first attempts. */
  acquire(signal: AbortSignal, retry = false): Slot {
    let started = false;
    let release: Release = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      const hold = () =>
        new Promise<void>((done) => {
          started = true;
          this.active++;
          release = () => {
            release = () => {};
            this.active--;
            done();
          };
          resolve();
        });
      this.queue.add(hold, { signal, priority: retry ? RETRY_PRIORITY : 0 }).catch(reject);
    });
    // p-queue starts a task synchronously in `add` when it may run now.
    return { ready, waits: !started, release: () => release() };
  }

  /** Holds back new starts until `until` (epoch ms); an earlier pause never shortens a later one. */
  pause(until: number): void {
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.queue.pause();
    clearTimeout(this.resumeTimer);
    // Not unref'd on purpose: a queued call is pending work.
    this.resumeTimer = setTimeout(() => this.queue.start(), until - Date.now());
  }

  private get slots(): number {
    return Math.max(1, Math.floor(this.limit));
  }

  private setLimit(limit: number): void {
    this.limit = limit;
    if (this.queue.concurrency !== this.slots) this.queue.concurrency = this.slots;
  }
}
