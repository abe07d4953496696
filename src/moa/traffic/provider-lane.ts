import type { Clock } from "./clock.js";

/** Limits of one provider; a `ProviderConfig` from src/config.ts fits as is. */
export interface ProviderLimits {
  /** Max calls in flight at once (0 = unlimited). */
  maxConcurrency: number;
  /** Max calls started per rate window, normally a minute (0 = unlimited). */
  rpm: number;
}

/** Gives back a slot taken by `ProviderLane.acquire`; calling it twice is harmless. */
export type Release = () => void;

/** Concurrency an unconfigured provider starts at (then learnt: AIMD on 429s). */
export const ADAPTIVE_START_CONCURRENCY = 8;
/** Ceiling of the learnt concurrency of an unconfigured provider. */
export const ADAPTIVE_MAX_CONCURRENCY = 128;

interface Waiter {
  /** A retry: queued ahead of first attempts (after earlier retries), not at the back. */
  front: boolean;
  resolve: (release: Release) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * The gate in front of one provider: FIFO queue (retries first), concurrency slots, a
 * sliding-window start budget, and a pause (Retry-After) that holds back every new start.
 * The concurrency is learnt (slow start, then additive increase; halved on a 429) below the
 * configured maximum, or below `ADAPTIVE_MAX_CONCURRENCY` when none is configured.
 */
export class ProviderLane {
  /** Calls holding a slot. */
  active = 0;
  /** Learnt concurrency (fractional; `floor` of it is the slot count). */
  limit: number;
  private readonly ceiling: number;
  /** Set by the first 429: growth turns from slow start to additive. */
  private throttledOnce = false;
  /** Epoch ms before which no call starts (set from Retry-After). */
  pausedUntil = 0;
  private readonly queue: Waiter[] = [];
  /** Start times within the last window, oldest first. */
  private readonly starts: number[] = [];
  private cancelTimer: (() => void) | undefined;

  constructor(
    private readonly limits: ProviderLimits,
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {
    const configured = limits.maxConcurrency > 0;
    this.ceiling = configured ? limits.maxConcurrency : ADAPTIVE_MAX_CONCURRENCY;
    this.limit = configured ? limits.maxConcurrency : ADAPTIVE_START_CONCURRENCY;
  }

  /** True when a new call would have to wait (someone queued, no slot, paused or out of budget). */
  wouldWait(): boolean {
    const now = this.clock.now();
    return (
      this.queue.length > 0 ||
      this.active >= this.slots ||
      this.pausedUntil > now ||
      this.budgetWait(now) > 0
    );
  }

  /**
   * A call went through. Only while calls wait for a slot does the limit grow: by one per
   * success until the first 429 (slow start: doubling per round), then by one per round.
   */
  succeeded(): void {
    if (this.queue.length > 0) {
      const step = this.throttledOnce ? 1 / this.limit : 1;
      this.limit = Math.min(this.ceiling, this.limit + step);
    }
    this.pump();
  }

  /** The provider said 429: halve the slots, once per pause (one burst is one signal). */
  throttled(): void {
    this.throttledOnce = true;
    if (this.pausedUntil > this.clock.now()) return;
    this.limit = Math.max(1, this.limit / 2);
  }

  private get slots(): number {
    return Math.max(1, Math.floor(this.limit));
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.queue.length;
  }

  /** Resolves when the call may start; rejects with `signal.reason` if aborted first. */
  acquire(signal: AbortSignal, front = false): Promise<Release> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        front,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.queue.indexOf(waiter);
          if (at < 0) return;
          this.queue.splice(at, 1);
          reject(signal.reason);
          // The queue changed: a timer may no longer be needed.
          this.pump();
        },
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
      if (front) {
        const firstBack = this.queue.findIndex((w) => !w.front);
        this.queue.splice(firstBack < 0 ? this.queue.length : firstBack, 0, waiter);
      } else this.queue.push(waiter);
      this.pump();
    });
  }

  /** Holds back new starts until `until` (epoch ms); an earlier pause never shortens a later one. */
  pause(until: number): void {
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.pump();
  }

  /** Starts as many queued calls as the limits allow, else arms one timer for the next chance. */
  private pump(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    while (this.queue.length > 0) {
      // A finishing call pumps again, so no timer is needed for concurrency.
      if (this.active >= this.slots) return;
      const now = this.clock.now();
      const wait = Math.max(this.pausedUntil - now, this.budgetWait(now));
      if (wait > 0) {
        this.cancelTimer = this.clock.setTimer(() => this.pump(), wait);
        return;
      }
      this.start(this.queue.shift() as Waiter, now);
    }
  }

  /** Ms until the rate window has room for one more start. */
  private budgetWait(now: number): number {
    if (this.limits.rpm <= 0) return 0;
    while (this.starts.length > 0 && (this.starts[0] as number) <= now - this.windowMs)
      this.starts.shift();
    if (this.starts.length < this.limits.rpm) return 0;
    const expiring = this.starts[this.starts.length - this.limits.rpm] as number;
    return expiring + this.windowMs - now;
  }

  private start(waiter: Waiter, now: number): void {
    waiter.signal.removeEventListener("abort", waiter.onAbort);
    this.active++;
    if (this.limits.rpm > 0) this.starts.push(now);
    let released = false;
    waiter.resolve(() => {
      if (released) return;
      released = true;
      this.active--;
      this.pump();
    });
  }
}
