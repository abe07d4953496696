import { afterEach, describe, expect, it } from "vitest";
import { type DiscordHarness, startDiscordHarness } from "./discord-harness.js";
import { buttonIds, opt, postAsUser, pressButton, runCommand } from "./fake-discord-actions.js";
import { CV2, refuseCv2, textDisplays } from "./fake-discord-cv2.js";
import type { Json } from "./fake-discord-payloads.js";

const NATIVE = { MOA_DISCORD_NATIVE: "auto" };

/** Components V2 finals and the typing indicator, through the real discord.js client. */
describe("Discord native surfaces", () => {
  let h: DiscordHarness;
  afterEach(async () => {
    await h.close();
  });

  const answerOf = (token: string): Json | undefined =>
    h.fake.messages.get(h.fake.originals.get(token) as string);

  it("streams into content, then makes the final edit a CV2 container: answer, footer, green accent", async () => {
    h = await startDiscordHarness({ env: NATIVE });
    const { token } = runCommand(h.fake, { name: "moa", options: [opt("prompt", "cv2 please")] });
    await h.idle();
    const msg = answerOf(token);
    expect(Number(msg?.flags) & (1 << 15)).toBe(1 << 15);
    expect(msg?.content).toBe("");
    const components = (msg?.components as Json[]) ?? [];
    expect(components).toHaveLength(1);
    expect(components[0]).toMatchObject({ type: 17, accent_color: 0x57f287 });
    const texts = textDisplays(components);
    expect(texts[0]).toContain("The answer.");
    expect(texts[1]).toMatch(/^-# preset default · /);
    // Only the final edit switched: earlier edits were plain content.
    const edits = h.fake.callsTo("PATCH", /\/messages\/@original$/);
    expect(edits.at(-1)?.body).toMatchObject({ flags: 1 << 15, content: "" });
    for (const e of edits.slice(0, -1)) expect(e.body?.flags).toBeUndefined();
    expect(h.fake.unhandled).toEqual([]);
  });

  it("the CV2 final carries 👍/👎 and Regenerate in one row; a Regenerate press re-runs the aggregator into that message, still CV2", async () => {
    let n = 0;
    const agg = { reply: () => (++n === 1 ? "The first answer." : "A better answer.") };
    h = await startDiscordHarness({ env: NATIVE, models: { agg } });
    const { token } = runCommand(h.fake, { name: "moa", options: [opt("prompt", "regen cv2")] });
    await h.idle();
    const answerId = h.fake.originals.get(token) as string;
    const before = h.fake.messages.get(answerId);
    expect(Number(before?.flags) & CV2).toBe(CV2);
    const container = ((before?.components as Json[]) ?? [])[0] as Json;
    expect(container.type).toBe(17);
    // The same ids the edit path's buttons carry, in one Action Row inside the Container.
    const rows = (container.components as Json[]).filter((c) => c.type === 1);
    expect(rows).toHaveLength(1);
    const ids = buttonIds(h.fake, answerId);
    expect(ids).toEqual([
      expect.stringMatching(/^moa_fb:up:[0-9a-f-]{36}$/),
      expect.stringMatching(/^moa_fb:down:[0-9a-f-]{36}$/),
      expect.stringMatching(/^moa_regen:[0-9a-f-]{36}$/),
    ]);
    const regen = String(ids[2]);
    expect(regen.slice("moa_regen:".length)).toBe(String(ids[0]).slice("moa_fb:up:".length));

    const press = pressButton(h.fake, { messageId: answerId, customId: regen });
    const ack = await h.fake.waitForCall(
      "POST",
      new RegExp(`^/interactions/${press.id}/[^/]+/callback$`),
    );
    expect(ack.body).toMatchObject({ type: 6 });
    await expect
      .poll(
        () => textDisplays((h.fake.messages.get(answerId)?.components as Json[]) ?? []).join("\n"),
        {
          timeout: 10_000,
        },
      )
      .toContain("regenerated from the stored drafts");
    await h.idle();
    expect(h.models.requestsFor("p1")).toHaveLength(1);
    expect(h.models.requestsFor("p2")).toHaveLength(1);
    expect(h.models.requestsFor("agg")).toHaveLength(2);
    // Every edit of the regenerate was accepted (none tried plain content on the CV2 message).
    const edits = h.fake.callsTo("PATCH", new RegExp(`/messages/${answerId}$`));
    expect(edits.length).toBeGreaterThan(0);
    for (const e of edits) expect(e.status).toBe(200);
    const after = h.fake.messages.get(answerId);
    expect(Number(after?.flags) & CV2).toBe(CV2);
    const shown = (after?.components as Json[]) ?? [];
    expect(shown[0]).toMatchObject({ type: 17, accent_color: 0x57f287 });
    const texts = textDisplays(shown);
    expect(texts[0]).toContain("A better answer.");
    expect(texts.join("\n")).not.toContain("The first answer.");
    expect(texts[1]).toMatch(/^-# regenerated from the stored drafts · preset default · /);
    // The old answer is noted in the drafts thread; the new one is a run of its own.
    const inThread = [...h.fake.messages.values()].filter((m) => m.channel_id === answerId);
    expect(inThread.some((m) => String(m.content).includes("The first answer."))).toBe(true);
    const again = buttonIds(h.fake, answerId);
    expect(again).toHaveLength(3);
    expect(again[2]).toMatch(/^moa_regen:/);
    expect(again[2]).not.toBe(regen);
    expect(h.fake.unhandled).toEqual([]);
  });

  /** Numbered lines of 41 chars each, as tokens (so each line is findable). */
  const lines = (n: number): string[] =>
    Array.from(
      { length: n },
      (_, i) => `Line ${String(i).padStart(4, "0")} of a long answer, lorem ipsum.\n`,
    );
  /** Where each answer line ended up: the CV2 answer display, and the thread messages after the drafts. */
  const placed = (answerId: string) => {
    const msg = h.fake.messages.get(answerId);
    const shown = textDisplays((msg?.components as Json[]) ?? [])[0] ?? String(msg?.content ?? "");
    const thread = [...h.fake.messages.values()]
      .filter((m) => m.channel_id === answerId)
      .map((m) => String(m.content))
      .filter((c) => c.includes("Line "));
    return { shown, thread };
  };
  const count = (texts: string[], line: string) =>
    texts.reduce((n, t) => n + t.split(line.trim()).length - 1, 0);

  it("the CV2 final uses its 4,000 chars: a 3,000-char answer is shown whole, none of it in the thread", async () => {
    const answer = lines(60);
    h = await startDiscordHarness({ env: NATIVE, models: { agg: { reply: answer } } });
    const { token } = runCommand(h.fake, { name: "moa", options: [opt("prompt", "long")] });
    await h.idle();
    const { shown, thread } = placed(h.fake.originals.get(token) as string);
    expect(shown.length).toBeGreaterThan(2_000);
    for (const line of answer) expect(shown).toContain(line.trim());
    expect(shown).not.toContain("continued in the thread");
    expect(thread).toEqual([]);
  });

  it("a longer answer fills the CV2 final, the rest goes to the thread in <=2,000-char posts; nothing lost, nothing twice", async () => {
    const answer = lines(200); // ~8,200 chars
    h = await startDiscordHarness({ env: NATIVE, models: { agg: { reply: answer } } });
    const { token } = runCommand(h.fake, { name: "moa", options: [opt("prompt", "longer")] });
    await h.idle();
    const { shown, thread } = placed(h.fake.originals.get(token) as string);
    expect(shown.length).toBeGreaterThan(3_000);
    expect(shown).toContain("continued in the thread");
    expect(thread.length).toBeGreaterThanOrEqual(3);
    for (const t of thread) expect(t.length).toBeLessThanOrEqual(2_000);
    for (const line of answer) expect(count([shown, ...thread], line)).toBe(1);
  });

  it("a multi-byte answer too big for CV2's byte budget at 4,000 chars keeps the 2,000-char final; nothing lost", async () => {
    // 3 bytes per char (full-width digits too): 3,600 chars would be ~10,800 bytes, over the budget.
    const wide = (i: number) =>
      [...String(i).padStart(4, "0")].map((d) => String.fromCharCode(0xff10 + Number(d))).join("");
    const answer = Array.from(
      { length: 120 },
      (_, i) => `行${wide(i)}長い答えの文章です。日本語の文章が続きます、ここまで。\n`,
    );
    h = await startDiscordHarness({ env: NATIVE, models: { agg: { reply: answer } } });
    const { token } = runCommand(h.fake, { name: "moa", options: [opt("prompt", "日本語")] });
    await h.idle();
    const answerId = h.fake.originals.get(token) as string;
    const msg = h.fake.messages.get(answerId);
    expect(Number(msg?.flags) & CV2).toBe(CV2);
    const shown = textDisplays((msg?.components as Json[]) ?? [])[0] ?? "";
    expect(shown.length).toBeLessThanOrEqual(2_000);
    const thread = [...h.fake.messages.values()]
      .filter((m) => m.channel_id === answerId)
      .map((m) => String(m.content));
    for (const line of answer) expect(count([shown, ...thread], line)).toBe(1);
  });

  it("when Discord refuses CV2 the long answer goes out as content (<=2,000) plus thread posts; nothing lost", async () => {
    const answer = lines(90);
    h = await startDiscordHarness({ env: NATIVE, models: { agg: { reply: answer } } });
    refuseCv2(h.fake);
    const { token } = runCommand(h.fake, { name: "moa", options: [opt("prompt", "refused")] });
    await h.idle();
    const answerId = h.fake.originals.get(token) as string;
    expect(Number(h.fake.messages.get(answerId)?.flags) & CV2).toBe(0);
    const { shown, thread } = placed(answerId);
    expect(shown.length).toBeLessThanOrEqual(2_000);
    for (const line of answer) expect(count([shown, ...thread], line)).toBe(1);
  });

  it("a partial run (one proposer failed) gets the yellow accent and names the failure", async () => {
    h = await startDiscordHarness({
      env: NATIVE,
      models: { p2: { always: { kind: "status", status: 500, message: "p2 down" } } },
    });
    const { token } = runCommand(h.fake, { name: "moa", options: [opt("prompt", "partial")] });
    await h.idle();
    const components = (answerOf(token)?.components as Json[]) ?? [];
    expect(components[0]).toMatchObject({ type: 17, accent_color: 0xfee75c });
    expect(textDisplays(components)[1]).toContain("failed: p2");
  });

  it("falls back to plain content when the API refuses Components V2; the answer is shown", async () => {
    h = await startDiscordHarness({ env: NATIVE });
    refuseCv2(h.fake);
    const { token } = runCommand(h.fake, { name: "moa", options: [opt("prompt", "no cv2")] });
    await h.idle();
    const msg = answerOf(token);
    expect(Number(msg?.flags) & (1 << 15)).toBe(0);
    expect(String(msg?.content)).toContain("The answer.");
    const refused = h.fake
      .callsTo("PATCH", /\/messages\/@original$/)
      .filter((c) => c.body?.flags !== undefined);
    expect(refused).toHaveLength(1);
  });

  it("shows typing in the channel while proposers run, refreshed before it expires (~10 s)", async () => {
    h = await startDiscordHarness({
      env: NATIVE,
      models: { p1: { reply: "slow draft", firstTokenMs: 8_600 } },
    });
    postAsUser(h.fake, { content: "think hard", mentionBot: true });
    await h.idle(30_000);
    const typing = h.fake.callsTo("POST", /\/typing$/);
    expect(typing.length).toBeGreaterThanOrEqual(2);
    expect((typing[1]?.at ?? 0) - (typing[0]?.at ?? 0)).toBeGreaterThanOrEqual(7_500);
    // No typing once the answer is being written.
    const firstAnswerEdit = h.fake
      .callsTo("PATCH", /\/channels\/\d+\/messages\/\d+$/)
      .find((c) => JSON.stringify(c.body ?? {}).includes("The answer"));
    expect(typing.every((t) => t.at <= (firstAnswerEdit?.at ?? Number.POSITIVE_INFINITY))).toBe(
      true,
    );
  }, 40_000);
});
