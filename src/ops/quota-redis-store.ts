import type { QuotaBucket, QuotaStore, TakeResult } from "./quota-store.js";
import { connectRedis } from "./redis-connect.js";

/**
 * All-or-nothing take over N fixed windows, atomic in Redis so every instance sees one
 * count. KEYS: counters; ARGV: limit and window ms per key. Returns {1} when charged,
 * {0, index (1-based), ms until that window closes} when a full window refuses.
 */
const TAKE_SCRIPT = `
local worst, wait = 0, -1
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then ttl = tonumber(ARGV[2 * i]) end
    if ttl > wait then worst, wait = i, ttl end
  end
end
if worst > 0 then return {0, worst, wait} end
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 or redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[2 * i]) end
end
return {1}
`;

/** The one command this store needs; a node-redis v5 client fits. */
export interface RedisEval {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Quota counters in Redis (INCR + PEXPIRE in one Lua script), shared by every instance. */
export class RedisQuotaStore implements QuotaStore {
  /** `client`: connected Redis client; `onClose`: what `close` does (e.g. disconnect an owned client). */
  constructor(
    private readonly client: RedisEval,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  /**
   * Connects its own client to `url`. Commands fail at once while Redis is down (no
   * offline queue), so `Quotas` can fail open instead of holding the request.
   */
  static async connect(url: string, connectTimeoutMs = 2_000): Promise<RedisQuotaStore> {
    const { clients, release } = await connectRedis(url, { connectTimeoutMs });
    return new RedisQuotaStore(clients[0] as unknown as RedisEval, release);
  }

  async take(buckets: readonly QuotaBucket[]): Promise<TakeResult> {
    const reply = (await this.client.eval(TAKE_SCRIPT, {
      keys: buckets.map((b) => b.key),
      arguments: buckets.flatMap((b) => [String(b.limit), String(b.windowMs)]),
    })) as number[];
    if (reply[0] === 1) return { ok: true };
    return { ok: false, index: Number(reply[1]) - 1, retryAfterMs: Number(reply[2]) };
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
