import { afterEach, describe, expect, it } from "vitest";
import { type DiscordHarness, startDiscordHarness } from "./discord-harness.js";
import { messageBodies, opt, postAsUser, runCommand, sub } from "./fake-discord-actions.js";

/** Runs end to end: edit throttle, 2,000-char split, permissions, the 15-minute token, failures. */
describe("Discord runs", () => {
  let h: DiscordHarness;
  afterEach(async () => {
    await h.close();
  });

  const webhookEdits = () => h.fake.callsTo("PATCH", /\/messages\/@original$/);
  const threadPosts = (threadId: string) =>
    h.fake
      .callsTo("POST", new RegExp(`^/channels/${threadId}/messages$`))
      .map((c) => String(c.body?.content));

  function everySendFits(): void {
    for (const body of messageBodies(h.fake)) {
      expect(body.allowed_mentions).toMatchObject({ parse: [] });
      expect(String(body.content ?? "").length).toBeLessThanOrEqual(2_000);
    }
    expect(h.fake.unhandled).toEqual([]);
  }

  it("streams the answer into the reply at most about once a second, final edit included", async () => {
    const words = Array.from({ length: 60 }, (_, i) => `w${i}`).join(" ");
    h = await startDiscordHarness({ models: { agg: { reply: words, tokenMs: 50 } } });
    const { token } = runCommand(h.fake, {
      name: "moa",
      options: [opt("prompt", "stream please")],
    });
    await h.idle();
    const edits = webhookEdits();
    expect(edits.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < edits.length; i++) {
      // The presenter's loop waits a whole interval after each edit settles: only timer rounding is slack.
      expect((edits[i]?.at ?? 0) - (edits[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(998);
    }
    expect(String(h.fake.messages.get(h.fake.originals.get(token) as string)?.content)).toContain(
      words,
    );
    everySendFits();
  });

  it("splits a long answer at 2,000 chars into the thread, fences re-opened, nothing lost", async () => {
    const paragraphs = Array.from(
      { length: 5 },
      (_, i) => `Paragraph ${i}: ${"lorem ipsum ".repeat(70).trim()}.`,
    );
    const code = `\`\`\`ts\n${Array.from({ length: 120 }, (_, i) => `const v${i} = ${i};`).join("\n")}\n\`\`\``;
    const answer = [...paragraphs, code].join("\n\n");
    h = await startDiscordHarness({ models: { agg: { reply: [answer] } } });
    const { token } = runCommand(h.fake, { name: "moa", options: [opt("prompt", "long one")] });
    await h.idle();
    const answerId = h.fake.originals.get(token) as string;
    const main = String(h.fake.messages.get(answerId)?.content);
    const overflow = threadPosts(answerId).filter((t) => !t.startsWith("**p"));
    expect(overflow.length).toBeGreaterThanOrEqual(2);
    const all = [main, ...overflow].join("\n");
    for (const p of paragraphs) expect(all).toContain(p);
    for (let i = 0; i < 120; i++) expect(all).toContain(`const v${i} = ${i};`);
    for (const chunk of [main, ...overflow]) expect((chunk.match(/```/g) ?? []).length % 2).toBe(0);
    everySendFits();
  });

  it("refuses a preset change by a member without Manage Channels, privately, and changes nothing", async () => {
    h = await startDiscordHarness();
    runCommand(h.fake, { name: "moa-preset", options: [sub("use", [opt("name", "lite")])] });
    const refusal = await h.fake.waitForCall("POST", /\/callback$/);
    expect(refusal.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(String((refusal.body?.data as { content?: string } | undefined)?.content)).toContain(
      "Manage Channels",
    );
    const scope = { platform: "discord", workspaceId: h.fake.guildId, channelId: h.fake.channelId };
    expect(await h.stores.presets.getChannel(scope)).toBeUndefined();

    runCommand(h.fake, {
      name: "moa-preset",
      options: [sub("use", [opt("name", "lite")])],
      admin: true,
    });
    await h.fake.waitForCall("POST", /\/callback$/, 10_000, 2);
    await h.idle();
    expect((await h.stores.presets.getChannel(scope))?.choice).toMatchObject({ name: "lite" });
  });

  it("judges a mention's permission from the author's roles", async () => {
    h = await startDiscordHarness();
    const scope = { platform: "discord", workspaceId: h.fake.guildId, channelId: h.fake.channelId };
    postAsUser(h.fake, { content: "preset use lite", mentionBot: true });
    await h.idle();
    expect(await h.stores.presets.getChannel(scope)).toBeUndefined();
    postAsUser(h.fake, { content: "preset use lite", mentionBot: true, admin: true });
    await h.idle();
    expect((await h.stores.presets.getChannel(scope))?.choice).toMatchObject({ name: "lite" });
  });

  it("past 14 minutes by the injected clock continues with bot-token edits, nothing lost", async () => {
    let offset = 0;
    const words = Array.from({ length: 40 }, (_, i) => `x${i}`).join(" ");
    h = await startDiscordHarness({
      models: { agg: { reply: words, tokenMs: 60 } },
      now: () => Date.now() + offset,
    });
    const { token } = runCommand(h.fake, { name: "moa", options: [opt("prompt", "slow")] });
    await h.fake.waitForCall("PATCH", /\/messages\/@original$/);
    offset = 15 * 60_000;
    h.fake.expiredTokens.add(token);
    await h.idle();
    const answerId = h.fake.originals.get(token) as string;
    const byBot = h.fake.callsTo(
      "PATCH",
      new RegExp(`^/channels/${h.fake.channelId}/messages/${answerId}$`),
    );
    expect(byBot.length).toBeGreaterThanOrEqual(1);
    expect(webhookEdits().every((c) => c.at <= (byBot[0]?.at ?? 0))).toBe(true);
    expect(String(h.fake.messages.get(answerId)?.content)).toContain(words);
    everySendFits();
  });

  it("reports a run where every proposer failed in the reply", async () => {
    const down = { always: { kind: "status" as const, status: 500, message: "upstream down" } };
    h = await startDiscordHarness({ models: { p1: down, p2: down } });
    const { token } = runCommand(h.fake, { name: "moa", options: [opt("prompt", "anyone?")] });
    await h.idle();
    const text = String(h.fake.messages.get(h.fake.originals.get(token) as string)?.content);
    expect(text).toContain("The MoA run failed");
    expect(text).toContain("`p1`");
    expect(text).toContain("`p2`");
    expect(h.models.requestsFor("agg")).toEqual([]);
    everySendFits();
  });

  it("keeps the drafts in the thread when the aggregator fails", async () => {
    h = await startDiscordHarness({ models: { agg: { always: { kind: "status", status: 500 } } } });
    const { token } = runCommand(h.fake, {
      name: "moa",
      options: [opt("prompt", "aggregate this")],
    });
    await h.idle();
    const answerId = h.fake.originals.get(token) as string;
    const text = String(h.fake.messages.get(answerId)?.content);
    expect(text).toContain("The MoA run failed");
    expect(text).toContain("drafts are in the thread");
    const drafts = threadPosts(answerId);
    expect(drafts.join("\n")).toContain("Draft one.");
    expect(drafts.join("\n")).toContain("Draft two.");
    everySendFits();
  });

  it("delivers the final edit through a 429", async () => {
    h = await startDiscordHarness();
    const { token } = runCommand(h.fake, { name: "moa", options: [opt("prompt", "limited")] });
    h.fake.rateLimitOnce("PATCH", /\/messages\/@original$/, 0.3);
    await h.idle();
    expect(h.fake.rateLimits).toEqual([]); // the 429 was served
    expect(String(h.fake.messages.get(h.fake.originals.get(token) as string)?.content)).toContain(
      "The answer.",
    );
  });
});
