import { describe, expect, it } from "vitest";
import { discordCommands } from "../src/bots/discord/command-definitions.js";
import { commandToInvocation } from "../src/bots/discord/to-invocation.js";
import { dispatch } from "../src/commands/dispatch.js";
import { REGENERATE_COMMAND_REPLIES, regenerate } from "../src/commands/regenerate.js";
import { commandText, helpText } from "../src/commands/registry.js";
import {
  discordInvocation,
  slackInvocation,
  tempSqliteKv,
  testDeps,
} from "./fixtures/commands-env.js";

const ref = { channel: "C1", ts: "1700.1" };

describe("regenerate command", () => {
  it("in a thread with a stored last run: regenerates that run, with the aggregator when given and allowed", async () => {
    const { kv } = tempSqliteKv();
    const { deps } = testDeps(kv);
    const thread = slackInvocation({ source: "mention", threadId: "1700.1" });
    await deps.stores.threadRuns?.set(
      { ...thread, threadId: "1700.1" },
      { runKey: "r1", message: ref },
    );
    expect(await dispatch({ ...thread, text: "regenerate" }, deps)).toEqual({
      kind: "regenerate",
      runKey: "r1",
      message: ref,
    });
    expect(
      await dispatch({ ...thread, text: 'Regenerate aggregator="gpt-4o-mini"' }, deps),
    ).toEqual({
      kind: "regenerate",
      runKey: "r1",
      message: ref,
      aggregator: "gpt-4o-mini",
    });
    // Not allowed: the policy's message, with a provider suggestion where it has one.
    const refused = await dispatch({ ...thread, text: "regenerate aggregator=grok:llama-3" }, deps);
    expect(refused).toMatchObject({ kind: "reply", ephemeral: true });
    expect(refused.kind === "reply" && refused.text).toBe(
      "Unknown model for `aggregator`: `grok:llama-3` names provider `grok`, which is not configured here (configured: default, groq); did you mean `groq:llama-3`?",
    );
    // Another thread of the channel has no run of its own.
    expect(
      await dispatch({ ...thread, threadId: "1700.9", text: "regenerate" }, deps),
    ).toMatchObject({ kind: "reply", text: REGENERATE_COMMAND_REPLIES.noRun("slack") });
    await kv.close();
  });

  it("says where it works outside a thread, reads a Discord reply's target as the thread, and takes questions that start with the word as questions", async () => {
    const { kv } = tempSqliteKv();
    const { deps } = testDeps(kv);
    expect(await dispatch(slackInvocation({ text: "regenerate" }), deps)).toMatchObject({
      kind: "reply",
      ephemeral: true,
      text: REGENERATE_COMMAND_REPLIES.notInThread("slack"),
    });
    const reply = discordInvocation({ source: "mention", repliesTo: "333", text: "regenerate" });
    await deps.stores.threadRuns?.set(
      { ...reply, threadId: "333" },
      {
        runKey: "r2",
        message: { channelId: "111", messageId: "333" },
      },
    );
    expect(await dispatch(reply, deps)).toMatchObject({ kind: "regenerate", runKey: "r2" });
    expect(
      await dispatch(slackInvocation({ text: "regenerate the table as CSV" }), deps),
    ).toMatchObject({ kind: "run", question: "regenerate the table as CSV" });
    expect(await dispatch(slackInvocation({ text: "regenerate gpt-4o" }), deps)).toMatchObject({
      kind: "reply",
      text: expect.stringContaining("takes only `aggregator=MODEL`"),
    });
    expect(
      await dispatch(slackInvocation({ threadId: "1", text: "regenerate aggregator=" }), deps),
    ).toMatchObject({ kind: "reply", text: expect.stringContaining("needs a model id") });
    await kv.close();
  });

  it("is listed in help and registered on Discord as /moa-regenerate aggregator:, rendered back as aggregator=MODEL", () => {
    expect(helpText()).toContain("`regenerate [aggregator=MODEL]`: ");
    const def = discordCommands({ allowDms: false }).find((c) => c.name === "moa-regenerate");
    expect(def).toMatchObject({ options: [{ name: "aggregator", type: 3, required: false }] });
    expect(def?.default_member_permissions).toBeUndefined();
    expect(commandText(regenerate, { aggregator: "gpt-4o" })).toBe("regenerate aggregator=gpt-4o");
    expect(commandText(regenerate, { aggregator: "my model" })).toBe(
      'regenerate aggregator="my model"',
    );
    const inv = commandToInvocation(
      {
        id: "i1",
        commandName: "moa-regenerate",
        subcommand: null,
        options: { aggregator: " gpt-4o " },
        guildId: "g1",
        channelId: "c1",
        threadId: "t1",
        userId: "u1",
        canManageChannels: false,
      },
      { botId: "b", allowDms: false },
    );
    expect(inv).toMatchObject({ text: "regenerate aggregator=gpt-4o", threadId: "t1" });
  });
});
