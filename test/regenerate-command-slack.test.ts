import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import KeyvSqlite from "@keyv/sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { REGENERATE_REPLIES } from "../src/bots/regenerate.js";
import { REGENERATE_COMMAND_REPLIES } from "../src/commands/regenerate.js";
import { runDraftsKey, threadLastRunKey } from "../src/store/store-keys.js";
import { bodyText } from "./fake-slack.js";
import { messageEvent } from "./fake-slack-requests.js";
import { type SlackHarness, startSlackHarness } from "./slack-harness.js";

/** The first aggregator answer, then another model's, so each rewrite is visible. */
const models = () => ({ agg: { reply: "The first answer." }, agg2: { reply: "Agg2's answer." } });

let seq = 0;
/** `@MoA <text>` as a reply in thread `root` (an app_mention), by `user`. */
function mentionIn(h: SlackHarness, root: string, text: string, user = "U0USER") {
  const ts = `1800000000.${String(++seq).padStart(6, "0")}`;
  return h.event(
    messageEvent({ type: "app_mention", text: `<@U0BOT> ${text}`, ts, threadTs: root, user }),
    `EvRegen${seq}`,
  );
}

/** Asks `/moa <question>` and returns the answer message's ts (the thread root). */
async function askedAnswer(h: SlackHarness, question: string): Promise<string> {
  await h.command(question);
  await h.idle();
  return h.fake.callsTo("chat.update").at(-1)?.args.ts as string;
}

/** Writes `value` under `key` of the SQLite store at `path` behind the bot's back. */
async function writeRaw(path: string, key: string, value: unknown): Promise<void> {
  const raw = new KeyvSqlite({ uri: `sqlite://${path}` });
  try {
    await raw.set(`moa:${key}`, JSON.stringify({ value, expires: null }));
  } finally {
    await raw.disconnect();
  }
}

const shown = (h: SlackHarness, ts: string) =>
  bodyText({ blocks: h.fake.messages.get(ts)?.blocks });
const ephemerals = (h: SlackHarness) =>
  h.fake.callsTo("chat.postEphemeral").map((c) => bodyText(c.args));

