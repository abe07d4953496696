import { describe, expect, it } from "vitest";
import { threadLastRunKey } from "../src/store/store-keys.js";
import { ThreadLastRunStore } from "../src/store/thread-last-run.js";
import type { WarnLog } from "../src/store/warn-log.js";
import { recordingLog } from "./fixtures/commands-env.js";
import { redisBackend, type StoreBackend, sqliteBackend } from "./fixtures/store-backends.js";

const DAY = 86_400_000;
const thread = { platform: "slack", workspaceId: "T1", channelId: "C1", threadId: "1700.1" };

function contract(name: string, open: (log: WarnLog) => Promise<StoreBackend>): void {
  describe(`${name} thread -> last run`, () => {
    it("set, overwrite, per thread, expiring with the run retention; a corrupt value is logged and read as absent", async () => {
      const log = recordingLog();
      const b = await open(log);
      try {
        const store = new ThreadLastRunStore(b.kv, 30 * DAY, log);
        expect(await store.get(thread)).toBeUndefined();
        await store.set(thread, { runKey: "run-1", message: { channel: "C1", ts: "1700.1" } });
        await store.set(thread, { runKey: "run-2", message: { channel: "C1", ts: "1700.1" } });
        expect(await store.get(thread)).toEqual({
          runKey: "run-2",
          message: { channel: "C1", ts: "1700.1" },
        });
        expect(await store.get({ ...thread, threadId: "1700.2" })).toBeUndefined();
        expect(await store.get({ ...thread, platform: "discord" })).toBeUndefined();
        const full = `${b.prefix}:${threadLastRunKey(thread)}`;
        const left = await b.expiresIn(full);
        expect(left).toBeGreaterThan(29 * DAY);
        expect(left).toBeLessThanOrEqual(30 * DAY);

        for (const bad of [{ v: 1, runKey: "" }, { v: 2, runKey: "r", message: {} }, "text"]) {
          await b.writeRaw(full, JSON.stringify({ value: bad, expires: null }));
          expect(await store.get(thread)).toBeUndefined();
        }
        expect(log.lines.filter((l) => l.msg === "store: thread last run skipped")).toHaveLength(3);
      } finally {
        await b.kv.close();
        await b.cleanup();
      }
    });
  });
}

contract("SQLite", sqliteBackend);
contract("Redis", redisBackend);
