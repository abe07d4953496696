import { describe, expect, it } from "vitest";
import { feedbackBlocks } from "../src/bots/slack/feedback-blocks.js";
import { neutralizeSlack } from "../src/bots/slack/neutralize.js";
import { nothingShown, planChunks } from "../src/bots/slack/plan-chunks.js";
import { rolloverCut, streamablePrefix } from "../src/bots/slack/stream-text.js";
import type { MoaEvent } from "../src/moa/events.js";
import { foldEvent, initialView } from "../src/view/run-view.js";

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
