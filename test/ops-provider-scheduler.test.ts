import { getEventListeners } from "node:events";
import { setImmediate as tick } from "node:timers/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ModelError } from "../src/errors.js";
import type { ChatChunk, ChatModel, ChatRequest } from "../src/moa/chat-model.js";
import { ProviderScheduler } from "../src/moa/traffic/provider-scheduler.js";

/** Time that moves only when the test says so: vitest's fake timers (Date and timers). */
class ManualClock {
  constructor() {
    vi.useFakeTimers({ now: 1_000_000 });
  }
  now = () => Date.now();
  async advance(ms: number): Promise<void> {
    await vi.advanceTimersByTimeAsync(ms);
    await settle();
  }
  get pendingTimers(): number {
    return vi.getTimerCount();
  }
}

/** Lets every ready promise chain run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

/** Inner model that records starts and concurrency; each call does what `script` says. */
class RecordingModel implements ChatModel {
  started: string[] = [];
  active = 0;
  maxActive = 0;
  constructor(private readonly script: (req: ChatRequest, n: number) => Promise<void> | void) {}
  async *stream(req: ChatRequest): AsyncIterable<ChatChunk> {
    const n = this.started.push(req.model);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      await this.script(req, n);
      yield { type: "delta", text: "ok" };
    } finally {
      this.active--;
    }
  }
}

const request = (model: string): ChatRequest => ({
  model,
  messages: [{ role: "user", content: "hi" }],
  temperature: 0,
  maxTokens: 10,
});

async function drain(model: ChatModel, id: string, signal = new AbortController().signal) {
  const out: string[] = [];
  for await (const c of model.stream(request(id), signal)) if (c.type === "delta") out.push(c.text);
  return out.join("");
}

const providerOf = (id: string) => id.split(":")[0] as string;

