import type { ModelError } from "../errors.js";

/** First backoff step, ms. */
export const RETRY_BASE_DELAY_MS = 500;
/** Backoff never waits longer than this, ms (Retry-After may ask for more). */
export const RETRY_MAX_DELAY_MS = 8_000;

/**
 * Wait before the next attempt, or `undefined` when the error must not be retried.
 * Honours the server's Retry-After; otherwise exponential backoff with equal jitter
 * (half fixed, half random) so concurrent runs do not retry in lockstep. A Retry-After
 * longer than `maxWaitMs` gives up rather than hold the layer.
 */
export function retryDelayMs(
  attempt: number,
  error: ModelError,
  options: { maxRetries: number; maxWaitMs: number; random: () => number },
): number | undefined {
  if (!error.retryable || attempt > options.maxRetries) return undefined;
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs > options.maxWaitMs ? undefined : Math.ceil(error.retryAfterMs);
  }
  const step = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** (attempt - 1));
  return Math.round(step / 2 + (options.random() * step) / 2);
}

/** Waits `ms`, or less when `signal` aborts first; never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
