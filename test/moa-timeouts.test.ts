import { describe, expect, it } from "vitest";
import { ProviderScheduler } from "../src/moa/traffic/provider-scheduler.js";
import { engineHarness, last, ofType, testPreset } from "./moa-harness.js";

const { server, model, run } = await engineHarness();
const messages = [{ role: "user" as const, content: "q" }];

describe("a hung model is named, and the wait is what the settings say", () => {
  it("a call that hits MOA_CALL_TIMEOUT_MS is not retried by default, and its error says so", async () => {
    server.script("p2", { always: { kind: "hang" } });
    const events = await run(
      { messages, preset: testPreset({ proposers: ["p1", "p2"], callTimeoutMs: 1_000 }) },
      { maxRetries: 2 },
    );
    expect(server.requestsFor("p2")).toHaveLength(1);
    expect(ofType(events, "proposer-retry")).toEqual([]);
    const error = last(events, "proposer-error");
    expect(error).toMatchObject({ model: "p2", skipped: false, error: { code: "model_timeout" } });
    expect(error.error.message).toBe("p2: timed out after 1 s");
    expect(last(events, "run-end").outcome).toBe("ok");
  });

  it("retries a timed-out call only when asked to", async () => {
    server.script("p2", { failures: [{ kind: "hang" }], reply: "late" });
    const events = await run(
      { messages, preset: testPreset({ proposers: ["p1", "p2"], callTimeoutMs: 1_000 }) },
      { maxRetries: 1, retryTimeouts: true, sleep: async () => {} },
    );
    expect(server.requestsFor("p2")).toHaveLength(2);
    expect(ofType(events, "proposer-end").map((e) => e.model)).toEqual(["p1", "p2"]);
  });

  it("a proposer dropped by the layer deadline is named with the deadline and its wait", async () => {
    server.script("p2", { always: { kind: "hang" } });
    const events = await run({
      messages,
      preset: testPreset({ proposers: ["p1", "p2"], layerDeadlineMs: 1_500, minProposers: 1 }),
    });
    const dropped = last(events, "proposer-error");
    expect(dropped).toMatchObject({ model: "p2", skipped: true, error: { code: "skipped" } });
    expect(dropped.error.message).toMatch(
      /^p2: dropped by the 1\.5 s layer deadline \(no answer after \d+(\.\d)? s\)$/,
    );
  });
});

describe("waiting in the provider queue", () => {
  it("has its own bound and message, and a queued call never reaches the provider", async () => {
    server.script("p1", { reply: "slow", firstTokenMs: 1_500 });
    const scheduled = new ProviderScheduler(model, {
      providerOf: () => "default",
      limits: { default: { ...server.provider(), maxConcurrency: 1, rpm: 0 } },
    });
    const events = await run(
      { messages, preset: testPreset({ proposers: ["p1", "p2"], callTimeoutMs: 5_000 }) },
      { model: scheduled, maxRetries: 2, queueTimeoutMs: 300 },
    );
    const error = last(events, "proposer-error");
    expect(error).toMatchObject({ model: "p2", error: { code: "model_queue_timeout" } });
    expect(error.error.message).toBe(
      "p2: still waiting for the provider after 0.3 s (busy or rate-limited)",
    );
    // Not retried: a retry would only queue again.
    expect(ofType(events, "proposer-retry")).toEqual([]);
    expect(server.requestsFor("p2")).toHaveLength(0);
    expect(last(events, "run-end").outcome).toBe("ok");
  });
});
