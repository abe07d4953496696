import { afterEach, describe, expect, it } from "vitest";
import { REGENERATE_REPLIES } from "../src/bots/regenerate.js";
import { REGENERATE_COMMAND_REPLIES } from "../src/commands/regenerate.js";
import { type DiscordHarness, startDiscordHarness } from "./discord-harness.js";
import { bob, opt, postAsUser, runCommand } from "./fake-discord-actions.js";

/** The first aggregator answer, then a better one; agg2 answers in its own words. */
const models = () => {
  let n = 0;
  return {
    agg: { reply: () => (++n === 1 ? "The first answer." : "A better answer.") },
    agg2: { reply: "Agg2's answer." },
  };
};

/** Asks `/moa prompt:<question>`; the answer message id is also its drafts thread's id. */
async function askedAnswer(h: DiscordHarness, question: string): Promise<string> {
  const run = runCommand(h.fake, { name: "moa", options: [opt("prompt", question)] });
  await h.idle();
  const answerId = h.fake.originals.get(run.token) as string;
  expect(h.fake.channels.get(answerId)?.parent_id).toBe(h.fake.channelId);
  return answerId;
}

/** The first response to interaction `id` (its callback). */
async function callbackOf(h: DiscordHarness, id: string) {
  const call = await h.fake.waitForCall("POST", new RegExp(`^/interactions/${id}/[^/]+/callback$`));
  return call.body;
}

const content = (h: DiscordHarness, id: string) => String(h.fake.messages.get(id)?.content);

describe("Discord `regenerate` command", () => {
  let h: DiscordHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("/moa-regenerate aggregator: in the drafts thread rewrites the answer with that model; a reply to the answer mentioning the bot works too", async () => {
    h = await startDiscordHarness({ models: models() });
    const answerId = await askedAnswer(h, "regen me");
    expect(content(h, answerId)).toContain("The first answer.");

    const cmd = runCommand(h.fake, {
      name: "moa-regenerate",
      options: [opt("aggregator", "agg2")],
      channelId: answerId,
    });
    // A slash command is owed an answer: the invoker alone is told it started.
    expect(await callbackOf(h, cmd.id)).toMatchObject({
      type: 4,
      data: { content: REGENERATE_REPLIES.started("agg2"), flags: 64 },
    });
    await expect
      .poll(() => content(h as DiscordHarness, answerId), { timeout: 10_000 })
      .toContain("Agg2's answer.");
    await h.idle();
    expect(h.models.requestsFor("p1")).toHaveLength(1);
    expect(h.models.requestsFor("p2")).toHaveLength(1);
    expect(h.models.requestsFor("agg")).toHaveLength(1);
    expect(h.models.requestsFor("agg2")).toHaveLength(1);
    expect(h.models.requestsFor("agg2")[0]?.messages.at(-1)?.content).toBe("regen me");
    expect(content(h, answerId)).not.toContain("The first answer.");
    expect(content(h, answerId)).toMatch(
      /regenerated from the stored drafts · preset default · aggregator `agg2` · /,
    );

    // A reply in the channel names the answer (its drafts thread shares its id).
    postAsUser(h.fake, {
      content: "regenerate aggregator=agg",
      mentionBot: true,
      replyTo: answerId,
    });
    await expect
      .poll(() => content(h as DiscordHarness, answerId), { timeout: 10_000 })
      .toContain("A better answer.");
    await h.idle();
    expect(h.models.requestsFor("agg")).toHaveLength(2);
    expect(h.models.requestsFor("p1")).toHaveLength(1);
    expect(h.fake.callsTo("POST", /\/threads$/)).toHaveLength(1);
  });

  it("refuses someone else (a reply where nothing is private), an unknown model with a suggestion, and a command outside a drafts thread", async () => {
    h = await startDiscordHarness({
      models: models(),
      env: { MOA_ALLOWED_MODELS: "p1,p2,agg,agg2" },
    });
    const answerId = await askedAnswer(h, "mine");

    // A mention in the drafts thread is read as a command there.
    const asked = postAsUser(h.fake, {
      content: "regenerate aggregator=agg2",
      mentionBot: true,
      channelId: answerId,
      author: bob,
    });
    const inThread = new RegExp(`^/channels/${answerId}/messages$`);
    const refused = () =>
      h?.fake
        .callsTo("POST", inThread)
        .find((c) => c.body?.content === REGENERATE_REPLIES.notYours);
    await expect.poll(refused, { timeout: 10_000 }).toBeDefined();
    expect(refused()?.body).toMatchObject({
      content: REGENERATE_REPLIES.notYours,
      message_reference: { message_id: asked.id },
    });

    const unknown = runCommand(h.fake, {
      name: "moa-regenerate",
      options: [opt("aggregator", "agg3")],
      channelId: answerId,
    });
    expect(await callbackOf(h, unknown.id)).toMatchObject({
      type: 4,
      data: {
        content:
          "Unknown model for `aggregator`: `agg3` is not on this bot's model allow-list (p1, p2, agg, agg2); did you mean `agg`?",
        flags: 64,
      },
    });

    const outside = runCommand(h.fake, { name: "moa-regenerate", options: [] });
    expect(await callbackOf(h, outside.id)).toMatchObject({
      type: 4,
      data: { content: REGENERATE_COMMAND_REPLIES.notInThread("discord"), flags: 64 },
    });
    await h.idle();
    expect(h.models.requestsFor("agg2")).toHaveLength(0);
    expect(h.models.requestsFor("agg")).toHaveLength(1);
    expect(content(h, answerId)).toContain("The first answer.");
  });
});
