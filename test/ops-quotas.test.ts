import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisQuotaStore } from "../src/ops/quota-redis-store.js";
import { MemoryQuotaStore, type QuotaStore } from "../src/ops/quota-store.js";
import { type QuotaLimits, Quotas, retryPhrase } from "../src/ops/quotas.js";

const REDIS_URL = process.env.MOA_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const limits = (l: Partial<QuotaLimits>): QuotaLimits => ({
  userPerMinute: 0,
  userPerHour: 0,
  channelPerMinute: 0,
  channelPerHour: 0,
  ...l,
});

describe("Quotas over memory", () => {
  it("refuses the user past the per-minute limit and says when to retry", async () => {
    let now = 1_000_000;
    const quotas = new Quotas(new MemoryQuotaStore(() => now), limits({ userPerMinute: 2 }));
    expect(await quotas.check("u1", "c1")).toEqual({ ok: true });
    now += 15_000;
    expect(await quotas.check("u1", "c1")).toEqual({ ok: true });
    const refused = await quotas.check("u1", "c1");
    expect(refused).toEqual({
      ok: false,
      scope: "user",
      retryAfterMs: 45_000,
      message: "You have reached the limit of 2 runs per minute. Please try again in 45 seconds.",
    });
    expect(await quotas.check("u2", "c1")).toEqual({ ok: true });
    now += 45_000;
    expect(await quotas.check("u1", "c1")).toEqual({ ok: true });
  });

  it("counts a channel across users, and a refused attempt charges nothing", async () => {
    let now = 0;
    const quotas = new Quotas(
      new MemoryQuotaStore(() => now),
      limits({ userPerMinute: 1, channelPerHour: 3 }),
    );
    expect((await quotas.check("a", "c")).ok).toBe(true);
    // Refused by a's own limit: must not use up the channel's budget.
    expect((await quotas.check("a", "c")).ok).toBe(false);
    expect((await quotas.check("a", "c")).ok).toBe(false);
    expect((await quotas.check("b", "c")).ok).toBe(true);
    expect((await quotas.check("d", "c")).ok).toBe(true);
    now += 600_000;
    const refused = await quotas.check("e", "c");
    expect(refused).toMatchObject({ ok: false, scope: "channel", retryAfterMs: 3_000_000 });
    expect(refused.ok || refused.message).toBe(
      "This channel has reached the limit of 3 runs per hour. Please try again in 50 minutes.",
    );
  });

  it("reports the limit that frees up last when several are full", async () => {
    const now = 0;
    const quotas = new Quotas(
      new MemoryQuotaStore(() => now),
      limits({ userPerMinute: 1, userPerHour: 1 }),
    );
    await quotas.check("u", "c");
    expect(await quotas.check("u", "c")).toMatchObject({ ok: false, retryAfterMs: 3_600_000 });
  });

  it("lets runs through when the store fails, and says so", async () => {
    const broken: QuotaStore = {
      take: () => Promise.reject(new Error("redis down")),
      close: async () => {},
    };
    const errors: unknown[] = [];
    const quotas = new Quotas(broken, limits({ userPerMinute: 1 }), {
      onStoreError: (e) => errors.push(e),
    });
    expect(await quotas.check("u", "c")).toEqual({ ok: true });
    expect(errors).toHaveLength(1);
  });

  it("all limits 0 means no store call at all", async () => {
    const store: QuotaStore = {
      take: () => {
        throw new Error("must not be called");
      },
      close: async () => {},
    };
    expect(await new Quotas(store, limits({})).check("u", "c")).toEqual({ ok: true });
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
  let one: RedisQuotaStore;
  let two: RedisQuotaStore;

  beforeAll(async () => {
    one = await RedisQuotaStore.connect(REDIS_URL);
    two = await RedisQuotaStore.connect(REDIS_URL);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  it("refuses past the limit with the window's remaining time", async () => {
    const quotas = new Quotas(one, limits({ channelPerMinute: 2 }), { prefix });
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
    const first = new Quotas(one, limits({ userPerHour: 3 }), { prefix });
    const second = new Quotas(two, limits({ userPerHour: 3 }), { prefix });
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
    const quotas = new Quotas(one, limits({ userPerMinute: 1, channelPerMinute: 2 }), { prefix });
    expect((await quotas.check("x", "c-charge")).ok).toBe(true);
    expect((await quotas.check("x", "c-charge")).ok).toBe(false);
    expect((await quotas.check("y", "c-charge")).ok).toBe(true);
    expect(await quotas.check("z", "c-charge")).toMatchObject({ ok: false, scope: "channel" });
  });
});

describe("RedisQuotaStore.connect", () => {
  it("fails fast when Redis is unreachable at start, so the bot can fall back", async () => {
    // It used to retry forever, so this awaited past the test timeout.
    await expect(RedisQuotaStore.connect("redis://127.0.0.1:1", 500)).rejects.toBeTruthy();
  });
});
