import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { RedisClient } from "../../store/redis-kv.js";
import { redisRateLimiter } from "../../store/redis-rate-limiter.js";

/** Runs allowed per fixed window; 0 turns a limit off. */
export interface QuotaLimits {
  /** MOA_QUOTA_USER_PER_MINUTE: runs one user may start per minute. */
  userPerMinute: number;
  /** MOA_QUOTA_USER_PER_HOUR: runs one user may start per hour. */
  userPerHour: number;
  /** MOA_QUOTA_CHANNEL_PER_MINUTE: runs one channel may start per minute, all users together. */
  channelPerMinute: number;
  /** MOA_QUOTA_CHANNEL_PER_HOUR: runs one channel may start per hour, all users together. */
  channelPerHour: number;
}

/** Outcome of `Quotas.check`. */
export type QuotaDecision =
  | { /** The run may start; it has been counted. */ ok: true }
  | {
      ok: false;
      /** Ms until the run would be allowed again. */
      retryAfterMs: number;
      /** Whose limit was hit. */
      scope: "user" | "channel";
      /** Sentence for the asker, saying which limit and when to retry. */
      message: string;
    };

/** Options of `Quotas`. */
export interface QuotasOptions {
  /** The instance's shared Redis client: counts then hold across instances. */
  redis?: RedisClient;
  /** Key prefix in Redis (default `moa:quota:`); tests use a unique one. */
  prefix?: string;
  /** Longest wait for Redis, ms (default 1 000); past it the run is counted in this process. */
  timeoutMs?: number;
  /** Told when Redis fails or is slow (the run is then counted in this process); must not throw. */
  onStoreError?: (error: unknown) => void;
}

const RULES = [
  { field: "userPerMinute", scope: "user", per: "minute" },
  { field: "userPerHour", scope: "user", per: "hour" },
  { field: "channelPerMinute", scope: "channel", per: "minute" },
  { field: "channelPerHour", scope: "channel", per: "hour" },
] as const;
const SECONDS = { minute: 60, hour: 3_600 } as const;

type Rule = (typeof RULES)[number] & { limit: number; limiter: RateLimiterAbstract };

/** The in-process limiter Redis falls back to; its use means Redis failed, so it says so. */
class InsuranceLimiter extends RateLimiterMemory {
  constructor(
    opts: ConstructorParameters<typeof RateLimiterMemory>[0],
    private readonly onUse: () => void,
  ) {
    super(opts);
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>) {
    this.onUse();
    return super.consume(key, points, options);
  }
}

/**
 * Per-user and per-channel run quotas over fixed windows (rate-limiter-flexible). `check`
 * counts the run only when every limit has room, so a refused attempt costs nothing; call
 * it before any model call and post `message` instead of running when it says no. With
 * Redis the counts are shared by every instance; while Redis is down or slow each instance
 * counts alone (the insurance limiter) and goes back to Redis once it answers again.
 */
export class Quotas {
  private readonly rules: Rule[];

  constructor(limits: QuotaLimits, options: QuotasOptions = {}) {
    const prefix = options.prefix ?? "moa:quota:";
    const told = () => options.onStoreError?.(new Error("Redis unavailable for quotas"));
    this.rules = RULES.filter((r) => limits[r.field] > 0).map((r) => {
      // Keys stay `moa:quota:user:m:<id>` as before (the library joins prefix and key with ':').
      const opts = {
        points: limits[r.field],
        duration: SECONDS[r.per],
        keyPrefix: `${prefix}${r.scope}:${r.per[0]}`,
      };
      const limiter = options.redis
        ? redisRateLimiter(
            options.redis,
            opts,
            options.timeoutMs ?? 1_000,
            new InsuranceLimiter(opts, told),
          )
        : new RateLimiterMemory(opts);
      return { ...r, limit: limits[r.field], limiter };
    });
  }

  /**
   * Counts one run for `userKey` and `channelKey` if every limit has room. Keys should be
   * globally unique, e.g. `slack:T123:U456` and `slack:T123:C789`.
   */
  async check(userKey: string, channelKey: string): Promise<QuotaDecision> {
    const keyOf = (r: Rule) => (r.scope === "user" ? userKey : channelKey);
    const results = await Promise.all(
      this.rules.map((r) =>
        r.limiter.consume(keyOf(r)).then(
          () => undefined,
          (res: unknown) => res,
        ),
      ),
    );
    let worst: { rule: Rule; res: RateLimiterRes } | undefined;
    this.rules.forEach((rule, i) => {
      const res = results[i];
      if (res instanceof RateLimiterRes && (!worst || res.msBeforeNext > worst.res.msBeforeNext))
        worst = { rule, res };
    });
    if (!worst) return { ok: true };
    // All or nothing: hand back what this attempt took. Between take and refund a concurrent
    // check may see one run too many and be refused; a limit is never exceeded.
    await Promise.all(
      this.rules.map((r, i) =>
        results[i] === undefined || results[i] instanceof RateLimiterRes
          ? r.limiter.reward(keyOf(r)).catch(() => undefined)
          : undefined,
      ),
    );
    const { rule, res } = worst;
    const retryAfterMs = Math.max(res.msBeforeNext, 1_000);
    const who = rule.scope === "user" ? "You have" : "This channel has";
    return {
      ok: false,
      retryAfterMs,
      scope: rule.scope,
      message: `${who} reached the limit of ${rule.limit} runs per ${rule.per}. Please try again ${retryPhrase(retryAfterMs)}.`,
    };
  }
}

/** "in 42 seconds", "in 3 minutes", "in 1 hour": rounded up, so retrying then works. */
export function retryPhrase(ms: number): string {
  const unit = (n: number, word: string) => `in ${n} ${word}${n === 1 ? "" : "s"}`;
  if (ms <= 90_000) return unit(Math.ceil(ms / 1_000), "second");
  if (ms <= 90 * 60_000) return unit(Math.ceil(ms / 60_000), "minute");
  return unit(Math.ceil(ms / 3_600_000), "hour");
}
