import { webApi } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlatformProfile } from "../src/bots/chat-sink.js";
import { discordProfile } from "../src/bots/discord/profile.js";
import { FOOTER_MAX_CHARS, footer, renderView } from "../src/bots/render-view.js";
import { initialView, type RunView } from "../src/bots/run-view.js";
import { slackProfile } from "../src/bots/slack/profile.js";
import { slackClientOptions } from "../src/bots/slack/slack-client-options.js";
import { SlackSink } from "../src/bots/slack/slack-sink.js";
import { TOGETHER_PRESET } from "../src/commands/presets/builtin.js";
import type { CallStat } from "../src/moa/events.js";
import { type FakeSlack, startFakeSlack } from "./fake-slack.js";

const proposers = TOGETHER_PRESET.proposers as string[];
const aggregator = TOGETHER_PRESET.aggregator;

const call = (model: string, role: CallStat["role"], outcome: CallStat["outcome"]): CallStat => ({
  role,
  layer: 1,
  index: 0,
  model,
  outcome,
  latencyMs: 1234,
  attempts: 1,
  usage: { inputTokens: 123_456, outputTokens: 7_890 },
});

/** A finished run of the built-in `together` preset (2 proposer layers of 6), two proposers failed. */
function togetherView(answer: string, phase: RunView["phase"], interrupted = false): RunView {
  const view = initialView("together");
  view.question = `${"Why is the sky blue <!channel> @everyone? ".repeat(20)}`;
  view.phase = phase;
  view.layers = 3;
  view.aggregator = aggregator;
  view.answer = answer;
  if (interrupted) view.interrupted = true;
  view.dropped = proposers.slice(0, 3).map((model, i) => ({
    model,
    layer: 2,
    reason: `HTTP 500 <!here> upstream said ${"no ".repeat(60)}`,
    skipped: i === 2,
  }));
  view.stats = {
    totalMs: 98_765,
    usage: { inputTokens: 1_234_567, outputTokens: 89_012 },
    costUsd: 0.1234,
    calls: [
      ...proposers.map((m) => call(m, "proposer", "ok")),
      ...proposers.map((m, i) => call(m, "proposer", i < 2 ? "error" : i === 2 ? "skipped" : "ok")),
      call(aggregator, "aggregator", "ok"),
    ],
  };
  return view;
}

/** Answers with mentions (neutralising lengthens them), code fences and long paragraphs. */
function answerOf(length: number): string {
  const unit = "Rayleigh scattering <@U123> @here ```ts\nconst x = 1;\n```\n\n";
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

function lengthsNear(limit: number): number[] {
  const out: number[] = [];
  for (let n = limit - 700; n <= limit + 300; n += 13) out.push(n);
  return out;
}

const profiles: PlatformProfile[] = [slackProfile, discordProfile];

describe("the final message always fits the platform", () => {
  it("bounds the footer for the built-in together preset and names the failed models", () => {
    const text = footer(togetherView("x", "done"), slackProfile.neutralize);
    expect(text.length).toBeLessThanOrEqual(FOOTER_MAX_CHARS);
    expect(text).toContain("9 of 12 drafts");
    expect(text).toContain("failed: HTTP 500");
  });

  for (const profile of profiles) {
    it(`${profile.name}: every answer length near the limit, in every end state, fits in ${profile.maxMessageChars}`, () => {
      for (const length of lengthsNear(profile.maxMessageChars)) {
        for (const [phase, interrupted] of [
          ["done", false],
          ["cancelled", false],
          ["cancelled", true],
          ["aggregating", false],
        ] as const) {
          const answer = answerOf(length);
          const rendered = renderView(togetherView(answer, phase, interrupted), profile);
          expect(rendered.main.length, `${phase} ${length}`).toBeLessThanOrEqual(
            profile.maxMessageChars,
          );
          for (const part of rendered.overflow)
            expect(part.length).toBeLessThanOrEqual(profile.maxMessageChars);
        }
      }
    });
  }
});

describe("through the real Slack WebClient and the fake's 12,000-char markdown cap", () => {
  let fake: FakeSlack;
  let client: webApi.WebClient;
  beforeAll(async () => {
    fake = await startFakeSlack({ tiers: false });
    client = new webApi.WebClient("xoxb-test", {
      ...slackClientOptions(fake.apiUrl),
      logLevel: webApi.LogLevel.ERROR,
    });
  });
  afterAll(() => fake.close());

  it("accepts every final message near the limit (and the fake does refuse 12,001)", async () => {
    const sink = new SlackSink(client.chat, { channel: "C1", userId: "U1" });
    await sink.open("starting");
    for (const length of lengthsNear(slackProfile.maxMessageChars).filter((_, i) => i % 4 === 0)) {
      const main = renderView(togetherView(answerOf(length), "done"), slackProfile).main;
      await sink.edit(main);
    }
    await expect(sink.edit("x".repeat(12_001))).rejects.toThrow(/msg_blocks_too_long/);
  });
});
