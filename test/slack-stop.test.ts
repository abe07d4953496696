import { afterEach, describe, expect, it } from "vitest";
import { STOP_REPLIES } from "../src/bots/admission/run-gate.js";
import { buttonValues, type SlackCall } from "./fake-slack.js";
import { messageEvent } from "./fake-slack-requests.js";
import { type SlackHarness, startSlackHarness } from "./slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(" ");

/** The actions block with one red Stop button for run `stopKey`, as Slack receives it. */
const stopBlock = (stopKey: string) => ({
  type: "actions",
  elements: [
    {
      type: "button",
      style: "danger",
      text: { type: "plain_text", text: "Stop" },
      action_id: "moa_stop",
      value: stopKey,
    },
  ],
});

const blocksOf = (call: SlackCall | undefined) =>
  (call?.args.blocks ?? []) as Array<{ type?: string }>;
const hasActions = (call: SlackCall | undefined) =>
  blocksOf(call).some((b) => b.type === "actions");

/** The interim message's ts: the bot's first post (drafts come later). */
const interimTs = (hh: SlackHarness) => [...hh.fake.messages.values()][0]?.ts as string;

const mention = (text: string, ts: string, user = "U0USER") =>
  messageEvent({ type: "app_mention", text: `<@U0BOT> ${text}`, ts, user });

