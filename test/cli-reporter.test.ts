import { describe, expect, it } from "vitest";
import { textReporter } from "../src/cli/reporter.js";
import type { MoaEvent } from "../src/moa/events.js";

const usage = { inputTokens: 10, outputTokens: 3 };
const tag = (index: number, model: string) => ({ layer: 1, index, model });

describe("CLI live block on a TTY", () => {
  it("draws the shared progress line of each proposer, code marks turned bold", () => {
    let err = "";
    let out = "";
    const reporter = textReporter(
      {
        out: {
          write: (t: string) => {
            out += t;
            return true;
          },
        },
        err: {
          write: (t: string) => {
            err += t;
            return true;
          },
          isTTY: true,
        },
      },
      false,
    );
    const events: MoaEvent[] = [
      { type: "proposer-start", ...tag(0, "p1") },
      { type: "proposer-start", ...tag(1, "p2") },
      {
        type: "proposer-end",
        ...tag(0, "p1"),
        draft: { ...tag(0, "p1"), text: "A", latencyMs: 1234, usage },
      },
      {
        type: "proposer-error",
        ...tag(1, "p2"),
        error: { code: "http", message: "HTTP 500" },
        skipped: false,
        latencyMs: 800,
      },
      { type: "layer-end", layer: 1, succeeded: 1, failed: 1, skipped: 0 },
    ];
    try {
      for (const e of events) reporter.event(e);
    } finally {
      reporter.close();
    }
    // The final state of the block stays on screen above the layer summary.
    expect(err).toContain(
      "  [layer 1] ✅ \x1b[1mp1\x1b[22m — 1.2s · 3 tokens\n  [layer 1] ❌ \x1b[1mp2\x1b[22m — failed: HTTP 500\n[layer 1] 1 draft, 1 failed, 0 skipped\n",
    );
    expect(out).toBe("");
  });
});
