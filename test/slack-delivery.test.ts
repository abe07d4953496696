import { afterEach, describe, expect, it } from "vitest";
import { FALLBACK_NOTE } from "../src/bots/final-delivery.js";
import { POSTS_PER_WINDOW } from "../src/bots/slack/post-pacer.js";
import { postSigned, slashCommand } from "./fake-slack-requests.js";
import { SIGNING_SECRET, type SlackHarness, startSlackHarness } from "./slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** `runs` signed `/moa` commands at once, each from its own user (the per-user quota is 5 a minute). */
const askAtOnce = (hh: SlackHarness, runs: number, channelOf: (i: number) => string) =>
  Promise.all(
    Array.from({ length: runs }, (_, i) =>
      postSigned(
        hh.url,
        slashCommand({
          text: `question ${i}`,
          triggerId: `t.${i}`,
          responseUrl: hh.fake.responseUrl(`t.${i}`),
          channelId: channelOf(i),
          userId: `U${i}`,
        }),
        { secret: SIGNING_SECRET },
      ),
    ),
  );

const roots = (hh: SlackHarness) =>
  [...hh.fake.messages.values()].filter((m) => m.threadTs === undefined);

describe("Slack delivery is bounded and has a fallback", () => {
  it("a final edit that fails every time: the answer is posted in the thread, saying so", async () => {
    h = await startSlackHarness({ models: { agg: { reply: "Final words." } } });
    h.fake.refuseAlways("chat.update", "internal_error");
    await h.command("question");
    await h.idle(60_000);
    const root = roots(h)[0];
    expect(root).toBeDefined();
    const replies = h.fake.threadReplies(root?.ts ?? "");
    const fallback = replies.find((m) => m.text.includes(FALLBACK_NOTE));
    expect(fallback?.text).toContain("Final words.");
    expect(h.fake.callsTo("chat.update").length).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it("a chat.update that hangs is cut off by the client timeout and the answer still lands", async () => {
    h = await startSlackHarness({
      models: { agg: { reply: "Still here." } },
      bot: { apiTimeoutMs: 300 },
    });
    h.fake.script("chat.update", { hang: true });
    await h.command("question");
    await h.idle(30_000);
    const updates = h.fake.callsTo("chat.update");
    expect(updates[0]?.outcome).toBe("pending");
    expect(roots(h)[0]?.text).toContain("Still here.");
  }, 40_000);

  it("20 runs in one workspace keep chat.update within Tier 3 (50 a minute) and all end with their answer", async () => {
    const reply = Array.from({ length: 60 }, (_, i) => `word${i} `);
    h = await startSlackHarness({
      // Without the shared budget, 20 runs editing once a second would need 60+ updates.
      models: { agg: { reply, tokenMs: 40 } },
    });
    const hh = h;
    await askAtOnce(hh, 20, (i) => `C${i % 10}`);
    await hh.idle(60_000);
    const answers = roots(hh);
    expect(answers).toHaveLength(20);
    for (const m of answers) expect(m.text).toContain("word59");
    expect(hh.fake.callsTo("chat.update").filter((c) => c.outcome === "ratelimited")).toEqual([]);
  }, 90_000);
});

describe("posts paced per channel", () => {
  it("4 runs in one channel post every draft without a 429 from chat.postMessage", async () => {
    h = await startSlackHarness();
    const hh = h;
    await askAtOnce(hh, 4, () => "C0BUSY");
    await hh.idle(60_000);
    const posts = hh.fake.callsTo("chat.postMessage");
    // 4 roots and their drafts: more than twice Slack's burst of 5 posts in 5 s in one channel.
    expect(posts.length).toBeGreaterThan(2 * POSTS_PER_WINDOW);
    expect(posts.filter((c) => c.outcome === "ratelimited")).toEqual([]);
    const answers = roots(hh);
    expect(answers).toHaveLength(4);
    for (const m of answers) {
      expect(m.text).not.toContain("thinking");
      // Both drafts (p1, p2) of every run reached its thread.
      expect(posts.filter((c) => c.args.thread_ts === m.ts && c.outcome === "ok")).toHaveLength(2);
    }
  }, 90_000);
});
