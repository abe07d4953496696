import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sqlite3 from "sqlite3";
import { describe, expect, it } from "vitest";
import { openStore } from "../src/store/open-store.js";

/** Rows in the store file, read with sqlite3 directly (what is really on disk). */
function rowCount(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path);
    db.get("SELECT COUNT(*) AS n FROM keyv", (err, row: { n: number } | undefined) => {
      db.close();
      if (err) reject(err);
      else resolve(row?.n ?? 0);
    });
  });
}

describe("SQLite sweep", () => {
  it("deletes expired rows from the file and keeps live and non-expiring ones", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "moa-sweep-")), "moa.sqlite");
    const kv = openStore(`sqlite://${path}`);
    await kv.set("old-1", { a: 1 }, 1);
    await kv.set("old-2", { a: 2 }, 1);
    await kv.set("live", { a: 3 }, 60_000);
    await kv.set("forever", { a: 4 });
    await new Promise((r) => setTimeout(r, 20));
    expect(await rowCount(path)).toBe(4);
    expect(await kv.sweep?.()).toBe(2);
    expect(await rowCount(path)).toBe(2);
    expect(await kv.get("live")).toEqual({ a: 3 });
    expect(await kv.get("forever")).toEqual({ a: 4 });
    await kv.close();
  });

  it("is not offered for Redis, which expires keys itself", () => {
    const kv = openStore("redis://127.0.0.1:6379", { prefix: "moa-sweep-test" });
    expect(kv.sweep).toBeUndefined();
    return kv.close();
  });
});
