import { describe, expect, it } from "vitest";
import { answerBlocks, feedbackBlocks } from "../src/bots/slack/feedback-blocks.js";
import { neutralizeSlack } from "../src/bots/slack/neutralize.js";
import { nothingShown, planChunks } from "../src/bots/slack/plan-chunks.js";
import { stopBlocks } from "../src/bots/slack/stop-button.js";
import { rolloverCut, streamablePrefix } from "../src/bots/slack/stream-text.js";
import type { MoaEvent } from "../src/moa/events.js";
import { foldEvent, initialView } from "../src/view/run-view.js";
import type { FakeMessage } from "./fake-slack.js";
import { blocksProblem } from "./fake-slack-blocks.js";
import { fakeStream } from "./fake-slack-stream.js";

const ev = (e: Record<string, unknown>) => e as unknown as MoaEvent;

describe("plan chunks from the run view", () => {
  it("sends the title, then only tasks whose status changed, with Slack's status names", () => {
    const view = initialView("default");
    const shown = nothingShown();
    foldEvent(view, ev({ type: "run-start", runId: "r", preset: { name: "default", layers: 2 } }));
    foldEvent(view, ev({ type: "proposer-start", layer: 1, index: 0, model: "p1" }));
    foldEvent(view, ev({ type: "proposer-start", layer: 1, index: 1, model: "p2" }));
    expect(planChunks(view, shown)).toEqual([
      { type: "plan_update", title: "Mixture-of-Agents · 2 proposers" },
      expect.objectContaining({ id: "l1p0", status: "pending", details: "p1 · waiting" }),
      expect.objectContaining({ id: "l1p1", status: "pending" }),
    ]);
    expect(planChunks(view, shown)).toEqual([]);
    foldEvent(view, ev({ type: "proposer-delta", layer: 1, index: 1, text: "x" }));
    foldEvent(
      view,
      ev({
        type: "proposer-error",
        layer: 1,
        index: 0,
        latencyMs: 1200,
        skipped: false,
        error: { code: "x", message: "boom" },
      }),
    );
    expect(
      planChunks(view, shown).map(
        (c) => `${String((c as { id?: string }).id)}:${String((c as { status?: string }).status)}`,
      ),
    ).toEqual(["l1p0:error", "l1p1:in_progress"]);
  });
});

describe("streamable prefix", () => {
  it("holds back a tail that later tokens could turn into a mention", () => {
    expect(streamablePrefix("hi <@U12|bo")).toBe("hi ");
    expect(streamablePrefix("a &lt")).toBe("a ");
    expect(streamablePrefix("ping @her")).toBe("ping ");
    expect(streamablePrefix("done <b> ok")).toBe("done <b> ok");
  });
  it("is a prefix of the neutralised whole answer, whatever comes next", () => {
    const full = "call <!here> and @channel or <@U1|bob smith> now";
    for (let i = 0; i <= full.length; i++) {
      const prefix = streamablePrefix(neutralizeSlack(full.slice(0, i)));
      expect(neutralizeSlack(full).startsWith(prefix)).toBe(true);
    }
  });
});

describe("rollover cut", () => {
  it("fits the budget, breaks on a line, and closes/reopens an open code fence", () => {
    const current = `${"x".repeat(49)}\n`;
    const delta = "```ts\nconst a = 1;\nconst b = 2;\nconst c = 3;\n";
    const cut = rolloverCut(current, delta, 90);
    expect((current + cut.head).length).toBeLessThanOrEqual(90);
    expect(cut.head.endsWith("\n```")).toBe(true);
    expect(cut.tail.startsWith("```ts\n")).toBe(true);
    expect(cut.head.replace(/\n```$/, "") + cut.tail.replace(/^```ts\n/, "")).toBe(delta);
  });
});

describe("feedback blocks", () => {
  it("a context_actions block with feedback_buttons carrying up:/down: the run key", () => {
    expect(feedbackBlocks({ feedbackKey: "k1" })).toEqual([
      {
        type: "context_actions",
        elements: [
          expect.objectContaining({
            type: "feedback_buttons",
            action_id: "moa_feedback",
            positive_button: expect.objectContaining({ value: "up:k1" }),
            negative_button: expect.objectContaining({ value: "down:k1" }),
          }),
        ],
      },
    ]);
    expect(feedbackBlocks({ stopKey: "k1" })).toEqual([]);
  });
});

