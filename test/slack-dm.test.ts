import { afterEach, describe, expect, it } from "vitest";
import { messageEvent } from "./fake-slack-requests.js";
import { fakeStream } from "./fake-slack-stream.js";
import { type SlackHarness, startSlackHarness } from "./slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const dm = (text: string, ts: string, threadTs?: string) =>
  messageEvent({
    text,
    ts,
    channel: "D0DM",
    ...(threadTs ? { threadTs } : {}),
    extra: { channel_type: "im" },
  });

describe("Slack DMs (the app's Messages tab)", () => {
  it("answers DMs as one conversation with history, streamed in the thread of each message, with a loading status", async () => {
    const stream = fakeStream();
    h = await startSlackHarness({
      slack: { stream },
      models: { agg: { reply: (r) => `Answer #${r.messages.length}` } },
    });
    await h.event(dm("first question", "700.000001"), "Ev1");
    await h.idle();
    await h.event(dm("and then?", "700.000009"), "Ev2");
    await h.idle();
    const followUp = h.models.requestsFor("p1")[1]?.messages ?? [];
    const turns = followUp.filter((m) => m.role !== "system").map((m) => `${m.role}:${m.content}`);
    expect(turns.slice(-3)).toEqual([
      "user:first question",
      expect.stringMatching(/^assistant:Answer #/),
      "user:and then?",
    ]);
    const starts = h.fake.callsTo("chat.startStream").map((c) => c.args.thread_ts);
    expect(starts).toEqual(["700.000001", "700.000009"]);
    const statuses = h.fake.callsTo("assistant.threads.setStatus");
    expect(
      statuses.map((c) => `${String(c.args.thread_ts)}:${c.args.status === "" ? "clear" : "set"}`),
    ).toEqual(["700.000001:set", "700.000001:clear", "700.000009:set", "700.000009:clear"]);
    for (const c of statuses) expect(c.outcome).toBe("ok");
  });

  it("a DM reply in a thread continues the same DM conversation", async () => {
    h = await startSlackHarness({
      models: { agg: { reply: (r) => `Answer #${r.messages.length}` } },
    });
    await h.event(dm("first question", "710.000001"), "Ev1");
    await h.idle();
    await h.event(dm("more in the thread", "710.000005", "710.000001"), "Ev2");
    await h.idle();
    const followUp = h.models.requestsFor("p1")[1]?.messages ?? [];
    expect(followUp.map((m) => m.content)).toContain("first question");
    // Edit path (no streaming fake): the interim reply is in the thread of the DM.
    expect(h.fake.callsTo("chat.postMessage")[0]?.args.thread_ts).toBe("710.000001");
  });

  it("offers suggested prompts when the Messages tab opens, without thread_ts (agent_view), once per DM for a while", async () => {
    h = await startSlackHarness();
    const opened = {
      type: "app_home_opened",
      user: "U0USER",
      channel: "D0DM",
      tab: "messages",
      ts: "720.1",
    };
    await h.event(opened, "Ev1");
    await h.event({ ...opened, ts: "720.2" }, "Ev2");
    await h.event({ ...opened, tab: "home", channel: "D0OTHER", ts: "720.3" }, "Ev3");
    await h.fake.waitFor((f) => f.callsTo("assistant.threads.setSuggestedPrompts").length >= 1);
    await h.idle();
    const calls = h.fake.callsTo("assistant.threads.setSuggestedPrompts");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.outcome).toBe("ok");
    expect(calls[0]?.args.thread_ts).toBeUndefined();
    const prompts = JSON.parse(String(calls[0]?.args.prompts)) as unknown[];
    expect(prompts.length).toBeGreaterThanOrEqual(3);
    expect(prompts.length).toBeLessThanOrEqual(4);
  });
});
