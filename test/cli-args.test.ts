import { describe, expect, it } from "vitest";
import { parseArgs } from "../src/cli/args.js";
import { UsageError } from "../src/errors.js";

describe("moa CLI arguments", () => {
  it("reads flags in any order, --preset in both spellings, and words after --", () => {
    expect(parseArgs(["ask", "--json", "why", "--preset", "lite", "is", "it"])).toEqual({
      command: "ask",
      question: "why is it",
      preset: "lite",
      showDrafts: false,
      json: true,
    });
    expect(parseArgs(["ask", "--preset=self", "--show-drafts", "q"])).toMatchObject({
      preset: "self",
      showDrafts: true,
    });
    expect(parseArgs(["ask", "q", "--", "--json"])).toMatchObject({
      question: "q --json",
      json: false,
    });
  });

  it("help in every spelling", () => {
    for (const argv of [[], ["help"], ["-h"], ["--help"], ["ask", "q", "-h"], ["ask", "--help"]]) {
      expect(parseArgs(argv)).toEqual({ command: "help" });
    }
  });

  it("usage errors say what is wrong", () => {
    const reason = (argv: string[]) => {
      try {
        parseArgs(argv);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      return "no error";
    };
    expect(reason(["nope"])).toBe('Unknown command "nope".');
    expect(reason(["ask", "--loud", "q"])).toBe('Unknown option "--loud".');
    expect(reason(["ask", "q", "--preset"])).toBe("--preset needs a preset name.");
    expect(reason(["ask", "--preset=", "q"])).toBe("--preset needs a preset name.");
    expect(reason(["ask", "--json"])).toBe('Ask a question, e.g. moa ask "Why is the sky blue?"');
  });
});
