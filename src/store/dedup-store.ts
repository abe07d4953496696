import { StoreUnavailableError } from "../errors.js";
import type { Kv } from "./kv.js";
import type { WarnLog } from "./warn-log.js";

/** Local claims kept before expired ones are swept. */
const SWEEP_AT = 1_000;

/**
 * Event dedup: platforms redeliver events (Slack retries, gateway resumes), and
 * several bot instances may receive the same one. `claim` is true only for the
 * first claimer of a key (build it with `dedupKey`). Across processes this holds
 * when the store is Redis (SET NX). While the store is down, claims fall back to
 * this process's memory: a duplicate answer is better than no answer.
 */
export class DedupStore {
  private readonly local = new Map<string, number>();

  constructor(
    private readonly kv: Kv,
    private readonly log: WarnLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when this caller is the first to claim `key` within `ttlMs`. */
  async claim(key: string, ttlMs: number): Promise<boolean> {
    const t = this.now();
    if ((this.local.get(key) ?? 0) > t) return false;
    this.local.set(key, t + ttlMs);
    if (this.local.size > SWEEP_AT)
      for (const [k, exp] of this.local) if (exp <= t) this.local.delete(k);
    try {
      return await this.kv.setIfAbsent(key, true, ttlMs);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      this.log.warn(
        { key, err: error.cause },
        "store: dedup unavailable; deduplicating in this process only",
      );
      return true;
    }
  }
}
