import { describe, expect, it } from "vitest";
import type { ChatSink, PlatformProfile } from "../src/bots/chat-sink.js";
import { present } from "../src/bots/presenter.js";
import type { Draft, MoaEvent, RunStats } from "../src/moa/events.js";
import { type Preset, PresetSchema } from "../src/moa/preset.js";

const preset: Preset = PresetSchema.parse({
  name: "default",
  proposers: ["a", "b"],
  aggregator: "agg",
  layers: 2,
  temperature: 0.7,
  maxTokens: 100,
});

/** Records every sink call; throws on anything a test did not expect. */
class RecordingSink implements ChatSink {
  calls: Array<{ op: string; text: string; at: number }> = [];
  failEdits = 0;
  /** How long each edit takes to complete, ms (a slow platform API). */
  editMs = 0;
  async open(text: string) {
    this.calls.push({ op: "open", text, at: Date.now() });
  }
  async edit(text: string) {
    if (this.failEdits-- > 0) throw new Error("edit failed");
    this.calls.push({ op: "edit", text, at: Date.now() });
    if (this.editMs > 0) await sleep(this.editMs);
  }
  async postInThread(text: string) {
    this.calls.push({ op: "thread", text, at: Date.now() });
  }
  async replyPrivately(text: string): Promise<void> {
    throw new Error(`unexpected private reply: ${text}`);
  }
  threadId() {
    return "T1";
  }
  ops(op: string) {
    return this.calls.filter((c) => c.op === op);
  }
}

const profile: PlatformProfile = {
  name: "test",
  maxMessageChars: 800,
  editIntervalMs: 40,
  neutralize: (t) => t.replaceAll("@everyone", "@\u200beveryone"),
};

