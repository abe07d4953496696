import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { webInvocation } from "../src/bots/web/to-invocation.js";
import { loadConfig } from "../src/config.js";
import { playgroundModels } from "../src/playground-models.js";
import { until } from "./fixtures/conditions.js";
import { openSse, type SseClient } from "./fixtures/sse-client.js";
import { startWebHarness, type WebHarness } from "./web-harness.js";

let harness: WebHarness | undefined;
let sse: SseClient | undefined;
afterEach(async () => {
  sse?.close();
  await harness?.close();
  harness = undefined;
});

const ofTurn = (turn: string) => (sse?.messages ?? []).filter((m) => m.turn === turn);
const closed = (turn: string) => ofTurn(turn).some((m) => m.kind === "closed");
const moaTypes = (turn: string) =>
  ofTurn(turn)
    .filter((m) => m.kind === "moa")
    .map((m) => (m.event as { type: string }).type);

async function subscribe(h: WebHarness, conversation: string): Promise<void> {
  sse = openSse(new URL(`/api/events?conversation=${conversation}`, h.bot.url).toString());
  await sse.ready;
}

describe("web playground over real HTTP + SSE", { timeout: 60_000 }, () => {
  it("streams engine events, drafts and the presenter's answer with its receipt to the page", async () => {
    harness = await startWebHarness({ models: { agg: { reply: "The **answer**.", tokenMs: 5 } } });
    await subscribe(harness, "c1");
    const asked = await harness.post("/api/ask", { conversation: "c1", turn: "t1", text: "Why?" });
    expect(asked).toEqual({ status: 202, body: { turn: "c1:t1" } });
    await until(() => closed("c1:t1"), "turn closed");
    const types = moaTypes("c1:t1");
    expect(types[0]).toBe("run-start");
    expect(types.filter((t) => t === "proposer-end")).toHaveLength(2);
    expect(types).toContain("aggregate-delta");
    expect(types.at(-1)).toBe("run-end");
    const messages = ofTurn("c1:t1");
    expect(messages.find((m) => m.kind === "open")?.stopKey).toBe("c1:t1");
    const drafts = messages.filter((m) => m.kind === "thread").map((m) => String(m.text));
    expect(drafts.some((t) => t.includes("Draft one."))).toBe(true);
    expect(drafts.some((t) => t.includes("Draft two."))).toBe(true);
    const final = messages.filter((m) => m.kind === "edit").at(-1);
    expect(final?.stopKey).toBeUndefined();
    expect(String(final?.text)).toContain("The **answer**.");
    expect(String(final?.text)).toMatch(/agg/);
    // Every event has the server's clock, for the timeline.
    expect(messages.filter((m) => m.kind === "moa").every((m) => typeof m.at === "number")).toBe(
      true,
    );
  });

  it("a follow-up in the same conversation carries the earlier turn to the models", async () => {
    harness = await startWebHarness();
    await subscribe(harness, "c2");
    await harness.post("/api/ask", { conversation: "c2", turn: "a", text: "First question" });
    await until(() => closed("c2:a"), "first turn closed");
    await harness.post("/api/ask", { conversation: "c2", turn: "b", text: "And then?" });
    await until(() => closed("c2:b"), "second turn closed");
    const second = harness.models.requestsFor("p1")[1]?.messages ?? [];
    expect(second.map((m) => m.content)).toEqual(
      expect.arrayContaining(["First question", "The answer.", "And then?"]),
    );
  });

  it("/moa preset commands typed in the box behave as in chat", async () => {
    harness = await startWebHarness();
    await subscribe(harness, "c3");
    await harness.post("/api/ask", { conversation: "c3", turn: "u", text: "/moa preset use lite" });
    await until(() => closed("c3:u"), "command answered");
    const reply = ofTurn("c3:u").find((m) => m.kind === "reply" || m.kind === "open");
    expect(String(reply?.text)).toContain("lite");
    expect(moaTypes("c3:u")).toEqual([]);
    await harness.post("/api/ask", { conversation: "c3", turn: "q", text: "Now?" });
    await until(() => closed("c3:q"), "run closed");
    const start = ofTurn("c3:q").find(
      (m) => m.kind === "moa" && (m.event as { type: string }).type === "run-start",
    );
    expect((start?.event as { preset?: { name: string } } | undefined)?.preset?.name).toBe("lite");
  });

  it("Stop goes through the run gate and the turn ends stopped", async () => {
    harness = await startWebHarness({ models: { p1: { always: { kind: "hang" } } } });
    await subscribe(harness, "c4");
    await harness.post("/api/ask", { conversation: "c4", turn: "s", text: "Slow one" });
    await until(() => moaTypes("c4:s").includes("proposer-end"), "p2 finished");
    expect(await harness.post("/api/stop", { stopKey: "c4:s" })).toEqual({
      status: 200,
      body: { result: "stopped", message: "" },
    });
    await until(() => closed("c4:s"), "stopped turn closed");
    expect(moaTypes("c4:s").at(-1)).toBe("run-end");
    const final = ofTurn("c4:s")
      .filter((m) => m.kind === "edit")
      .at(-1);
    expect(String(final?.text)).toMatch(/stopped/i);
    expect(await harness.post("/api/stop", { stopKey: "c4:s" })).toEqual({
      status: 200,
      body: { result: "not-running", message: "That run has already finished." },
    });
  });

  it("refuses bad bodies and non-JSON posts with a clear message", async () => {
    harness = await startWebHarness();
    const bad = await harness.post("/api/ask", { conversation: "../x", turn: "t", text: "hi" });
    expect(bad.status).toBe(400);
    expect(String(bad.body.error)).toContain("conversation");
    const form = await fetch(new URL("/api/ask", harness.bot.url), {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: '{"conversation":"c","turn":"t","text":"hi"}',
    });
    expect(form.status).toBe(415);
    const info = await fetch(new URL("/api/info", harness.bot.url));
    expect(await info.json()).toEqual({ notice: "Models: fake ones." });
    expect(harness.models.requests).toHaveLength(0);
  });
});

