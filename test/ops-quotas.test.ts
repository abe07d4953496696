import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type QuotaLimits, Quotas, retryPhrase } from "../src/bots/admission/quotas.js";
import { connectRedis, type RedisConnection } from "../src/store/redis-kv.js";
import { recordingLog } from "./fixtures/commands-env.js";
import { until } from "./fixtures/conditions.js";
import { TcpProxy } from "./fixtures/tcp-proxy.js";

const REDIS_URL = process.env.MOA_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const limits = (l: Partial<QuotaLimits>): QuotaLimits => ({
  userPerMinute: 0,
  userPerHour: 0,
  channelPerMinute: 0,
  channelPerHour: 0,
  ...l,
});
/** The limiter's memory windows read Date.now and expire on timers: both are faked. */
const clock = {
  set: (ms: number) => vi.setSystemTime(ms),
  advance: (ms: number) => vi.advanceTimersByTime(ms),
};

describe("Quotas in memory", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("refuses the user past the per-minute limit and says when to retry", async () => {
    clock.set(1_000_000);
    const quotas = new Quotas(limits({ userPerMinute: 2 }));
    expect(await quotas.check("u1", "c1")).toEqual({ ok: true });
    clock.advance(15_000);
    expect(await quotas.check("u1", "c1")).toEqual({ ok: true });
    const refused = await quotas.check("u1", "c1");
    expect(refused).toEqual({
      ok: false,
      scope: "user",
      retryAfterMs: 45_000,
      message: "You have reached the limit of 2 runs per minute. Please try again in 45 seconds.",
    });
    expect(await quotas.check("u2", "c1")).toEqual({ ok: true });
    clock.advance(45_000);
    expect(await quotas.check("u1", "c1")).toEqual({ ok: true });
  });

  it("counts a channel across users, and a refused attempt charges nothing", async () => {
    clock.set(0);
    const quotas = new Quotas(limits({ userPerMinute: 1, channelPerHour: 3 }));
    expect((await quotas.check("a", "c")).ok).toBe(true);
    // Refused by a's own limit: must not use up the channel's budget.
    expect((await quotas.check("a", "c")).ok).toBe(false);
    expect((await quotas.check("a", "c")).ok).toBe(false);
    expect((await quotas.check("b", "c")).ok).toBe(true);
    expect((await quotas.check("d", "c")).ok).toBe(true);
    clock.advance(600_000);
    const refused = await quotas.check("e", "c");
    expect(refused).toMatchObject({ ok: false, scope: "channel", retryAfterMs: 3_000_000 });
    expect(refused.ok || refused.message).toBe(
      "This channel has reached the limit of 3 runs per hour. Please try again in 50 minutes.",
    );
  });

  it("reports the limit that frees up last when several are full", async () => {
    clock.set(0);
    const quotas = new Quotas(limits({ userPerMinute: 1, userPerHour: 1 }));
    await quotas.check("u", "c");
    expect(await quotas.check("u", "c")).toMatchObject({ ok: false, retryAfterMs: 3_600_000 });
  });

  it("phrases retry times rounded up", () => {
    expect(retryPhrase(1_000)).toBe("in 1 second");
    expect(retryPhrase(41_200)).toBe("in 42 seconds");
    expect(retryPhrase(600_001)).toBe("in 11 minutes");
    expect(retryPhrase(3_600_000)).toBe("in 60 minutes");
    expect(retryPhrase(7_200_000)).toBe("in 2 hours");
  });
});

