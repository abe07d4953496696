import KeyvRedis, { createClient } from "@keyv/redis";
import { DEFAULT_STORE_TIMEOUT_MS } from "./bounded.js";
import { type KeyvKvOptions, type Kv, keyvKv } from "./kv.js";
import { consoleWarnLog } from "./warn-log.js";

/** Longest wait between reconnect attempts, ms. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * A Kv on Redis. We build the node-redis client ourselves so that commands fail
 * at once while Redis is down (no offline queue that would hang a command) and
 * the client keeps reconnecting in the background, so the bot recovers alone.
 * Dedup claims use SET NX PX, atomic across every process sharing this Redis.
 */
export function redisKv(
  url: string,
  options: Omit<KeyvKvOptions, "setIfAbsent" | "onClose"> = {},
): Kv {
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const log = options.log ?? consoleWarnLog;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
  let up = true;
  // Until the first connection attempt ends (connected or refused) a call waits for it,
  // within its deadline; afterwards an outage fails calls at once (no offline queue).
  let firstAttemptDone = false;
  const firstAttempt = new Promise<void>((resolve) => {
    const done = () => {
      firstAttemptDone = true;
      resolve();
    };
    client.once("ready", done);
    client.once("error", done);
  });
  // One line per outage, not one per reconnect attempt; never the URL (it may hold a password).
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
  const adapter = new KeyvRedis(client, { throwOnConnectError: true, throwOnErrors: true });
  return keyvKv(adapter, {
    ...options,
    beforeCall: async () => {
      if (!firstAttemptDone) await firstAttempt;
    },
    setIfAbsent: async (key, serialized, ttlMs) =>
      (await client.set(key, serialized, { NX: true, PX: ttlMs })) === "OK",
    onClose: async () => {
      if (client.isOpen) client.destroy();
    },
  });
}
