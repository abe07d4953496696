import { randomUUID } from "node:crypto";
import { createClient } from "@keyv/redis";
import { afterAll, describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../src/errors.js";
import { openStore } from "../src/store/open-store.js";
import { recordingLog } from "./fixtures/commands-env.js";
import { storeContract } from "./fixtures/store-contract.js";
import { TcpProxy } from "./fixtures/tcp-proxy.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A raw client for setup and cleanup of this run's keys only. */
async function rawClient() {
  const client = createClient({ url: REDIS_URL });
  client.on("error", () => {});
  await client.connect();
  return client;
}

async function deletePrefix(client: Awaited<ReturnType<typeof rawClient>>, prefix: string) {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 100 })) {
    if (keys.length > 0) await client.del(keys);
  }
}

storeContract("Redis", async () => {
  const prefix = `moa-test-${randomUUID()}`;
  const client = await rawClient();
  return {
    prefix,
    open: (log) => openStore(REDIS_URL, { prefix, log }),
    writeRaw: async (key, value) => {
      await client.set(key, value);
    },
    readRaw: async (key) => (await client.get(key)) ?? undefined,
    cleanup: async () => {
      await deletePrefix(client, prefix);
      client.destroy();
    },
  };
});

describe("Redis going away and coming back", () => {
  const prefix = `moa-test-${randomUUID()}`;
  const proxy = new TcpProxy(new URL(REDIS_URL).hostname, Number(new URL(REDIS_URL).port || 6379));
  afterAll(async () => {
    await proxy.stop();
    const client = await rawClient();
    await deletePrefix(client, prefix);
    client.destroy();
  });

  it("calls fail fast while it is down, and work again without a restart once it is back", async () => {
    await proxy.start();
    const log = recordingLog();
    const kv = openStore(`redis://127.0.0.1:${proxy.port}`, { prefix, log, timeoutMs: 1_000 });
    try {
      await kv.set("k", { v: 1 });
      expect(await kv.get("k")).toEqual({ v: 1 });

      await proxy.stop();
      const started = Date.now();
      await expect(kv.get("k")).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(kv.setIfAbsent("claim", true, 1_000)).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      expect(Date.now() - started).toBeLessThan(2_500);

      await proxy.start();
      let value: unknown;
      for (let i = 0; i < 60 && value === undefined; i++) {
        value = await kv.get("k").catch(() => undefined);
        if (value === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(value).toEqual({ v: 1 });
      expect(log.lines.map((l) => l.msg)).toEqual([
        "store: Redis unreachable; retrying in the background",
        "store: Redis reachable again",
      ]);
    } finally {
      await kv.close();
    }
  });

  it("twenty concurrent claims from two connections: exactly one wins (SET NX)", async () => {
    const a = openStore(REDIS_URL, { prefix, log: recordingLog() });
    const b = openStore(REDIS_URL, { prefix, log: recordingLog() });
    try {
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? a : b).setIfAbsent("dedup:race", true, 5_000),
        ),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
