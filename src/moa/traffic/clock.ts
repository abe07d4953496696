/** Time source and timers, injectable so rate limits are tested without waiting. */
export interface Clock {
  /** Current time, epoch ms. */
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** The real clock. Timers keep the process alive on purpose: a queued call is pending work. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
