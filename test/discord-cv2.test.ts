import { describe, expect, it } from "vitest";
import {
  CV2_MAX_TEXT_BYTES,
  CV2_MAX_TEXT_CHARS,
  cv2Final,
  textBytes,
} from "../src/bots/discord/cv2-final.js";
import { initialView, type RunView } from "../src/view/run-view.js";
import { allComponents, cv2Refusal, textDisplays } from "./fake-discord-cv2.js";
import type { Json } from "./fake-discord-payloads.js";

const done = (): RunView => ({ ...initialView("default"), phase: "done", layers: 2 });
const plainMessage = (): Json => ({ id: "1", content: "interim", flags: 0, components: [] });
const check = (body: Json) => cv2Refusal({}, plainMessage(), body);

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
