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

interface Waiter {
  resolve: (release: Release) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * The gate in front of one provider: FIFO queue, concurrency slots, a sliding-window
 * start budget, and a pause (Retry-After) that holds back every new start.
 */
export class ProviderLane {
  /** Calls holding a slot. */
  active = 0;
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
  ) {}

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.queue.length;
  }

  /** Resolves when the call may start; rejects with `signal.reason` if aborted first. */
  acquire(signal: AbortSignal): Promise<Release> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
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
      this.queue.push(waiter);
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
      if (this.limits.maxConcurrency > 0 && this.active >= this.limits.maxConcurrency) return;
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
