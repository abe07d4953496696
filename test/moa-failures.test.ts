import { describe, expect, test } from "vitest";
import type { MoaEvent, MoaRequest } from "../src/moa/events.js";
import type { ChatMessage } from "../src/moa/messages.js";
import { type MoaDeps, runMoa } from "../src/moa/run-moa.js";
import { engineHarness, last, ofType, testPreset } from "./moa-harness.js";

const { server, model, run: runWith } = await engineHarness();
const preset = testPreset;
const messages: ChatMessage[] = [{ role: "user", content: "q" }];
/** Runs with two retries unless a test says otherwise. */
const run = (request: MoaRequest, deps: Partial<MoaDeps> = {}) =>
  runWith(request, { maxRetries: 2, ...deps });

/** Instant sleep that records the delays asked for. */
function recordingSleep() {
  const delays: number[] = [];
  const sleep = async (ms: number) => {
    delays.push(ms);
  };
  return { delays, sleep };
}
describe("retries", () => {
  test("429 with Retry-After (ms) waits that long, then succeeds", async () => {
    server.script("p1", { failures: [{ kind: "rate-limit", retryAfterMs: 300 }], reply: "ok now" });
    const events = await run({ messages, preset: preset({ proposers: ["p1"] }) });
    const retry = last(events, "proposer-retry");
    expect(retry).toMatchObject({ attempt: 1, delayMs: 300, error: { code: "model_rate_limit" } });
    const [first, second] = server.requestsFor("p1");
    expect((second?.receivedAt ?? 0) - (first?.endedAt ?? 0)).toBeGreaterThanOrEqual(290);
    expect(last(events, "proposer-end").draft.text).toBe("ok now");
    expect(last(events, "run-end").stats.calls[0]?.attempts).toBe(2);
  });

  test("Retry-After in seconds is honoured; longer than the call timeout gives up", async () => {
    server.script("p1", { failures: [{ kind: "rate-limit", retryAfterSeconds: 2 }] });
    server.script("p2", { always: { kind: "rate-limit", retryAfterSeconds: 600 } });
    const { delays, sleep } = recordingSleep();
    const events = await run({ messages, preset: preset({ proposers: ["p1", "p2"] }) }, { sleep });
    expect(delays).toEqual([2000]);
    expect(server.requestsFor("p2")).toHaveLength(1);
    expect(last(events, "proposer-error")).toMatchObject({ model: "p2", skipped: false });
  });

  test("5xx and network errors back off exponentially with jitter, up to maxRetries", async () => {
    server.script("p1", {
      failures: [{ kind: "status", status: 500 }, { kind: "disconnect" }],
      reply: "third time",
    });
    server.script("p2", { always: { kind: "status", status: 503 } });
    const { delays, sleep } = recordingSleep();
    const events = await run(
      { messages, preset: preset({ proposers: ["p1", "p2"] }) },
      { sleep, random: () => 0.5 },
    );
    // Equal jitter: half of 500·2^(n-1) fixed, plus random() times the other half.
    expect(delays.sort((a, b) => a - b)).toEqual([375, 375, 750, 750]);
    expect(server.requestsFor("p1")).toHaveLength(3);
    expect(server.requestsFor("p2")).toHaveLength(3);
    const error = last(events, "proposer-error");
    expect(error).toMatchObject({ model: "p2", error: { code: "model_server" } });
    expect(error.error.message).toContain("HTTP 503");
  });

  test("4xx other than 429 is not retried", async () => {
    server.script("p1", { always: { kind: "status", status: 400, message: "bad max_tokens" } });
    const events = await run({ messages, preset: preset({ proposers: ["p1", "p2"] }) });
    expect(server.requestsFor("p1")).toHaveLength(1);
    expect(last(events, "proposer-error").error).toEqual({
      code: "model_bad_request",
      message: "p1: request rejected (HTTP 400): bad max_tokens",
    });
  });

  test("a mid-stream disconnect is retried and the draft is not doubled", async () => {
    server.script("p1", {
      failures: [{ kind: "disconnect", afterTokens: 2 }],
      reply: "one two three",
    });
    const { sleep } = recordingSleep();
    const events = await run({ messages, preset: preset({ proposers: ["p1"] }) }, { sleep });
    const types = events.filter((e) => e.type.startsWith("proposer")).map((e) => e.type);
    expect(types).toEqual([
      "proposer-start",
      "proposer-delta",
      "proposer-delta",
      "proposer-retry",
      "proposer-delta",
      "proposer-delta",
      "proposer-delta",
      "proposer-end",
    ]);
    expect(last(events, "proposer-retry").error.code).toBe("model_network");
    expect(last(events, "proposer-end").draft.text).toBe("one two three");
  });
});

