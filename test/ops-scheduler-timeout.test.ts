import { describe, expect, it } from "vitest";
import { ProviderScheduler } from "../src/moa/traffic/provider-scheduler.js";
import { engineHarness, last, ofType, testPreset } from "./moa-harness.js";

const { server, model, run } = await engineHarness();

describe("per-call timeout behind the provider scheduler", () => {
  it("counts from when a call leaves the queue, so queueing behind a slow call is not a timeout", async () => {
    // One slot: p2 waits for p1 (1.2 s); each alone is well inside the 2 s call timeout,
    // but queue + call (2.4 s) is not.
    server.script("p1", { reply: "one", firstTokenMs: 1_200 });
    server.script("p2", { reply: "two", firstTokenMs: 1_200 });
    server.script("agg", { reply: "done" });
    const base = server.provider();
    const scheduled = new ProviderScheduler(model, {
      providerOf: () => "default",
      limits: { default: { ...base, maxConcurrency: 1, rpm: 0 } },
    });
    const events = await run(
      {
        messages: [{ role: "user", content: "q" }],
        preset: testPreset({ proposers: ["p1", "p2"], callTimeoutMs: 2_000 }),
      },
      { model: scheduled, maxRetries: 0 },
    );
    expect(ofType(events, "proposer-error")).toEqual([]);
    expect(last(events, "run-end").answer).toBe("done");
    const [first, second] = [server.requestsFor("p1")[0], server.requestsFor("p2")[0]];
    // The two calls really were serialized by the scheduler.
    expect(Math.max(first?.receivedAt ?? 0, second?.receivedAt ?? 0)).toBeGreaterThanOrEqual(
      Math.min(first?.receivedAt ?? 0, second?.receivedAt ?? 0) + 1_000,
    );
  });
});
