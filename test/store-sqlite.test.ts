import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import KeyvSqlite from "@keyv/sqlite";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/errors.js";
import { openStore } from "../src/store/open-store.js";
import { recordingLog } from "./fixtures/commands-env.js";
import { storeContract } from "./fixtures/store-contract.js";

storeContract("SQLite", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "moa-store-")), "moa.sqlite");
  const raw = new KeyvSqlite({ uri: `sqlite://${path}` });
  return {
    prefix: "moa",
    open: (log) => openStore(`sqlite://${path}`, { log }),
    writeRaw: async (key, value) => {
      await raw.set(key, value);
    },
    readRaw: (key) => raw.get<string>(key),
    cleanup: () => raw.disconnect(),
  };
});

describe("openStore", () => {
  it("creates the SQLite file's folder on first start", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "moa-store-")), "nested", "data");
    const kv = openStore(`sqlite://${dir}/moa.sqlite`, { log: recordingLog() });
    await kv.set("k", { ok: true });
    expect(await kv.get("k")).toEqual({ ok: true });
    expect(existsSync(join(dir, "moa.sqlite"))).toBe(true);
    await kv.close();
  });

  it.each([
    [
      "postgresql://moa@127.0.0.1/moa",
      "MOA_STORE_URL: PostgreSQL needs the @keyv/postgres package, which this build does not include; use sqlite:// or redis://",
    ],
    [
      "mongodb://x",
      "MOA_STORE_URL: expected sqlite://<path> (e.g. sqlite://data/moa.sqlite) or redis://host:6379",
    ],
    [
      "data/moa.sqlite",
      "MOA_STORE_URL: expected sqlite://<path> (e.g. sqlite://data/moa.sqlite) or redis://host:6379",
    ],
    ["sqlite://", "MOA_STORE_URL: sqlite:// needs a file path, e.g. sqlite://data/moa.sqlite"],
  ])("%j is a ConfigError", (url, problem) => {
    expect(() => openStore(url)).toThrow(ConfigError);
    expect(() => openStore(url)).toThrow(problem);
  });
});
