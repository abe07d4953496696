import KeyvRedis, { createClient } from "@keyv/redis";
import { DEFAULT_STORE_TIMEOUT_MS } from "./bounded.js";
import { REDIS_INDEX_APPEND } from "./key-index.js";
import { type KeyvKvOptions, type Kv, keyvKv } from "./kv.js";
import { consoleWarnLog, type WarnLog } from "./warn-log.js";

/** Longest wait between reconnect attempts, ms. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/** No offline queue (a command fails at once while Redis is down); reconnects forever, backing off. */
function makeClient(url: string, connectTimeoutMs: number) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
}

/** The node-redis client every Redis user of an instance (store, quotas) shares. */
export type RedisClient = ReturnType<typeof makeClient>;

/** One Redis connection of an instance, with the one reconnect policy. */
export interface RedisConnection {
  /** The client; commands fail at once while Redis is down (no offline queue). */
  client: RedisClient;
  /** Resolves once the first connection attempt ended (connected or refused). */
  firstAttempt(): Promise<void>;
  /** Destroys the client (no QUIT to a dead server); safe to call twice. */
  close(): Promise<void>;
}

/**
 * Connects to Redis so that commands fail at once while it is down (no offline queue
 * that would hang a command) and the client keeps reconnecting in the background,
 * whether it was down at start or went away later, so the bot recovers alone.
 * Logs one line per outage, never the URL (it may hold a password).
 */
export function connectRedis(
  url: string,
  options: { connectTimeoutMs?: number; log?: WarnLog } = {},
): RedisConnection {
  const log = options.log ?? consoleWarnLog;
  const client = makeClient(url, options.connectTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS);
  let up = true;
  let firstAttemptDone = false;
  const firstAttempt = new Promise<void>((resolve) => {
    const done = () => {
      firstAttemptDone = true;
      resolve();
    };
    client.once("ready", done);
    client.once("error", done);
  });
  client.on("error", (error: unknown) => {
    if (!up) return;
    up = false;
    log.warn({ err: error }, "store: Redis unreachable; retrying in the background");
  });
  client.on("ready", () => {
    if (!up) log.warn({}, "store: Redis reachable again");
    up = true;
  });
  // Stays pending while Redis is down and resolves once it answers; failures are the events above.
  client.connect().catch(() => undefined);
  return {
    client,
    firstAttempt: () => (firstAttemptDone ? Promise.resolve() : firstAttempt),
    close: async () => {
      if (client.isOpen) client.destroy();
    },
  };
}

/**
 * A Kv on Redis, over `redis` (shared; its owner closes it) or its own connection to a
 * URL (closed with the Kv). Until the first connection attempt ends a call waits for
 * it, within its deadline; afterwards an outage fails calls at once. Dedup claims use
 * SET NX PX and index appends one Lua script, atomic across every process sharing this Redis.
 */
export function redisKv(
  redis: string | RedisConnection,
  options: Omit<KeyvKvOptions, "setIfAbsent" | "appendToIndex" | "onClose"> = {},
): Kv {
  const owned = typeof redis === "string";
  const connection = owned
    ? connectRedis(redis, {
        connectTimeoutMs: options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS,
        log: options.log ?? consoleWarnLog,
      })
    : redis;
  const { client } = connection;
  const adapter = new KeyvRedis(client, { throwOnConnectError: true, throwOnErrors: true });
  return keyvKv(adapter, {
    ...options,
    beforeCall: connection.firstAttempt,
    setIfAbsent: async (key, serialized, ttlMs) =>
      (await client.set(key, serialized, { NX: true, PX: ttlMs })) === "OK",
    appendToIndex: async (key, member, max, ttlMs) => {
      const now = Date.now();
      const replaced = await client.eval(REDIS_INDEX_APPEND, {
        keys: [key],
        arguments: [member, String(max), String(ttlMs), String(now), String(now + ttlMs)],
      });
      return replaced === 1 ? "replaced" : "appended";
    },
    onClose: async () => {
      if (owned) await connection.close();
    },
  });
}