const stats: RunStats = { totalMs: 1234, calls: [], usage: { inputTokens: 10, outputTokens: 20 } };
const draft = (index: number, text: string): Draft => ({
  layer: 1,
  index,
  model: index === 0 ? "a" : "b",
  text,
  latencyMs: 1500,
  usage: { inputTokens: 5, outputTokens: 7 },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function* script(
  answerParts: string[],
  gapMs: number,
  end?: MoaEvent,
): AsyncGenerator<MoaEvent> {
  yield { type: "run-start", runId: "r", preset, proposers: [], startedAt: 0 };
  yield { type: "proposer-start", layer: 1, index: 0, model: "a" };
  yield { type: "proposer-start", layer: 1, index: 1, model: "b" };
  yield {
    type: "proposer-end",
    layer: 1,
    index: 0,
    model: "a",
    draft: draft(0, "draft A @everyone"),
  };
  yield { type: "proposer-end", layer: 1, index: 1, model: "b", draft: draft(1, "draft B") };
  yield { type: "layer-end", layer: 1, succeeded: 2, failed: 0, skipped: 0 };
  yield { type: "aggregate-start", layer: 2, model: "agg" };
  for (const text of answerParts) {
    await sleep(gapMs);
    yield { type: "aggregate-delta", text };
  }
  const answer = answerParts.join("");
  yield {
    type: "aggregate-end",
    text: answer,
    latencyMs: 10,
    usage: { inputTokens: 1, outputTokens: 2 },
  };
  yield end ?? {
    type: "run-end",
    outcome: "ok",
    answer,
    drafts: [draft(0, "A"), draft(1, "B")],
    stats,
  };
}

describe("present", () => {
  it("opens first, posts each draft in the thread, neutralised, and ends with answer + footer", async () => {
    const sink = new RecordingSink();
    const view = await present(script(["Hello ", "world"], 1), sink, profile, {
      question: "q?",
      preset: "default",
    });
    expect(sink.calls[0]?.op).toBe("open");
    const drafts = sink.ops("thread").map((c) => c.text);
    expect(drafts).toHaveLength(2);
    expect(drafts[0]).toContain("**a** · layer 1 · 1.5s · 7 tokens");
    expect(drafts[0]).toContain("@\u200beveryone");
    const last = sink.calls.at(-1);
    expect(last?.op).toBe("edit");
    expect(last?.text).toContain("Hello world");
    expect(last?.text).toContain("preset default");
    expect(view.phase).toBe("done");
  });

  it("coalesces a fast stream into at most one edit per interval", async () => {
    const parts = Array.from({ length: 100 }, (_, i) => `w${i} `);
    const sink = new RecordingSink();
    const started = Date.now();
    await present(script(parts, 1), sink, profile, { question: "q", preset: "default" });
    const elapsed = Date.now() - started;
    const edits = sink.ops("edit");
    expect(edits.length).toBeLessThanOrEqual(Math.ceil(elapsed / profile.editIntervalMs) + 2);
    for (let i = 1; i < edits.length; i++) {
      expect((edits[i]?.at ?? 0) - (edits[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(
        profile.editIntervalMs - 5,
      );
    }
    expect(edits.at(-1)?.text).toContain(parts.join("").trim());
  });

  it("puts an answer longer than the limit in the thread with nothing lost", async () => {
    const paragraphs = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} ${"text ".repeat(10)}`);
    const answer = paragraphs.join("\n\n");
    const sink = new RecordingSink();
    await present(script([answer], 0), sink, profile, { question: "q", preset: "default" });
    const main = sink.ops("edit").at(-1)?.text ?? "";
    const overflow = sink
      .ops("thread")
      .slice(2)
      .map((c) => c.text);
    expect(main).toContain("continued in the thread");
    for (const c of [main, ...overflow])
      expect(c.length).toBeLessThanOrEqual(profile.maxMessageChars);
    const firstPart = main.split("\n\n_(continued")[0] ?? "";
    expect(firstPart + overflow.join("")).toBe(answer);
  });

  it("shows a failed run with each model's reason and still delivers the final edit after a failed edit", async () => {
    const sink = new RecordingSink();
    sink.failEdits = 1;
    const failure: MoaEvent = {
      type: "run-error",
      error: { code: "aggregator_failed", message: "the aggregator failed" },
      failures: [
        {
          model: "agg",
          layer: 2,
          index: 0,
          error: { code: "model_server", message: "agg: HTTP 500" },
        },
      ],
      drafts: [draft(0, "A")],
      stats,
    };
    const errors: string[] = [];
    const view = await present(script([], 0, failure), sink, profile, {
      question: "q",
      preset: "default",
      onSinkError: (_e, what) => errors.push(what),
    });
    expect(view.phase).toBe("failed");
    const last = sink.ops("edit").at(-1)?.text ?? "";
    expect(last).toContain("the aggregator failed");
    expect(last).toContain("`agg`: agg: HTTP 500");
    expect(last).toContain("drafts are in the thread");
  });

  it("turns an engine exception into a failed message instead of throwing", async () => {
    async function* broken(): AsyncGenerator<MoaEvent> {
      yield { type: "run-start", runId: "r", preset, proposers: [], startedAt: 0 };
      throw new Error("boom at sk-secret");
    }
    const sink = new RecordingSink();
    const view = await present(broken(), sink, profile, { question: "q", preset: "default" });
    expect(view.phase).toBe("failed");
    expect(sink.ops("edit").at(-1)?.text).toContain("Something went wrong");
    expect(sink.ops("edit").at(-1)?.text).not.toContain("sk-secret");
  });

  it("shows the queue position while waiting for a run slot, then runs", async () => {
    const sink = new RecordingSink();
    const view = await present(script(["ok"], 0), sink, profile, {
      question: "q",
      preset: "default",
      waitTurn: async (onPosition) => {
        onPosition(2);
        await sleep(60);
        onPosition(1);
        await sleep(60);
      },
    });
    const texts = sink.ops("edit").map((c) => c.text);
    expect(texts.some((t) => t.includes("queued (position 2)"))).toBe(true);
    expect(texts.at(-1)).toContain("ok");
    expect(view.phase).toBe("done");
  });

  it("ends as stopped, not failed, when the run is aborted while queued", async () => {
    const sink = new RecordingSink();
    const controller = new AbortController();
    let started = false;
    async function* never(): AsyncGenerator<MoaEvent> {
      started = true;
      yield* script(["x"], 0);
    }
    const view = await present(never(), sink, profile, {
      question: "q",
      preset: "default",
      signal: controller.signal,
      waitTurn: (onPosition) => {
        onPosition(3);
        controller.abort();
        return Promise.reject(new Error("aborted while queued"));
      },
    });
    expect(started).toBe(false);
    expect(view.phase).toBe("cancelled");
    expect(sink.ops("edit").at(-1)?.text).toContain("Stopped");
  });

  it("keeps the interval before the final edit even when the run ends while an edit is in flight", async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const sink = new RecordingSink();
      sink.editMs = 30;
      const parts = Array.from({ length: 40 }, (_, i) => `w${i} `);
      await present(script(parts, 3), sink, profile, {
        question: "q",
        preset: "default",
        stopKey: "k",
      });
      const edits = sink.ops("edit");
      for (let i = 1; i < edits.length; i++) {
        expect((edits[i]?.at ?? 0) - (edits[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(
          profile.editIntervalMs - 5,
        );
      }
    }
  });
});