describe("the fake's Block Kit rules (Slack answers invalid_blocks)", () => {
  const button = (fields: Record<string, unknown> = {}) => ({
    type: "button",
    text: { type: "plain_text", text: "Go" },
    action_id: "a",
    value: "v",
    ...fields,
  });
  const actions = (...elements: unknown[]) => ({ type: "actions", elements });

  it("accepts what the bot sends: Stop, then 👍/👎 and Regenerate under a finished answer", () => {
    const key = "0b7e6a52-5b8f-4d7e-9d6e-3f1c2a4b5c6d";
    const under = answerBlocks({ feedbackKey: key, regenerateKey: key });
    expect(under.map((b) => b.type)).toEqual(["context_actions", "actions"]);
    expect(blocksProblem([{ type: "markdown", text: "x" }, ...under])).toBeUndefined();
    expect(blocksProblem(stopBlocks({ stopKey: key }))).toBeUndefined();
  });

  it("refuses what Slack refuses", () => {
    expect(blocksProblem([{ type: "no_such_block" }])).toMatch(/unknown block type/);
    expect(blocksProblem([actions()])).toMatch(/1\.\.25/);
    const many = Array.from({ length: 26 }, (_, i) => button({ action_id: `a${i}` }));
    expect(blocksProblem([actions(...many)])).toMatch(/1\.\.25/);
    expect(blocksProblem([actions(button(), button())])).toMatch(/duplicate action_id/);
    expect(
      blocksProblem([actions(button({ text: { type: "plain_text", text: "x".repeat(76) } }))]),
    ).toMatch(/1\.\.75/);
    expect(blocksProblem([actions(button({ text: { type: "mrkdwn", text: "x" } }))])).toMatch(
      /plain_text/,
    );
    expect(blocksProblem([actions(button({ value: "v".repeat(2_001) }))])).toMatch(/2,000/);
    expect(blocksProblem([actions(button({ style: "blue" }))])).toMatch(/style/);
    expect(blocksProblem([actions({ type: "feedback_buttons" })])).toMatch(/not an interactive/);
    expect(blocksProblem([{ type: "context_actions", elements: [button()] }])).toMatch(
      /cannot be in context_actions/,
    );
    const sixFeedback = answerBlocks({ feedbackKey: "k" })[0] as { elements: unknown[] };
    const six = Array.from({ length: 6 }, () => sixFeedback.elements[0]);
    expect(blocksProblem([{ type: "context_actions", elements: six }])).toMatch(/1\.\.5/);
    const dup = [
      { ...actions(button()), block_id: "b" },
      { ...actions(button()), block_id: "b" },
    ];
    expect(blocksProblem(dup)).toMatch(/duplicate block_id/);
    expect(blocksProblem(Array.from({ length: 51 }, () => ({ type: "divider" })))).toMatch(/50/);
  });

  it("a chat.stopStream with refused blocks changes nothing: the stream stays open, the text as it was", () => {
    const stream = fakeStream();
    const messages = new Map<string, FakeMessage>();
    const start = stream.handle(
      "chat.startStream",
      { channel: "C1", recipient_user_id: "U1", recipient_team_id: "T1", markdown_text: "Hi" },
      messages,
    );
    const ts = String(start?.ts);
    const refused = stream.handle(
      "chat.stopStream",
      { channel: "C1", ts, markdown_text: " there", blocks: [actions()] },
      messages,
    );
    expect(refused).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect(stream.streams.get(ts)?.state).toBe("streaming");
    expect(messages.get(ts)?.text).toBe("Hi");
    const chunk = stream.handle(
      "chat.appendStream",
      { channel: "C1", ts, chunks: [{ type: "blocks", blocks: [{ type: "nope" }] }] },
      messages,
    );
    expect(chunk).toMatchObject({ ok: false, error: "invalid_blocks" });
    const stopped = stream.handle(
      "chat.stopStream",
      { channel: "C1", ts, markdown_text: " there", blocks: answerBlocks({ regenerateKey: "k" }) },
      messages,
    );
    expect(stopped).toMatchObject({ ok: true });
    expect(messages.get(ts)?.text).toBe("Hi there");
  });
});
