import { type ChatInputCommandInteraction, type Client, Events, type Message } from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DiscordSink } from "../src/bots/discord/discord-sink.js";
import { InteractionAnchor } from "../src/bots/discord/interaction-anchor.js";
import { MessageAnchor } from "../src/bots/discord/message-anchor.js";
import { FakeDiscord } from "./fake-discord.js";
import { messageBodies, opt, postAsUser, runCommand } from "./fake-discord-actions.js";
import { connectClient } from "./fake-discord-client.js";

/** The Discord sink driven by hand over the real client and the fake Discord. */
describe("DiscordSink", () => {
  let fake: FakeDiscord;
  let client: Client;
  beforeEach(async () => {
    fake = await FakeDiscord.start();
    client = await connectClient(fake);
  });
  afterEach(async () => {
    await client.destroy();
    await fake.close();
  });

  const nextCommand = () =>
    new Promise<ChatInputCommandInteraction>((resolve) =>
      client.once(Events.InteractionCreate, (i) => i.isChatInputCommand() && resolve(i)),
    );
  const nextMessage = () =>
    new Promise<Message>((resolve) => {
      const on = (m: Message) => {
        if (m.author.bot) return;
        client.off(Events.MessageCreate, on);
        resolve(m);
      };
      client.on(Events.MessageCreate, on);
    });

  function everySendHasNoMentions(): void {
    const bodies = messageBodies(fake);
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) expect(body.allowed_mentions).toMatchObject({ parse: [] });
  }

  it("replies to a slash command at once, edits by token, and starts the drafts thread from the reply", async () => {
    const clock = { t: 0 };
    const pending = nextCommand();
    const sent = runCommand(fake, { name: "moa", options: [opt("prompt", "What is MoA?")] });
    const interaction = await pending;
    const sink = new DiscordSink(
      new InteractionAnchor(interaction, { now: () => clock.t, receivedAt: 0 }),
    );
    await sink.open("⏳ thinking");
    const reply = await fake.waitForCall("POST", /\/callback$/);
    expect(reply.body).toMatchObject({ type: 4, data: { content: "⏳ thinking" } });
    const answerId = fake.originals.get(sent.token) as string;

    await sink.edit("partial");
    await sink.postInThread("draft one", "What is MoA?");
    await sink.postInThread("draft two", "What is MoA?");
    await sink.edit("final answer");

    expect(fake.callsTo("PATCH", /\/messages\/@original$/).map((c) => c.body?.content)).toEqual([
      "partial",
      "final answer",
    ]);
    const threads = fake.callsTo("POST", /\/threads$/);
    expect(threads.map((c) => c.path)).toEqual([
      `/channels/${fake.channelId}/messages/${answerId}/threads`,
    ]);
    expect(threads[0]?.body).toMatchObject({ name: "What is MoA?", auto_archive_duration: 1440 });
    const posts = fake.callsTo("POST", new RegExp(`^/channels/${answerId}/messages$`));
    expect(posts.map((c) => c.body?.content)).toEqual(["draft one", "draft two"]);
    expect(sink.threadId()).toBe(answerId);
    expect(fake.messages.get(answerId)?.content).toBe("final answer");
    everySendHasNoMentions();
    expect(fake.unhandled).toEqual([]);
  });

  it("past 14 minutes by the injected clock edits the same message with the bot token", async () => {
    const clock = { t: 1_000 };
    const pending = nextCommand();
    const sent = runCommand(fake, { name: "moa", options: [opt("prompt", "long one")] });
    const anchor = new InteractionAnchor(await pending, {
      now: () => clock.t,
      receivedAt: clock.t,
    });
    const sink = new DiscordSink(anchor);
    await sink.open("⏳");
    await sink.edit("early");
    clock.t += 14 * 60_000 + 1;
    fake.expiredTokens.add(sent.token);
    await sink.edit("late");
    await sink.edit("later");

    const answerId = fake.originals.get(sent.token) as string;
    expect(fake.callsTo("PATCH", /@original$/).map((c) => c.body?.content)).toEqual(["early"]);
    const byBot = fake.callsTo(
      "PATCH",
      new RegExp(`^/channels/${fake.channelId}/messages/${answerId}$`),
    );
    expect(byBot.map((c) => c.body?.content)).toEqual(["late", "later"]);
    expect(fake.messages.get(answerId)?.content).toBe("later");
    everySendHasNoMentions();
  });

  it("puts the Stop button on the reply while controls are given and removes it without, by token or bot token", async () => {
    const clock = { t: 0 };
    const pending = nextCommand();
    const sent = runCommand(fake, { name: "moa", options: [opt("prompt", "stoppable")] });
    const sink = new DiscordSink(
      new InteractionAnchor(await pending, { now: () => clock.t, receivedAt: 0 }),
    );
    const controls = { stopKey: "discord:cmd:42" };
    const row = [
      {
        type: 1,
        components: [{ type: 2, style: 4, label: "Stop", custom_id: "moa_stop:discord:cmd:42" }],
      },
    ];
    await sink.open("⏳", controls);
    expect((await fake.waitForCall("POST", /\/callback$/)).body).toMatchObject({
      type: 4,
      data: { components: row },
    });
    await sink.edit("working", controls);
    clock.t += 15 * 60_000;
    fake.expiredTokens.add(sent.token);
    await sink.edit("still working", controls);
    await sink.edit("done");

    expect(fake.callsTo("PATCH", /@original$/).map((c) => c.body?.components)).toEqual([row]);
    const answerId = fake.originals.get(sent.token) as string;
    const byBot = fake.callsTo("PATCH", new RegExp(`^/channels/\\d+/messages/${answerId}$`));
    expect(byBot.map((c) => c.body?.components)).toEqual([row, []]);
    expect(fake.messages.get(answerId)?.components).toEqual([]);
    everySendHasNoMentions();
  });

  it("falls back to the bot token when Discord refuses the token early", async () => {
    const pending = nextCommand();
    const sent = runCommand(fake, { name: "moa", options: [opt("prompt", "x")] });
    const sink = new DiscordSink(
      new InteractionAnchor(await pending, { now: () => 0, receivedAt: 0 }),
    );
    await sink.open("⏳");
    fake.expiredTokens.add(sent.token);
    await sink.edit("still delivered");
    await sink.edit("and again");
    expect(fake.callsTo("PATCH", /@original$/)).toHaveLength(1); // refused once, then not retried
    expect(fake.messages.get(fake.originals.get(sent.token) as string)?.content).toBe("and again");
  });

  it("defers on its own when the caller is slow, then opens by editing the deferred reply", async () => {
    const pending = nextCommand();
    const sent = runCommand(fake, { name: "moa", options: [opt("prompt", "x")] });
    const anchor = new InteractionAnchor(await pending, {
      now: () => 0,
      receivedAt: 0,
      deferAfterMs: 50,
    });
    await new Promise((r) => setTimeout(r, 150));
    expect((await fake.waitForCall("POST", /\/callback$/)).body).toMatchObject({ type: 5 });
    const sink = new DiscordSink(anchor);
    await sink.open("⏳ late but fine");
    expect(fake.callsTo("PATCH", /@original$/).map((c) => c.body?.content)).toEqual([
      "⏳ late but fine",
    ]);
    expect(fake.messages.get(fake.originals.get(sent.token) as string)?.content).toBe(
      "⏳ late but fine",
    );
  });

  it("removes a deferral nobody answered", async () => {
    const pending = nextCommand();
    runCommand(fake, { name: "moa", options: [opt("prompt", "x")] });
    const anchor = new InteractionAnchor(await pending, {
      now: () => 0,
      receivedAt: 0,
      deferAfterMs: 20,
    });
    await new Promise((r) => setTimeout(r, 100));
    await anchor.close();
    expect(fake.callsTo("DELETE", /@original$/)).toHaveLength(1);
  });

  it("answers privately with an ephemeral reply", async () => {
    const pending = nextCommand();
    runCommand(fake, { name: "moa-preset", options: [] });
    const sink = new DiscordSink(
      new InteractionAnchor(await pending, { now: () => 0, receivedAt: 0 }),
    );
    await sink.replyPrivately("You need Manage Channels.");
    expect((await fake.waitForCall("POST", /\/callback$/)).body).toMatchObject({
      type: 4,
      data: { content: "You need Manage Channels.", flags: 64, allowed_mentions: { parse: [] } },
    });
  });

  it("replies to a mention without pinging, edits it, and threads drafts from the reply", async () => {
    const pending = nextMessage();
    const asked = postAsUser(fake, { content: "hello @everyone", mentionBot: true });
    const sink = new DiscordSink(new MessageAnchor(await pending));
    await sink.open("⏳");
    const post = await fake.waitForCall("POST", /^\/channels\/\d+\/messages$/);
    expect(post.body).toMatchObject({
      message_reference: { message_id: asked.id },
      allowed_mentions: { parse: [], replied_user: false },
    });
    fake.rateLimitOnce("PATCH", /^\/channels\/\d+\/messages\/\d+$/, 0.1);
    await sink.edit("answer"); // delivered despite the 429
    await sink.postInThread("draft", "hello");
    const replyId = [...fake.messages.values()].find((m) => m.content === "answer")?.id;
    expect(replyId).toBeDefined();
    expect(fake.callsTo("PATCH", /^\/channels\/\d+\/messages\/\d+$/)).toHaveLength(2);
    expect(sink.threadId()).toBe(replyId);
    everySendHasNoMentions();
  });

  it("answers a follow-up inside the drafts thread itself", async () => {
    const first = nextMessage();
    postAsUser(fake, { content: "q1", mentionBot: true });
    const sink1 = new DiscordSink(new MessageAnchor(await first));
    await sink1.open("a1");
    await sink1.postInThread("draft", "q1");
    const threadId = sink1.threadId() as string;

    const second = nextMessage();
    postAsUser(fake, { content: "q2", mentionBot: true, channelId: threadId });
    const sink2 = new DiscordSink(new MessageAnchor(await second));
    await sink2.open("a2");
    expect(sink2.threadId()).toBe(threadId);
    await sink2.postInThread("draft 2", "q2");
    expect(fake.callsTo("POST", /\/threads$/)).toHaveLength(1);
    expect(
      fake
        .callsTo("POST", new RegExp(`^/channels/${threadId}/messages$`))
        .map((c) => c.body?.content),
    ).toEqual(["draft", "a2", "draft 2"]);
  });
});
