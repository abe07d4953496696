import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import {
  installSignalHandlers,
  Lifecycle,
  ShutdownAbort,
  type SignalSource,
} from "../src/ops/shutdown.js";

/** A run that ends when the test says so, or when aborted (like a real run, it then untracks). */
function fakeRun(lifecycle: Lifecycle, key: string, log: string[]) {
  const controller = new AbortController();
  let finish = () => {};
  const untrack = lifecycle.track(key, {
    controller,
    onInterrupt: async () => {
      log.push(`interrupt ${key}`);
    },
  });
  const done = new Promise<void>((resolve) => {
    finish = resolve;
    controller.signal.addEventListener("abort", () => {
      log.push(`aborted ${key}: ${(controller.signal.reason as Error).name}`);
      resolve();
    });
  }).then(() => {
    log.push(`ended ${key}`);
    untrack();
  });
  return { finish, done, controller };
}

describe("Lifecycle", () => {
  it("drains: waits for in-flight runs, then closes in reverse order", async () => {
    const log: string[] = [];
    const lifecycle = new Lifecycle();
    lifecycle.onClose("store", () => {
      log.push("close store");
    });
    lifecycle.onClose("bots", async () => {
      log.push("close bots");
    });
    const run = fakeRun(lifecycle, "r1", log);
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

  it("after the grace period aborts the rest, lets them unwind, then sends their notices", async () => {
    const log: string[] = [];
    const errors: string[] = [];
    const lifecycle = new Lifecycle({ settleMs: 20, onError: (_e, what) => errors.push(what) });
    lifecycle.onClose("store", () => {
      log.push("close store");
    });
    lifecycle.onClose("broken", () => {
      throw new Error("boom");
    });
    const quick = fakeRun(lifecycle, "quick", log);
    fakeRun(lifecycle, "slow", log);
    lifecycle.track("stuck", {
      controller: new AbortController(),
      onInterrupt: () => Promise.reject(new Error("edit failed")),
    });
    const stopping = lifecycle.shutdown(20);
    quick.finish();
    const report = await stopping;
    expect(report).toEqual({ finished: 1, interrupted: 2, failures: 2 });
    expect(log).toEqual([
      "ended quick",
      "aborted slow: ShutdownAbort",
      "ended slow",
      "interrupt slow",
      "close store",
    ]);
    expect(errors).toEqual(["interrupt", "close broken"]);
  });

  it("aborts one run by key (Stop button) with the given reason", async () => {
    const log: string[] = [];
    const lifecycle = new Lifecycle();
    const run = fakeRun(lifecycle, "r", log);
    const stop = new Error("stopped by user");
    stop.name = "Stop";
    expect(lifecycle.abort("r", stop)).toBe(true);
    await run.done;
    expect(log).toEqual(["aborted r: Stop", "ended r"]);
    expect(lifecycle.abort("r")).toBe(false);
    expect(lifecycle.inFlight).toBe(0);
  });

  it("a stale untrack does not remove a newer run under the same key", () => {
    const lifecycle = new Lifecycle();
    const first = lifecycle.track("k", {
      controller: new AbortController(),
      onInterrupt: async () => {},
    });
    lifecycle.track("k", { controller: new AbortController(), onInterrupt: async () => {} });
    first();
    expect(lifecycle.inFlight).toBe(1);
  });
});

describe("installSignalHandlers", () => {
  it("SIGTERM shuts down and exits 0; repeated signals are ignored; uninstall removes listeners", async () => {
    const proc = new EventEmitter();
    const lifecycle = new Lifecycle();
    const log: string[] = [];
    const run = fakeRun(lifecycle, "r", log);
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
    expect(log).not.toContain("interrupt r");

    const other = new EventEmitter();
    const uninstall = installSignalHandlers(other as SignalSource, new Lifecycle(), {
      graceMs: 0,
      exit: () => {},
    });
    expect(other.listenerCount("SIGTERM") + other.listenerCount("SIGINT")).toBe(2);
    uninstall();
    expect(other.listenerCount("SIGTERM") + other.listenerCount("SIGINT")).toBe(0);
  });

  it("SIGINT with a stuck run still exits 0 after interrupting it", async () => {
    const proc = new EventEmitter();
    const lifecycle = new Lifecycle({ settleMs: 10 });
    const notices: string[] = [];
    const controller = new AbortController();
    lifecycle.track("stuck", {
      controller,
      onInterrupt: async () => {
        notices.push("interrupted");
      },
    });
    const code = await new Promise<number>((resolve) => {
      installSignalHandlers(proc as SignalSource, lifecycle, { graceMs: 10, exit: resolve });
      proc.emit("SIGINT");
    });
    expect(code).toBe(0);
    expect(controller.signal.reason).toBeInstanceOf(ShutdownAbort);
    expect(notices).toEqual(["interrupted"]);
  });
});
