import { afterEach, describe, expect, it } from "vitest";
import { messageEvent } from "./fake-slack-requests.js";
import { type SlackHarness, startSlackHarness } from "./slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const rootText = (hh: SlackHarness) =>
  [...hh.fake.messages.values()].find((m) => m.threadTs === undefined)?.text ?? "";

describe("Slack error paths end to end", () => {
  it("bot not in channel: explains privately through response_url, calls no model", async () => {
    h = await startSlackHarness();
    h.fake.script("chat.postMessage", { error: "not_in_channel" });
    await h.command("question", "trig.nic");
    await h.idle();
    const reply = h.fake.callsTo("response_url")[0];
    expect(reply?.args.response_type).toBe("ephemeral");
    expect(String(reply?.args.text)).toMatch(/invite/i);
    expect(h.models.requests).toHaveLength(0);
  });

  it("mention where the bot cannot post: ephemeral through chat.postEphemeral", async () => {
    h = await startSlackHarness();
    h.fake.script("chat.postMessage", { error: "channel_not_found" });
    await h.event(messageEvent({ type: "app_mention", text: "<@U0BOT> q", ts: "10.1" }), "Ev1");
    await h.idle();
    expect(h.fake.callsTo("chat.postEphemeral")[0]?.args).toMatchObject({
      channel: "C0CHAN",
      user: "U0USER",
      thread_ts: "10.1",
    });
  });

  it("all proposers failed: the interim message lists each model's reason", async () => {
    h = await startSlackHarness({
      models: {
        p1: { always: { kind: "status", status: 500, message: "p1 exploded" } },
        p2: { always: { kind: "status", status: 401, message: "bad key for p2" } },
      },
    });
    await h.command("question");
    await h.idle();
    const text = rootText(h);
    expect(text).toMatch(/failed/i);
    expect(text).toContain("`p1`");
    expect(text).toContain("`p2`");
    expect(h.models.requestsFor("agg")).toHaveLength(0);
  });

  it("aggregator failed: the error is shown and the drafts stay in the thread", async () => {
    h = await startSlackHarness({
      models: { agg: { always: { kind: "status", status: 500, message: "agg down" } } },
    });
    await h.command("question");
    await h.idle();
    expect(rootText(h)).toMatch(/failed/i);
    expect(rootText(h)).toContain("drafts are in the thread");
    const drafts = [...h.fake.messages.values()].filter((m) => m.threadTs).map((m) => m.text);
    expect(drafts.join("\n")).toContain("Draft one.");
    expect(drafts.join("\n")).toContain("Draft two.");
  });

  it("an unexpected Slack error is told to the user, and the next run works", async () => {
    h = await startSlackHarness();
    h.fake.script("chat.postMessage", { error: "internal_error" });
    await h.command("first", "trig.err");
    await h.idle();
    expect(String(h.fake.callsTo("response_url")[0]?.args.text)).toMatch(/went wrong/i);
    await h.command("second", "trig.ok");
    await h.idle();
    expect(rootText(h)).toContain("The answer.");
  });

  it("rate-limited updates still end with the final answer", async () => {
    h = await startSlackHarness({ models: { agg: { reply: "Final words.", firstTokenMs: 300 } } });
    // The WebClient pauses its queue for Retry-After, then retries with its own backoff.
    h.fake.script("chat.update", { rateLimitSec: 1 });
    await h.command("question");
    await h.idle();
    expect(h.fake.callsTo("chat.update").filter((c) => c.outcome === "ratelimited")).toHaveLength(
      1,
    );
    expect(rootText(h)).toContain("Final words.");
  });
});
