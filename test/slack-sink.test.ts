import { webApi } from "@slack/bolt";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SlackSink } from "../src/bots/slack/slack-sink.js";
import { MAX_BUTTON_VALUE_CHARS, stopBlocks } from "../src/bots/slack/stop-button.js";
import { workspaceAdminCheck } from "../src/bots/slack/workspace-admin.js";
import { MoaBotError } from "../src/errors.js";
import { type FakeSlack, startFakeSlack } from "./fake-slack.js";

let fake: FakeSlack;
let client: webApi.WebClient;

beforeAll(async () => {
  fake = await startFakeSlack({ admins: ["UADMIN"] });
  // The same WebClient settings Bolt uses (default retry policy, 429s waited out).
  client = new webApi.WebClient("xoxb-test", {
    slackApiUrl: fake.apiUrl,
    logLevel: webApi.LogLevel.ERROR,
  });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe("SlackSink over the real WebClient", () => {
  it("/moa: interim in the channel, drafts in its thread, edits the interim", async () => {
    const sink = new SlackSink(client.chat, { channel: "C1", userId: "U1" });
    await sink.open("starting");
    const root = sink.threadId();
    expect(root).toBeDefined();
    await sink.postInThread("draft A", "q");
    await sink.edit("**answer**");
    const [open, draft] = fake.callsTo("chat.postMessage");
    expect(open?.args).toMatchObject({
      channel: "C1",
      parse: "none",
      blocks: [{ type: "markdown", text: "starting" }],
    });
    expect(open?.args.thread_ts).toBeUndefined();
    expect(draft?.args).toMatchObject({
      thread_ts: root,
      blocks: [{ type: "markdown", text: "draft A" }],
    });
    expect(fake.callsTo("chat.update")[0]?.args).toMatchObject({
      ts: root,
      parse: "none",
      text: "answer",
    });
    expect(fake.messages.get(root as string)?.text).toBe("**answer**");
  });

  it("Stop button: an actions block after the markdown while controls are given; an edit without them drops it", async () => {
    const sink = new SlackSink(client.chat, { channel: "C1", threadTs: "50.5", userId: "U1" });
    const controls = { stopKey: "slack:T1:C1:50.5" };
    await sink.open("starting", controls);
    await sink.edit("streaming", controls);
    await sink.edit("done");
    const button = {
      type: "actions",
      elements: [
        {
          type: "button",
          style: "danger",
          text: { type: "plain_text", text: "Stop" },
          action_id: "moa_stop",
          value: "slack:T1:C1:50.5",
        },
      ],
    };
    expect(fake.callsTo("chat.postMessage")[0]?.args.blocks).toEqual([
      { type: "markdown", text: "starting" },
      button,
    ]);
    const [streaming, done] = fake.callsTo("chat.update");
    expect(streaming?.args.blocks).toEqual([{ type: "markdown", text: "streaming" }, button]);
    expect(done?.args.blocks).toEqual([{ type: "markdown", text: "done" }]);
    expect(fake.callsTo("chat.postMessage")[0]?.outcome).toBe("ok");
  });

  it("Stop button: none for a run key longer than a button value may be", () => {
    expect(stopBlocks(undefined)).toEqual([]);
    expect(stopBlocks({ stopKey: "k".repeat(MAX_BUTTON_VALUE_CHARS) })).toHaveLength(1);
    expect(stopBlocks({ stopKey: "k".repeat(MAX_BUTTON_VALUE_CHARS + 1) })).toEqual([]);
  });

  it("mention: interim and drafts both in the mention's thread", async () => {
    const sink = new SlackSink(client.chat, { channel: "C1", threadTs: "50.5", userId: "U1" });
    await sink.open("starting");
    await sink.postInThread("draft", "q");
    expect(sink.threadId()).toBe("50.5");
    expect(fake.callsTo("chat.postMessage").map((c) => c.args.thread_ts)).toEqual(["50.5", "50.5"]);
  });

  it("not_in_channel on the interim post becomes an actionable MoaBotError", async () => {
    fake.script("chat.postMessage", { error: "not_in_channel" });
    const sink = new SlackSink(client.chat, { channel: "C1", userId: "U1" });
    const err = await sink.open("x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MoaBotError);
    expect((err as MoaBotError).code).toBe("slack_cannot_post");
    expect((err as MoaBotError).userMessage).toMatch(/invite/);
  });

  it("delivers an edit after a 429 by waiting Retry-After", async () => {
    const sink = new SlackSink(client.chat, { channel: "C1", userId: "U1" });
    await sink.open("a");
    fake.script("chat.update", { rateLimitSec: 1 });
    const t0 = Date.now();
    await sink.edit("final");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(fake.callsTo("chat.update").map((c) => c.outcome)).toEqual(["ratelimited", "ok"]);
    expect(fake.messages.get(sink.threadId() as string)?.text).toBe("final");
  });

  it("private replies: response_url when there is one, else chat.postEphemeral", async () => {
    // Same shape as Bolt's respond(); the end-to-end tests use Bolt's own.
    const respond = async (msg: unknown) => {
      await fetch(fake.responseUrl("r1"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(msg),
      });
    };
    await new SlackSink(client.chat, { channel: "C1", userId: "U1", respond }).replyPrivately(
      "only you",
    );
    expect(fake.callsTo("response_url")[0]?.args).toMatchObject({
      response_type: "ephemeral",
      replace_original: false,
      blocks: [{ type: "markdown", text: "only you" }],
    });
    await new SlackSink(client.chat, {
      channel: "C1",
      threadTs: "9.9",
      userId: "U1",
    }).replyPrivately("psst");
    expect(fake.callsTo("chat.postEphemeral")[0]?.args).toMatchObject({
      channel: "C1",
      user: "U1",
      thread_ts: "9.9",
    });
  });
});

describe("workspaceAdminCheck", () => {
  it("asks users.info once per user within the TTL and reads admin flags", async () => {
    let t = 0;
    const isAdmin = workspaceAdminCheck(client.users, { ttlMs: 1000, now: () => t });
    expect(await Promise.all([isAdmin("UADMIN"), isAdmin("UADMIN")])).toEqual([true, true]);
    expect(await isAdmin("U2")).toBe(false);
    expect(fake.callsTo("users.info")).toHaveLength(2);
    t = 2000;
    await isAdmin("UADMIN");
    expect(fake.callsTo("users.info")).toHaveLength(3);
  });

  it("treats a failed lookup as no admin and does not cache it", async () => {
    fake.script("users.info", { error: "user_not_found" });
    const errors: string[] = [];
    const isAdmin = workspaceAdminCheck(client.users, { onError: (_e, u) => errors.push(u) });
    expect(await isAdmin("UADMIN")).toBe(false);
    expect(await isAdmin("UADMIN")).toBe(true);
    expect(errors).toEqual(["UADMIN"]);
  });
});
