import { describe, expect, it } from "vitest";
import { dispatch } from "../src/commands/dispatch.js";
import { COMMANDS, commandText } from "../src/commands/registry.js";
import { percentile } from "../src/commands/stats-compute.js";
import type { RunRecord } from "../src/store/run-record.js";
import {
  discordInvocation,
  slackInvocation,
  tempSqliteKv,
  testDeps,
} from "./fixtures/commands-env.js";
import { scriptedRun } from "./fixtures/scripted-runs.js";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const HOUR = 3_600_000;

/**
 * Ten runs in C1 over the last week: p-alpha answers in 1.1..2.0 s; p-beta is faster only in
 * runs 1-2, times out (30 s) in runs 3 and 7 and takes 7..10 s otherwise; agg takes 2.1..3.0 s.
 * Runs 9-10 use `lite`. Plus one run in another channel and one three weeks old.
 */
function scripted(platform: string, workspaceId: string, channelId: string): RunRecord[] {
  const runs: RunRecord[] = [];
  for (let n = 1; n <= 12; n++) {
    const failed = n === 3 || n === 7;
    const beta = failed ? 30_000 : n <= 2 ? 500 : 5_000 + 500 * n;
    runs.push(
      scriptedRun(n, {
        platform,
        workspaceId,
        channelId: n === 11 ? "OTHER" : channelId,
        at: n === 12 ? NOW - 21 * 24 * HOUR : NOW - n * HOUR,
        preset: n === 9 || n === 10 ? "lite" : "default",
        proposers: [
          ["p-alpha", "ok", 1_000 + 100 * n, 100, 50, 0.001],
          failed ? ["p-beta", "error", beta, 100, 0] : ["p-beta", "ok", beta, 100, 80, 0.002],
        ],
        aggregator: ["agg", "ok", 2_000 + 100 * n, 300, 200, 0.01],
        votes:
          n === 1 ? { a: "up", b: "up" } : n === 2 ? { a: "down" } : n === 9 ? { a: "up" } : {},
      }),
    );
  }
  return runs;
}

// Run 12 is the slowest of every model: with it, each p95 is its latency (2.2 s, 11 s, 3.2 s), and
// the deadline advised is 1.5 x p-alpha's 2.2 s, rounded up.
async function statsReply(text: string, inv = slackInvocation(), env: Record<string, string> = {}) {
  const { kv } = tempSqliteKv();
  const { deps } = testDeps(kv, env);
  for (const r of scripted(inv.platform, inv.workspaceId, inv.channelId))
    await deps.stores.runs?.save(r);
  const result = await dispatch({ ...inv, text }, deps);
  await kv.close();
  if (result.kind !== "reply") throw new Error(`expected a reply, got ${result.kind}`);
  expect(result.ephemeral).toBe(true);
  return result.text;
}

const LEGEND =
  "_Failed: share of its calls that errored. p50/p95: latency of successful calls. Slowest: share of its runs where the answer waited for it._";
const ADVICE =
  "💡 `p-beta` was the slowest proposer in 80% of runs and failed 20%: consider removing it or a 3 s layer deadline.";

describe("stats", () => {
  it("tabulates this channel's runs of the last 7 days exactly (Slack: Markdown tables)", async () => {
    expect(await statsReply("stats")).toBe(
      [
        "**MoA stats** · this channel · last 7 days · 10 runs",
        [
          "| Preset | Runs | 👍 rate | Votes |",
          "|---|---:|---:|---:|",
          "| default | 8 | 67% | 3 |",
          "| lite | 2 | 100% | 1 |",
        ].join("\n"),
        [
          "| Model | Runs | Failed | p50 | p95 | Tokens | Cost | Slowest |",
          "|---|---:|---:|---:|---:|---:|---:|---:|",
          "| agg | 10 | 0% | 2.5s | 3.0s | 5.0k | $0.1000 | — |",
          "| p-alpha | 10 | 0% | 1.5s | 2.0s | 1.5k | $0.0100 | 20% |",
          "| p-beta | 10 | 20% | 7.5s | 10.0s | 1.6k | $0.0160 | 80% |",
        ].join("\n"),
        LEGEND,
        ADVICE,
      ].join("\n\n"),
    );
  });

  it("renders a fixed-width code-block table on Discord, and counts the older run with `stats 30`", async () => {
    const text = await statsReply("stats 30", discordInvocation());
    expect(text).toBe(
      [
        "**MoA stats** · this channel · last 30 days · 11 runs",
        [
          "```",
          "Preset   Runs  👍 rate  Votes",
          "-------  ----  -------  -----",
          "default     9      67%      3",
          "lite        2     100%      1",
          "```",
        ].join("\n"),
        [
          "```",
          "Model    Runs  Failed   p50    p95  Tokens     Cost  Slowest",
          "-------  ----  ------  ----  -----  ------  -------  -------",
          "agg        11      0%  2.6s   3.2s    5.5k  $0.1100        —",
          "p-alpha    11      0%  1.6s   2.2s    1.6k  $0.0110      18%",
          "p-beta     11     18%  8.0s  11.0s    1.8k  $0.0180      82%",
          "```",
        ].join("\n"),
        LEGEND,
        "💡 `p-beta` was the slowest proposer in 82% of runs and failed 18%: consider removing it or a 4 s layer deadline.",
      ].join("\n\n"),
    );
  });

  it("workspace scope is for admins; a plain member is told so", async () => {
    expect(await statsReply("stats 7 workspace")).toContain("Workspace-wide stats are for admins");
    const admin = await statsReply("stats 7 workspace", slackInvocation({ platformAdmin: true }));
    expect(admin.split("\n")[0]).toBe("**MoA stats** · this workspace · last 7 days · 11 runs");
    // MOA_PRESET_EDITORS=everyone lets everyone edit presets, not read the workspace's stats.
    expect(
      await statsReply("stats 7 workspace", slackInvocation(), { MOA_PRESET_EDITORS: "everyone" }),
    ).toContain("Workspace-wide stats are for admins");
  });

  it("says so when there are no runs, rejects bad days, and leaves questions alone", async () => {
    const { kv } = tempSqliteKv();
    const { deps } = testDeps(kv);
    const reply = await dispatch(slackInvocation({ text: "stats" }), deps);
    expect(reply).toMatchObject({ kind: "reply" });
    expect(reply.kind === "reply" && reply.text).toContain("No runs recorded yet");
    const bad = await dispatch(slackInvocation({ text: "stats 0" }), deps);
    expect(bad.kind === "reply" && bad.text).toContain("days is a whole number from 1 to 365");
    const question = await dispatch(slackInvocation({ text: "stats on churn in 2024?" }), deps);
    expect(question.kind).toBe("run");
    await kv.close();
  });

  it("is /moa-stats on Discord with days and scope options rendered into the text grammar", () => {
    const spec = COMMANDS.find((c) => c.path[0] === "stats");
    expect(spec && commandText(spec, { days: 30, scope: "workspace" })).toBe("stats 30 workspace");
  });

  it("uses nearest-rank percentiles", () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 95)).toBe(4);
    expect(percentile([7], 95)).toBe(7);
  });
});