describe("webInvocation", () => {
  it("reads the box like /moa text in the conversation's thread", () => {
    const r = webInvocation({ conversation: "c", turn: "t", text: " /moa preset show " });
    expect(r).toMatchObject({
      ok: true,
      invocation: { platform: "web", threadId: "c", text: "preset show", eventKey: "c:t" },
    });
    expect(webInvocation({ conversation: "c", turn: "t", text: 5 })).toMatchObject({ ok: false });
  });
});

describe("playground models", () => {
  it("without OPENAI_API_KEY uses a local Ollama's model as Self-MoA, and says so", async () => {
    const ollama = createServer((req, res) => {
      res.writeHead(req.url === "/api/tags" ? 200 : 404, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          models: [
            { name: "nomic-embed-text:latest" },
            { name: "llama3.2:1b" },
            { name: "qwen2.5:0.5b" },
          ],
        }),
      );
    });
    await new Promise<void>((r) => ollama.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(ollama.address() as AddressInfo).port}`;
    try {
      const { config, notice } = await playgroundModels(loadConfig({ MOA_OLLAMA_URL: url }));
      expect(config.MOA_PROPOSERS).toEqual(["llama3.2:1b", "llama3.2:1b", "llama3.2:1b"]);
      expect(config.MOA_AGGREGATOR).toBe("llama3.2:1b");
      expect(config.providers.default?.baseURL).toBe(`${url}/v1`);
      expect(notice).toContain("Ollama");
      expect(notice).toContain("Self-MoA");
    } finally {
      ollama.close();
    }
  });

  it("with nothing to use names the variable to set; with a key keeps the provider", async () => {
    const none = await playgroundModels(loadConfig({ MOA_OLLAMA_URL: "http://127.0.0.1:9" }));
    expect(none.notice).toContain("OPENAI_API_KEY");
    expect(none.config.MOA_PROPOSERS).toEqual(["gpt-4.1-mini", "gpt-4o-mini", "gpt-4.1-nano"]);
    const keyed = await playgroundModels(loadConfig({ OPENAI_API_KEY: "sk-x" }));
    expect(keyed.config.providers.default?.baseURL).toBe("https://api.openai.com/v1");
    expect(keyed.notice).toContain("gpt-4.1");
  });
});
