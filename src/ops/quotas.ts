import type { QuotaBucket, QuotaStore } from "./quota-store.js";

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

/**
 * Defaults sized for a team workspace: a run costs several model calls, so a person
 * asking more than once every 12 s on average, or a channel past 300 an hour, is
 * more likely a loop than a conversation.
 */
export const DEFAULT_QUOTA_LIMITS: Readonly<QuotaLimits> = {
  userPerMinute: 5,
  userPerHour: 60,
  channelPerMinute: 20,
  channelPerHour: 300,
};

/** MOA_MAX_CONCURRENT_RUNS default: runs at once per instance (the rest queue fairly). */
export const DEFAULT_MAX_CONCURRENT_RUNS = 8;

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
  /** Key prefix in the store (default `moa:quota:`); tests use a unique one. */
  prefix?: string;
  /** Longest wait for the store, ms (default 1 000); past it the run is allowed. */
  timeoutMs?: number;
  /** Told when the store fails or is slow (the run is then allowed); must not throw. */
  onStoreError?: (error: unknown) => void;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * Per-user and per-channel run quotas over fixed windows. `check` counts the run only
 * when every limit has room, so a refused attempt costs nothing; call it before any
 * model call and post `message` instead of running when it says no. With a Redis store
 * the counts are shared by every instance. A failing store lets runs through: quotas
 * guard spend, and an outage of the store should not silence the bot.
 */
export class Quotas {
  private readonly prefix: string;

  constructor(
    private readonly store: QuotaStore,
    private readonly limits: QuotaLimits,
    private readonly options: QuotasOptions = {},
  ) {
    this.prefix = options.prefix ?? "moa:quota:";
  }

  /**
   * Counts one run for `userKey` and `channelKey` if every limit has room. Keys should be
   * globally unique, e.g. `slack:T123:U456` and `slack:T123:C789`.
   */
  async check(userKey: string, channelKey: string): Promise<QuotaDecision> {
    const rules = [
      { scope: "user", id: userKey, limit: this.limits.userPerMinute, windowMs: MINUTE_MS },
      { scope: "user", id: userKey, limit: this.limits.userPerHour, windowMs: HOUR_MS },
      {
        scope: "channel",
        id: channelKey,
        limit: this.limits.channelPerMinute,
        windowMs: MINUTE_MS,
      },
      { scope: "channel", id: channelKey, limit: this.limits.channelPerHour, windowMs: HOUR_MS },
    ] as const;
    const active = rules.filter((r) => r.limit > 0);
    if (active.length === 0) return { ok: true };
    const buckets: QuotaBucket[] = active.map((r) => ({
      key: `${this.prefix}${r.scope}:${r.windowMs === MINUTE_MS ? "m" : "h"}:${r.id}`,
      limit: r.limit,
      windowMs: r.windowMs,
    }));
    let result: Awaited<ReturnType<QuotaStore["take"]>>;
    try {
      result = await this.withTimeout(this.store.take(buckets));
    } catch (error) {
      this.options.onStoreError?.(error);
      return { ok: true };
    }
    if (result.ok) return { ok: true };
    const rule = active[result.index] ?? (active[0] as (typeof active)[number]);
    const retryAfterMs = Math.max(result.retryAfterMs, 1_000);
    const per = rule.windowMs === MINUTE_MS ? "minute" : "hour";
    const who = rule.scope === "user" ? "You have" : "This channel has";
    return {
      ok: false,
      retryAfterMs,
      scope: rule.scope,
      message: `${who} reached the limit of ${rule.limit} runs per ${per}. Please try again ${retryPhrase(retryAfterMs)}.`,
    };
  }

  private async withTimeout<T>(work: Promise<T>): Promise<T> {
    const ms = this.options.timeoutMs ?? 1_000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`quota store took over ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** "in 42 seconds", "in 3 minutes", "in 1 hour": rounded up, so retrying then works. */
export function retryPhrase(ms: number): string {
  const unit = (n: number, word: string) => `in ${n} ${word}${n === 1 ? "" : "s"}`;
  if (ms <= 90_000) return unit(Math.ceil(ms / 1_000), "second");
  if (ms <= 90 * MINUTE_MS) return unit(Math.ceil(ms / MINUTE_MS), "minute");
  return unit(Math.ceil(ms / HOUR_MS), "hour");
}
