import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@keyv/redis";
import KeyvSqlite from "@keyv/sqlite";
import { openStore } from "../src/store/open-store.js";
import { runStoreContract } from "./fixtures/run-store-contract.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

runStoreContract("SQLite", async (log) => {
  const path = join(mkdtempSync(join(tmpdir(), "moa-runs-")), "moa.sqlite");
  const raw = new KeyvSqlite({ uri: `sqlite://${path}` });
  const kv = openStore(`sqlite://${path}`, { log });
  return {
    kv,
    second: () => kv,
    prefix: "moa",
    writeRaw: async (key, value) => {
      await raw.set(key, value);
    },
    cleanup: () => raw.disconnect(),
  };
});

runStoreContract("Redis", async (log) => {
  const prefix = `moa-test-${randomUUID()}`;
  const client = createClient({ url: REDIS_URL });
  client.on("error", () => {});
  await client.connect();
  return {
    kv: openStore(REDIS_URL, { prefix, log }),
    second: () => openStore(REDIS_URL, { prefix, log }),
    prefix,
    writeRaw: async (key, value) => {
      await client.set(key, value);
    },
    cleanup: async () => {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 100 }))
        if (keys.length > 0) await client.del(keys);
      client.destroy();
    },
  };
});
