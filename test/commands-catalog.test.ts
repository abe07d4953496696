import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { modelProblem } from "../src/commands/model-policy.js";
import { loadPresetCatalog } from "../src/commands/presets/catalog.js";
import { ConfigError } from "../src/errors.js";
import { modelsOf } from "../src/moa/preset.js";
import { testConfig } from "./fixtures/commands-env.js";

function presetsFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "moa-presets-")), "presets.json");
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError)
      return error.userMessage
        .split("\n")
        .slice(1)
        .map((l) => l.replace(/^ {2}- /, ""));
    throw error;
  }
  throw new Error("expected a ConfigError");
};

describe("built-in presets", () => {
  const catalog = loadPresetCatalog(testConfig());
  const get = (name: string) => catalog.entries.get(name)?.preset;

  it("default comes from MOA_*; lite, self and together are derived or documented data", () => {
    expect([...catalog.entries.keys()]).toEqual(["default", "lite", "self", "together"]);
    expect(get("default")).toMatchObject({
      proposers: ["gpt-4.1-mini", "gpt-4o-mini", "gpt-4.1-nano"],
      aggregator: "gpt-4.1",
      layers: 2,
    });
    expect(get("lite")).toMatchObject({ layers: 2, proposers: get("default")?.proposers });
    expect(get("self")).toMatchObject({
      kind: "self",
      proposers: ["gpt-4.1"],
      samples: 4,
      temperature: 0.7,
      aggregator: "gpt-4.1",
    });
    const together = get("together");
    expect(together).toMatchObject({
      layers: 3,
      aggregator: "together:Qwen/Qwen2.5-72B-Instruct-Turbo",
    });
    expect(together?.proposers).toHaveLength(6);
    expect(modelsOf(together ?? ({} as never)).every((m) => m.startsWith("together:"))).toBe(true);
  });

  it("together becomes usable once a `together` provider is configured", () => {
    const config = testConfig({ MOA_PROVIDER_TOGETHER_BASE_URL: "http://127.0.0.1:9/together/v1" });
    expect(modelProblem("together:deepseek-ai/DeepSeek-V3", config)).toBeUndefined();
  });

  it("a default above the max-tokens ceiling stops startup", () => {
    expect(
      problemsOf(() =>
        loadPresetCatalog(testConfig({ MOA_MAX_TOKENS: "5000", MOA_MAX_TOKENS_CEILING: "4096" })),
      ),
    ).toEqual(["default preset (MOA_*): max tokens 5000 is above this bot's ceiling of 4096"]);
  });
});

describe("MOA_PRESETS_FILE", () => {
  const fast = {
    name: "fast",
    proposers: ["gpt-4.1-nano"],
    aggregator: "gpt-4.1-mini",
    layers: 2,
    temperature: 0.5,
    maxTokens: 500,
  };

  it("adds operator presets, which may replace a built-in other than default", () => {
    const replacement = { ...fast, name: "together", description: "our own" };
    const catalog = loadPresetCatalog(
      testConfig({ MOA_PRESETS_FILE: presetsFile({ presets: [fast, replacement] }) }),
    );
    expect(catalog.entries.get("fast")).toMatchObject({
      origin: "operator",
      preset: { maxTokens: 500, minProposers: 1 },
    });
    expect(catalog.entries.get("together")).toMatchObject({
      origin: "operator",
      preset: { description: "our own" },
    });
  });

  it("a bad file is one ConfigError listing every problem", () => {
    const path = presetsFile([
      fast,
      { ...fast, layers: 9 },
      { ...fast, name: "default" },
      { ...fast, name: "big", maxTokens: 9000 },
      { ...fast, name: "far", aggregator: "nowhere:model" },
      { name: "broken" },
    ]);
    expect(problemsOf(() => loadPresetCatalog(testConfig({ MOA_PRESETS_FILE: path })))).toEqual([
      `MOA_PRESETS_FILE (${path}): preset #2 "fast": layers: Too big: expected number to be <=4`,
      `MOA_PRESETS_FILE (${path}): preset #3 "default": "default" is built from the MOA_* variables; pick another name`,
      `MOA_PRESETS_FILE (${path}): preset #4 "big": max tokens 9000 is above this bot's ceiling of 4096`,
      `MOA_PRESETS_FILE (${path}): preset #5 "far": nowhere:model names provider nowhere, which is not configured here (configured: default, groq)`,
      `MOA_PRESETS_FILE (${path}): preset #6 "broken": proposers: Invalid input: expected array, received undefined`,
      `MOA_PRESETS_FILE (${path}): preset #6 "broken": aggregator: Invalid input: expected string, received undefined`,
      `MOA_PRESETS_FILE (${path}): preset #6 "broken": layers: Invalid input: expected number, received undefined`,
      `MOA_PRESETS_FILE (${path}): preset #6 "broken": temperature: Invalid input: expected number, received undefined`,
      `MOA_PRESETS_FILE (${path}): preset #6 "broken": maxTokens: Invalid input: expected number, received undefined`,
    ]);
  });

  it("a duplicate name, unreadable file, bad JSON or wrong shape is a ConfigError", () => {
    const dup = presetsFile([fast, fast]);
    expect(problemsOf(() => loadPresetCatalog(testConfig({ MOA_PRESETS_FILE: dup })))).toEqual([
      `MOA_PRESETS_FILE (${dup}): preset #2 "fast": name used twice`,
    ]);
    expect(
      problemsOf(() =>
        loadPresetCatalog(testConfig({ MOA_PRESETS_FILE: "/nonexistent/presets.json" })),
      )[0],
    ).toMatch(/^MOA_PRESETS_FILE \(\/nonexistent\/presets.json\): cannot read: Error: ENOENT/);
    const badJson = presetsFile("[{");
    expect(
      problemsOf(() => loadPresetCatalog(testConfig({ MOA_PRESETS_FILE: badJson })))[0],
    ).toMatch(/: not valid JSON: /);
    const shape = presetsFile({ fast });
    expect(problemsOf(() => loadPresetCatalog(testConfig({ MOA_PRESETS_FILE: shape })))).toEqual([
      `MOA_PRESETS_FILE (${shape}): expected a JSON array of presets or {"presets": [...]}`,
    ]);
  });
});

describe("model policy", () => {
  const config = testConfig();
  it.each([
    ["gpt-4o", undefined],
    ["groq:llama-3.3-70b-versatile", undefined],
    ["meta-llama/Llama-3.3-70B-Instruct-Turbo", undefined],
    ["llama3.1:8b", undefined],
    [
      "nope:model",
      "`nope:model` names provider `nope`, which is not configured here (configured: default, groq)",
    ],
    [
      "http://evil/v1",
      "`http://evil/v1` is not a model id (letters, digits and . - _ / : @ only, no URLs)",
    ],
    ["a b", "`a b` is not a model id (letters, digits and . - _ / : @ only, no URLs)"],
  ])("%j", (model, problem) => {
    expect(modelProblem(model, config)).toBe(problem);
  });
});
