import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatChunk, ChatModel, ChatRequest } from "../src/moa/chat-model.js";
import { ProviderScheduler } from "../src/moa/traffic/provider-scheduler.js";
import { connectRedis, type RedisConnection } from "../src/store/redis-kv.js";
import { RedisStartBudget } from "../src/store/shared-start-budget.js";
import { until } from "./fixtures/conditions.js";

const REDIS_URL = process.env.MOA_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
/** Long enough that nothing of the second window starts while the test looks at the first. */
const WINDOW_MS = 4_000;

/** Records every call that reached the "provider". */
class CountingModel implements ChatModel {
  started: string[] = [];
  async *stream(req: ChatRequest): AsyncIterable<ChatChunk> {
    this.started.push(req.model);
    yield { type: "delta", text: "ok" };
  }
}

const ask = async (model: ChatModel, id: string) => {
  let text = "";
  const req = {
    model: id,
    messages: [{ role: "user" as const, content: "hi" }],
    temperature: 0,
    maxTokens: 5,
  };
  for await (const c of model.stream(req, new AbortController().signal))
    if (c.type === "delta") text += c.text;
  return text;
};

describe("provider request budget shared through Redis", () => {
  const connections: RedisConnection[] = [];
  const connect = async (url = REDIS_URL) => {
    const c = connectRedis(url, { log: { warn: () => {} } });
    connections.push(c);
    await c.firstAttempt();
    return c;
  };
  beforeAll(async () => {
    await connect();
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
  });

  it("two instances together start at most rpm calls of a provider per window", async () => {
    const prefix = `moa-test:${randomUUID()}:rpm:`;
    const provider = new CountingModel();
    // Two "instances": each its own scheduler and Redis connection, one provider behind both.
    const instances = await Promise.all(
      [0, 1].map(async () => {
        const { client } = await connect();
        return new ProviderScheduler(provider, {
          providerOf: () => "p",
          limits: { p: { maxConcurrency: 0, rpm: 3 } },
          rateWindowMs: WINDOW_MS,
          sharedBudget: new RedisStartBudget(client, { prefix }),
        });
      }),
    );
    // Each instance alone would start 3 at once (its local window allows it): 6 in all.
    const answers = Promise.all(
      Array.from({ length: 6 }, (_, i) => ask(instances[i % 2] as ProviderScheduler, `p:m${i}`)),
    );
    await until(() => provider.started.length >= 3, "the first window's starts");
    await new Promise((r) => setTimeout(r, 300));
    expect(provider.started).toHaveLength(3);
    await expect(answers).resolves.toEqual(Array(6).fill("ok"));
    expect(provider.started).toHaveLength(6);
  }, 30_000);

  it("with Redis unreachable the call goes on the local budget and the outage is told once", async () => {
    const down = await connect("redis://127.0.0.1:1");
    const told: unknown[] = [];
    const provider = new CountingModel();
    const scheduler = new ProviderScheduler(provider, {
      providerOf: () => "p",
      limits: { p: { maxConcurrency: 0, rpm: 10 } },
      sharedBudget: new RedisStartBudget(down.client, {
        onStoreError: (e) => told.push(e),
      }),
    });
    await expect(Promise.all([ask(scheduler, "p:a"), ask(scheduler, "p:b")])).resolves.toEqual([
      "ok",
      "ok",
    ]);
    expect(provider.started).toHaveLength(2);
    expect(told).toHaveLength(1);
  });
});