describe("ProviderScheduler", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("never runs more than maxConcurrency calls of a provider at once", async () => {
    const inner = new RecordingModel(async () => {
      for (let i = 0; i < 1 + Math.floor(Math.random() * 4); i++) await tick();
    });
    const scheduler = new ProviderScheduler(inner, {
      providerOf,
      limits: { a: { maxConcurrency: 3, rpm: 0 } },
    });
    const results = await Promise.all(Array.from({ length: 30 }, () => drain(scheduler, "a:m")));
    expect(results).toEqual(Array(30).fill("ok"));
    expect(inner.maxActive).toBe(3);
    expect(scheduler.load().a).toMatchObject({ queued: 0, active: 0, limit: 3 });
  });

  it("starts at most rpm calls per window, in FIFO order", async () => {
    const clock = new ManualClock();
    const inner = new RecordingModel(() => {});
    const scheduler = new ProviderScheduler(inner, {
      providerOf,
      rateWindowMs: 60_000,
      limits: { a: { maxConcurrency: 0, rpm: 5 } },
    });
    const ids = Array.from({ length: 12 }, (_, i) => `a:m${i}`);
    const all = Promise.all(ids.map((id) => drain(scheduler, id)));
    await settle();
    expect(inner.started).toEqual(ids.slice(0, 5));
    expect(scheduler.load().a?.queued).toBe(7);
    await clock.advance(59_999);
    expect(inner.started).toHaveLength(5);
    await clock.advance(1);
    expect(inner.started).toEqual(ids.slice(0, 10));
    await clock.advance(60_000);
    expect(inner.started).toEqual(ids);
    await all;
    expect(clock.pendingTimers).toBe(0);
  });

  it("counts the window from each start (sliding), so a burst at a window's end cannot double the rate", async () => {
    const clock = new ManualClock();
    const inner = new RecordingModel(() => {});
    const scheduler = new ProviderScheduler(inner, {
      providerOf,
      rateWindowMs: 60_000,
      limits: { a: { maxConcurrency: 0, rpm: 5 } },
    });
    await drain(scheduler, "a:early");
    await clock.advance(50_000);
    const burst = Promise.all(Array.from({ length: 9 }, (_, i) => drain(scheduler, `a:b${i}`)));
    await settle();
    expect(inner.started).toHaveLength(5);
    // A fixed window would reset here and let 5 more go; only the early start has expired.
    await clock.advance(10_000);
    expect(inner.started).toHaveLength(6);
    await clock.advance(50_000);
    expect(inner.started).toHaveLength(10);
    await burst;
  });

  it("pauses the whole provider after a 429 with Retry-After and queues the call again, first, instead of failing", async () => {
    const clock = new ManualClock();
    const inner = new RecordingModel((req, n) => {
      if (n === 1) throw new ModelError("rate_limit", req.model, "429", { retryAfterMs: 5_000 });
    });
    const paused: Array<[string, number]> = [];
    const scheduler = new ProviderScheduler(inner, {
      providerOf,
      limits: {},
      onPause: (p, ms) => paused.push([p, ms]),
    });
    const first = drain(scheduler, "a:first");
    await settle();
    expect(paused).toEqual([["a", 5_000]]);
    expect(scheduler.pausedUntil("a")).toBe(clock.now() + 5_000);

    const later = Promise.all([drain(scheduler, "a:x"), drain(scheduler, "a:y")]);
    await expect(drain(scheduler, "b:other")).resolves.toBe("ok");
    await clock.advance(4_999);
    expect(inner.started).toEqual(["a:first", "b:other"]);
    expect(scheduler.load().a?.queued).toBe(3);
    await clock.advance(1);
    await expect(first).resolves.toBe("ok");
    await expect(later).resolves.toEqual(["ok", "ok"]);
    // The rate-limited call went again before the calls that queued after it.
    expect(inner.started).toEqual(["a:first", "b:other", "a:first", "a:x", "a:y"]);
    expect(scheduler.pausedUntil("a")).toBe(0);
  });

  it("passes the 429 on once a call has used its requeues", async () => {
    const clock = new ManualClock();
    const inner = new RecordingModel((req) => {
      throw new ModelError("rate_limit", req.model, "429", { retryAfterMs: 10 });
    });
    const scheduler = new ProviderScheduler(inner, {
      providerOf,
      limits: {},
      maxRequeues: 2,
    });
    const failed = expect(drain(scheduler, "a:m")).rejects.toMatchObject({ kind: "rate_limit" });
    for (let i = 0; i < 5; i++) await clock.advance(10);
    await failed;
    expect(inner.started).toEqual(["a:m", "a:m", "a:m"]);
  });

  it("queues a retry (attempt > 1) ahead of first attempts, not at the back", async () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const inner = new RecordingModel((req) => (req.model === "a:busy" ? gate : undefined));
    const scheduler = new ProviderScheduler(inner, {
      providerOf,
      limits: { a: { maxConcurrency: 1, rpm: 0 } },
    });
    const busy = drain(scheduler, "a:busy");
    const firsts = [drain(scheduler, "a:new1"), drain(scheduler, "a:new2")];
    const retry = (async () => {
      const out: string[] = [];
      const req = { ...request("a:retry"), attempt: 2 };
      for await (const c of scheduler.stream(req, new AbortController().signal))
        if (c.type === "delta") out.push(c.text);
      return out.join("");
    })();
    await settle();
    open();
    await Promise.all([busy, ...firsts, retry]);
    expect(inner.started).toEqual(["a:busy", "a:retry", "a:new1", "a:new2"]);
  });

  it("learns concurrency: halves it once per 429 burst, not once per 429", async () => {
    const clock = new ManualClock();
    let limited = true;
    const inner = new RecordingModel((req) => {
      if (limited && inner.active > 3)
        throw new ModelError("rate_limit", req.model, "429", { retryAfterMs: 1_000 });
    });
    const scheduler = new ProviderScheduler(inner, { providerOf, limits: {} });
    const all = Promise.all(Array.from({ length: 20 }, (_, i) => drain(scheduler, `a:m${i}`)));
    await settle();
    // 8 slots at first: the 5th..8th concurrent calls got 429, and the provider paused.
    expect(scheduler.pausedUntil("a")).toBeGreaterThan(0);
    expect(scheduler.load().a?.limit).toBe(4);
    await clock.advance(1_000);
    await clock.advance(1_000);
    await clock.advance(1_000);
    limited = false;
    await clock.advance(5_000);
    await expect(all).resolves.toEqual(Array(20).fill("ok"));
    // Halved per burst (not per 429): it settles near the 3 the provider allows.
    expect(inner.maxActive).toBeLessThanOrEqual(8);
    expect(scheduler.load().a?.limit).toBeGreaterThanOrEqual(2);
  });

  it("holds back new starts when the provider says the request budget is spent", async () => {
    const clock = new ManualClock();
    let n = 0;
    const inner: ChatModel = {
      async *stream() {
        n++;
        yield {
          type: "limits",
          limits: { remainingRequests: n === 1 ? 0 : 5, resetRequestsMs: 2_000 },
        };
        yield { type: "delta", text: "ok" };
      },
    };
    const scheduler = new ProviderScheduler(inner, { providerOf, limits: {} });
    await expect(drain(scheduler, "a:one")).resolves.toBe("ok");
    expect(scheduler.pausedUntil("a")).toBe(clock.now() + 2_000);
    const next = drain(scheduler, "a:two");
    await settle();
    expect(n).toBe(1);
    await clock.advance(2_000);
    await expect(next).resolves.toBe("ok");
  });

  it("a queued call whose signal aborts leaves the queue at once and leaks nothing", async () => {
    let releaseFirst = () => {};
    const inner = new RecordingModel((_req, n) =>
      n === 1 ? new Promise<void>((r) => (releaseFirst = r)) : undefined,
    );
    const scheduler = new ProviderScheduler(inner, {
      providerOf,
      limits: { a: { maxConcurrency: 1, rpm: 0 } },
    });
    const first = drain(scheduler, "a:first");
    await settle();
    const controller = new AbortController();
    const queued = drain(scheduler, "a:queued", controller.signal);
    await settle();
    expect(scheduler.load().a).toMatchObject({ queued: 1, active: 1 });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);

    controller.abort();
    await expect(queued).rejects.toMatchObject({ kind: "aborted" });
    expect(scheduler.load().a).toMatchObject({ queued: 0, active: 1 });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);

    releaseFirst();
    await first;
    await expect(drain(scheduler, "a:next")).resolves.toBe("ok");
    expect(inner.started).toEqual(["a:first", "a:next"]);
    expect(scheduler.load().a).toMatchObject({ queued: 0, active: 0 });
  });

  it("an already-aborted signal never reaches the provider", async () => {
    const inner = new RecordingModel(() => {});
    const scheduler = new ProviderScheduler(inner, { providerOf, limits: {} });
    await expect(drain(scheduler, "a:m", AbortSignal.abort())).rejects.toMatchObject({
      kind: "aborted",
    });
    expect(inner.started).toEqual([]);
  });

  it("releases the slot when the consumer stops reading early", async () => {
    const inner = new RecordingModel(() => {});
    const scheduler = new ProviderScheduler(inner, {
      providerOf,
      limits: { a: { maxConcurrency: 1, rpm: 0 } },
    });
    for await (const _ of scheduler.stream(request("a:m"), new AbortController().signal)) break;
    expect(scheduler.load().a).toMatchObject({ queued: 0, active: 0 });
  });

  it("passes unroutable ids straight to the inner model", async () => {
    const inner = new RecordingModel(() => {});
    const scheduler = new ProviderScheduler(inner, {
      providerOf: () => {
        throw new Error("unknown provider");
      },
      limits: {},
    });
    await expect(drain(scheduler, "zz:m")).resolves.toBe("ok");
    expect(scheduler.load()).toEqual({});
  });
});
