import { describe, expect, it } from "vitest";
import {
  editDelay,
  openFence,
  shouldEdit,
  splitForLimit,
  threadName,
} from "../src/bots/render-policy.js";

/** Drops fence lines and whitespace: what must survive any split unchanged. */
const content = (s: string) => s.replace(/^\s{0,3}(```|~~~).*$/gm, "").replace(/\s+/g, "");

describe("splitForLimit", () => {
  const para = (n: number) => `Paragraph ${n} ${"lorem ipsum ".repeat(8).trim()}.`;

  it("returns short text unchanged", () => {
    expect(splitForLimit("hello", 100)).toEqual(["hello"]);
  });

  it("splits on paragraph boundaries and loses nothing", () => {
    const text = Array.from({ length: 30 }, (_, i) => para(i)).join("\n\n");
    const chunks = splitForLimit(text, 400);
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(400);
    for (const c of chunks.slice(0, -1)) expect(c.endsWith(".\n\n") || c.endsWith(".")).toBe(true);
    expect(chunks.join("")).toBe(text);
  });

  it("closes and re-opens a code fence cut by a split", () => {
    const code = Array.from({ length: 60 }, (_, i) => `const v${i} = ${i};`).join("\n");
    const text = `Intro\n\n\`\`\`ts\n${code}\n\`\`\`\n\nOutro`;
    const chunks = splitForLimit(text, 300);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(300);
      expect(openFence(c)).toBeUndefined();
    }
    expect(chunks[1]?.startsWith("```ts\n")).toBe(true);
    expect(content(chunks.join("\n"))).toBe(content(text));
  });

  it("hard-cuts a text with no break and still loses nothing", () => {
    const text = "x".repeat(1000);
    const chunks = splitForLimit(text, 100);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(100);
    expect(chunks.join("")).toBe(text);
  });

  it("keeps tilde fences and longer backtick fences apart", () => {
    expect(openFence("~~~py\nx = 1")).toBe("~~~py");
    expect(openFence("````\n```\nstill open")).toBe("````");
    expect(openFence("```\na\n```")).toBeUndefined();
  });
});

describe("edit throttle", () => {
  it("allows the first edit and then one per interval", () => {
    expect(shouldEdit(undefined, 0, 1000)).toBe(true);
    expect(shouldEdit(1000, 1500, 1000)).toBe(false);
    expect(shouldEdit(1000, 2000, 1000)).toBe(true);
    expect(editDelay(1000, 1500, 1000)).toBe(500);
    expect(editDelay(1000, 5000, 1000)).toBe(0);
  });
});

describe("threadName", () => {
  it("is one line of 1..100 chars", () => {
    expect(threadName("  what\nis   MoA? ")).toBe("what is MoA?");
    expect(threadName("")).toBe("MoA drafts");
    expect(threadName("q".repeat(300))).toHaveLength(100);
  });
});