describe("Quotas over the real Redis", () => {
  const prefix = `moa-test:${randomUUID()}:quota:`;
  let one: RedisConnection;
  let two: RedisConnection;

  beforeAll(async () => {
    one = connectRedis(REDIS_URL, { log: recordingLog() });
    two = connectRedis(REDIS_URL, { log: recordingLog() });
    await Promise.all([one.firstAttempt(), two.firstAttempt()]);
    expect(one.client.isReady && two.client.isReady).toBe(true);
  });
  afterAll(async () => {
    for await (const keys of one.client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 }))
      if (keys.length > 0) await one.client.del(keys);
    await one?.close();
    await two?.close();
  });

  it("refuses past the limit with the window's remaining time", async () => {
    const quotas = new Quotas(limits({ channelPerMinute: 2 }), { redis: one.client, prefix });
    expect((await quotas.check("u1", "c-limit")).ok).toBe(true);
    expect((await quotas.check("u2", "c-limit")).ok).toBe(true);
    const refused = await quotas.check("u3", "c-limit");
    expect(refused).toMatchObject({ ok: false, scope: "channel" });
    if (refused.ok) return;
    expect(refused.retryAfterMs).toBeGreaterThan(1_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(refused.message).toMatch(
      /limit of 2 runs per minute\. Please try again in \d+ seconds\./,
    );
  });

  it("two instances sharing Redis see one count", async () => {
    const first = new Quotas(limits({ userPerHour: 3 }), { redis: one.client, prefix });
    const second = new Quotas(limits({ userPerHour: 3 }), { redis: two.client, prefix });
    const results = await Promise.all([
      first.check("shared-user", "c1"),
      second.check("shared-user", "c2"),
      first.check("shared-user", "c3"),
      second.check("shared-user", "c4"),
      first.check("shared-user", "c5"),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok)).toHaveLength(2);
    expect(await second.check("other-user", "c1")).toEqual({ ok: true });
  });

  it("refused attempts charge no counter in Redis either", async () => {
    const quotas = new Quotas(limits({ userPerMinute: 1, channelPerMinute: 2 }), {
      redis: one.client,
      prefix,
    });
    expect((await quotas.check("x", "c-charge")).ok).toBe(true);
    expect((await quotas.check("x", "c-charge")).ok).toBe(false);
    expect((await quotas.check("y", "c-charge")).ok).toBe(true);
    expect(await quotas.check("z", "c-charge")).toMatchObject({ ok: false, scope: "channel" });
  });

  it("Redis unreachable: runs are counted in this process, and it says so", async () => {
    const down = connectRedis("redis://127.0.0.1:1", {
      log: recordingLog(),
      connectTimeoutMs: 500,
    });
    try {
      await down.firstAttempt();
      const errors: unknown[] = [];
      const quotas = new Quotas(limits({ userPerMinute: 1 }), {
        redis: down.client,
        prefix,
        onStoreError: (e) => errors.push(e),
      });
      expect(await quotas.check("u", "c")).toEqual({ ok: true });
      expect(errors).toHaveLength(1);
      // It used to let every run through while the store failed.
      expect(await quotas.check("u", "c")).toMatchObject({ ok: false, scope: "user" });
    } finally {
      await down.close();
    }
  });

  it("all limits 0 means no Redis call at all", async () => {
    const down = connectRedis("redis://127.0.0.1:1", {
      log: recordingLog(),
      connectTimeoutMs: 500,
    });
    try {
      await down.firstAttempt();
      const errors: unknown[] = [];
      const quotas = new Quotas(limits({}), {
        redis: down.client,
        onStoreError: (e) => errors.push(e),
      });
      expect(await quotas.check("u", "c")).toEqual({ ok: true });
      expect(errors).toEqual([]);
    } finally {
      await down.close();
    }
  });

  it("Redis down at start, reachable later: counts go to Redis again without a restart", async () => {
    const url = new URL(REDIS_URL);
    const proxy = new TcpProxy(url.hostname, Number(url.port || 6379));
    await proxy.start();
    await proxy.stop();
    const late = connectRedis(`redis://127.0.0.1:${proxy.port}`, { log: recordingLog() });
    try {
      await late.firstAttempt();
      expect(late.client.isReady).toBe(false);
      const errors: unknown[] = [];
      const here = new Quotas(limits({ userPerHour: 2 }), {
        redis: late.client,
        prefix,
        onStoreError: (e) => errors.push(e),
      });
      const elsewhere = new Quotas(limits({ userPerHour: 2 }), { redis: one.client, prefix });
      expect(await here.check("late-user", "c")).toEqual({ ok: true });
      expect(errors).toHaveLength(1);

      await proxy.start();
      await until(() => late.client.isReady, "client reconnected through the proxy");
      // Another instance uses up the shared limit; this one must now see it in Redis
      // (it used to keep counting alone, 1 of 2, until restart).
      expect(await elsewhere.check("late-user", "c")).toEqual({ ok: true });
      expect(await elsewhere.check("late-user", "c")).toEqual({ ok: true });
      expect(await here.check("late-user", "c")).toMatchObject({ ok: false, scope: "user" });
      expect(errors).toHaveLength(1);
    } finally {
      await late.close();
      await proxy.stop();
    }
  });
});
