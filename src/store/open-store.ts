import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import KeyvSqlite from "@keyv/sqlite";
import { ConfigError } from "../errors.js";
import { type KeyvKvOptions, type Kv, keyvKv } from "./kv.js";
import { type RedisConnection, redisKv } from "./redis-kv.js";

/** Options of `openStore` (prefix, deadline, log). */
export type OpenStoreOptions = Omit<
  KeyvKvOptions,
  "setIfAbsent" | "appendToIndex" | "onClose" | "beforeCall"
> & {
  /** For a redis:// URL: the instance's shared connection (its owner closes it) instead of a new one. */
  redis?: RedisConnection;
};

/**
 * Opens the store named by MOA_STORE_URL: `sqlite://<path>` (embedded, one
 * instance; the folder is created) or `redis://` / `rediss://` (several
 * instances). Anything else is a ConfigError saying what is supported.
 */
export function openStore(url: string, { redis, ...options }: OpenStoreOptions = {}): Kv {
  const scheme = /^([a-z]+):\/\//.exec(url)?.[1];
  if (scheme === "sqlite") {
    const path = url.slice("sqlite://".length);
    if (path === "")
      throw new ConfigError([
        "MOA_STORE_URL: sqlite:// needs a file path, e.g. sqlite://data/moa.sqlite",
      ]);
    if (path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
    // busyTimeout: a second process (a CLI next to the bot) waits for the lock instead of failing.
    const sqlite = new KeyvSqlite({ uri: url, busyTimeout: 1_000 });
    return keyvKv(sqlite, { ...options, sweep: () => sweepSqlite(sqlite) });
  }
  if (scheme === "redis" || scheme === "rediss") return redisKv(redis ?? url, options);
  if (scheme === "postgres" || scheme === "postgresql") {
    throw new ConfigError([
      "MOA_STORE_URL: PostgreSQL needs the @keyv/postgres package, which this build does not include; use sqlite:// or redis://",
    ]);
  }
  throw new ConfigError([
    "MOA_STORE_URL: expected sqlite://<path> (e.g. sqlite://data/moa.sqlite) or redis://host:6379",
  ]);
}

/**
 * Keyv's SQLite adapter hides expired rows on read but never deletes them, so old thread
 * conversations and dedup keys would pile up in the file. Keyv stores `{value, expires}`
 * JSON in the `value` column; rows whose `expires` has passed are deleted.
 */
async function sweepSqlite(sqlite: KeyvSqlite): Promise<number> {
  const query = (
    sqlite as unknown as { query(sql: string, ...args: unknown[]): Promise<unknown[]> }
  ).query;
  const where = "json_valid(value) AND json_extract(value, '$.expires') < ?";
  const now = Date.now();
  const rows = (await query(`SELECT COUNT(*) AS n FROM keyv WHERE ${where}`, now)) as Array<{
    n: number;
  }>;
  await query(`DELETE FROM keyv WHERE ${where}`, now);
  return rows[0]?.n ?? 0;
}
