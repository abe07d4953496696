import type { Config } from "../config.js";
import { ConversationStore } from "./conversation-store.js";
import { DedupStore } from "./dedup-store.js";
import type { Kv } from "./kv.js";
import { type OpenStoreOptions, openStore } from "./open-store.js";
import { PresetStore } from "./preset-store.js";
import { RunDraftsStore } from "./run-drafts.js";
import { RunStore } from "./run-store.js";
import { ThreadLastRunStore } from "./thread-last-run.js";
import { consoleWarnLog } from "./warn-log.js";

const DAY_MS = 86_400_000;

/** Every typed store over one shared connection. */
export interface Stores {
  /** Channel preset choices and saved presets. */
  presets: PresetStore;
  /** Thread conversation memory. */
  conversations: ConversationStore;
  /** Event dedup claims. */
  dedup: DedupStore;
  /** Run records: feedback votes and `/moa stats`. */
  runs: RunStore;
  /** Drafts of finished runs, for regenerate. */
  runDrafts: RunDraftsStore;
  /** The last run answered in each thread, for `regenerate` typed there. */
  threadRuns: ThreadLastRunStore;
  /** Closes the shared connection. */
  close(): Promise<void>;
}

/** Builds the typed stores over an open Kv, with the memory bounds from config. */
export function storesOver(
  kv: Kv,
  config: Pick<Config, "MOA_CONVERSATION_TTL_DAYS" | "MOA_CONVERSATION_MAX_TURNS"> &
    Partial<Pick<Config, "MOA_RUN_RETENTION_DAYS">>,
  log = consoleWarnLog,
): Stores {
  const retentionMs = Math.round((config.MOA_RUN_RETENTION_DAYS ?? 90) * DAY_MS);
  return {
    presets: new PresetStore(kv, log),
    conversations: new ConversationStore(
      kv,
      {
        ttlMs: Math.round(config.MOA_CONVERSATION_TTL_DAYS * DAY_MS),
        maxTurns: config.MOA_CONVERSATION_MAX_TURNS,
      },
      log,
    ),
    dedup: new DedupStore(kv, log),
    runs: new RunStore(kv, retentionMs, log),
    runDrafts: new RunDraftsStore(kv, log),
    threadRuns: new ThreadLastRunStore(kv, retentionMs, log),
    close: () => kv.close(),
  };
}

/** Opens MOA_STORE_URL and builds the typed stores (composition root helper). */
export function openStores(
  config: Pick<
    Config,
    "MOA_STORE_URL" | "MOA_CONVERSATION_TTL_DAYS" | "MOA_CONVERSATION_MAX_TURNS"
  > &
    Partial<Pick<Config, "MOA_RUN_RETENTION_DAYS">>,
  options: OpenStoreOptions = {},
): Stores {
  return storesOver(
    openStore(config.MOA_STORE_URL, options),
    config,
    options.log ?? consoleWarnLog,
  );
}
