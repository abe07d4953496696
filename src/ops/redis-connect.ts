import { createClient } from "@keyv/redis";

/** The settings every ops connection shares; `isUp` decides whether a lost one is retried. */
function makeClient(url: string, connectTimeoutMs: number, isUp: () => boolean) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries: number, cause: Error) =>
        isUp() ? Math.min(100 * 2 ** retries, 2_000) : cause,
    },
  });
}

/** A node-redis client as the ops features use it. */
export type RedisClient = ReturnType<typeof makeClient>;

/** Options of `connectRedis`. */
export interface RedisConnectOptions {
  /** Longest wait for the first connection, ms. */
  connectTimeoutMs?: number;
  /** Extra connections on the same settings (e.g. a pub/sub subscriber), connected together. */
  duplicates?: number;
  /** Told once per outage after start (never with the URL); `back` once it is reachable again. */
  onOutage?: (err: unknown) => void;
  onBack?: () => void;
}

/** Connected clients and the one way to release them. */
export interface RedisConnection {
  /** The main client, then the duplicates. */
  clients: RedisClient[];
  /** Destroys every client (no QUIT to a dead server); safe to call twice. */
  release(): Promise<void>;
}

/**
 * Connects to Redis for the ops features (quotas, Stop relay). The first connection gets
 * exactly one try, so a Redis that is down at start fails fast and the caller can fall back
 * to per-process behaviour; once up, outages are retried in the background, and with no
 * offline queue commands fail at once meanwhile instead of piling up.
 */
export async function connectRedis(
  url: string,
  options: RedisConnectOptions = {},
): Promise<RedisConnection> {
  let up = false;
  let down = false;
  const main = makeClient(url, options.connectTimeoutMs ?? 2_000, () => up);
  const clients = [
    main,
    ...Array.from({ length: options.duplicates ?? 0 }, () => main.duplicate()),
  ];
  for (const c of clients) {
    // Without an error listener node-redis rethrows connection errors.
    c.on("error", (err: unknown) => {
      if (!up || down) return;
      down = true;
      options.onOutage?.(err);
    });
    c.on("ready", () => {
      if (down) options.onBack?.();
      down = false;
    });
  }
  const release = async () => {
    for (const c of clients) if (c.isOpen) c.destroy();
  };
  try {
    await Promise.all(clients.map((c) => c.connect()));
  } catch (err) {
    await release();
    throw err;
  }
  up = true;
  return { clients, release };
}
