import { describe, expect, it } from "vitest";
import { MAX_RESUME_AGE_MS, takeOverRuns } from "../src/bots/admission/take-over-runs.js";
import type { Invocation } from "../src/commands/invocation.js";
import { silentLogger } from "../src/log.js";
import { keyvKv } from "../src/store/kv.js";
import { RunJournal } from "../src/store/run-journal.js";
import { recordingLog } from "./fixtures/commands-env.js";

const inv = (eventKey: string): Invocation => ({
  platform: "slack",
  workspaceId: "T1",
  channelId: "C1",
  userId: "U1",
  source: "command",
  text: "q",
  platformAdmin: false,
  eventKey,
});

function journals(now: () => number) {
  const kv = keyvKv(new Map());
  const make = (instance: string) => new RunJournal(kv, silentLogger, { instance, now });
  return { kv, make };
}

describe("run journal", () => {
  it("leaves a run of a platform the taker does not run for an instance that runs it", async () => {
    let t = 1_000_000;
    const { make } = journals(() => t);
    const dead = make("dead");
    await dead.register();
    const discordInv = { ...inv("d"), platform: "discord" };
    await dead.add({ runKey: "s", inv: { ...inv("s") }, message: { ts: "1.0" }, startedAt: t });
    await dead.add({ runKey: "d", inv: discordInv, message: { id: "9" }, startedAt: t });
    t += 60_000;
    const got: string[] = [];
    const slackOnly = make("slack-only");
    await slackOnly.register();
    const slack = { slack: (i: Invocation) => void got.push(`slack ${i.eventKey}`) };
    expect(await takeOverRuns(slackOnly, 20_000, slack, silentLogger, () => t)).toBe(1);
    // Neither the Slack instance again nor its next tick takes the Discord run.
    expect(await takeOverRuns(slackOnly, 20_000, slack, silentLogger, () => t)).toBe(0);
    const discordOnly = make("discord-only");
    await discordOnly.register();
    const discord = { discord: (i: Invocation) => void got.push(`discord ${i.eventKey}`) };
    expect(await takeOverRuns(discordOnly, 20_000, discord, silentLogger, () => t)).toBe(1);
    expect(got).toEqual(["slack s", "discord d"]);
    expect(await takeOverRuns(discordOnly, 20_000, discord, silentLogger, () => t)).toBe(0);
  });

  it("drops, with a log line, a run no instance could resume for a day", async () => {
    let t = 1_000_000;
    const { kv } = journals(() => t);
    const log = recordingLog();
    const dead = new RunJournal(kv, silentLogger, { instance: "dead", now: () => t });
    await dead.register();
    const discordInv = { ...inv("d"), platform: "discord" };
    await dead.add({ runKey: "d", inv: discordInv, message: { id: "9" }, startedAt: t });
    t += 25 * 60 * 60 * 1000;
    const taker = new RunJournal(kv, log, { instance: "taker", now: () => t });
    await taker.register();
    expect(await takeOverRuns(taker, 20_000, { slack: () => {} }, silentLogger, () => t)).toBe(0);
    expect(log.lines.map((l) => l.msg)).toEqual([
      "store: journaled runs no instance could resume for a day; dropped",
    ]);
    expect(await takeOverRuns(taker, 20_000, { slack: () => {} }, silentLogger, () => t)).toBe(0);
    expect(log.lines).toHaveLength(1);
  });

  it("an instance whose registration was overwritten by another's lists itself again on its next heartbeat", async () => {
    let t = 1_000_000;
    const { make } = journals(() => t);
    const a = make("a");
    const b = make("b");
    // Both read the empty list, then both write it with only themselves: one entry is lost.
    await Promise.all([a.register(), b.register()]);
    await a.add({ runKey: "ra", inv: { ...inv("ra") }, message: { ts: "1.0" }, startedAt: t });
    await b.add({ runKey: "rb", inv: { ...inv("rb") }, message: { ts: "2.0" }, startedAt: t });
    await a.heartbeat();
    await b.heartbeat();
    // Both die; a third instance must find the runs of both.
    t += 60_000;
    const taker = make("taker");
    await taker.register();
    const taken = await taker.takeOver(20_000);
    expect(taken.map((e) => e.runKey).sort()).toEqual(["ra", "rb"]);
  });

  it("re-runs fresh runs of a silent instance, marks old ones interrupted, and takes each once", async () => {
    let t = 1_000_000;
    const { make } = journals(() => t);
    const dead = make("dead");
    await dead.register();
    await dead.add({
      runKey: "old",
      inv: { ...inv("old") },
      message: { channel: "C1", ts: "1.0" },
      startedAt: t - MAX_RESUME_AGE_MS - 1,
    });
    await dead.add({
      runKey: "new",
      inv: { ...inv("new") },
      message: { channel: "C1", ts: "2.0" },
      startedAt: t - 5_000,
    });
    await dead.add({
      runKey: "gone",
      inv: { ...inv("gone") },
      message: { channel: "C1", ts: "3.0" },
      startedAt: t,
    });
    await dead.remove("gone");
    const alive = make("alive");
    await alive.register();
    const other = make("other");
    await other.register();

    const taken: string[] = [];
    const resumers = {
      slack: (i: Invocation, m: Record<string, string>, how: string) =>
        void taken.push(`${i.eventKey} ${m.ts} ${how}`),
    };
    // Within the stale period nobody is taken over.
    t += 1_000;
    expect(await takeOverRuns(alive, 20_000, resumers, silentLogger, () => t)).toBe(0);
    t += 20_000;
    await other.heartbeat();
    expect(await takeOverRuns(alive, 20_000, resumers, silentLogger, () => t)).toBe(2);
    expect(taken.sort()).toEqual(["new 2.0 rerun", "old 1.0 interrupt"]);
    // Another taker (or the next tick) finds nothing left; the live instance is not taken.
    expect(await takeOverRuns(other, 20_000, resumers, silentLogger, () => t)).toBe(0);
    expect(await takeOverRuns(alive, 20_000, resumers, silentLogger, () => t)).toBe(0);
  });

  it("with staleMs 0 (one-process store) takes every other instance's runs at once", async () => {
    const t = 5_000_000;
    const { make } = journals(() => t);
    const before = make("before-restart");
    await before.register();
    await before.add({
      runKey: "r",
      inv: { ...inv("r") },
      message: { channel: "C1", ts: "9.0" },
      startedAt: t,
    });
    const after = make("after-restart");
    await after.register();
    const taken: string[] = [];
    await takeOverRuns(
      after,
      0,
      { slack: (i, _m, how) => void taken.push(`${i.eventKey} ${how}`) },
      silentLogger,
      () => t,
    );
    expect(taken).toEqual(["r rerun"]);
  });

  it("a corrupt journal or invocation is logged and skipped, never a crash", async () => {
    const t = 9_000_000;
    const { kv, make } = journals(() => t);
    const log = recordingLog();
    const dead = make("dead");
    await dead.register();
    await dead.add({
      runKey: "bad",
      inv: { platform: "slack", text: 42 },
      message: { channel: "C1", ts: "1.0" },
      startedAt: t,
    });
    const broken = new RunJournal(kv, silentLogger, { instance: "broken", now: () => t });
    await broken.register();
    await kv.set("journal:run:broken", { v: 1, runs: "nope" });
    const me = new RunJournal(kv, log, { instance: "me", now: () => t });
    await me.register();
    const taken: string[] = [];
    const warned: string[] = [];
    const logger = {
      ...silentLogger,
      warn: (_o: object, msg: string) => void warned.push(msg),
    } as typeof silentLogger;
    await takeOverRuns(me, 0, { slack: (i) => void taken.push(i.eventKey) }, logger, () => t);
    expect(taken).toEqual([]);
    expect(warned).toContain("journaled run unreadable; left as it is");
    expect(log.lines.map((l) => l.msg)).toContain(
      "store: run journal has an unknown shape; its runs are lost",
    );
  });
});
