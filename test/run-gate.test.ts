import { describe, expect, it } from "vitest";
import { createRunGate } from "../src/bots/run-gate.js";
import type { Invocation } from "../src/commands/invocation.js";
import { Metrics } from "../src/ops/metrics.js";
import { MemoryQuotaStore } from "../src/ops/quota-store.js";
import { Quotas } from "../src/ops/quotas.js";
import { RunQueue } from "../src/ops/run-queue.js";
import { DRAINING_MESSAGE, Lifecycle } from "../src/ops/shutdown.js";
import type { StopBus, StopHandler, StopResult } from "../src/ops/stop-bus.js";

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

describe("run gate", () => {
  it("lets only the asker or an admin stop a run, and only while it runs", async () => {
    const gate = createRunGate({ admins: ["UADMIN"] });
    const a = new AbortController();
    const untrack = gate.track(inv("UASK", "run-1"), a, async () => {});
    expect(await gate.stop("run-1", "USTRANGER")).toBe("not-allowed");
    expect(a.signal.aborted).toBe(false);
    expect(await gate.stop("run-1", "UASK")).toBe("stopped");
    expect(a.signal.aborted).toBe(true);

    const b = new AbortController();
    gate.track(inv("UASK", "run-2"), b, async () => {});
    expect(await gate.stop("run-2", "UADMIN")).toBe("stopped");
    untrack();
    expect(await gate.stop("run-1", "UASK")).toBe("not-running");
  });

  it("asks the stop bus only about runs it does not have, and serves its own runs to it", async () => {
    const asked: string[] = [];
    let served: StopHandler | undefined;
    let answer: StopResult | "unknown" | Error = "stopped";
    const bus: StopBus = {
      async request(runKey, userId) {
        asked.push(`${runKey}/${userId}`);
        if (answer instanceof Error) throw answer;
        return answer;
      },
      serve(handler) {
        served = handler;
      },
      close: async () => {},
    };
    const gate = createRunGate({ admins: ["UADMIN"], stopBus: bus });
    const a = new AbortController();
    gate.track(inv("UASK", "here"), a, async () => {});

    expect(await gate.stop("here", "USTRANGER")).toBe("not-allowed");
    expect(asked).toEqual([]);
    expect(await gate.stop("elsewhere", "UASK")).toBe("stopped");
    answer = "not-allowed";
    expect(await gate.stop("elsewhere", "USTRANGER")).toBe("not-allowed");
    answer = "unknown";
    expect(await gate.stop("elsewhere", "UASK")).toBe("not-running");
    answer = new Error("bus down");
    expect(await gate.stop("elsewhere", "UASK")).toBe("not-running");
    expect(asked).toHaveLength(4);

    // Another instance's press reaches this gate's runs, same rules, no bus round trip.
    expect(served?.("here", "USTRANGER")).toBe("not-allowed");
    expect(served?.("nowhere", "UASK")).toBe("not-running");
    expect(served?.("here", "UADMIN")).toBe("stopped");
    expect(a.signal.aborted).toBe(true);
    expect(asked).toHaveLength(4);
  });

  it("refuses new runs while draining and over quota, and records refusals", async () => {
    const lifecycle = new Lifecycle();
    const metrics = new Metrics();
    const quotas = new Quotas(new MemoryQuotaStore(), {
      userPerMinute: 1,
      userPerHour: 0,
      channelPerMinute: 0,
      channelPerHour: 0,
    });
    const gate = createRunGate({ lifecycle, quotas, metrics });
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
    const gate = createRunGate({ runQueue: new RunQueue(1) });
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
