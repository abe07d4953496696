import { afterEach, describe, expect, it } from "vitest";
import { messageEvent, postSigned, urlVerification } from "./fake-slack-requests.js";
import { SIGNING_SECRET, type SlackHarness, startSlackHarness } from "./slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const mention = (text: string, ts: string, threadTs?: string) =>
  messageEvent({ type: "app_mention", text, ts, ...(threadTs ? { threadTs } : {}) });

describe("Slack events end to end", () => {
  it("answers a mention in its thread: interim and drafts there, bot mention stripped", async () => {
    h = await startSlackHarness();
    const res = await h.event(mention("<@U0BOT> explain sharding", "100.000001"), "Ev1");
    expect(res.status).toBe(200);
    await h.idle();
    const posts = h.fake.callsTo("chat.postMessage");
    expect(posts).toHaveLength(3);
    for (const p of posts) expect(p.args.thread_ts).toBe("100.000001");
    expect(h.models.requestsFor("p1")[0]?.messages.at(-1)?.content).toBe("explain sharding");
    const interim = posts[0]?.args.ts ?? [...h.fake.messages.values()][0]?.ts;
    expect(h.fake.callsTo("chat.update").at(-1)?.args.ts).toBe(interim);
  });

  it("a thread reply without mention continues the conversation with its history", async () => {
    h = await startSlackHarness({
      models: { agg: { reply: (r) => `Answer #${r.messages.length}` } },
    });
    await h.event(mention("<@U0BOT> first question", "200.000001"), "Ev1");
    await h.idle();
    await h.event(
      messageEvent({ text: "and then?", ts: "200.000009", threadTs: "200.000001" }),
      "Ev2",
    );
    await h.idle();
    const followUp = h.models.requestsFor("p1")[1]?.messages ?? [];
    const turns = followUp.filter((m) => m.role !== "system").map((m) => `${m.role}:${m.content}`);
    expect(turns.slice(-3)).toEqual([
      "user:first question",
      expect.stringMatching(/^assistant:Answer #/),
      "user:and then?",
    ]);
    // Drafts are not memory: only the final answer is in the history.
    expect(followUp.map((m) => m.content).join("\n")).not.toContain("Draft one.");
  });

  it("ignores replies in threads that are not the bot's, bot messages and edits", async () => {
    h = await startSlackHarness();
    await h.event(messageEvent({ text: "chatting", ts: "300.2", threadTs: "300.1" }), "Ev1");
    await h.event(
      messageEvent({ text: "bot", ts: "300.3", threadTs: "300.1", extra: { bot_id: "B9" } }),
      "Ev2",
    );
    await h.event(
      messageEvent({
        text: "x",
        ts: "300.4",
        threadTs: "300.1",
        extra: { subtype: "message_changed" },
      }),
      "Ev3",
    );
    await h.event(mention("<@U0BOT> hi", "300.5", undefined), "Ev4").then(() => h?.idle());
    h.fake.reset();
    await h.event(
      messageEvent({ text: "own", ts: "300.6", threadTs: "300.5", user: "U0BOT" }),
      "Ev5",
    );
    await h.idle();
    expect(h.fake.calls).toHaveLength(0);
    expect(h.models.requestsFor("p1")).toHaveLength(1);
  });

  it("runs once for an Events API retry and for a mention also delivered as a message", async () => {
    h = await startSlackHarness();
    const event = mention("<@U0BOT> once please", "400.1");
    await h.event(event, "Ev1");
    await h.event(event, "Ev1", {
      headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" },
    });
    await h.event({ ...event, type: "message" }, "Ev2");
    await h.event(mention("<@U0BOT> in thread", "400.3", "400.1"), "Ev3");
    await h.event(
      messageEvent({ text: "<@U0BOT> in thread", ts: "400.3", threadTs: "400.1" }),
      "Ev4",
    );
    await h.idle();
    expect(h.models.requestsFor("agg")).toHaveLength(2);
    expect(
      h.fake.callsTo("chat.postMessage").filter((c) => String(c.args.text).includes("Mixture")),
    ).toHaveLength(2);
  });

  it("answers url_verification and rejects bad or stale signatures with no Web API call", async () => {
    h = await startSlackHarness();
    const challenge = await postSigned(h.url, urlVerification("chal-123"), {
      secret: SIGNING_SECRET,
    });
    expect(challenge.status).toBe(200);
    expect(challenge.body).toContain("chal-123");
    h.fake.reset();
    const bad = await h.command("hi", "trig.bad", { signature: "v0=deadbeef" });
    const wrongSecret = await h.command("hi", "trig.wrong", { secret: "not-the-secret" });
    const stale = await h.event(mention("<@U0BOT> hi", "500.1"), "Ev9", {
      timestamp: Math.floor(Date.now() / 1000) - 10 * 60,
    });
    expect([bad.status, wrongSecret.status, stale.status]).toEqual([401, 401, 401]);
    await h.idle();
    expect(h.fake.calls).toHaveLength(0);
    expect(h.models.requests).toHaveLength(0);
  });

  it("checks workspace admins with users.info only when a settings command asks", async () => {
    h = await startSlackHarness({ slack: { admins: ["U0USER"] } });
    await h.command("question");
    await h.idle();
    expect(h.fake.callsTo("users.info")).toHaveLength(0);
    await h.command("preset use lite", "trig.a");
    await h.command("preset use default", "trig.b");
    await h.idle();
    expect(h.fake.callsTo("users.info")).toHaveLength(1);
    const replies = h.fake.callsTo("response_url").map((c) => String(c.args.text));
    expect(replies[0]).toMatch(/now uses/);
    expect(replies[1]).toMatch(/now uses/);
  });

  it("refuses settings changes to non-admins, naming who may", async () => {
    h = await startSlackHarness();
    await h.command("preset use lite", "trig.c");
    await h.idle();
    expect(h.fake.callsTo("users.info")[0]?.args.user).toBe("U0USER");
    expect(String(h.fake.callsTo("response_url")[0]?.args.text)).toMatch(/Slack workspace admins/);
  });
});
