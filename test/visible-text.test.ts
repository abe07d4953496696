import { describe, expect, it } from "vitest";
import { trimInvisible } from "../src/commands/visible-text.js";

describe("trimInvisible", () => {
  it("empties text that draws nothing", () => {
    for (const text of ["\u200b\u200b", "\u200f\u200e", "\u0000\u0008\u001f", " \u2066\u2069\t"])
      expect(trimInvisible(text)).toBe("");
  });

  it("keeps a real question exactly as typed inside, trimming only the ends", () => {
    expect(trimInvisible("\u200b what is\u200dMoA? \u200f")).toBe("what is\u200dMoA?");
    expect(trimInvisible("שלום")).toBe("שלום");
    expect(trimInvisible("👍🏽")).toBe("👍🏽");
    const england = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}";
    expect(trimInvisible(`go ${england}`)).toBe(`go ${england}`);
  });
});
