import { afterEach, describe, expect, it } from "vitest";
import { REGENERATE_REPLIES } from "../src/bots/regenerate.js";
import { type DiscordHarness, startDiscordHarness } from "./discord-harness.js";
import { bob, buttonIds, opt, pressButton, runCommand } from "./fake-discord-actions.js";
import { bodyText, buttonValues } from "./fake-slack.js";
import { type SlackHarness, startSlackHarness } from "./slack-harness.js";

/** The aggregator answers differently on each call, so a regenerate is visible. */
const aggTwice = () => {
  let n = 0;
  return { agg: { reply: () => (++n === 1 ? "The first answer." : "A better answer.") } };
};

describe("Slack regenerate", () => {
  let h: SlackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("re-runs only the aggregator on the stored drafts; the answer is replaced in place, the old one noted in the thread, the footer says so", async () => {
    h = await startSlackHarness({ models: aggTwice() });
    await h.command("regen me", "trig.rg1");
    await h.idle();
    const root = h.fake.callsTo("chat.update").at(-1)?.args.ts as string;
    const [runKey] = buttonValues(h.fake.messages.get(root), "moa_regenerate");
    expect(runKey).toMatch(/^[0-9a-f-]{36}$/);
    const posts = h.fake.callsTo("chat.postMessage").length;

    await h.press({ messageTs: root, actionId: "moa_regenerate", value: String(runKey) });
    await h.fake.waitFor((f) =>
      String(f.messages.get(root)?.text).includes("regenerated from the stored drafts"),
    );
    await h.idle();
    expect(h.models.requestsFor("p1")).toHaveLength(1);
    expect(h.models.requestsFor("p2")).toHaveLength(1);
    const aggs = h.models.requestsFor("agg");
    expect(aggs).toHaveLength(2);
    // The same drafts and question went to the aggregator again.
    expect(aggs[1]?.messages).toEqual(
      aggs[0]?.messages.map((m) => ({ ...m, content: expect.any(String) })),
    );
    expect(aggs[1]?.messages.at(-1)?.content).toBe("regen me");
    expect(aggs[1]?.messages[0]?.content).toContain("Draft one.");

    const shown = h.fake.messages.get(root);
    expect(bodyText({ blocks: shown?.blocks })).toContain("A better answer.");
    expect(bodyText({ blocks: shown?.blocks })).not.toContain("The first answer.");
    expect(bodyText({ blocks: shown?.blocks })).toMatch(
      /regenerated from the stored drafts · preset default · aggregator `agg` · [\d.]+s · \d+ tokens/,
    );
    const newPosts = h.fake.callsTo("chat.postMessage").slice(posts);
    expect(newPosts).toHaveLength(1);
    expect(newPosts[0]?.args.thread_ts).toBe(root);
    expect(String(newPosts[0]?.args.text)).toContain("Previous answer");
    expect(bodyText(newPosts[0]?.args ?? {})).toContain("The first answer.");
    // The new answer is a run of its own: rated and regenerated under its own key.
    const [again] = buttonValues(shown, "moa_regenerate");
    expect(again).toMatch(/^[0-9a-f-]{36}$/);
    expect(again).not.toBe(runKey);
    expect(
      await h.stores.runDrafts.load({ platform: "slack", workspaceId: "T0TEAM" }, String(again)),
    ).toMatchObject({ answer: "A better answer." });
  });

  it("only the asker may regenerate; others are told privately and nothing runs", async () => {
    h = await startSlackHarness({ models: aggTwice() });
    await h.command("mine", "trig.rg2");
    await h.idle();
    const root = h.fake.callsTo("chat.update").at(-1)?.args.ts as string;
    const [runKey] = buttonValues(h.fake.messages.get(root), "moa_regenerate");
    await h.press({
      messageTs: root,
      actionId: "moa_regenerate",
      value: String(runKey),
      userId: "U0OTHER",
    });
    await h.fake.waitFor((f) => f.callsTo("response_url").length === 1);
    expect(String(h.fake.callsTo("response_url")[0]?.args.text)).toContain(
      REGENERATE_REPLIES.notYours,
    );
    expect(h.models.requestsFor("agg")).toHaveLength(1);
    await h.press({
      messageTs: root,
      actionId: "moa_regenerate",
      value: "00000000-0000-0000-0000-000000000000",
    });
    await h.fake.waitFor((f) => f.callsTo("response_url").length === 2);
    expect(String(h.fake.callsTo("response_url")[1]?.args.text)).toContain(REGENERATE_REPLIES.gone);
  });
});

describe("Discord regenerate", () => {
  let h: DiscordHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("re-runs only the aggregator; the reply is rewritten in place, the old answer noted in its drafts thread; others are refused ephemerally", async () => {
    h = await startDiscordHarness({ models: aggTwice() });
    const run = runCommand(h.fake, { name: "moa", options: [opt("prompt", "regen me")] });
    await h.idle();
    const answerId = h.fake.originals.get(run.token) as string;
    const regen = buttonIds(h.fake, answerId).find((id) => id.startsWith("moa_regen:"));
    expect(regen).toMatch(/^moa_regen:[0-9a-f-]{36}$/);
    expect(String(h.fake.messages.get(answerId)?.content)).toContain("The first answer.");

    // Someone else: an ephemeral refusal, nothing runs.
    const other = pressButton(h.fake, { messageId: answerId, customId: String(regen), user: bob });
    const refusal = await h.fake.waitForCall("POST", new RegExp(`^/webhooks/\\d+/${other.token}$`));
    expect(refusal.body).toMatchObject({
      content: REGENERATE_REPLIES.notYours,
      flags: 64,
      allowed_mentions: { parse: [] },
    });
    expect(h.models.requestsFor("agg")).toHaveLength(1);

    const press = pressButton(h.fake, { messageId: answerId, customId: String(regen) });
    const ack = await h.fake.waitForCall(
      "POST",
      new RegExp(`^/interactions/${press.id}/[^/]+/callback$`),
    );
    expect(ack.body).toMatchObject({ type: 6 });
    await expect
      .poll(() => String(h?.fake.messages.get(answerId)?.content), { timeout: 10_000 })
      .toContain("regenerated from the stored drafts");
    await h.idle();
    expect(h.models.requestsFor("p1")).toHaveLength(1);
    expect(h.models.requestsFor("p2")).toHaveLength(1);
    expect(h.models.requestsFor("agg")).toHaveLength(2);
    const content = String(h.fake.messages.get(answerId)?.content);
    expect(content).toContain("A better answer.");
    expect(content).not.toContain("The first answer.");
    // The note went to the existing drafts thread (thread id = answer id), not a new one.
    const inThread = [...h.fake.messages.values()].filter((m) => m.channel_id === answerId);
    expect(inThread.some((m) => String(m.content).includes("Previous answer"))).toBe(true);
    expect(inThread.some((m) => String(m.content).includes("The first answer."))).toBe(true);
    expect(h.fake.callsTo("POST", /\/threads$/)).toHaveLength(1);
    const again = buttonIds(h.fake, answerId).find((id) => id.startsWith("moa_regen:"));
    expect(again).toMatch(/^moa_regen:/);
    expect(again).not.toBe(regen);
  });
});