describe("timeouts and partial failure", () => {
  test("a hung proposer times out, its connection is closed, the run goes on without it", async () => {
    server.script("p2", { always: { kind: "hang" } });
    server.script("p3", { always: { kind: "hang", afterTokens: 1 } });
    const started = Date.now();
    const events = await run(
      { messages, preset: preset({ callTimeoutMs: 1000 }) },
      { maxRetries: 0 },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    const errors = ofType(events, "proposer-error");
    expect(errors.map((e) => [e.model, e.error.code, e.skipped])).toEqual([
      ["p2", "model_timeout", false],
      ["p3", "model_timeout", false],
    ]);
    await server.waitFor((s) => s.inFlight === 0);
    expect(
      server
        .aborted()
        .map((r) => r.model)
        .sort(),
    ).toEqual(["p2", "p3"]);
    expect(last(events, "layer-end")).toMatchObject({ succeeded: 1, failed: 2, skipped: 0 });
    expect(server.requestsFor("agg")[0]?.messages[0]?.content).toContain('n="1"');
    expect(server.requestsFor("agg")[0]?.messages[0]?.content).not.toContain('n="2"');
    expect(last(events, "run-end").outcome).toBe("ok");
  });

  test("when too few proposers answer, run-error names each model's failure and the aggregator is not called", async () => {
    server.script("p1", {
      always: { kind: "status", status: 401, message: "bad key sk-secret123456" },
    });
    server.script("p2", { always: { kind: "status", status: 404 } });
    server.script("p3", { always: { kind: "rate-limit", retryAfterMs: 10 } });
    const events = await run({ messages, preset: preset() }, { maxRetries: 1 });
    const error = last(events, "run-error");
    expect(error.error.code).toBe("proposers_failed");
    expect(error.error.message).toContain("Only 0 of 3 proposers answered in layer 1");
    for (const reason of [
      "p1: provider default refused",
      "p2: model not found",
      "p3: rate limited",
    ]) {
      expect(error.error.message).toContain(reason);
    }
    expect(error.error.message).not.toContain("secret");
    expect(error.failures.map((f) => f.model)).toEqual(["p1", "p2", "p3"]);
    expect(server.requestsFor("agg")).toHaveLength(0);
  });

  test("minProposers: the run fails when fewer than that many answered", async () => {
    server.script("p2", { always: { kind: "status", status: 500 } });
    server.script("p3", { always: { kind: "status", status: 500 } });
    const events = await run({ messages, preset: preset({ minProposers: 2 }) }, { maxRetries: 0 });
    const error = last(events, "run-error");
    expect(error.error.message).toContain("Only 1 of 3 proposers answered in layer 1 (need 2)");
    expect(error.drafts.map((d) => d.model)).toEqual(["p1"]);
  });

  test("an aggregator failure ends with run-error that still carries the drafts", async () => {
    server.script("agg", { always: { kind: "status", status: 500 } });
    const { sleep } = recordingSleep();
    const events = await run({ messages, preset: preset() }, { sleep });
    const error = last(events, "run-error");
    expect(error.error.code).toBe("model_server");
    expect(error.error.message).toMatch(
      /^The aggregator failed\. agg: provider error \(HTTP 500\)/,
    );
    expect(error.drafts.map((d) => d.text)).toEqual([
      "Answer from p1.",
      "Answer from p2.",
      "Answer from p3.",
    ]);
    expect(error.failures).toEqual([
      { model: "agg", layer: 2, index: 0, error: expect.any(Object) },
    ]);
    expect(ofType(events, "warning").map((w) => w.code)).toEqual([
      "aggregator_retry",
      "aggregator_retry",
    ]);
    expect(error.stats.calls.at(-1)).toMatchObject({
      role: "aggregator",
      outcome: "error",
      attempts: 3,
    });
  });

  test("an aggregator that breaks after showing text is not retried (shown text cannot be taken back)", async () => {
    server.script("agg", { always: { kind: "disconnect", afterTokens: 2 }, reply: "a b c d" });
    const events = await run({ messages, preset: preset() });
    expect(server.requestsFor("agg")).toHaveLength(1);
    expect(
      ofType(events, "aggregate-delta")
        .map((e) => e.text)
        .join(""),
    ).toBe("a b ");
    expect(last(events, "run-error").error.code).toBe("model_network");
  });
});

describe("cancellation and stragglers", () => {
  test("abort mid-aggregate closes the connection at once and ends cancelled, not as an error", async () => {
    server.script("agg", { reply: "streaming a long answer slowly", tokenMs: 200 });
    const controller = new AbortController();
    const events: MoaEvent[] = [];
    for await (const event of runMoa(
      { messages, preset: preset(), signal: controller.signal },
      { model },
    )) {
      events.push(event);
      if (event.type === "aggregate-delta") controller.abort();
    }
    const end = last(events, "run-end");
    expect(end.outcome).toBe("cancelled");
    expect(end.answer).toBe("streaming ");
    expect(end.drafts).toHaveLength(3);
    expect(ofType(events, "run-error")).toHaveLength(0);
    expect(end.stats.calls.at(-1)).toMatchObject({ role: "aggregator", outcome: "cancelled" });
    await server.waitFor((s) => s.inFlight === 0, 2000);
    // "aborted": the client closed the connection before the server had sent the rest.
    expect(server.requestsFor("agg")[0]?.outcome).toBe("aborted");
  });

  test("abort while proposers run stops every request and never calls the aggregator", async () => {
    for (const m of ["p1", "p2", "p3"]) server.script(m, { always: { kind: "hang" } });
    const controller = new AbortController();
    const iterator = runMoa({ messages, preset: preset(), signal: controller.signal }, { model });
    const events: MoaEvent[] = [];
    const pending = (async () => {
      for await (const event of iterator) events.push(event);
    })();
    await server.waitFor((s) => s.inFlight === 3);
    controller.abort();
    await pending;
    await server.waitFor((s) => s.inFlight === 0, 2000);
    expect(server.aborted()).toHaveLength(3);
    expect(events.map((e) => e.type)).toEqual([
      "run-start",
      "proposer-start",
      "proposer-start",
      "proposer-start",
      "run-end",
    ]);
    expect(last(events, "run-end").outcome).toBe("cancelled");
  });

  test("a signal aborted before the start ends the run cancelled without a single request", async () => {
    const signal = AbortSignal.abort();
    const events = await run({ messages, preset: preset(), signal });
    expect(events.map((e) => e.type)).toEqual(["run-start", "run-end"]);
    expect(last(events, "run-end").outcome).toBe("cancelled");
    expect(server.requests).toHaveLength(0);
  });

  test("a consumer that stops reading cancels the in-flight calls", async () => {
    for (const m of ["p1", "p2", "p3"]) server.script(m, { reply: "a b c d e f", tokenMs: 100 });
    for await (const event of runMoa({ messages, preset: preset() }, { model })) {
      if (event.type === "proposer-delta") break;
    }
    await server.waitFor((s) => s.aborted().length === 3, 2000);
    expect(server.requestsFor("agg")).toHaveLength(0);
  });

  test("past the layer deadline, once minProposers answered, stragglers are aborted and reported skipped", async () => {
    server.script("p1", { reply: "fast", firstTokenMs: 50 });
    server.script("p2", { reply: "medium", firstTokenMs: 700 });
    server.script("p3", { always: { kind: "hang" } });
    const events = await run({
      messages,
      preset: preset({ layerDeadlineMs: 300, minProposers: 2 }),
    });
    // At 300 ms only p1 is in, so the layer waits for a second draft (p2) before cutting p3.
    expect(ofType(events, "proposer-end").map((e) => e.model)).toEqual(["p1", "p2"]);
    const skipped = last(events, "proposer-error");
    expect(skipped).toMatchObject({ model: "p3", skipped: true, error: { code: "skipped" } });
    expect(last(events, "layer-end")).toMatchObject({ succeeded: 2, failed: 0, skipped: 1 });
    expect(server.requestsFor("p3")[0]?.outcome).toBe("aborted");
    expect(ofType(events, "proposer-retry")).toHaveLength(0);
    const end = last(events, "run-end");
    expect(end.outcome).toBe("ok");
    expect(end.stats.calls.map((c) => c.outcome)).toEqual(["ok", "ok", "skipped", "ok"]);
  });
});
