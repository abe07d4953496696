/** One fixed-window counter: at most `limit` takes per `windowMs`, the window opening at its first take. */
export interface QuotaBucket {
  /** Full key of the counter (scope and window included). */
  key: string;
  /** Takes allowed per window (> 0). */
  limit: number;
  /** Window length, ms. */
  windowMs: number;
}

/** Outcome of `QuotaStore.take`. */
export type TakeResult =
  | { /** Every bucket had room and was charged one. */ ok: true }
  | {
      ok: false;
      /** Index (in the given array) of the full bucket that frees up last. */
      index: number;
      /** Ms until that bucket's window closes. */
      retryAfterMs: number;
    };

/** Counters behind `Quotas`; the Redis one makes quotas hold across instances. */
export interface QuotaStore {
  /** Atomically charges one to every bucket, or to none when any bucket is full. */
  take(buckets: readonly QuotaBucket[]): Promise<TakeResult>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Windows kept before expired ones are swept. */
const SWEEP_AT = 10_000;

/** In-process counters: one instance only (tests, single-process deploys). */
export class MemoryQuotaStore implements QuotaStore {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  /** `now`: clock, epoch ms. */
  constructor(private readonly now: () => number = Date.now) {}

  async take(buckets: readonly QuotaBucket[]): Promise<TakeResult> {
    const t = this.now();
    if (this.windows.size > SWEEP_AT)
      for (const [key, w] of this.windows) if (w.endsAt <= t) this.windows.delete(key);
    const live = buckets.map((b) => {
      const w = this.windows.get(b.key);
      return w && w.endsAt > t ? w : undefined;
    });
    let full: { index: number; retryAfterMs: number } | undefined;
    buckets.forEach((b, index) => {
      const w = live[index];
      if (!w || w.count < b.limit) return;
      const retryAfterMs = w.endsAt - t;
      if (!full || retryAfterMs > full.retryAfterMs) full = { index, retryAfterMs };
    });
    if (full) return { ok: false, ...full };
    buckets.forEach((b, index) => {
      const w = live[index];
      if (w) w.count++;
      else this.windows.set(b.key, { count: 1, endsAt: t + b.windowMs });
    });
    return { ok: true };
  }

  async close(): Promise<void> {}
}
