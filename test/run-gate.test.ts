import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Quotas } from "../src/bots/admission/quotas.js";
import { createRunGate } from "../src/bots/admission/run-gate.js";
import { RunQueue } from "../src/bots/admission/run-queue.js";
import { RunRegistry } from "../src/bots/admission/run-registry.js";
import type { Invocation } from "../src/commands/invocation.js";
import { silentLogger } from "../src/log.js";
import { Metrics } from "../src/ops/metrics.js";
import { DRAINING_MESSAGE, Lifecycle } from "../src/ops/shutdown.js";
import { type Kv, keyvKv } from "../src/store/kv.js";
import { StopStore } from "../src/store/stop-store.js";
import { until } from "./fixtures/conditions.js";

const inv = (userId: string, eventKey: string, channelId = "C1"): Invocation => ({
  platform: "slack",
  workspaceId: "T1",
  channelId,
  userId,
  source: "command",
  text: "q",
  platformAdmin: false,
  eventKey,
});

/** A registered run made stoppable by the gate, as handleInvocation does. */
function started(runs: RunRegistry, gate: ReturnType<typeof createRunGate>, i: Invocation) {
  const { entry, remove } = runs.add(i.eventKey, i.userId);
  const untrack = gate.track(i, entry);
  return {
    controller: entry.controller,
    end: () => {
      untrack();
      remove();
    },
  };
}

describe("run gate", () => {
  it("lets only the asker or an admin stop a run, and only while it runs", async () => {
    const runs = new RunRegistry();
    const gate = createRunGate({ runs, admins: ["UADMIN"] });
    const one = started(runs, gate, inv("UASK", "run-1"));
    expect(await gate.stop("run-1", "USTRANGER")).toBe("not-allowed");
    expect(one.controller.signal.aborted).toBe(false);
    expect(await gate.stop("run-1", "UASK")).toBe("stopped");
    expect(one.controller.signal.aborted).toBe(true);

    const two = started(runs, gate, inv("UASK", "run-2"));
    expect(await gate.stop("run-2", "UADMIN")).toBe("stopped");
    expect(two.controller.signal.aborted).toBe(true);
    one.end();
    expect(await gate.stop("run-1", "UASK")).toBe("not-running");
  });

  it("a duplicate delivery's end leaves the first run stoppable", async () => {
    const runs = new RunRegistry();
    const gate = createRunGate({ runs });
    const first = started(runs, gate, inv("UASK", "dup"));
    const second = started(runs, gate, inv("UASK", "dup"));
    second.end();
    expect(await gate.stop("dup", "UASK")).toBe("stopped");
    expect(first.controller.signal.aborted).toBe(true);
  });

  it("stops a run of another instance through the store: record, decide, flag, poll", async () => {
    const kv = keyvKv(new Map(), { prefix: `gate-${randomUUID()}` });
    const stops = new StopStore(kv, silentLogger);
    const runsA = new RunRegistry();
    const runsB = new RunRegistry();
    const a = createRunGate({ runs: runsA, stops, pollMs: 10 });
    const b = createRunGate({ runs: runsB, stops, admins: ["UADMIN"], pollMs: 10 });
    const run = started(runsA, a, inv("UASK", "far"));
    await expect.poll(() => kv.get("run:far:asker")).toEqual({ v: 1, asker: "UASK" });

    expect(await b.stop("far", "USTRANGER")).toBe("not-allowed");
    expect(await b.stop("nowhere", "UASK")).toBe("not-running");
    expect(run.controller.signal.aborted).toBe(false);
    expect(await b.stop("far", "UASK")).toBe("stopped");
    await until(() => run.controller.signal.aborted, "the owning instance read the flag");
    expect(String(run.controller.signal.reason)).toContain("stopped by UASK");

    run.end();
    await expect.poll(() => kv.get("run:far:asker")).toBeUndefined();
    expect(await b.stop("far", "UADMIN")).toBe("not-running");
    expect(await kv.get("run:far:stop")).toBeUndefined();
  });

  it("a store that fails a press answers not-running and reports it", async () => {
    const errors: string[] = [];
    const down = () => Promise.reject(new Error("store down"));
    const kv: Kv = {
      get: down,
      set: down,
      delete: down,
      setIfAbsent: down,
      appendToIndex: down,
      close: down,
    };
    const stops = new StopStore(kv, silentLogger);
    const gate = createRunGate({
      runs: new RunRegistry(),
      stops,
      onStoreError: (_e, what) => errors.push(what),
    });
    expect(await gate.stop("x", "U1")).toBe("not-running");
    expect(errors).toEqual(["stop press"]);
  });

  it("refuses new runs while draining and over quota, and records refusals", async () => {
    const runs = new RunRegistry();
    const lifecycle = new Lifecycle(runs);
    const metrics = new Metrics();
    const quotas = new Quotas({
      userPerMinute: 1,
      userPerHour: 0,
      channelPerMinute: 0,
      channelPerHour: 0,
    });
    const gate = createRunGate({ runs, lifecycle, quotas, metrics });
    expect(await gate.checkQuota(inv("U1", "e1"))).toBeUndefined();
    const refusal = await gate.checkQuota(inv("U1", "e2"));
    expect(refusal).toMatch(/try again|retry/i);
    gate.finished(inv("U1", "e2"), "refused");
    expect(await metrics.text()).toMatch(/outcome="refused"[^\n]* 1/);
    expect(gate.refusal()).toBeUndefined();
    void lifecycle.shutdown(0);
    expect(gate.refusal()).toBe(DRAINING_MESSAGE);
  });

  it("admits runs through the shared queue and reports positions", async () => {
    const gate = createRunGate({ runs: new RunRegistry(), runQueue: new RunQueue(1) });
    const first = await gate.admit(inv("U1", "e1"), new AbortController().signal, () => {});
    const positions: number[] = [];
    const second = gate.admit(inv("U2", "e2", "C2"), new AbortController().signal, (n) =>
      positions.push(n),
    );
    await Promise.resolve();
    expect(positions).toEqual([1]);
    first();
    (await second)();
  });
});
