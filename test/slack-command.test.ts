import { afterEach, describe, expect, it } from "vitest";
import type { SlackCall } from "./fake-slack.js";
import { type SlackHarness, startSlackHarness } from "./slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const rootOf = (hh: SlackHarness) =>
  [...hh.fake.messages.values()].find((m) => m.threadTs === undefined)?.ts as string;

/** Every text the bot sent to Slack: markdown blocks and fallbacks. */
const sentTexts = (calls: SlackCall[]) =>
  calls.flatMap((c) => [
    String(c.args.text ?? ""),
    ...((c.args.blocks as Array<{ text?: string }> | undefined) ?? []).map((b) => b.text ?? ""),
  ]);

describe("/moa end to end", () => {
  it("acks before any model call, then interim, drafts in its thread, answer in place", async () => {
    h = await startSlackHarness({
      models: { p1: { reply: "Draft one.", firstTokenMs: 100 }, agg: { reply: "The **answer**." } },
    });
    const ack = await h.command("what is MoA?");
    expect(ack.status).toBe(200);
    expect(ack.body).toBe("");
    await h.idle();

    const firstModelCall = Math.min(...h.models.requests.map((r) => r.receivedAt));
    expect(ack.at).toBeLessThan(firstModelCall);
    const posts = h.fake.callsTo("chat.postMessage");
    expect(posts[0]?.args).toMatchObject({ channel: "C0CHAN" });
    expect(posts[0]?.args.thread_ts).toBeUndefined();
    // The interim message is up before the aggregator is asked anything.
    expect(posts[0]?.at).toBeLessThan(h.models.requestsFor("agg")[0]?.receivedAt ?? 0);

    const root = rootOf(h);
    const drafts = h.fake.threadReplies(root).map((m) => m.text);
    expect(drafts).toHaveLength(2);
    expect(drafts.join("\n")).toContain("Draft one.");
    expect(drafts.join("\n")).toContain("Draft two.");
    expect(drafts.join("\n")).toMatch(/\*\*p1\*\* · layer 1/);
    const final = h.fake.messages.get(root)?.text ?? "";
    expect(final).toContain("The **answer**.");
    expect(final).toContain("preset default");
    expect(h.fake.callsTo("chat.update").at(-1)?.args.ts).toBe(root);
    // The question went to the proposers as the user turn.
    expect(h.models.requestsFor("p1")[0]?.messages.at(-1)).toEqual({
      role: "user",
      content: "what is MoA?",
    });
  });

  it("/moa help answers privately through response_url, with no post and no model call", async () => {
    h = await startSlackHarness();
    await h.command("help", "trig.help");
    await h.idle();
    const reply = h.fake.callsTo("response_url")[0]?.args;
    expect(reply).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(JSON.stringify(reply?.blocks)).toContain("preset use");
    expect(h.fake.callsTo("chat.postMessage")).toHaveLength(0);
    expect(h.models.requests).toHaveLength(0);
  });

  it("/moa with only invisible characters is empty: the help text, no model call", async () => {
    h = await startSlackHarness();
    const invisible = {
      zeroWidth: "\u200b\u200c\u200d\u2060\ufeff",
      bidiMarks: "\u200f\u200e\u202b\u2067\u2069",
      controls: "\u0001\u0007\u001b\u007f",
      fillers: "\u3164\u2800\u00ad",
    };
    for (const [name, text] of Object.entries(invisible)) await h.command(text, `trig.${name}`);
    await h.fake.waitFor((f) => f.callsTo("response_url").length >= 4);
    await h.idle();
    for (const call of h.fake.callsTo("response_url"))
      expect(JSON.stringify(call.args.blocks)).toContain("preset use");
    expect(h.fake.callsTo("chat.postMessage")).toHaveLength(0);
    expect(h.models.requests).toHaveLength(0);
  });

  it("coalesces a long, slow answer into about one update per second", async () => {
    const tokens = Array.from({ length: 60 }, (_, i) => `word${i} `);
    h = await startSlackHarness({ models: { agg: { reply: tokens, tokenMs: 50 } } });
    await h.command("slow one");
    await h.idle();
    const updates = h.fake.callsTo("chat.update");
    const span = (updates.at(-1)?.at ?? 0) - (h.fake.callsTo("chat.postMessage")[0]?.at ?? 0);
    // ~3 s of streaming: one update per interval at most, plus the final one.
    expect(updates.length).toBeGreaterThanOrEqual(3);
    expect(updates.length).toBeLessThanOrEqual(Math.ceil(span / 1000) + 2);
    for (let i = 1; i < updates.length; i++)
      expect((updates[i]?.at ?? 0) - (updates[i - 1]?.at ?? 0)).toBeGreaterThan(900);
    expect(h.fake.messages.get(rootOf(h))?.text).toContain(tokens.join("").trim());
  });

  it("splits a long answer over the thread with nothing lost and fences re-opened", async () => {
    const para = (i: number) => `Paragraph ${i}: ${"lorem ipsum ".repeat(40)}`;
    const code = `\`\`\`ts\n${Array.from({ length: 800 }, (_, i) => `const v${i} = ${i};`).join("\n")}\n\`\`\``;
    const answer = [...Array.from({ length: 40 }, (_, i) => para(i)), code, para(99)].join("\n\n");
    expect(answer.length).toBeGreaterThan(30_000);
    h = await startSlackHarness({ models: { agg: { reply: [answer] } } });
    await h.command("long one");
    await h.idle();

    const root = rootOf(h);
    const main = h.fake.messages.get(root)?.text ?? "";
    expect(main).toContain("_(continued in the thread)_");
    const overflow = h.fake
      .threadReplies(root)
      .slice(2)
      .map((m) => m.text);
    expect(overflow.length).toBeGreaterThanOrEqual(2);
    for (const part of [main, ...overflow]) {
      expect(part.length).toBeLessThanOrEqual(12_000);
      expect((part.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
    expect(overflow.some((p) => p.startsWith("```ts\n"))).toBe(true);
    // A slash command's question is quoted on top: context, not part of the answer.
    expect(main.startsWith("> long one\n\n")).toBe(true);
    const first = main.slice("> long one\n\n".length, main.indexOf("_(continued in the thread)_"));
    const noFences = (t: string) =>
      t
        .replace(/^```.*$/gm, "")
        .replace(/\s+/g, " ")
        .trim();
    expect(noFences([first, ...overflow].join("\n"))).toBe(noFences(answer));
  });

  it("never lets model text notify anyone", async () => {
    h = await startSlackHarness({
      models: {
        p1: { reply: "Draft <!here> for <@U777>" },
        agg: { reply: "Hey <!channel> and <!subteam^S1|@oncall>, also @everyone &lt;!here&gt;" },
      },
    });
    await h.command("ping everyone");
    await h.idle();
    const texts = sentTexts([
      ...h.fake.callsTo("chat.postMessage"),
      ...h.fake.callsTo("chat.update"),
    ]);
    const joined = texts.join("\n");
    expect(joined).not.toMatch(/<[!@]|&lt;[!@]/);
    expect(joined).not.toMatch(/(^|[^\w\u2060])@(here|channel|everyone)\b/);
    expect(h.fake.messages.get(rootOf(h))?.text).toContain("@\u2060channel");
  });
});
