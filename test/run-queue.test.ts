import { getEventListeners } from "node:events";
import { setImmediate as tick } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { type ReleaseRun, RunQueue } from "../src/bots/admission/run-queue.js";

/** Queues a run and records its admission and every position it was told. */
function enqueue(queue: RunQueue, channel: string, admitted: string[], label = channel) {
  const positions: number[] = [];
  const controller = new AbortController();
  let release: ReleaseRun | undefined;
  const done = queue
    .admit(channel, controller.signal, (p) => positions.push(p))
    .then((r) => {
      admitted.push(label);
      release = r;
    });
  return { positions, controller, done, release: () => release?.() };
}

describe("RunQueue", () => {
  it("admits a channel with one run before the 20 queued runs of a busy channel", async () => {
    const queue = new RunQueue(1);
    const admitted: string[] = [];
    const first = enqueue(queue, "busy", admitted, "busy-0");
    await first.done;
    const busy = Array.from({ length: 20 }, (_, i) =>
      enqueue(queue, "busy", admitted, `busy-${i + 1}`),
    );
    const quiet = enqueue(queue, "quiet", admitted);
    await tick();
    expect(queue.queued).toBe(21);
    expect(quiet.positions).toEqual([1]);
    expect(busy.map((b) => b.positions.at(-1))).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 2),
    );

    first.release();
    await quiet.done;
    expect(admitted).toEqual(["busy-0", "quiet"]);
    // The busy channel moved up one place for the admission.
    expect(busy[0]?.positions).toEqual([1, 2, 1]);

    quiet.release();
    for (const b of busy) {
      await b.done;
      b.release();
    }
    expect(admitted.slice(2)).toEqual(busy.map((_, i) => `busy-${i + 1}`));
    expect(queue.active).toBe(0);
    expect(queue.queued).toBe(0);
  });

  it("admits round-robin across channels", async () => {
    const queue = new RunQueue(1);
    const admitted: string[] = [];
    const blocker = enqueue(queue, "x", admitted);
    await blocker.done;
    const runs = ["a", "a", "a", "b", "b", "c"].map((ch) => enqueue(queue, ch, admitted));
    await tick();
    expect(runs.map((r) => r.positions.at(-1))).toEqual([1, 4, 6, 2, 5, 3]);
    blocker.release();
    for (let i = 0; i < runs.length; i++) {
      await tick();
      for (const r of runs) r.release();
    }
    await Promise.all(runs.map((r) => r.done));
    expect(admitted).toEqual(["x", "a", "b", "c", "a", "b", "a"]);
  });

  it("a queued run whose signal aborts leaves the line at once; those behind move up", async () => {
    const queue = new RunQueue(1);
    const admitted: string[] = [];
    const holder = enqueue(queue, "c", admitted);
    await holder.done;
    const quitter = enqueue(queue, "c", admitted, "quitter");
    const behind = enqueue(queue, "c", admitted, "behind");
    await tick();
    expect(behind.positions).toEqual([2]);
    expect(getEventListeners(quitter.controller.signal, "abort")).toHaveLength(1);

    quitter.controller.abort(new Error("stop pressed"));
    await expect(quitter.done).rejects.toThrow("stop pressed");
    expect(getEventListeners(quitter.controller.signal, "abort")).toHaveLength(0);
    expect(behind.positions).toEqual([2, 1]);
    expect(queue.queued).toBe(1);

    holder.release();
    holder.release(); // twice is harmless: still one slot
    await behind.done;
    expect(admitted).toEqual(["c", "behind"]);
    expect(queue.active).toBe(1);
    expect(getEventListeners(behind.controller.signal, "abort")).toHaveLength(0);
  });

  it("refuses an already-aborted signal without queueing", async () => {
    const queue = new RunQueue(1);
    await expect(queue.admit("c", AbortSignal.abort(new Error("gone")))).rejects.toThrow("gone");
    expect(queue.queued).toBe(0);
    expect(queue.active).toBe(0);
  });

  it("never exceeds the limit under a concurrent load; 0 means unlimited", async () => {
    const queue = new RunQueue(3);
    let active = 0;
    let maxActive = 0;
    const work = async (channel: string) => {
      const release = await queue.admit(channel, new AbortController().signal);
      active++;
      maxActive = Math.max(maxActive, active);
      for (let i = 0; i < 1 + Math.floor(Math.random() * 3); i++) await tick();
      active--;
      release();
    };
    await Promise.all(Array.from({ length: 60 }, (_, i) => work(`ch${i % 7}`)));
    expect(maxActive).toBe(3);

    const unlimited = new RunQueue(0);
    const releases = await Promise.all(
      Array.from({ length: 50 }, () => unlimited.admit("c", new AbortController().signal)),
    );
    expect(unlimited.active).toBe(50);
    for (const r of releases) r();
    expect(unlimited.active).toBe(0);
  });
});
