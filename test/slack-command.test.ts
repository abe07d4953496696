import { afterEach, describe, expect, it } from "vitest";
import { type SlackHarness, startSlackHarness } from "./slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

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
    const root = posts[0];
    expect(root?.args.channel).toBe("C0CHAN");
    expect(root?.args.thread_ts).toBeUndefined();
    const rootTs = [...h.fake.messages.values()].find((m) => !m.threadTs)?.ts as string;
    const drafts = h.fake.threadReplies(rootTs).map((m) => m.text);
    expect(drafts).toHaveLength(2);
    expect(drafts.join("\n")).toContain("Draft one.");
    expect(drafts.join("\n")).toContain("Draft two.");
    const final = h.fake.messages.get(rootTs)?.text ?? "";
    expect(final).toContain("The **answer**.");
    expect(final).toContain("preset test");
    expect(h.fake.callsTo("chat.update").at(-1)?.args.ts).toBe(rootTs);
  });
});
