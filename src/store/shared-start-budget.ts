import { RateLimiterRes, type RLWrapperTimeouts } from "rate-limiter-flexible";
import type { SharedStartBudget } from "../moa/traffic/provider-scheduler.js";
import type { RedisClient } from "./redis-kv.js";
import { redisRateLimiter } from "./redis-rate-limiter.js";

/** Options of `RedisStartBudget`. */
export interface RedisStartBudgetOptions {
  /** Key prefix in Redis (default `moa:rpm:`); tests use a unique one. */
  prefix?: string;
  /** Longest wait for Redis, ms (default 500); past it the call goes, counted locally only. */
  timeoutMs?: number;
  /** Told once per outage when Redis fails or is slow; must not throw. */
  onStoreError?: (error: unknown) => void;
}

/**
 * Provider request budgets counted in Redis (rate-limiter-flexible), so every instance
 * together starts at most `rpm` calls of a provider per window. The windows are fixed, not
 * sliding; each instance's own sliding window (the lane) still smooths its bursts. While
 * Redis fails the call goes, held only by the local window, and the outage is told once.
 */
export class RedisStartBudget implements SharedStartBudget {
  private readonly limiters = new Map<string, RLWrapperTimeouts>();
  private failing = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: RedisStartBudgetOptions,
  ) {}

  async take(provider: string, rpm: number, windowMs: number): Promise<number> {
    try {
      await this.limiter(rpm, windowMs).consume(provider);
      this.failing = false;
      return 0;
    } catch (res) {
      if (res instanceof RateLimiterRes) return Math.max(1, res.msBeforeNext);
      if (!this.failing) this.options.onStoreError?.(res);
      this.failing = true;
      return 0;
    }
  }

  private limiter(rpm: number, windowMs: number): RLWrapperTimeouts {
    const key = `${rpm}:${windowMs}`;
    let limiter = this.limiters.get(key);
    if (!limiter) {
      const duration = Math.ceil(windowMs / 1_000);
      const keyPrefix = `${this.options.prefix ?? "moa:rpm:"}${rpm}:${duration}`;
      limiter = redisRateLimiter(
        this.redis,
        { points: rpm, duration, keyPrefix },
        this.options.timeoutMs ?? 500,
      );
      this.limiters.set(key, limiter);
    }
    return limiter;
  }
}
