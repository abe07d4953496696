import { Keyv, type KeyvStoreAdapter } from "keyv";
import { bounded, DEFAULT_STORE_TIMEOUT_MS } from "./bounded.js";
import { appendedIndex, type IndexAppend, type IndexAppendResult } from "./key-index.js";
import { keyedSerial } from "./keyed-serial.js";
import { consoleWarnLog, type WarnLog } from "./warn-log.js";

/**
 * The key-value port the typed stores use. Every method is bounded in time and
 * throws only StoreUnavailableError; keys are given without the global prefix.
 */
export interface Kv {
  /** The value under `key`, or undefined when absent, expired or not JSON. */
  get(key: string): Promise<unknown>;
  /** Writes one key in one backend call; `ttlMs` omitted = no expiry. */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  /** Removes `key` (no error when absent). */
  delete(key: string): Promise<void>;
  /** Writes only when `key` is absent; true when this call wrote it. */
  setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean>;
  /**
   * Adds `member` to the index under `key` (`KeyIndexSchema`), moving it last and keeping
   * the newest `max`, as one step: no concurrent append is lost, across every instance on
   * Redis, within this Kv elsewhere. An unreadable stored value is replaced (`"replaced"`).
   */
  appendToIndex(
    key: string,
    member: string,
    max: number,
    ttlMs: number,
  ): Promise<IndexAppendResult>;
  /** Deletes expired entries the backend keeps on disk (SQLite); absent where the backend expires them itself (Redis). */
  sweep?(): Promise<number>;
  /** Releases connections; the Kv is unusable afterwards. */
  close(): Promise<void>;
}

/** Atomic backend "SET NX PX" on a full key with a value already serialized. */
export type SetIfAbsent = (fullKey: string, serialized: string, ttlMs: number) => Promise<boolean>;

/** Options of `keyvKv`. */
export interface KeyvKvOptions {
  /** Prepended as `<prefix>:` to every key; tests use a unique one per run. */
  prefix?: string;
  /** Deadline of one store call, ms. */
  timeoutMs?: number;
  /** Where corrupt values are reported. */
  log?: WarnLog;
  /** Cross-process atomic claim (Redis); without it a per-process lock + get/set is used. */
  setIfAbsent?: SetIfAbsent;
  /** Cross-process atomic index append (Redis); without it a per-key lock + get/set is used. */
  appendToIndex?: IndexAppend;
  /** Awaited inside each call's deadline before it runs (Redis: the first connection). */
  beforeCall?: () => Promise<void>;
  /** Backend clean-up of expired entries, exposed as `Kv.sweep` (bounded like every call). */
  sweep?: () => Promise<number>;
  /** Replaces Keyv's disconnect in close() (Redis: destroy the client we own, no QUIT to a dead server). */
  onClose?: () => Promise<void>;
}

/** Keyv's stored envelope, which setIfAbsent writes directly so Keyv can read it back. */
const envelope = (value: unknown, ttlMs: number) =>
  JSON.stringify({ value, expires: Date.now() + ttlMs });

/** A Kv over any Keyv storage adapter (SQLite, Redis, or a Map in tests). */
export function keyvKv(
  adapter: KeyvStoreAdapter | Map<unknown, unknown>,
  options: KeyvKvOptions = {},
): Kv {
  const prefix = `${options.prefix ?? "moa"}:`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const log = options.log ?? consoleWarnLog;
  const keyv = new Keyv({
    store: adapter,
    useKeyPrefix: false,
    throwOnErrors: true,
    serialize: (data) => JSON.stringify(data),
    // A value that is not JSON (hand-edited, truncated) reads as absent instead of throwing.
    deserialize: (text) => {
      try {
        return JSON.parse(text);
      } catch {
        log.warn({ length: text.length }, "store: value is not JSON; treated as absent");
        return undefined;
      }
    },
  });
  // Our own prefix is the namespace; Keyv's would add "keyv:" in front of it.
  keyv.namespace = undefined;
  // Failures surface as thrown errors of each call; the event copy would only duplicate them.
  keyv.on("error", () => {});
  // Without the backend's atomic steps, read-then-write runs one at a time per key here.
  const serial = keyedSerial();
  const localSetIfAbsent = (key: string, value: unknown, ttlMs: number) =>
    // Two handlers cannot both see "absent".
    serial(key, async () => {
      if ((await keyv.get(key)) !== undefined) return false;
      await keyv.set(key, value, ttlMs);
      return true;
    });
  const localAppendToIndex: IndexAppend = (key, member, max, ttlMs) =>
    serial(key, async () => {
      const { value, result } = appendedIndex(await keyv.get(key), member, max);
      await keyv.set(key, value, ttlMs);
      return result;
    });

  const call = <T>(what: string, fn: () => Promise<T>) =>
    bounded(what, timeoutMs, async () => {
      await options.beforeCall?.();
      return fn();
    });

  return {
    get: (key) => call("store get", () => keyv.get(prefix + key)),
    set: (key, value, ttlMs) =>
      call("store set", async () => {
        await keyv.set(prefix + key, value, ttlMs);
      }),
    delete: (key) =>
      call("store delete", async () => {
        await keyv.delete(prefix + key);
      }),
    setIfAbsent: (key, value, ttlMs) =>
      call("store claim", () =>
        options.setIfAbsent
          ? options.setIfAbsent(prefix + key, envelope(value, ttlMs), ttlMs)
          : localSetIfAbsent(prefix + key, value, ttlMs),
      ),
    appendToIndex: (key, member, max, ttlMs) =>
      call("store index append", () =>
        (options.appendToIndex ?? localAppendToIndex)(prefix + key, member, max, ttlMs),
      ),
    ...(options.sweep && {
      sweep: () => call("store sweep", options.sweep as () => Promise<number>),
    }),
    close: async () => {
      if (options.onClose) await options.onClose();
      else await keyv.disconnect().catch(() => undefined);
    },
  };
}
