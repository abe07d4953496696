/**
 * Sliding-window rate limits for the fake platforms: at most `limit` calls per key in any
 * `windowMs`, the strictest reading of Slack's "50+ per minute" and Discord's buckets.
 */

/** One limit: calls allowed in any window. */
export interface WindowLimit {
  /** Calls allowed per window. */
  limit: number;
  /** Window length, ms. */
  windowMs: number;
}

/** What a call got. */
export type WindowHit =
  | {
      ok: true /** Calls left in the window. */;
      remaining: number /** Until the oldest call leaves, ms. */;
      resetAfterMs: number;
    }
  | { ok: false /** Until a call is allowed again, ms. */; retryAfterMs: number };

/** Call logs by key. */
export class RateWindows {
  private readonly logs = new Map<string, number[]>();
  /** Calls refused so far. */
  refused = 0;

  /** Counts a call under `key` if the window has room, else refuses it. */
  hit(key: string, { limit, windowMs }: WindowLimit, now = Date.now()): WindowHit {
    const log = this.logs.get(key) ?? [];
    while (log.length > 0 && (log[0] as number) <= now - windowMs) log.shift();
    this.logs.set(key, log);
    if (log.length >= limit) {
      this.refused++;
      return { ok: false, retryAfterMs: (log[0] as number) + windowMs - now };
    }
    log.push(now);
    return {
      ok: true,
      remaining: limit - log.length,
      resetAfterMs: (log[0] as number) + windowMs - now,
    };
  }

  /** Forgets every log. */
  clear(): void {
    this.logs.clear();
    this.refused = 0;
  }
}
