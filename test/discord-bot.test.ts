import { GatewayIntentBits as I } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { type DiscordHarness, startDiscordHarness } from "./discord-harness.js";
import { messageBodies, opt, otherBot, postAsUser, runCommand } from "./fake-discord-actions.js";

/** The real bot end to end: start-up, /moa, mentions, follow-ups, autocomplete, reconnect. */
describe("Discord bot", () => {
  let h: DiscordHarness;
  afterEach(async () => {
    await h.close();
  });

  const sends = () => messageBodies(h.fake);
  const contents = (path: RegExp) =>
    h.fake.callsTo("POST", path).map((c) => String(c.body?.content));

  function expectNoMentionsAnywhere(): void {
    expect(sends().length).toBeGreaterThan(0);
    for (const body of sends()) expect(body.allowed_mentions).toMatchObject({ parse: [] });
    expect(h.fake.unhandled).toEqual([]);
  }

  it("starts with minimal intents, says Message Content is off, and registers guild commands", async () => {
    h = await startDiscordHarness();
    expect(h.fake.gateway.identifies[0]?.intents).toBe(I.Guilds | I.GuildMessages);
    expect(h.bot.messageContent).toBe(false);
    const put = h.fake.callsTo("PUT", /^\/applications\/\d+\/guilds\/\d+\/commands$/);
    expect(put).toHaveLength(1);
    const names = ((put[0]?.body ?? []) as unknown as Array<{ name: string }>).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["moa", "moa-preset"]));
  });

  it("asks for Message Content only when the app has it", async () => {
    h = await startDiscordHarness({ messageContentIntent: true });
    expect(h.fake.gateway.identifies[0]?.intents).toBe(
      I.Guilds | I.GuildMessages | I.MessageContent,
    );
    expect(h.bot.messageContent).toBe(true);
  });

  it("/moa: interim reply within 3 s, drafts in a thread named after the question, answer edited in", async () => {
    h = await startDiscordHarness({ models: { agg: { reply: "The answer.", firstTokenMs: 300 } } });
    const { token } = runCommand(h.fake, {
      name: "moa",
      options: [opt("prompt", "Why is the sky blue?")],
    });
    const reply = await h.fake.waitForCall("POST", /\/callback$/);
    expect(reply.body).toMatchObject({ type: 4 });
    expect(String((reply.body?.data as { content?: string } | undefined)?.content)).toContain(
      "Mixture-of-Agents",
    );
    await h.idle();
    // Within Discord's 3 s: the interim reply goes out before any model is asked anything.
    expect(h.models.requests.length).toBeGreaterThan(0);
    expect(reply.at).toBeLessThanOrEqual(Math.min(...h.models.requests.map((r) => r.receivedAt)));

    const answerId = h.fake.originals.get(token) as string;
    const answer = String(h.fake.messages.get(answerId)?.content);
    expect(answer).toContain("The answer.");
    expect(answer).toContain("preset default");
    const threads = h.fake.callsTo("POST", /\/threads$/);
    expect(threads.map((c) => [c.path, c.body?.name])).toEqual([
      [`/channels/${h.fake.channelId}/messages/${answerId}/threads`, "Why is the sky blue?"],
    ]);
    const drafts = contents(new RegExp(`^/channels/${answerId}/messages$`));
    expect(drafts).toHaveLength(2);
    expect(drafts.join("\n")).toMatch(/\*\*p1\*\* · layer 1[\s\S]*Draft one\./);
    expect(drafts.join("\n")).toMatch(/\*\*p2\*\* · layer 1[\s\S]*Draft two\./);
    expectNoMentionsAnywhere();
  });

  it("@mention: replies to the message without pinging, then the same flow", async () => {
    h = await startDiscordHarness();
    const asked = postAsUser(h.fake, { content: "What is MoA? @everyone", mentionBot: true });
    await h.idle();
    const [reply] = h.fake.callsTo("POST", new RegExp(`^/channels/${h.fake.channelId}/messages$`));
    expect(reply?.body).toMatchObject({
      message_reference: { message_id: asked.id },
      allowed_mentions: { parse: [], replied_user: false },
    });
    expect(h.models.requestsFor("p1")[0]?.messages.at(-1)?.content).toBe("What is MoA? @everyone");
    expect(h.fake.callsTo("POST", /\/threads$/)[0]?.body?.name).toBe("What is MoA? @everyone");
    const final = [...h.fake.messages.values()].find((m) =>
      String(m.content).includes("The answer."),
    );
    expect(final?.id).toBeDefined();
    expectNoMentionsAnywhere();
  });

  it("a follow-up in the drafts thread reaches the models with the conversation so far", async () => {
    h = await startDiscordHarness();
    postAsUser(h.fake, { content: "First question", mentionBot: true });
    await h.idle();
    const threadId = h.fake.callsTo("POST", /\/threads$/)[0]?.path.split("/")[4] as string;

    // Without Message Content an unmentioned follow-up arrives empty and is left alone.
    postAsUser(h.fake, { content: "ignored", channelId: threadId });
    await h.idle();
    expect(h.models.requestsFor("agg")).toHaveLength(1);

    postAsUser(h.fake, { content: "And a second one?", channelId: threadId, mentionBot: true });
    await h.idle();
    const second = h.models.requestsFor("p1")[1]?.messages.map((m) => [m.role, m.content]);
    expect(second).toEqual([
      ["user", "First question"],
      ["assistant", "The answer."],
      ["user", "And a second one?"],
    ]);
    expect(h.fake.callsTo("POST", /\/threads$/)).toHaveLength(1); // answered inside the same thread
    expect(contents(new RegExp(`^/channels/${threadId}/messages$`)).length).toBeGreaterThanOrEqual(
      4,
    );
  });

  it("with Message Content on, any message in its thread is a follow-up", async () => {
    h = await startDiscordHarness({ messageContentIntent: true });
    postAsUser(h.fake, { content: "First question", mentionBot: true });
    await h.idle();
    const threadId = h.fake.callsTo("POST", /\/threads$/)[0]?.path.split("/")[4] as string;
    postAsUser(h.fake, { content: "no mention needed", channelId: threadId });
    await h.idle();
    expect(h.models.requestsFor("p1")[1]?.messages.at(-1)?.content).toBe("no mention needed");
    // Unmentioned chatter outside its threads is still none of its business.
    postAsUser(h.fake, { content: "hello channel" });
    await h.idle();
    expect(h.models.requestsFor("p1")).toHaveLength(2);
  });

  it("ignores other bots, itself and DMs (DISCORD_ALLOW_DMS off)", async () => {
    h = await startDiscordHarness();
    postAsUser(h.fake, { content: "hi", mentionBot: true, author: otherBot });
    postAsUser(h.fake, { content: "hi", mentionBot: true, author: h.fake.bot });
    postAsUser(h.fake, { content: "hi", dm: true });
    await h.idle();
    expect(h.fake.callsTo("POST", /messages$/)).toEqual([]);
    expect(h.models.requests).toEqual([]);
  });

  it("answers DMs when DISCORD_ALLOW_DMS is on, the DM being one conversation", async () => {
    h = await startDiscordHarness({ env: { DISCORD_ALLOW_DMS: "true" } });
    expect(h.fake.gateway.identifies[0]?.intents).toBe(
      I.Guilds | I.GuildMessages | I.DirectMessages,
    );
    postAsUser(h.fake, { content: "Hello in private", dm: true });
    await h.idle();
    postAsUser(h.fake, { content: "And again", dm: true });
    await h.idle();
    const dm = contents(new RegExp(`^/channels/${h.fake.dmChannelId}/messages$`));
    expect(dm.filter((t) => t.includes("Draft one."))).toHaveLength(2); // drafts go in the DM itself
    expect(h.fake.callsTo("POST", /\/threads$/)).toEqual([]);
    expect(h.models.requestsFor("p1")[1]?.messages.map((m) => m.content)).toEqual([
      "Hello in private",
      "The answer.",
      "And again",
    ]);
    expectNoMentionsAnywhere();
  });

  it("autocompletes /moa preset: from the presets usable here", async () => {
    h = await startDiscordHarness();
    runCommand(h.fake, {
      name: "moa",
      options: [opt("prompt", "x"), opt("preset", "li", true)],
      autocomplete: true,
    });
    const call = await h.fake.waitForCall("POST", /\/callback$/);
    expect(call.body).toEqual({ type: 8, data: { choices: [{ name: "lite", value: "lite" }] } });
    expect(h.models.requests).toEqual([]);
  });

  it("resumes after the gateway drops the socket and answers what was said meanwhile", async () => {
    h = await startDiscordHarness();
    h.fake.gateway.dropConnection(4000);
    postAsUser(h.fake, { content: "Are you there?", mentionBot: true });
    await h.fake.gateway.waitLive();
    await expect.poll(() => h.models.requestsFor("agg").length, { timeout: 10_000 }).toBe(1);
    await h.idle();
    expect(h.fake.gateway.resumes).toHaveLength(1);
    expect(h.fake.gateway.identifies).toHaveLength(1);
    postAsUser(h.fake, { content: "Still there?", mentionBot: true });
    await h.idle();
    expect(h.models.requestsFor("agg")).toHaveLength(2);
  });
});
