import { describe, expect, it } from "vitest";
import { type ChatSink, type PlatformProfile, RateLimitedError } from "../src/bots/chat-sink.js";
import { EditBudget } from "../src/bots/edit-budget.js";
import { FALLBACK_NOTE } from "../src/bots/final-delivery.js";
import { present } from "../src/bots/presenter.js";
import type { Draft, MoaEvent, RunStats } from "../src/moa/events.js";
import { type Preset, PresetSchema } from "../src/moa/preset.js";
import { ShutdownAbort } from "../src/ops/shutdown.js";
import { until } from "./fixtures/conditions.js";

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
        // The loop sleeps a whole interval after each edit: only timer rounding (1 ms) is slack.
        profile.editIntervalMs - 1,
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
      // Waits on what the message shows, not on a sleep that a loaded machine can outlast.
      waitTurn: async (onPosition) => {
        onPosition(2);
        await until(
          () => sink.ops("edit").some((c) => c.text.includes("queued (position 2)")),
          "position 2 never shown",
        );
        onPosition(1);
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
          profile.editIntervalMs - 1,
        );
      }
    }
  });

  it("names failed and dropped proposers in the footer and posts a note for each in the thread", async () => {
    async function* partial(): AsyncGenerator<MoaEvent> {
      yield { type: "run-start", runId: "r", preset, proposers: [], startedAt: 0 };
      yield { type: "proposer-start", layer: 1, index: 0, model: "a" };
      yield { type: "proposer-start", layer: 1, index: 1, model: "b" };
      yield { type: "proposer-start", layer: 1, index: 2, model: "c" };
      yield { type: "proposer-end", layer: 1, index: 0, model: "a", draft: draft(0, "A") };
      yield {
        type: "proposer-error",
        layer: 1,
        index: 1,
        model: "p-beta",
        error: { code: "model_server", message: "HTTP 500" },
        skipped: false,
        latencyMs: 300,
      };
      yield {
        type: "proposer-error",
        layer: 1,
        index: 2,
        model: "p-gamma",
        error: { code: "deadline", message: "past the layer deadline" },
        skipped: true,
        latencyMs: 5000,
      };
      yield { type: "aggregate-start", layer: 2, model: "agg" };
      yield { type: "aggregate-delta", text: "answer" };
      const call = (model: string, outcome: "ok" | "error" | "skipped") => ({
        role: "proposer" as const,
        layer: 1,
        index: 0,
        model,
        outcome,
        latencyMs: 1,
        attempts: 1,
        usage: { inputTokens: 0, outputTokens: 0 },
      });
      yield {
        type: "run-end",
        outcome: "ok",
        answer: "answer",
        drafts: [draft(0, "A")],
        stats: {
          ...stats,
          calls: [
            call("a", "ok"),
            call("p-beta", "error"),
            call("p-gamma", "skipped"),
            { ...call("agg", "ok"), role: "aggregator" },
          ],
        },
      };
    }
    const sink = new RecordingSink();
    await present(partial(), sink, profile, { question: "q", preset: "default" });
    const last = sink.ops("edit").at(-1)?.text ?? "";
    expect(last).toContain("1 of 3 drafts");
    expect(last).toContain("`p-beta` failed: HTTP 500");
    expect(last).toContain("`p-gamma` dropped: past the layer deadline");
    expect(last).toContain("aggregator `agg`");
    const thread = sink.ops("thread").map((c) => c.text);
    expect(
      thread.some(
        (t) => t.startsWith("❌ **p-beta** · layer 1 · failed") && t.includes("HTTP 500"),
      ),
    ).toBe(true);
    expect(thread.some((t) => t.startsWith("⏭️ **p-gamma** · layer 1 · dropped"))).toBe(true);
  });

  it("renders a shutdown's abort as 'interrupted by a restart', a Stop's as stopped", async () => {
    for (const [reason, expected] of [
      [new ShutdownAbort(), "Interrupted by a restart"],
      [new Error("stopped by U1"), "Stopped before the answer was finished"],
    ] as const) {
      const sink = new RecordingSink();
      const controller = new AbortController();
      async function* aborted(): AsyncGenerator<MoaEvent> {
        yield { type: "run-start", runId: "r", preset, proposers: [], startedAt: 0 };
        controller.abort(reason);
        yield { type: "run-end", outcome: "cancelled", answer: "", drafts: [], stats };
      }
      await present(aborted(), sink, profile, {
        question: "q",
        preset: "default",
        signal: controller.signal,
        stopKey: "k",
      });
      expect(sink.ops("edit").at(-1)?.text).toContain(expected);
    }
  });

  it("posts the answer as a new message, saying so, when every final edit fails", async () => {
    const sink = new RecordingSink();
    sink.failEdits = 1_000;
    const view = await present(script(["the answer"], 0), sink, profile, {
      question: "q",
      preset: "default",
    });
    expect(view.delivery).toBe("posted");
    const last = sink.ops("thread").at(-1)?.text ?? "";
    expect(last).toContain(FALLBACK_NOTE);
    expect(last).toContain("the answer");
  });

  it("frees the run slot when the run ends, before the final edit lands", async () => {
    const sink = new RecordingSink();
    sink.failEdits = 2;
    const order: string[] = [];
    const original = sink.edit.bind(sink);
    sink.edit = async (text: string) => {
      order.push("edit");
      return original(text);
    };
    await present(script(["x"], 0), sink, profile, {
      question: "q",
      preset: "default",
      onRunEnd: () => order.push("run-end"),
    });
    expect(order[0]).toBe("run-end");
    expect(order.filter((o) => o === "edit").length).toBeGreaterThanOrEqual(3);
  });

  it("waits out a 429 on the final edit through the budget instead of failing", async () => {
    const sink = new RecordingSink();
    let refused = 0;
    const original = sink.edit.bind(sink);
    sink.edit = async (text: string) => {
      if (refused++ < 2) throw new RateLimitedError(30);
      return original(text);
    };
    const budget = new EditBudget({
      scope: "workspace",
      limit: 2,
      windowMs: 10,
      reserveForFinal: 1,
    });
    const view = await present(script(["y"], 0), sink, profile, {
      question: "q",
      preset: "default",
      budget,
    });
    expect(view.delivery).toBe("edited");
    expect(sink.ops("edit").at(-1)?.text).toContain("y");
  });
});