describe("Slack `regenerate` command", () => {
  let h: SlackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("@MoA regenerate aggregator=MODEL in the answer's thread re-aggregates its drafts with that model into the answer; the next plain regenerate acts on the new run", async () => {
    h = await startSlackHarness({ models: models() });
    const root = await askedAnswer(h, "regen me");
    expect(shown(h, root)).toContain("The first answer.");

    await mentionIn(h, root, "regenerate aggregator=agg2");
    await h.fake.waitFor((f) => String(f.messages.get(root)?.text).includes("Agg2"));
    await h.idle();
    // Only the aggregator ran again, and it was the model asked for.
    expect(h.models.requestsFor("p1")).toHaveLength(1);
    expect(h.models.requestsFor("p2")).toHaveLength(1);
    expect(h.models.requestsFor("agg")).toHaveLength(1);
    const [regen] = h.models.requestsFor("agg2");
    expect(regen?.messages.at(-1)?.content).toBe("regen me");
    expect(regen?.messages[0]?.content).toContain("Draft one.");
    expect(shown(h, root)).toContain("Agg2's answer.");
    expect(shown(h, root)).not.toContain("The first answer.");
    expect(shown(h, root)).toMatch(
      /regenerated from the stored drafts · preset default · aggregator `agg2` · /,
    );
    // A mention is answered by the rewritten answer itself, with no note to the asker.
    expect(ephemerals(h)).toEqual([]);

    // The thread's last run is now the regenerated one, whose own aggregator is agg2.
    await mentionIn(h, root, "regenerate");
    await h.fake.waitFor(() => (h?.models.requestsFor("agg2").length ?? 0) === 2);
    await h.idle();
    expect(h.models.requestsFor("agg")).toHaveLength(1);
    expect(h.models.requestsFor("p1")).toHaveLength(1);
  });

  it("in a DM, `regenerate aggregator=MODEL` rewrites the DM's last answer (the DM is one conversation)", async () => {
    h = await startSlackHarness({ models: models() });
    const dm = (text: string, ts: string) =>
      messageEvent({ text, ts, channel: "D0DM", extra: { channel_type: "im" } });
    await h.event(dm("in private", "700.000001"), "EvDm1");
    await h.idle();
    const answer = [...h.fake.messages.values()].find(
      (m) => m.channel === "D0DM" && m.text.includes("The first answer."),
    );
    const ts = String(answer?.ts);
    expect(answer?.threadTs).toBe("700.000001");
    await h.event(dm("regenerate aggregator=agg2", "700.000009"), "EvDm2");
    await h.fake.waitFor((f) => String(f.messages.get(ts)?.text).includes("Agg2"));
    await h.idle();
    expect(h.models.requestsFor("agg2")).toHaveLength(1);
    expect(h.models.requestsFor("p1")).toHaveLength(1);
    // The DM's last run is now the regenerated one.
    const last = await h.stores.threadRuns.get({
      platform: "slack",
      workspaceId: "T0TEAM",
      channelId: "D0DM",
      threadId: "D0DM",
    });
    expect(last?.message).toMatchObject({ channel: "D0DM", ts });
    expect(
      await h.stores.runDrafts.load(
        { platform: "slack", workspaceId: "T0TEAM" },
        String(last?.runKey),
      ),
    ).toMatchObject({ answer: "Agg2's answer." });
  });

  it("refuses someone else, an unknown model (with a suggestion), /moa outside a thread and a thread without an answer; an admin may regenerate and the asker still may after", async () => {
    h = await startSlackHarness({
      models: models(),
      admins: ["U0ADMIN"],
      env: { MOA_ALLOWED_MODELS: "p1,p2,agg,agg2" },
    });
    const root = await askedAnswer(h, "mine");

    await mentionIn(h, root, "regenerate aggregator=agg2", "U0OTHER");
    await h.fake.waitFor((f) => f.callsTo("chat.postEphemeral").length === 1);
    expect(ephemerals(h)[0]).toBe(REGENERATE_REPLIES.notYours);
    expect(h.fake.callsTo("chat.postEphemeral")[0]?.args.user).toBe("U0OTHER");

    await mentionIn(h, root, "regenerate aggregator=agg3");
    await h.fake.waitFor((f) => f.callsTo("chat.postEphemeral").length === 2);
    expect(ephemerals(h)[1]).toBe(
      "Unknown model for `aggregator`: `agg3` is not on this bot's model allow-list (p1, p2, agg, agg2); did you mean `agg`?",
    );

    await h.command("regenerate aggregator=agg2", "trig.regen-out");
    await h.fake.waitFor((f) => f.callsTo("response_url").length === 1);
    expect(bodyText(h.fake.callsTo("response_url")[0]?.args ?? {})).toBe(
      REGENERATE_COMMAND_REPLIES.notInThread("slack"),
    );

    await mentionIn(h, "1799999999.000001", "regenerate");
    await h.fake.waitFor((f) => f.callsTo("chat.postEphemeral").length === 3);
    expect(ephemerals(h)[2]).toBe(REGENERATE_COMMAND_REPLIES.noRun("slack"));
    await h.idle();
    expect(h.models.requestsFor("agg2")).toHaveLength(0);
    expect(h.models.requestsFor("agg")).toHaveLength(1);

    // MOA_ADMIN_USERS may regenerate anyone's answer; it stays the asker's to regenerate.
    await mentionIn(h, root, "regenerate aggregator=agg2", "U0ADMIN");
    await h.fake.waitFor(() => h?.models.requestsFor("agg2").length === 1);
    await h.idle();
    expect(shown(h, root)).toContain("Agg2's answer.");
    await mentionIn(h, root, "regenerate aggregator=agg");
    await h.fake.waitFor(() => h?.models.requestsFor("agg").length === 2);
    await h.idle();
    expect(shown(h, root)).toContain("The first answer.");
    expect(ephemerals(h)).toHaveLength(3);
  });

  it("a corrupt stored thread -> run mapping is treated as no answer there: the user is told, nothing runs, the bot goes on", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "moa-regen-")), "moa.sqlite");
    h = await startSlackHarness({ models: models(), storeUrl: `sqlite://${path}` });
    const root = await askedAnswer(h, "will be corrupted");
    const scope = { platform: "slack", workspaceId: "T0TEAM", channelId: "C0CHAN", threadId: root };
    expect(await h.stores.threadRuns.get(scope)).toMatchObject({
      message: { channel: "C0CHAN", ts: root },
    });
    await writeRaw(path, threadLastRunKey(scope), { v: 1, runKey: 42, message: "C0CHAN" });
    expect(await h.stores.threadRuns.get(scope)).toBeUndefined();

    await mentionIn(h, root, "regenerate aggregator=agg2");
    await h.fake.waitFor((f) => f.callsTo("chat.postEphemeral").length === 1);
    expect(ephemerals(h)[0]).toBe(REGENERATE_COMMAND_REPLIES.noRun("slack"));
    expect(h.models.requestsFor("agg2")).toHaveLength(0);
    // The bot goes on answering.
    const ask = await askedAnswer(h, "still answering");
    expect(shown(h, ask)).toContain("The first answer.");
    expect(h.models.requestsFor("p1")).toHaveLength(2);

    // Drafts that are gone (here: unreadable) are said to be, as for the button.
    const last = await h.stores.threadRuns.get({ ...scope, threadId: ask });
    expect(last?.message).toEqual({ channel: "C0CHAN", ts: ask });
    await writeRaw(path, runDraftsKey(scope, String(last?.runKey)), { v: 1, drafts: "lost" });
    await mentionIn(h, ask, "regenerate aggregator=agg2");
    await h.fake.waitFor((f) => f.callsTo("chat.postEphemeral").length === 2);
    expect(ephemerals(h)[1]).toBe(REGENERATE_REPLIES.gone);
    expect(h.models.requestsFor("agg2")).toHaveLength(0);
  });
});
