import { afterEach, describe, expect, it } from "vitest";
import { VOTE_REPLIES } from "../src/bots/feedback.js";
import { hashUser } from "../src/bots/run-record-of.js";
import { type DiscordHarness, startDiscordHarness } from "./discord-harness.js";
import { bob, buttonIds, opt, pressButton, runCommand } from "./fake-discord-actions.js";
import type { SlackCall } from "./fake-slack.js";
import { type SlackHarness, startSlackHarness } from "./slack-harness.js";

type Block = { type?: string; elements?: Array<Record<string, unknown>> };
const blocksOf = (call: SlackCall | undefined) => (call?.args.blocks ?? []) as Block[];

/** 👍/👎 end to end: real Bolt / discord.js, shared flow and stores; fake platforms and models. */
describe("Slack feedback", () => {
  let h: SlackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("puts 👍/👎 on the final answer only; a press is recorded once per user, changeable, told privately, and the answer is not touched", async () => {
    h = await startSlackHarness();
    await h.command("rate me", "trig.fb1");
    await h.idle();
    const updates = h.fake.callsTo("chat.update");
    const final = updates.at(-1);
    for (const u of updates.slice(0, -1))
      expect(blocksOf(u).some((b) => b.type === "context_actions")).toBe(false);
    const [markdown, feedback, regenerate, ...more] = blocksOf(final);
    expect(markdown?.type).toBe("markdown");
    expect(regenerate?.type).toBe("actions");
    expect(more).toEqual([]);
    const element = feedback?.elements?.[0] as {
      positive_button: { value: string };
      negative_button: { value: string };
    };
    expect(feedback).toMatchObject({
      type: "context_actions",
      elements: [{ type: "feedback_buttons", action_id: "moa_feedback" }],
    });
    const runKey = element.positive_button.value.slice("up:".length);
    expect(element.positive_button.value).toMatch(/^up:[0-9a-f-]{36}$/);
    expect(element.negative_button.value).toBe(`down:${runKey}`);

    const stored = await h.stores.runs.get({ platform: "slack", workspaceId: "T0TEAM" }, runKey);
    expect(stored).toMatchObject({
      channelId: "C0CHAN",
      preset: "default",
      outcome: "done",
      userHash: hashUser("slack", "T0TEAM", "U0USER"),
      votes: {},
    });
    expect(JSON.stringify(stored)).not.toContain("U0USER");
    expect(stored?.calls.map((c) => `${c.role}:${c.model}:${c.outcome}`)).toEqual([
      "proposer:p1:ok",
      "proposer:p2:ok",
      "aggregator:agg:ok",
    ]);
    expect(stored?.slowest).toHaveLength(1);

    const root = final?.args.ts as string;
    const press = (value: string, userId = "U0USER") =>
      h?.press({
        messageTs: root,
        actionId: "moa_feedback",
        actionType: "feedback_buttons",
        value,
        userId,
      });
    const ephemerals = () => h?.fake.callsTo("chat.postEphemeral").map((c) => c.args.text) ?? [];
    expect((await press(`up:${runKey}`))?.status).toBe(200);
    await h.fake.waitFor(() => ephemerals().length === 1);
    await press(`up:${runKey}`);
    await h.fake.waitFor(() => ephemerals().length === 2);
    await press(`down:${runKey}`);
    await h.fake.waitFor(() => ephemerals().length === 3);
    await press(`up:${runKey}`, "U0OTHER");
    await h.fake.waitFor(() => ephemerals().length === 4);
    expect(ephemerals()).toEqual([
      VOTE_REPLIES.recorded("up"),
      VOTE_REPLIES.unchanged("up"),
      VOTE_REPLIES.changed("down"),
      VOTE_REPLIES.recorded("up"),
    ]);
    expect(h.fake.callsTo("chat.postEphemeral")[0]?.args.user).toBe("U0USER");
    const after = await h.stores.runs.get({ platform: "slack", workspaceId: "T0TEAM" }, runKey);
    expect(after?.votes).toEqual({
      [hashUser("slack", "T0TEAM", "U0USER")]: "down",
      [hashUser("slack", "T0TEAM", "U0OTHER")]: "up",
    });
    // Never re-rendered: no update after the final one.
    expect(h.fake.callsTo("chat.update")).toHaveLength(updates.length);
  });

  it("answers a press on a run it has no record of, without crashing", async () => {
    h = await startSlackHarness();
    await h.command("hello", "trig.fb2");
    await h.idle();
    const root = h.fake.callsTo("chat.update").at(-1)?.args.ts as string;
    await h.press({
      messageTs: root,
      actionId: "moa_feedback",
      actionType: "feedback_buttons",
      value: "up:00000000-0000-0000-0000-000000000000",
    });
    await h.fake.waitFor((f) => f.callsTo("chat.postEphemeral").length === 1);
    expect(h.fake.callsTo("chat.postEphemeral")[0]?.args.text).toBe(
      VOTE_REPLIES["unknown-run"]("up"),
    );
  });
});

describe("Discord feedback", () => {
  let h: DiscordHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("puts 👍/👎 on the final answer; presses are recorded per user, changeable, answered ephemerally, the answer untouched", async () => {
    h = await startDiscordHarness();
    const run = runCommand(h.fake, { name: "moa", options: [opt("prompt", "rate me")] });
    await h.idle();
    const answerId = h.fake.originals.get(run.token) as string;
    const [up, down, ...rest] = buttonIds(h.fake, answerId);
    expect(rest).toEqual([expect.stringMatching(/^moa_regen:/)]);
    expect(up).toMatch(/^moa_fb:up:[0-9a-f-]{36}$/);
    const runKey = String(up).slice("moa_fb:up:".length);
    expect(down).toBe(`moa_fb:down:${runKey}`);
    const edits = h.fake.calls.length;
    const content = h.fake.messages.get(answerId)?.content;

    const ack = async (press: { id: string }) =>
      (await h?.fake.waitForCall("POST", new RegExp(`^/interactions/${press.id}/[^/]+/callback$`)))
        ?.body;
    expect(
      await ack(pressButton(h.fake, { messageId: answerId, customId: String(up) })),
    ).toMatchObject({
      type: 4,
      data: { content: VOTE_REPLIES.recorded("up"), flags: 64, allowed_mentions: { parse: [] } },
    });
    expect(
      await ack(pressButton(h.fake, { messageId: answerId, customId: String(down) })),
    ).toMatchObject({ type: 4, data: { content: VOTE_REPLIES.changed("down"), flags: 64 } });
    expect(
      await ack(pressButton(h.fake, { messageId: answerId, customId: String(up), user: bob })),
    ).toMatchObject({ type: 4, data: { content: VOTE_REPLIES.recorded("up"), flags: 64 } });

    const stored = await h.stores.runs.get(
      { platform: "discord", workspaceId: h.fake.guildId },
      runKey,
    );
    expect(Object.values(stored?.votes ?? {}).sort()).toEqual(["down", "up"]);
    expect(stored?.channelId).toBe(h.fake.channelId);
    // Only the three interaction callbacks since: no edit of the answer.
    const since = h.fake.calls.slice(edits).map((c) => `${c.method} ${c.path}`);
    expect(since.every((c) => /^POST \/interactions\/\d+\/[^/]+\/callback$/.test(c))).toBe(true);
    expect(h.fake.messages.get(answerId)?.content).toBe(content);
  });
});
