import { describe, expect, it } from "vitest";
import {
  commandToInvocation,
  mentionToInvocation,
  slackToPlain,
  stripBotMention,
  threadReplyToInvocation,
} from "../src/bots/slack/to-invocation.js";

const self = { botUserId: "U0BOT", botId: "B0BOT" };
const msg = (extra: Record<string, unknown> = {}) => ({
  type: "message",
  user: "U1",
  text: "what next?",
  ts: "200.1",
  thread_ts: "100.1",
  channel: "C1",
  ...extra,
});

describe("Slack payloads to invocations", () => {
  it("maps /moa with a trigger_id key and decoded text", () => {
    const inv = commandToInvocation({
      team_id: "T1",
      channel_id: "C1",
      user_id: "U1",
      text: "is 1 &lt; 2 &amp;&amp; 3 &gt; 2?",
      trigger_id: "tr.1",
    });
    expect(inv).toEqual({
      platform: "slack",
      workspaceId: "T1",
      channelId: "C1",
      userId: "U1",
      source: "command",
      text: "is 1 < 2 && 3 > 2?",
      platformAdmin: false,
      eventKey: "slack:T1:cmd:tr.1",
    });
  });

  it("answers a top-level mention in the thread rooted at the mention, bot mention stripped", () => {
    const event = { type: "app_mention", text: "<@U0BOT> explain <https://a.dev|a.dev>" };
    const inv = mentionToInvocation(
      msg({ ...event, ts: "50.5", thread_ts: undefined }),
      "T1",
      self,
    );
    expect(inv).toMatchObject({
      source: "mention",
      threadId: "50.5",
      text: "explain https://a.dev",
      eventKey: "slack:T1:C1:50.5",
    });
  });

  it("keeps a mention inside a thread in that thread", () => {
    const event = { type: "app_mention", text: "hey <@U0BOT|moa> and <@U2>?" };
    const inv = mentionToInvocation(msg({ ...event, ts: "60.1", thread_ts: "10.1" }), "T1", self);
    expect(inv).toMatchObject({ threadId: "10.1", text: "hey and <@U2>?" });
  });

  it("ignores bots, the bot itself and subtypes", () => {
    expect(
      mentionToInvocation({ ...msg({ type: "app_mention" }), bot_id: "B9" }, "T1", self),
    ).toBeUndefined();
    expect(
      mentionToInvocation({ ...msg({ type: "app_mention" }), user: "U0BOT" }, "T1", self),
    ).toBeUndefined();
    expect(
      threadReplyToInvocation(msg({ subtype: "message_changed" }), "T1", self),
    ).toBeUndefined();
    expect(
      threadReplyToInvocation(msg({ subtype: "message_deleted" }), "T1", self),
    ).toBeUndefined();
  });

  it("turns a thread reply into a follow-up keyed like its app_mention twin", () => {
    const inv = threadReplyToInvocation(msg(), "T1", self);
    expect(inv).toMatchObject({
      source: "thread-reply",
      threadId: "100.1",
      text: "what next?",
      eventKey: "slack:T1:C1:200.1",
    });
    const twin = mentionToInvocation({ ...msg({ type: "app_mention" }) }, "T1", self);
    expect(twin?.eventKey).toBe(inv?.eventKey);
  });

  it("keeps replies also sent to the channel or carrying a file", () => {
    for (const subtype of ["thread_broadcast", "file_share"])
      expect(threadReplyToInvocation(msg({ subtype }), "T1", self)?.text).toBe("what next?");
    expect(threadReplyToInvocation(msg({ subtype: "bot_message" }), "T1", self)).toBeUndefined();
  });

  it("leaves top-level messages, thread roots and replies that mention the bot alone", () => {
    expect(threadReplyToInvocation(msg({ thread_ts: undefined }), "T1", self)).toBeUndefined();
    expect(threadReplyToInvocation(msg({ thread_ts: "200.1" }), "T1", self)).toBeUndefined();
    expect(threadReplyToInvocation(msg({ text: "<@U0BOT> again" }), "T1", self)).toBeUndefined();
  });

  it("strips every bot mention and unwraps Slack markup", () => {
    expect(stripBotMention("<@U0BOT>  hi <@U0BOT|moa>", "U0BOT")).toBe("hi");
    expect(slackToPlain("<mailto:a@b.co|a@b.co> <https://x.dev/a|docs> &lt;tag&gt;")).toBe(
      "mailto:a@b.co docs (https://x.dev/a) <tag>",
    );
  });
});
