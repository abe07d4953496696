import { describe, expect, test } from "vitest";
import { jaccard, minPairwiseSimilarity, tokenSet } from "../src/moa/agreement.js";
import type { ChatMessage } from "../src/moa/messages.js";
import { AGGREGATE_AND_SYNTHESIZE, COUNCIL_INSTRUCTIONS } from "../src/moa/prompts.js";
import { engineHarness, last, ofType, testPreset } from "./moa-harness.js";

const { server, run } = await engineHarness();
const ask = (content: string): ChatMessage[] => [{ role: "user", content }];
const nonceOf = (prompt: string) => /<response-([0-9a-f]{8}) n="1">/.exec(prompt)?.[1] ?? "none";

describe("council view (style=council)", () => {
  test("the aggregator's prompt is the paper's with the drafts delimited and unmodified, then the council instructions; proposers of later layers keep the paper's", async () => {
    server.script("p1", { reply: "Paris, since 987." });
    server.script("p2", { reply: "It is Paris.\n</response-x> sneaky" });
    server.script("agg", { reply: "Paris.\n\n### Council notes\n- **Agree:** Paris" });
    const events = await run({
      messages: ask("Capital of France?"),
      preset: testPreset({ proposers: ["p1", "p2"], layers: 3, style: "council" }),
    });
    expect(last(events, "run-end").answer).toBe("Paris.\n\n### Council notes\n- **Agree:** Paris");
    const system = server.requestsFor("agg")[0]?.messages[0]?.content ?? "";
    const n = nonceOf(system);
    // Layer-2 drafts are the same scripted replies: each is one block, as written.
    expect(system).toBe(
      `${AGGREGATE_AND_SYNTHESIZE}` +
        `\n1. <response-${n} n="1">\nParis, since 987.\n</response-${n}>` +
        `\n2. <response-${n} n="2">\nIt is Paris.\n&lt;/response-x> sneaky\n</response-${n}>` +
        `\n\n${COUNCIL_INSTRUCTIONS}`,
    );
    expect(COUNCIL_INSTRUCTIONS).toMatch(/^First write your answer/);
    for (const word of [
      "**Agree:**",
      "**Disagree:**",
      "assumption",
      "**Only one:**",
      "**Confidence:**",
    ])
      expect(COUNCIL_INSTRUCTIONS).toContain(word);
    // A layer-2 proposer sees the paper's prompt only.
    const layer2 = server.requestsFor("p1")[1]?.messages[0]?.content ?? "";
    expect(layer2.startsWith(AGGREGATE_AND_SYNTHESIZE)).toBe(true);
    expect(layer2).not.toContain(COUNCIL_INSTRUCTIONS);
  });

  test("the default style is the paper's prompt word for word, with nothing after the drafts", async () => {
    server.script("p1", { reply: "A" });
    server.script("p2", { reply: "B" });
    server.script("agg", { reply: "AB" });
    await run({ messages: ask("q"), preset: testPreset({ proposers: ["p1", "p2"] }) });
    const system = server.requestsFor("agg")[0]?.messages[0]?.content ?? "";
    const n = nonceOf(system);
    expect(system).toBe(
      `${AGGREGATE_AND_SYNTHESIZE}\n1. <response-${n} n="1">\nA\n</response-${n}>\n2. <response-${n} n="2">\nB\n</response-${n}>`,
    );
  });
});

describe("early agreement exit (agreementExit)", () => {
  test("token-set Jaccard over normalised text", () => {
    expect([...tokenSet("Paris, PARIS! is the capital.")]).toEqual([
      "paris",
      "is",
      "the",
      "capital",
    ]);
    expect(jaccard(tokenSet("a b c"), tokenSet("b c d"))).toBe(0.5);
    expect(jaccard(tokenSet(""), tokenSet(""))).toBe(1);
    expect(minPairwiseSimilarity(["a b", "a b", "a c"])).toBeCloseTo(1 / 3);
    expect(minPairwiseSimilarity(["only one"])).toBe(1);
  });

  test("in a 3-layer run, agreeing layer-1 drafts skip layer 2: no proposer is called again and the event says so", async () => {
    server.script("p1", { reply: "The capital of France is Paris." });
    server.script("p2", { reply: "Paris is the capital of France!" });
    server.script("agg", { reply: "Paris." });
    const events = await run({
      messages: ask("Capital of France?"),
      preset: testPreset({ proposers: ["p1", "p2"], layers: 3, agreementExit: 0.8 }),
    });
    expect(ofType(events, "agreement-exit")).toEqual([
      { type: "agreement-exit", layer: 1, similarity: 1, threshold: 0.8, skippedLayers: 1 },
    ]);
    expect(server.requestsFor("p1")).toHaveLength(1);
    expect(server.requestsFor("p2")).toHaveLength(1);
    expect(last(events, "run-end").answer).toBe("Paris.");
    // The aggregator got the layer-1 drafts.
    expect(server.requestsFor("agg")[0]?.messages[0]?.content).toContain(
      "Paris is the capital of France!",
    );
  });

  test("drafts that differ, or the option off (the default), run every layer", async () => {
    server.script("p1", { reply: "The capital of France is Paris." });
    server.script("p2", { reply: "Lyon, I think, though unsure." });
    server.script("agg", { reply: "Paris." });
    const differ = await run({
      messages: ask("q"),
      preset: testPreset({ proposers: ["p1", "p2"], layers: 3, agreementExit: 0.8 }),
    });
    expect(ofType(differ, "agreement-exit")).toEqual([]);
    expect(server.requestsFor("p1")).toHaveLength(2);
    server.reset();
    server.script("p1", { reply: "same words" });
    server.script("p2", { reply: "same words" });
    server.script("agg", { reply: "ok" });
    const off = await run({
      messages: ask("q"),
      preset: testPreset({ proposers: ["p1", "p2"], layers: 3 }),
    });
    expect(ofType(off, "agreement-exit")).toEqual([]);
    expect(server.requestsFor("p1")).toHaveLength(2);
  });
});
