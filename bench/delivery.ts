/**
 * Delivery bench (issue 9): 20 concurrent `/moa` runs in ONE Slack workspace and 10 in one
 * Discord guild over 3 channels, the fakes' rate limits on (Slack Tier 3 chat.update 50 a
 * minute per workspace, chat.postMessage 5 per 5 s per channel; Discord 5 per 5 s per route
 * and channel), ~3,000-char answers. Reports answers complete, 429s received, p50/p95 of
 * (final text visible - aggregator finished) and edits per run. Target: all complete,
 * p95 <= 3 s at 20 concurrent in one workspace.
 *
 *   npm run bench -- delivery
 */

import { startDiscordHarness } from "../test/discord-harness.js";
import { opt, runCommand } from "../test/fake-discord-actions.js";
import { textChannel } from "../test/fake-discord-payloads.js";
import type { FakeOpenAIServer, ModelScript } from "../test/fake-openai-server.js";
import { postSigned, slashCommand } from "../test/fake-slack-requests.js";
import { SIGNING_SECRET, startSlackHarness } from "../test/slack-harness.js";
import type { BenchSection } from "./section.js";
import { percentile, table } from "./stats.js";

/** ~3,000 characters in 300 tokens over about 3 s. */
const ANSWER = Array.from({ length: 300 }, (_, i) => `w${String(i).padStart(3, "0")}_tail `);
const LAST = "w299_tail";
const MODELS: Record<string, ModelScript> = {
  p1: { reply: "Draft one.", firstTokenMs: 100 },
  p2: { reply: "Draft two.", firstTokenMs: 150 },
  agg: { reply: ANSWER, firstTokenMs: 100, tokenMs: 10 },
};

/** When the aggregator's stream for `question` ended, epoch ms. */
function aggregatorEnd(models: FakeOpenAIServer, question: string): number | undefined {
  return models.requestsFor("agg").find((r) => r.messages.some((m) => m.content.includes(question)))
    ?.endedAt;
}

interface Row {
  platform: string;
  runs: number;
  complete: number;
  limited: number;
  /** 429s by method/route. */
  by: string;
  lags: number[];
  edits: number[];
}

async function slackRound(runs: number): Promise<Row> {
  const h = await startSlackHarness({ models: MODELS });
  try {
    await Promise.all(
      Array.from({ length: runs }, (_, i) =>
        postSigned(
          h.url,
          slashCommand({
            text: `question-${i}`,
            triggerId: `b.${i}`,
            responseUrl: h.fake.responseUrl(`b.${i}`),
            channelId: `CB${i % 5}`,
            // One asker per run: the per-user quota (5 a minute) would refuse the rest.
            userId: `UB${i}`,
          }),
          { secret: SIGNING_SECRET },
        ),
      ),
    );
    await h.idle(120_000);
    const limited = h.fake.calls.filter((c) => c.outcome === "ratelimited");
    const byMethod = new Map<string, number>();
    for (const c of limited) byMethod.set(c.method, (byMethod.get(c.method) ?? 0) + 1);
    const row: Row = {
      platform: "slack",
      runs,
      complete: 0,
      limited: limited.length,
      by: [...byMethod].map(([m, n]) => `${m} ${n}`).join(", ") || "-",
      lags: [],
      edits: [],
    };
    for (let i = 0; i < runs; i++) {
      const q = `question-${i}`;
      const root = [...h.fake.messages.values()].find(
        (m) => m.threadTs === undefined && m.versions[0]?.includes(q),
      );
      const updates = h.fake
        .callsTo("chat.update")
        .filter((c) => c.args.ts === root?.ts && c.outcome === "ok");
      const final = updates.at(-1);
      const fallback = [...h.fake.messages.values()].find(
        (m) => m.threadTs === root?.ts && m.text.includes(LAST) && m.text.includes("new message"),
      );
      const done = root?.text.includes(LAST) && root.text.includes("tokens");
      if (done || fallback) row.complete++;
      row.edits.push(updates.length);
      const end = aggregatorEnd(h.models, q);
      const seen = fallback
        ? h.fake
            .callsTo("chat.postMessage")
            .find((c) => String(c.args.text).includes("new message"))?.at
        : final?.at;
      if (end !== undefined && seen !== undefined) row.lags.push(seen - end);
    }
    return row;
  } finally {
    await h.close();
  }
}

async function discordRound(runs: number): Promise<Row> {
  // One user asks every Discord run (the fake's one member), so the per-user quota is off.
  const h = await startDiscordHarness({
    models: MODELS,
    env: { MOA_QUOTA_USER_PER_MINUTE: "0", MOA_QUOTA_USER_PER_HOUR: "0" },
  });
  try {
    const channels = [h.fake.channelId];
    for (let i = 1; i < 3; i++) {
      const id = `${BigInt(h.fake.channelId) + BigInt(i)}`;
      h.fake.channels.set(id, textChannel(id, h.fake.guildId, `bench-${i}`));
      channels.push(id);
    }
    const tokens = Array.from({ length: runs }, (_, i) =>
      runCommand(h.fake, {
        name: "moa",
        options: [opt("prompt", `question-${i}`)],
        channelId: channels[i % channels.length] as string,
      }),
    );
    await h.idle(120_000);
    const row: Row = {
      platform: "discord",
      runs,
      complete: 0,
      limited: h.fake.windows.refused,
      by: "-",
      lags: [],
      edits: [],
    };
    tokens.forEach(({ token }, i) => {
      const id = h.fake.originals.get(token);
      const content = String((id && h.fake.messages.get(id)?.content) ?? "");
      const edits = h.fake.calls.filter(
        (c) => c.method === "PATCH" && c.path.includes(`/${token}/messages/@original`),
      );
      if (content.includes(LAST) || content.includes("continued in the thread")) row.complete++;
      row.edits.push(edits.length);
      const end = aggregatorEnd(h.models, `question-${i}`);
      const last = edits.at(-1)?.at;
      if (end !== undefined && last !== undefined) row.lags.push(last - end);
    });
    return row;
  } finally {
    await h.close();
  }
}

const ms = (v: number) => `${Math.round(v)} ms`;

export const deliveryBench: BenchSection = {
  name: "delivery (rate limits on, ~3,000-char answers)",
  async run() {
    const rows = [await slackRound(20), await discordRound(10)];
    console.log(
      table(
        [
          "platform",
          "runs",
          "complete",
          "429s",
          "429s by method",
          "lag p50",
          "lag p95",
          "edits/run (mean)",
        ],
        rows.map((r) => [
          r.platform,
          String(r.runs),
          `${r.complete}/${r.runs}`,
          String(r.limited),
          r.by,
          ms(percentile(r.lags, 50)),
          ms(percentile(r.lags, 95)),
          (r.edits.reduce((a, b) => a + b, 0) / Math.max(1, r.edits.length)).toFixed(1),
        ]),
      ),
    );
    const slack = rows[0] as Row;
    console.log(
      `lag = final text visible - aggregator finished. Slack target: all complete, p95 <= 3 s: ${
        slack.complete === slack.runs && percentile(slack.lags, 95) <= 3_000 ? "met" : "NOT met"
      }`,
    );
  },
};
