/**
 * Native surfaces bench: Slack streaming (chat.startStream/appendStream/stopStream) against
 * the post-and-edit path, side by side, for 1 run and for 20 concurrent runs in one
 * workspace. The real Bolt app, shared flow, engine and openai client run in this process
 * against the fake Slack (with and without its stream methods) and fake models.
 * Reports, per run: aggregator first token -> first visible answer text, aggregator end ->
 * final text visible (the Web API call carrying it reaching Slack), and Web API calls.
 *
 *   npm run bench -- native
 */

import type { ModelScript } from "../test/fake-openai-server.js";
import { messageEvent } from "../test/fake-slack-requests.js";
import { fakeStream } from "../test/fake-slack-stream.js";
import { startSlackHarness } from "../test/slack-harness.js";
import type { BenchSection } from "./section.js";
import { percentile, table } from "./stats.js";

const TOKEN_MS = 20;
const tokens = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i} `);
/** A 300-token answer (~6 s at 20 ms/token): a typical answer length, long enough for several edits. */
const MODELS: Record<string, ModelScript> = {
  p1: { firstTokenMs: 150, tokenMs: TOKEN_MS, reply: tokens("p", 20) },
  p2: { firstTokenMs: 250, tokenMs: TOKEN_MS, reply: tokens("q", 20) },
  agg: { firstTokenMs: 200, tokenMs: TOKEN_MS, reply: tokens("ans", 300) },
};
const LAST_TOKEN = "ans299";
const ENV = {
  MOA_QUOTA_USER_PER_MINUTE: "0",
  MOA_QUOTA_USER_PER_HOUR: "0",
  MOA_QUOTA_CHANNEL_PER_MINUTE: "0",
  MOA_QUOTA_CHANNEL_PER_HOUR: "0",
  MOA_MAX_CONCURRENT_RUNS: "0",
};

interface RunFigures {
  firstTextMs: number;
  finalMs: number;
  calls: number;
}

/** Runs `concurrency` mentions at once in one workspace; figures per run. */
async function measure(
  streaming: boolean,
  concurrency: number,
  wave: number,
): Promise<RunFigures[]> {
  const h = await startSlackHarness({
    models: MODELS,
    env: ENV,
    ...(streaming ? { slack: { stream: fakeStream() } } : {}),
  });
  try {
    const roots = Array.from(
      { length: concurrency },
      (_, i) => `${900 + wave}.${String(i).padStart(6, "0")}`,
    );
    await Promise.all(
      roots.map((ts, i) =>
        h.event(
          messageEvent({ type: "app_mention", text: `<@U0BOT> question ${i}`, ts }),
          `Ev${wave}.${i}`,
        ),
      ),
    );
    await h.idle(120_000);
    const aggs = h.models.requestsFor("agg");
    return roots.map((root, i) => {
      const question = `question ${i}`;
      const agg = aggs.find((r) => r.messages.at(-1)?.content === question);
      // Calls of this run: everything whose thread or message is under this root.
      const mine = new Set([root]);
      for (const m of h.fake.messages.values()) if (m.threadTs === root) mine.add(m.ts);
      const calls = h.fake.calls.filter(
        (c) => mine.has(String(c.args.thread_ts ?? "")) || mine.has(String(c.args.ts ?? "")),
      );
      const text = (c: (typeof calls)[number]) => JSON.stringify(c.args);
      const answerCalls = calls.filter((c) =>
        ["chat.update", "chat.appendStream", "chat.stopStream"].includes(c.method),
      );
      const first = answerCalls.find((c) => text(c).includes("ans0"));
      const final = answerCalls
        .filter((c) => text(c).includes(LAST_TOKEN) || c.method === "chat.stopStream")
        .at(-1);
      return {
        firstTextMs: (first?.at ?? Number.NaN) - (agg?.firstTokenAt ?? Number.NaN),
        finalMs: (final?.at ?? Number.NaN) - (agg?.endedAt ?? Number.NaN),
        calls: calls.length,
      };
    });
  } finally {
    await h.close();
  }
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "n/a");

export const nativeBench: BenchSection = {
  name: "native surfaces (Slack streaming vs post-and-edit)",
  async run() {
    const rows: string[][] = [];
    for (const concurrency of [1, 20]) {
      const waves = concurrency === 1 ? 5 : 2;
      for (const streaming of [true, false]) {
        const all: RunFigures[] = [];
        for (let w = 0; w < waves; w++) all.push(...(await measure(streaming, concurrency, w)));
        const first = all.map((r) => r.firstTextMs);
        const final = all.map((r) => r.finalMs);
        const calls = all.map((r) => r.calls);
        rows.push([
          String(concurrency),
          streaming ? "stream" : "edit",
          String(all.length),
          fmt(percentile(first, 50)),
          fmt(percentile(first, 95)),
          fmt(percentile(final, 50)),
          fmt(percentile(final, 95)),
          (calls.reduce((a, b) => a + b, 0) / calls.length).toFixed(1),
        ]);
      }
    }
    console.log(
      table(
        [
          "runs at once",
          "path",
          "runs",
          "first text p50 ms",
          "p95",
          "final p50 ms",
          "p95",
          "Web API calls/run",
        ],
        rows,
      ),
    );
    console.log(
      "first text = aggregator first token -> first Web API call carrying answer text; final = aggregator end -> the call carrying the final text (target: stream p95 <= 300 ms at 1 run).",
    );
  },
};
