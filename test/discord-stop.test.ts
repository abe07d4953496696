import { afterEach, describe, expect, it } from "vitest";
import { STOP_REPLIES } from "../src/bots/admission/run-gate.js";
import { MAX_CUSTOM_ID_CHARS, StopButtons } from "../src/bots/discord/stop-button.js";
import { type DiscordHarness, startDiscordHarness } from "./discord-harness.js";
import type { RecordedCall } from "./fake-discord.js";
import {
  bob,
  buttonIds,
  messageBodies,
  opt,
  postAsUser,
  pressButton,
  runCommand,
} from "./fake-discord-actions.js";

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(" ");

/** The row of one red Stop button with this custom id, as Discord receives it. */
const stopRow = (customId: string) => [
  { type: 1, components: [{ type: 2, style: 4, label: "Stop", custom_id: customId }] },
];

describe("Stop button custom ids", () => {
  it("carry the run key, and a short hash of a key too long for Discord's 100 chars", () => {
    const buttons = new StopButtons();
    expect(buttons.customId("discord:cmd:123")).toBe("moa_stop:discord:cmd:123");
    expect(buttons.stopKey("moa_stop:discord:cmd:123")).toBe("discord:cmd:123");

    const long = `discord:cmd:${"9".repeat(200)}`;
    const id = buttons.customId(long);
    expect(id.length).toBeLessThanOrEqual(MAX_CUSTOM_ID_CHARS);
    expect(id.startsWith("moa_stop:")).toBe(true);
    expect(buttons.customId(long)).toBe(id);
    expect(buttons.stopKey(id)).toBe(long);
    // Another bot process never saw that key: the press finds no run rather than a wrong one.
    expect(new StopButtons().stopKey(id)).not.toBe(long);
    expect(buttons.stopKey("something_else:1")).toBeUndefined();
  });

  it("build no row without controls, so an edit removes the button", () => {
    const buttons = new StopButtons();
    expect(buttons.components(undefined)).toEqual([]);
    expect(buttons.components({ stopKey: "k" })).toEqual(stopRow("moa_stop:k"));
  });
});

