import { describe, expect, it } from "vitest";
import { neutralizeDiscord } from "../src/bots/discord/profile.js";
import {
  type CommandFacts,
  commandToInvocation,
  type MessageFacts,
  messageToInvocation,
  stripBotMention,
} from "../src/bots/discord/to-invocation.js";

const BOT = "111";
const ctx = { botId: BOT, allowDms: false };
const msg = (over: Partial<MessageFacts> = {}): MessageFacts => ({
  id: "m1",
  content: `<@${BOT}> why is the sky blue?`,
  guildId: "g1",
  channelId: "c1",
  threadId: null,
  authorId: "u1",
  authorIsBot: false,
  mentionsBot: true,
  inBotThread: false,
  authorCanManageChannels: false,
  ...over,
});
const cmd = (over: Partial<CommandFacts> = {}): CommandFacts => ({
  id: "i1",
  commandName: "moa",
  subcommand: null,
  options: { prompt: "  why?  " },
  guildId: "g1",
  channelId: "c1",
  threadId: null,
  userId: "u1",
  canManageChannels: false,
  ...over,
});

describe("messageToInvocation", () => {
  it("turns a mention into an invocation without the mention", () => {
    expect(messageToInvocation(msg(), ctx)).toEqual({
      platform: "discord",
      workspaceId: "g1",
      channelId: "c1",
      userId: "u1",
      source: "mention",
      text: "why is the sky blue?",
      platformAdmin: false,
      eventKey: "discord:msg:m1",
    });
  });

  it("ignores bots, the bot itself, and messages that do not mention it", () => {
    expect(messageToInvocation(msg({ authorIsBot: true }), ctx)).toBeUndefined();
    expect(messageToInvocation(msg({ authorId: BOT }), ctx)).toBeUndefined();
    expect(
      messageToInvocation(msg({ mentionsBot: false, content: "hi all" }), ctx),
    ).toBeUndefined();
  });

  it("takes any message in a drafts thread as a follow-up keyed by the thread, under the parent channel", () => {
    const inv = messageToInvocation(
      msg({ content: "and in winter?", mentionsBot: false, inBotThread: true, threadId: "t1" }),
      ctx,
    );
    expect(inv).toMatchObject({
      source: "thread-reply",
      channelId: "c1",
      threadId: "t1",
      text: "and in winter?",
    });
  });

  it("reads a mention in a drafts thread for commands, and a reply outside threads names the replied-to answer", () => {
    const inThread = msg({ content: `<@${BOT}> regenerate`, inBotThread: true, threadId: "t1" });
    expect(messageToInvocation(inThread, ctx)).toMatchObject({
      source: "mention",
      threadId: "t1",
      text: "regenerate",
    });
    expect(messageToInvocation({ ...inThread, replyToId: "m0" }, ctx)).not.toHaveProperty(
      "repliesTo",
    );
    expect(messageToInvocation(msg({ replyToId: "m0" }), ctx)).toMatchObject({
      source: "mention",
      repliesTo: "m0",
    });
    expect(messageToInvocation(msg(), ctx)).not.toHaveProperty("repliesTo");
  });

  it("drops an unmentioned follow-up that arrived empty (no Message Content intent)", () => {
    const empty = msg({ content: "", mentionsBot: false, inBotThread: true, threadId: "t1" });
    expect(messageToInvocation(empty, ctx)).toBeUndefined();
  });

  it("keeps a mention in someone else's thread in that thread's conversation", () => {
    expect(messageToInvocation(msg({ threadId: "t9" }), ctx)).toMatchObject({
      source: "mention",
      threadId: "t9",
    });
  });

  it("answers DMs only when allowed, the DM channel keying the history", () => {
    const dm = msg({ guildId: null, channelId: "d1", content: "hello", mentionsBot: false });
    expect(messageToInvocation(dm, ctx)).toBeUndefined();
    expect(messageToInvocation(dm, { ...ctx, allowDms: true })).toMatchObject({
      workspaceId: "dm",
      channelId: "d1",
      threadId: "d1",
      text: "hello",
    });
  });

  it("carries Manage Channels as platformAdmin", () => {
    expect(messageToInvocation(msg({ authorCanManageChannels: true }), ctx)?.platformAdmin).toBe(
      true,
    );
  });
});

describe("commandToInvocation", () => {
  it("renders /moa prompt: into `ask <prompt>` and preset: into presetOverride", () => {
    expect(commandToInvocation(cmd({ options: { prompt: "why?", preset: "deep" } }), ctx)).toEqual({
      platform: "discord",
      workspaceId: "g1",
      channelId: "c1",
      userId: "u1",
      source: "command",
      text: "ask why?",
      presetOverride: "deep",
      platformAdmin: false,
      eventKey: "discord:cmd:i1",
    });
  });

  it("renders preset subcommands into the text grammar", () => {
    const run = (subcommand: string, options: CommandFacts["options"] = {}) =>
      commandToInvocation(
        cmd({ commandName: "moa-preset", subcommand, options, canManageChannels: true }),
        ctx,
      );
    expect(run("show")?.text).toBe("preset show");
    expect(run("list")?.text).toBe("presets");
    expect(run("use", { name: "deep" })?.text).toBe("preset use deep");
    expect(run("set", { values: "layers=3 temperature=0.5" })?.text).toBe(
      "preset set layers=3 temperature=0.5",
    );
    expect(run("save", { name: "team" })?.text).toBe("preset save team");
    expect(run("reset")).toMatchObject({ text: "preset reset", platformAdmin: true });
  });

  it("continues the thread it is run in, and refuses unknown commands and DMs when not allowed", () => {
    expect(commandToInvocation(cmd({ channelId: "c1", threadId: "t1" }), ctx)?.threadId).toBe("t1");
    expect(commandToInvocation(cmd({ commandName: "nope" }), ctx)).toBeUndefined();
    expect(commandToInvocation(cmd({ guildId: null }), ctx)).toBeUndefined();
    expect(
      commandToInvocation(cmd({ guildId: null, channelId: "d1" }), { ...ctx, allowDms: true }),
    ).toMatchObject({
      workspaceId: "dm",
      threadId: "d1",
    });
  });
});

describe("mentions are neutralised", () => {
  it("strips only the bot's own mention", () => {
    expect(stripBotMention(`<@${BOT}> hi <@!${BOT}> <@222>`, BOT)).toBe("hi <@222>");
  });

  it("breaks @everyone, @here, user and role mentions", () => {
    const out = neutralizeDiscord("@everyone @here <@123> <@!456> <@&789> mail@example.com");
    expect(out).not.toMatch(/@everyone|@here|<@\d|<@!\d|<@&\d/);
    expect(out.replaceAll("\u200b", "")).toBe(
      "@everyone @here <@123> <@!456> <@&789> mail@example.com",
    );
  });
});
