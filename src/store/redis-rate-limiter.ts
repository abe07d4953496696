import {
  type RateLimiterAbstract,
  RateLimiterRedis,
  RLWrapperTimeouts,
} from "rate-limiter-flexible";
import type { RedisClient } from "./redis-kv.js";

/** Points per window under a key prefix, as rate-limiter-flexible takes them. */
export interface RedisLimit {
  points: number;
  /** Seconds (Redis expires whole seconds). */
  duration: number;
  keyPrefix: string;
}

/**
 * A rate-limiter-flexible limiter counted in the instance's Redis, for every user of it
 * (quotas, provider budgets): a Redis that is down or slower than `timeoutMs` rejects at once
 * (no queued command waits), and `insurance`, when given, counts in-process meanwhile.
 */
export function redisRateLimiter(
  redis: RedisClient,
  limit: RedisLimit,
  timeoutMs: number,
  insurance?: RateLimiterAbstract,
): RLWrapperTimeouts {
  return new RLWrapperTimeouts({
    limiter: new RateLimiterRedis({
      ...limit,
      storeClient: redis,
      useRedisPackage: true,
      rejectIfRedisNotReady: true,
      ...(insurance && { insuranceLimiter: insurance }),
    }),
    timeoutMs,
  });
}
