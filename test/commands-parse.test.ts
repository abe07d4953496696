import { describe, expect, it } from "vitest";
import { parseText } from "../src/commands/parse.js";
import { COMMANDS, commandText } from "../src/commands/registry.js";
import { tokenize } from "../src/commands/tokenize.js";
import { UsageError } from "../src/errors.js";

const usage = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) return error.userMessage;
    throw error;
  }
  throw new Error("expected a UsageError");
};

describe("tokenize", () => {
  it.each([
    ["", []],
    ["  layers=3   temperature=0.5 ", ["layers=3", "temperature=0.5"]],
    ['aggregator="my model"', ["aggregator=my model"]],
    ['"quoted word" plain', ["quoted word", "plain"]],
    ['proposers="a, b",c', ["proposers=a, b,c"]],
    ['x=""', ["x="]],
    ['say="he said \\"hi\\""', ['say=he said "hi"']],
    ["aggregator=\u201Cmy model\u201D", ["aggregator=my model"]],
    ["back\\slash", ["back\\slash"]],
  ])("%j -> %j", (text, tokens) => {
    expect(tokenize(text)).toEqual(tokens);
  });

  it.each([
    [
      'aggregator="gpt 4',
      'The quote at character 12 is never closed (near `aggregator="gpt 4`). Close it after the value, e.g. `aggregator="my model"`.',
    ],
    [
      'layers=3 "x',
      'The quote at character 10 is never closed (near `layers=3 "x`). Close it after the value, e.g. `aggregator="my model"`.',
    ],
  ])("unbalanced %j", (text, message) => {
    expect(usage(() => tokenize(text))).toBe(message);
  });
});

describe("parseText", () => {
  const parsed = (text: string) => {
    const p = parseText(text, COMMANDS);
    return p.kind === "question"
      ? { question: p.question }
      : { command: p.spec.path.join(" "), rest: p.rest };
  };

  it.each([
    ["", { command: "help", rest: "" }],
    ["   ", { command: "help", rest: "" }],
    ["help", { command: "help", rest: "" }],
    ["HELP preset set", { command: "help", rest: "preset set" }],
    ["help me write a poem", { question: "help me write a poem" }],
    ["ask what is MoA?", { command: "ask", rest: "what is MoA?" }],
    ["ask preset use lite", { command: "ask", rest: "preset use lite" }],
    ["What is MoA?", { question: "What is MoA?" }],
    ['He said "hi', { question: 'He said "hi' }],
    ["presets", { command: "presets", rest: "" }],
    ["presets for a dinner party?", { question: "presets for a dinner party?" }],
    ["preset", { command: "preset show", rest: "" }],
    ["preset show", { command: "preset show", rest: "" }],
    ["Preset Use lite", { command: "preset use", rest: "lite" }],
    ['preset set aggregator="a b"', { command: "preset set", rest: 'aggregator="a b"' }],
    ["preset save team", { command: "preset save", rest: "team" }],
    ["preset reset", { command: "preset reset", rest: "" }],
    ["why?", { question: "why?" }],
    ["hello", { question: "hello" }],
    ["prest is a typo in this sentence", { question: "prest is a typo in this sentence" }],
  ])("%j", (text, expected) => {
    expect(parsed(text)).toEqual(expected);
  });

  it.each([
    [
      "preset sett layers=3",
      "Unknown `preset` subcommand `sett`. Did you mean `preset set`? Try: `preset`, `preset use <name>`, `preset set key=value ...`, `preset save <name>`, `preset reset`.",
    ],
    [
      "preset frobnicate",
      "Unknown `preset` subcommand `frobnicate`. Try: `preset`, `preset use <name>`, `preset set key=value ...`, `preset save <name>`, `preset reset`.",
    ],
    [
      "hlep",
      "Unknown command `hlep`. Did you mean `help [command]`? To ask a question that starts with that word, write `ask hlep`.",
    ],
    [
      "prest use lite",
      "Unknown command `prest`. Did you mean `preset use <name>`? To ask a question that starts with that word, write `ask prest use lite`.",
    ],
    [
      "presetz",
      "Unknown command `presetz`. Did you mean `presets`? To ask a question that starts with that word, write `ask presetz`.",
    ],
  ])("%j is refused", (text, message) => {
    expect(usage(() => parseText(text, COMMANDS))).toBe(message);
  });
});

describe("registry", () => {
  it("every command text rendered from Discord options parses back to that command", () => {
    const sample: Record<string, string> = {
      question: "What is MoA?",
      command: "preset set",
      name: "lite",
      values: 'layers=3 aggregator="my model"',
      preset: "self",
    };
    for (const spec of COMMANDS) {
      const text = commandText(spec, sample);
      const p = parseText(text, COMMANDS);
      expect(p.kind === "command" && p.spec, text).toBe(spec);
    }
  });

  it("metadata fits Discord's limits", () => {
    for (const spec of COMMANDS) {
      expect(spec.summary.length, spec.usage).toBeLessThanOrEqual(100);
      for (const o of spec.options) {
        expect(o.name).toMatch(/^[a-z0-9_-]{1,32}$/);
        expect(o.description.length).toBeLessThanOrEqual(100);
      }
    }
  });
});