/** The Stop button end to end: real Bolt app, shared flow, gate and engine; fake Slack and models. */
describe("Slack Stop button", () => {
  it("/moa: the interim message has Stop while running; the asker's press aborts the run, which says Stopped and loses the button", async () => {
    h = await startSlackHarness({ models: { agg: { reply: words(80), tokenMs: 50 } } });
    const triggerId = "trig.stop1";
    await h.command("stop me", triggerId);
    const stopKey = `slack:T0TEAM:cmd:${triggerId}`;
    await h.fake.waitFor((f) => f.callsTo("chat.postMessage").length >= 1);
    const open = h.fake.callsTo("chat.postMessage")[0];
    expect(blocksOf(open)).toEqual([
      expect.objectContaining({ type: "markdown" }),
      stopBlock(stopKey),
    ]);
    const root = interimTs(h);
    expect(h.fake.messages.get(root)?.threadTs).toBeUndefined();
    expect(buttonValues(h.fake.messages.get(root), "moa_stop")).toEqual([stopKey]);

    // Stop once the aggregator is streaming into the interim message.
    await expect.poll(() => h?.models.requestsFor("agg").length, { timeout: 10_000 }).toBe(1);
    await h.fake.waitFor((f) =>
      f.callsTo("chat.update").some((u) => String(u.args.text).includes("w1")),
    );
    const ack = await h.press({ messageTs: root });
    expect(ack.status).toBe(200);
    expect(ack.ms).toBeLessThan(3_000);
    await h.idle();

    expect(h.models.requestsFor("agg")[0]?.outcome).toBe("aborted");
    const updates = h.fake.callsTo("chat.update");
    const last = updates.at(-1);
    expect(last?.args.ts).toBe(root);
    expect(String(last?.args.text)).toContain("Stopped before the answer was finished");
    expect(blocksOf(last)).toEqual([expect.objectContaining({ type: "markdown" })]);
    for (const update of updates.slice(0, -1)) expect(hasActions(update)).toBe(true);
    const shown = h.fake.messages.get(root);
    expect(shown?.text).toContain("Stopped");
    expect(shown?.text).not.toContain(words(80));
    expect(buttonValues(shown, "moa_stop")).toEqual([]);
    // A stop needs no reply: the message says it.
    expect(h.fake.callsTo("chat.postEphemeral")).toEqual([]);
    expect(h.fake.callsTo("response_url")).toEqual([]);
  });

  it("@mention: someone else's press is refused privately in the thread, and the run goes on to its answer", async () => {
    h = await startSlackHarness({ models: { agg: { reply: "The answer.", firstTokenMs: 800 } } });
    await h.event(mention("mine", "400.000001"), "EvStop2");
    await expect.poll(() => h?.models.requestsFor("agg").length, { timeout: 10_000 }).toBe(1);
    const interim = interimTs(h);
    expect(buttonValues(h.fake.messages.get(interim), "moa_stop")).toEqual([
      "slack:T0TEAM:C0CHAN:400.000001",
    ]);
    const ack = await h.press({ messageTs: interim, threadTs: "400.000001", userId: "U0BOB" });
    expect(ack.status).toBe(200);
    await h.fake.waitFor((f) => f.callsTo("chat.postEphemeral").length >= 1);
    expect(h.fake.callsTo("chat.postEphemeral")[0]?.args).toMatchObject({
      channel: "C0CHAN",
      user: "U0BOB",
      thread_ts: "400.000001",
      text: STOP_REPLIES["not-allowed"],
    });
    await h.idle();

    expect(h.models.aborted()).toEqual([]);
    const shown = h.fake.messages.get(interim);
    expect(shown?.text).toContain("The answer.");
    // The answer loses Stop; its only buttons are Regenerate (and 👍/👎 in context_actions).
    expect(buttonValues(shown, "moa_stop")).toEqual([]);
    expect(buttonValues(shown, "moa_regenerate")).toHaveLength(1);
  });

  it("says the run already finished to a press after the answer is in, through response_url when the bot cannot post", async () => {
    h = await startSlackHarness();
    await h.command("quick", "trig.quick");
    await h.idle();
    const root = interimTs(h);
    expect(h.fake.messages.get(root)?.text).toContain("The answer.");
    // A client that has not redrawn the message yet can still send the old button.
    const value = "slack:T0TEAM:cmd:trig.quick";
    await h.press({ messageTs: root, value });
    await h.fake.waitFor((f) => f.callsTo("chat.postEphemeral").length >= 1);
    expect(h.fake.callsTo("chat.postEphemeral")[0]?.args).toMatchObject({
      channel: "C0CHAN",
      user: "U0USER",
      text: STOP_REPLIES["not-running"],
    });
    expect(h.fake.callsTo("chat.postEphemeral")[0]?.args.thread_ts).toBeUndefined();

    h.fake.script("chat.postEphemeral", { error: "channel_not_found" });
    await h.press({ messageTs: root, value, triggerId: "press.fallback" });
    await h.fake.waitFor((f) => f.callsTo("response_url").length >= 1);
    expect(h.fake.callsTo("response_url")[0]?.args).toMatchObject({
      response_type: "ephemeral",
      replace_original: false,
      text: STOP_REPLIES["not-running"],
    });
    expect(h.fake.messages.get(root)?.text).toContain("The answer.");
  });

  it("@mention: an admin may stop anyone's run", async () => {
    h = await startSlackHarness({
      models: { agg: { reply: words(80), tokenMs: 50 } },
      admins: ["U0ADMIN"],
    });
    await h.event(mention("stop me too", "500.000001"), "EvStop4");
    await expect.poll(() => h?.models.requestsFor("agg").length, { timeout: 10_000 }).toBe(1);
    const interim = interimTs(h);
    await h.press({ messageTs: interim, threadTs: "500.000001", userId: "U0ADMIN" });
    await h.idle();

    expect(h.models.requestsFor("agg")[0]?.outcome).toBe("aborted");
    const last = h.fake.callsTo("chat.update").at(-1);
    expect(last?.args.ts).toBe(interim);
    expect(String(last?.args.text)).toContain("Stopped");
    expect(hasActions(last)).toBe(false);
    expect(buttonValues(h.fake.messages.get(interim), "moa_stop")).toEqual([]);
    expect(h.fake.callsTo("chat.postEphemeral")).toEqual([]);
  });

  it("a press with a bad signature is rejected and stops nothing", async () => {
    h = await startSlackHarness({ models: { agg: { reply: "The answer.", firstTokenMs: 500 } } });
    await h.event(mention("keep going", "600.000001"), "EvStop5");
    await expect.poll(() => h?.models.requestsFor("agg").length, { timeout: 10_000 }).toBe(1);
    const res = await h.press(
      { messageTs: interimTs(h), threadTs: "600.000001" },
      { signature: "v0=deadbeef" },
    );
    expect(res.status).toBe(401);
    await h.idle();
    expect(h.models.aborted()).toEqual([]);
    expect(h.fake.messages.get(interimTs(h))?.text).toContain("The answer.");
  });

  it("acks a press on a button of no known kind at once, and it changes nothing", async () => {
    h = await startSlackHarness();
    await h.command("quick", "trig.unknown");
    await h.idle();
    const root = interimTs(h);
    const calls = h.fake.calls.length;
    // Bolt answers 404 after ~3 s to a request no listener acked; Slack then shows an error.
    const res = await h.press({ messageTs: root, value: "x", actionId: "old_layout_button" });
    expect(res.status).toBe(200);
    expect(res.body).toBe("");
    expect(h.fake.calls.length).toBe(calls);
    expect(h.fake.messages.get(root)?.text).toContain("The answer.");
  });
});