/** The Stop button end to end: real discord.js client, real bot and gate, fake Discord and models. */
describe("Discord Stop button", () => {
  let h: DiscordHarness;
  afterEach(async () => {
    await h.close();
  });

  const webhookEdits = () => h.fake.callsTo("PATCH", /\/messages\/@original$/);
  const pressAck = (press: { id: string }) =>
    h.fake.waitForCall("POST", new RegExp(`^/interactions/${press.id}/[^/]+/callback$`));
  const dataOf = (call: RecordedCall | undefined) =>
    (call?.body?.data ?? {}) as { content?: string; flags?: number; components?: unknown };

  function everySendHasNoMentions(): void {
    for (const body of messageBodies(h.fake))
      expect(body.allowed_mentions).toMatchObject({ parse: [] });
    expect(h.fake.unhandled).toEqual([]);
  }

  it("/moa: the reply has Stop while running; the asker's press aborts the run, which says Stopped and loses the button", async () => {
    h = await startDiscordHarness({ models: { agg: { reply: words(80), tokenMs: 50 } } });
    const run = runCommand(h.fake, { name: "moa", options: [opt("prompt", "stop me")] });
    const reply = await h.fake.waitForCall("POST", new RegExp(`^/interactions/${run.id}/`));
    const customId = `moa_stop:discord:cmd:${run.id}`;
    expect(reply.body).toMatchObject({ type: 4 });
    expect(dataOf(reply).components).toEqual(stopRow(customId));
    const answerId = h.fake.originals.get(run.token) as string;
    expect(buttonIds(h.fake, answerId)).toEqual([customId]);

    // Stop once the aggregator is streaming into the reply.
    await expect.poll(() => h.models.requestsFor("agg").length, { timeout: 10_000 }).toBe(1);
    await h.fake.waitForCall("PATCH", /\/messages\/@original$/);
    const press = pressButton(h.fake, { messageId: answerId });
    const ack = await pressAck(press);
    expect(ack.body).toMatchObject({ type: 6 }); // DEFERRED_UPDATE_MESSAGE: the edit says it
    await h.idle();

    expect(h.models.requestsFor("agg")[0]?.outcome).toBe("aborted");
    const edits = webhookEdits();
    const last = edits.at(-1);
    expect(String(last?.body?.content)).toContain("Stopped before the answer was finished");
    expect(last?.body?.components).toEqual([]);
    // Within Discord's 3 s: the press is acknowledged before the run's last edit is sent.
    expect(ack.at).toBeLessThanOrEqual(last?.at ?? 0);
    for (const edit of edits.slice(0, -1)) expect(edit.body?.components).toEqual(stopRow(customId));
    const shown = h.fake.messages.get(answerId);
    expect(String(shown?.content)).toContain("Stopped");
    expect(String(shown?.content)).not.toContain(words(80));
    expect(buttonIds(h.fake, answerId)).toEqual([]);
    everySendHasNoMentions();
  });

  it("refuses someone else's press privately, and the run goes on to its answer", async () => {
    h = await startDiscordHarness({
      models: { agg: { reply: "The answer.", firstTokenMs: 800 } },
    });
    const run = runCommand(h.fake, { name: "moa", options: [opt("prompt", "mine")] });
    await expect.poll(() => h.models.requestsFor("agg").length, { timeout: 10_000 }).toBe(1);
    const answerId = h.fake.originals.get(run.token) as string;
    const press = pressButton(h.fake, { messageId: answerId, user: bob });
    const ack = await pressAck(press);
    expect(ack.body).toMatchObject({
      type: 4,
      data: {
        content: STOP_REPLIES["not-allowed"],
        flags: 64,
        allowed_mentions: { parse: [] },
      },
    });
    await h.idle();

    expect(h.models.aborted()).toEqual([]);
    expect(String(h.fake.messages.get(answerId)?.content)).toContain("The answer.");
    // The final answer loses Stop and carries only 👍/👎 and Regenerate.
    expect(buttonIds(h.fake, answerId)).toEqual([
      expect.stringMatching(/^moa_fb:up:[0-9a-f-]{36}$/),
      expect.stringMatching(/^moa_fb:down:[0-9a-f-]{36}$/),
      expect.stringMatching(/^moa_regen:[0-9a-f-]{36}$/),
    ]);
    everySendHasNoMentions();
  });

  it("says the run already finished to a press after the answer is in", async () => {
    h = await startDiscordHarness();
    const run = runCommand(h.fake, { name: "moa", options: [opt("prompt", "quick")] });
    await h.idle();
    const answerId = h.fake.originals.get(run.token) as string;
    expect(String(h.fake.messages.get(answerId)?.content)).toContain("The answer.");
    // A client that has not redrawn the message yet can still send the old button.
    const press = pressButton(h.fake, {
      messageId: answerId,
      customId: `moa_stop:discord:cmd:${run.id}`,
    });
    expect((await pressAck(press)).body).toMatchObject({
      type: 4,
      data: { content: STOP_REPLIES["not-running"], flags: 64 },
    });
    expect(String(h.fake.messages.get(answerId)?.content)).toContain("The answer.");
    everySendHasNoMentions();
  });

  it("@mention: the reply has Stop too, and an admin may stop anyone's run", async () => {
    h = await startDiscordHarness({
      models: { agg: { reply: words(80), tokenMs: 50 } },
      admins: [String(bob.id)],
    });
    const asked = postAsUser(h.fake, { content: "stop me too", mentionBot: true });
    const customId = `moa_stop:discord:msg:${asked.id}`;
    const post = await h.fake.waitForCall(
      "POST",
      new RegExp(`^/channels/${h.fake.channelId}/messages$`),
    );
    expect(post.body?.components).toEqual(stopRow(customId));
    const replyId = [...h.fake.messages.values()].find(
      (m) => (m.message_reference as { message_id?: string } | undefined)?.message_id === asked.id,
    )?.id as string;
    await expect.poll(() => h.models.requestsFor("agg").length, { timeout: 10_000 }).toBe(1);
    const press = pressButton(h.fake, { messageId: replyId, user: bob });
    expect((await pressAck(press)).body).toMatchObject({ type: 6 });
    await h.idle();

    expect(h.models.requestsFor("agg")[0]?.outcome).toBe("aborted");
    const edits = h.fake.callsTo("PATCH", new RegExp(`^/channels/\\d+/messages/${replyId}$`));
    expect(String(edits.at(-1)?.body?.content)).toContain("Stopped");
    expect(edits.at(-1)?.body?.components).toEqual([]);
    expect(buttonIds(h.fake, replyId)).toEqual([]);
    everySendHasNoMentions();
  });

  it("acks a press on a button of no known kind (no 'This interaction failed'), changing nothing", async () => {
    h = await startDiscordHarness();
    const run = runCommand(h.fake, { name: "moa", options: [opt("prompt", "quick")] });
    await h.idle();
    const answerId = h.fake.originals.get(run.token) as string;
    const press = pressButton(h.fake, { messageId: answerId, customId: "old_layout:1" });
    expect((await pressAck(press)).body).toMatchObject({ type: 6 });
    expect(String(h.fake.messages.get(answerId)?.content)).toContain("The answer.");
    everySendHasNoMentions();
  });
});
