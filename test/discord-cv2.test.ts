import { describe, expect, it } from "vitest";
import {
  CV2_MAX_TEXT_BYTES,
  CV2_MAX_TEXT_CHARS,
  cv2Final,
  cv2Text,
  textBytes,
} from "../src/bots/discord/cv2-final.js";
import { feedbackRows } from "../src/bots/discord/feedback-buttons.js";
import { initialView, type RunView } from "../src/view/run-view.js";
import { allComponents, cv2Refusal, postRefusal, textDisplays } from "./fake-discord-cv2.js";
import type { Json } from "./fake-discord-payloads.js";

const done = (): RunView => ({ ...initialView("default"), phase: "done", layers: 2 });
const plainMessage = (): Json => ({ id: "1", content: "interim", flags: 0, components: [] });
const check = (body: Json) => cv2Refusal({}, plainMessage(), body);
const buttonsOf = (body: { components: unknown[] }) =>
  allComponents(body.components as Json[])
    .filter((c) => c.type === 2)
    .map((c) => c.custom_id);

describe("Components V2 final payload", () => {
  it("fits 4,000 chars across text displays; the rest comes back", () => {
    const answer = "a".repeat(5_000);
    const { body, rest } = cv2Final(done(), answer);
    const texts = textDisplays(body.components as unknown as Json[]);
    expect(texts.join("").length).toBeLessThanOrEqual(CV2_MAX_TEXT_CHARS);
    expect((texts[0] ?? "") + rest).toBe(answer);
    expect(check(body as unknown as Json)).toBeUndefined();
  });

  it("stays below the ~10,170-byte server limit for multi-byte text (which the fake answers with 500)", () => {
    const answer = "日本語".repeat(1_300); // 3,900 chars, 11,700 bytes
    const { body, rest } = cv2Final(done(), answer);
    const texts = textDisplays(body.components as unknown as Json[]);
    expect(textBytes(texts)).toBeLessThan(CV2_MAX_TEXT_BYTES);
    expect(rest.length).toBeGreaterThan(0);
    expect((texts[0] ?? "") + rest).toBe(answer);
    expect(check(body as unknown as Json)).toBeUndefined();
    // The same text unclipped is what Discord fails on.
    const raw = { ...body, components: [{ type: 10, content: answer }] };
    expect(check(raw as unknown as Json)?.status).toBe(500);
  });

  it("never splits an emoji's surrogate pair at the cut", () => {
    const answer = "😀".repeat(3_000);
    const { body, rest } = cv2Final(done(), answer);
    const shown = textDisplays(body.components as unknown as Json[])[0] ?? "";
    expect(shown.length % 2).toBe(0);
    expect(shown + rest).toBe(answer);
  });

  it("adds 👍/👎 buttons with moa_fb:up:/down: ids for a feedback key, within the component cap", () => {
    const { body } = cv2Final(done(), "ok", { feedbackKey: "discord:1:2:3" });
    const all = allComponents(body.components as unknown as Json[]);
    expect(all.length).toBeLessThanOrEqual(40);
    expect(all.filter((c) => c.type === 2).map((c) => c.custom_id)).toEqual([
      "moa_fb:up:discord:1:2:3",
      "moa_fb:down:discord:1:2:3",
    ]);
    expect(check(body as unknown as Json)).toBeUndefined();
  });

  it("carries the edit path's row (👍/👎 and Regenerate, same custom ids) inside the Container", () => {
    const key = "0b7e6a52-5b8f-4d7e-9d6e-3f1c2a4b5c6d";
    const controls = { feedbackKey: key, regenerateKey: key };
    const { body } = cv2Final(done(), "ok", controls);
    const container = body.components[0] as unknown as Json;
    const rows = (container.components as Json[]).filter((c) => c.type === 1);
    expect(rows).toEqual(feedbackRows(controls));
    expect(buttonsOf(body)).toEqual([`moa_fb:up:${key}`, `moa_fb:down:${key}`, `moa_regen:${key}`]);
    expect(check(body as unknown as Json)).toBeUndefined();
    // No regenerate key (no stored drafts): no Regenerate button.
    expect(buttonsOf(cv2Final(done(), "ok", { feedbackKey: key }).body)).toHaveLength(2);
  });

  it("a regenerated final says so in its footer", () => {
    const view = { ...done(), regenerated: true };
    const texts = textDisplays(cv2Final(view, "ok").body.components as unknown as Json[]);
    expect(texts[1]).toMatch(/^-# regenerated from the stored drafts · preset default/);
  });

  it("a CV2 message edited as text stays CV2: one Text Display, then the rows at the top level", () => {
    const v2: Json = { id: "1", content: "", flags: 1 << 15, components: [] };
    const body = cv2Text("Regenerating…", feedbackRows({ regenerateKey: "k" }));
    expect(cv2Refusal({}, v2, body as unknown as Json)).toBeUndefined();
    expect(cv2Refusal({}, v2, { content: "Regenerating…" })?.status).toBe(400);
  });

  it("the fake refuses rows and buttons Discord refuses, with or without the flag", () => {
    const button = (id: string, extra: Json = {}): Json => ({
      type: 2,
      style: 2,
      custom_id: id,
      label: "b",
      ...extra,
    });
    const row = (...components: Json[]): Json => ({ type: 1, components });
    const v2 = (...components: Json[]) =>
      check({ flags: 1 << 15, content: null, components: [{ type: 17, components }] });
    const v1 = (...components: Json[]) => check({ content: "x", components });
    const six = Array.from({ length: 6 }, (_, i) => button(`b${i}`));
    expect(v2(row(...six))?.status).toBe(400);
    expect(v1(row(...six))?.status).toBe(400);
    expect(v2(row())?.status).toBe(400);
    expect(v2(row(button("same"), button("same")))?.status).toBe(400);
    expect(v2(row(button("a")), row(button("a")))?.status).toBe(400);
    expect(v2(row(button("x".repeat(101))))?.status).toBe(400);
    expect(v2(row(button("a", { label: "l".repeat(81) })))?.status).toBe(400);
    expect(v2(row(button("a", { label: undefined })))?.status).toBe(400);
    expect(v2(row(row(button("a"))))?.status).toBe(400);
    expect(v2(button("loose"))?.status).toBe(400);
    expect(v1(...Array.from({ length: 6 }, (_, i) => row(button(`r${i}`))))?.status).toBe(400);
    expect(v1({ type: 10, content: "x" })?.status).toBe(400);
    // What the bot sends passes.
    expect(v2(row(...six.slice(0, 5)))).toBeUndefined();
    expect(v1(row(button("a", { label: undefined, emoji: { name: "👍" } })))).toBeUndefined();
    // A new message is checked too.
    expect(postRefusal({ content: "x", components: [row(...six)] })?.status).toBe(400);
    expect(postRefusal({ content: "x", components: [row(button("a"))] })).toBeUndefined();
  });

  it("the fake refuses what Discord refuses: no flag, content alongside, >40 components, unknown types", () => {
    expect(check({ components: [{ type: 10, content: "x" }] })?.status).toBe(400);
    expect(
      check({ flags: 1 << 15, content: "still here", components: [{ type: 10, content: "x" }] })
        ?.status,
    ).toBe(400);
    const many = Array.from({ length: 41 }, () => ({ type: 10, content: "x" }));
    expect(
      check({ flags: 1 << 15, content: null, components: [{ type: 17, components: many }] })
        ?.status,
    ).toBe(400);
    expect(check({ flags: 1 << 15, content: null, components: [{ type: 99 }] })?.status).toBe(400);
    const v2: Json = { id: "1", content: "", flags: 1 << 15, components: [] };
    expect(cv2Refusal({}, v2, { flags: 0, content: "back to v1" })?.status).toBe(400);
  });
});
