import { afterEach, describe, expect, it } from "vitest";
import { INTERRUPTED_MESSAGE } from "../src/bots/render-view.js";
import type { Invocation } from "../src/commands/invocation.js";
import { type DiscordHarness, startDiscordHarness } from "./discord-harness.js";
import { alice, opt, runCommand } from "./fake-discord-actions.js";

/** The aggregator answers differently on each call, so a re-run is visible. */
const aggTwice = () => {
  let n = 0;
  return { agg: { reply: () => (++n === 1 ? "The first answer." : "The re-run answer.") } };
};

describe("Discord take-over of a journaled run", () => {
  let h: DiscordHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** A finished answer message, as a crashed instance's journal would name it. */
  const answered = async (harness: DiscordHarness) => {
    const run = runCommand(harness.fake, { name: "moa", options: [opt("prompt", "resume me")] });
    await harness.idle();
    const messageId = harness.fake.originals.get(run.token) as string;
    const channelId = String(harness.fake.messages.get(messageId)?.channel_id);
    const inv: Invocation = {
      platform: "discord",
      workspaceId: harness.fake.guildId,
      channelId,
      userId: String(alice.id),
      source: "command",
      text: "resume me",
      platformAdmin: false,
      eventKey: `discord:${harness.fake.guildId}:resumed:1`,
    };
    return { inv, message: { channelId, messageId } };
  };

  it("re-runs the run into its own message, which says it resumed after a restart", async () => {
    h = await startDiscordHarness({ models: aggTwice() });
    const { inv, message } = await answered(h);
    expect(String(h.fake.messages.get(message.messageId)?.content)).toContain("The first answer.");

    h.bot.resume(inv, message, "rerun");
    await expect
      .poll(() => String(h?.fake.messages.get(message.messageId)?.content), { timeout: 10_000 })
      .toContain("The re-run answer.");
    await h.idle();
    const content = String(h.fake.messages.get(message.messageId)?.content);
    expect(content).toContain("↻ resumed after a restart");
    expect(content).not.toContain("The first answer.");
    expect(h.models.requestsFor("agg")).toHaveLength(2);
  });

  it("only marks a too-old run interrupted, and ignores an entry without a message", async () => {
    h = await startDiscordHarness();
    const { inv, message } = await answered(h);

    h.bot.resume(inv, {}, "rerun");
    h.bot.resume(inv, message, "interrupt");
    await expect
      .poll(() => String(h?.fake.messages.get(message.messageId)?.content), { timeout: 10_000 })
      .toBe(INTERRUPTED_MESSAGE);
    await h.idle();
    expect(h.models.requestsFor("agg")).toHaveLength(1);
  });
});
