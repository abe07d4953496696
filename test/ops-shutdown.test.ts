import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { RunRegistry } from "../src/bots/admission/run-registry.js";
import {
  installSignalHandlers,
  Lifecycle,
  ShutdownAbort,
  type SignalSource,
} from "../src/ops/shutdown.js";

/** A run that ends when the test says so, or when aborted (like a real run, it then leaves the registry). */
function fakeRun(runs: RunRegistry, key: string, log: string[]) {
  const { entry, remove } = runs.add(key, "U1");
  const controller = entry.controller;
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
    controller.signal.addEventListener("abort", () => {
      log.push(`aborted ${key}: ${(controller.signal.reason as Error).name}`);
      resolve();
    });
  }).then(() => {
    log.push(`ended ${key}`);
    remove();
  });
  return { finish, done, controller };
}

describe("Lifecycle", () => {
  it("drains: waits for in-flight runs, then closes in reverse order", async () => {
    const log: string[] = [];
    const runs = new RunRegistry();
    const lifecycle = new Lifecycle(runs);
    lifecycle.onClose("store", () => {
      log.push("close store");
    });
    lifecycle.onClose("bots", async () => {
      log.push("close bots");
    });
    const run = fakeRun(runs, "r1", log);
    expect(lifecycle.draining).toBe(false);
    const stopping = lifecycle.shutdown(60_000);
    expect(lifecycle.draining).toBe(true);
    expect(lifecycle.shutdown(1)).toBe(stopping);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual([]);
    run.finish();
    const report = await stopping;
    expect(report).toEqual({ finished: 1, interrupted: 0, failures: 0 });
    expect(log).toEqual(["ended r1", "close bots", "close store"]);
  });

  it("after the grace period aborts the rest and lets them write their own end before closing", async () => {
    const log: string[] = [];
    const errors: string[] = [];
    const runs = new RunRegistry();
    const lifecycle = new Lifecycle(runs, {
      settleMs: 20,
      onError: (_e, what) => errors.push(what),
    });
    lifecycle.onClose("store", () => {
      log.push("close store");
    });
    lifecycle.onClose("broken", () => {
      throw new Error("boom");
    });
    const quick = fakeRun(runs, "quick", log);
    fakeRun(runs, "slow", log);
    // Ignores its abort: the settle period bounds the wait for it.
    const stuck = runs.add("stuck", "U1");
    const stopping = lifecycle.shutdown(20);
    quick.finish();
    const report = await stopping;
    expect(report).toEqual({ finished: 1, interrupted: 2, failures: 1 });
    expect(log).toEqual([
      "ended quick",
      "aborted slow: ShutdownAbort",
      "ended slow",
      "close store",
    ]);
    expect(stuck.entry.controller.signal.reason).toBeInstanceOf(ShutdownAbort);
    expect(errors).toEqual(["close broken"]);
  });
});

describe("RunRegistry", () => {
  it("a stale removal does not remove a newer run under the same key", () => {
    const runs = new RunRegistry();
    const first = runs.add("k", "U1");
    const second = runs.add("k", "U1");
    second.entry.stoppable = true;
    first.remove();
    expect(runs.size).toBe(1);
    expect(runs.find("k")).toEqual([second.entry]);
    first.remove();
    expect(runs.size).toBe(1);
  });

  it("finds only stoppable runs, and resolves idle once the last one leaves", async () => {
    const runs = new RunRegistry();
    const a = runs.add("a", "U1");
    expect(runs.find("a")).toEqual([]);
    a.entry.stoppable = true;
    expect(runs.find("a")).toEqual([a.entry]);
    expect(await runs.idle(10)).toBe(false);
    const idle = runs.idle();
    a.remove();
    expect(await idle).toBe(true);
    expect(await runs.idle(0)).toBe(true);
  });
});

describe("installSignalHandlers", () => {
  it("SIGTERM shuts down and exits 0; repeated signals are ignored; uninstall removes listeners", async () => {
    const proc = new EventEmitter();
    const runs = new RunRegistry();
    const lifecycle = new Lifecycle(runs);
    const log: string[] = [];
    const run = fakeRun(runs, "r", log);
    const exits: number[] = [];
    const signals: string[] = [];
    const exited = new Promise<void>((resolve) => {
      installSignalHandlers(proc as SignalSource, lifecycle, {
        graceMs: 60_000,
        exit: (code) => {
          exits.push(code);
          resolve();
        },
        onSignal: (s, again) => signals.push(`${s}${again ? " again" : ""}`),
      });
    });
    proc.emit("SIGTERM");
    proc.emit("SIGINT");
    expect(lifecycle.draining).toBe(true);
    run.finish();
    await exited;
    expect(exits).toEqual([0]);
    expect(signals).toEqual(["SIGTERM", "SIGINT again"]);
    expect(log).toEqual(["ended r"]);

    const other = new EventEmitter();
    const uninstall = installSignalHandlers(
      other as SignalSource,
      new Lifecycle(new RunRegistry()),
      { graceMs: 0, exit: () => {} },
    );
    expect(other.listenerCount("SIGTERM") + other.listenerCount("SIGINT")).toBe(2);
    uninstall();
    expect(other.listenerCount("SIGTERM") + other.listenerCount("SIGINT")).toBe(0);
  });

  it("SIGINT with a stuck run still exits 0 after interrupting it", async () => {
    const proc = new EventEmitter();
    const runs = new RunRegistry();
    const lifecycle = new Lifecycle(runs, { settleMs: 10 });
    const stuck = runs.add("stuck", "U1");
    const code = await new Promise<number>((resolve) => {
      installSignalHandlers(proc as SignalSource, lifecycle, { graceMs: 10, exit: resolve });
      proc.emit("SIGINT");
    });
    expect(code).toBe(0);
    expect(stuck.entry.controller.signal.reason).toBeInstanceOf(ShutdownAbort);
  });
});
