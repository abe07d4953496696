import { afterEach, describe, expect, it } from "vitest";
import { postSigned, slashCommand } from "./fake-slack-requests.js";
import { SIGNING_SECRET, type SlackHarness, startSlackHarness } from "./slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("a provider's 429 storm on the default configuration", () => {
  it("30 concurrent /moa by 30 users against 8 streams and 30 requests per 2 s: every run answered with every draft", async () => {
    h = await startSlackHarness({
      // A strict provider: 429 + retry-after: 1 (and x-ratelimit-*) beyond its limits.
      modelLimits: {
        maxConcurrent: 8,
        requestsPerWindow: 30,
        windowMs: 2_000,
        retryAfterSeconds: 1,
      },
      models: {
        p1: { reply: "Draft one.", firstTokenMs: 150 },
        p2: { reply: "Draft two.", firstTokenMs: 150 },
        agg: { reply: "The answer.", firstTokenMs: 150 },
      },
      // The defaults (MOA_MAX_RETRIES=2, no OPENAI_MAX_CONCURRENCY or OPENAI_RPM).
      maxRetries: 2,
    });
    const harness = h;
    const users = Array.from({ length: 30 }, (_, i) => String(i).padStart(2, "0"));
    const acks = await Promise.all(
      users.map((u) =>
        postSigned(
          harness.url,
          slashCommand({
            text: `question ${u}`,
            triggerId: `storm.${u}`,
            responseUrl: harness.fake.responseUrl(`storm.${u}`),
            userId: `U0STORM${u}`,
            channelId: `C0STORM${u}`,
          }),
          { secret: SIGNING_SECRET },
        ),
      ),
    );
    expect(acks.map((a) => a.status)).toEqual(users.map(() => 200));
    await harness.fake.waitFor(
      (f) =>
        f.callsTo("chat.postMessage").filter((c) => c.args.thread_ts === undefined).length >= 30,
      30_000,
    );
    await harness.idle(180_000);

    // The storm happened: the provider refused requests, and never streamed more than 8.
    expect(harness.models.requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(harness.models.maxAccepted).toBeLessThanOrEqual(8);
    for (const u of users) {
      const root = [...harness.fake.messages.values()].find(
        (m) => m.channel === `C0STORM${u}` && m.threadTs === undefined,
      );
      expect(root?.text, `run of user ${u}`).toContain("The answer.");
      const drafts = harness.fake.threadReplies(root?.ts as string).map((m) => m.text);
      expect(drafts.join("\n"), `drafts of user ${u}`).toContain("Draft one.");
      expect(drafts.join("\n"), `drafts of user ${u}`).toContain("Draft two.");
    }
    // Every aggregation saw both drafts of both layers: no proposer was lost to a 429.
    const aggs = harness.models.requestsFor("agg").filter((r) => r.status === 200);
    expect(aggs).toHaveLength(30);
    for (const agg of aggs) expect(agg.messages[0]?.content).toContain('n="2"');
  }, 240_000);
});
