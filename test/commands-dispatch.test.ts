import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dispatch } from "../src/commands/dispatch.js";
import type { Invocation } from "../src/commands/invocation.js";
import { helpText } from "../src/commands/registry.js";
import type { Kv } from "../src/store/kv.js";
import { channelPresetKey, conversationKey, savedPresetsKey } from "../src/store/store-keys.js";
import { slackInvocation, tempSqliteKv, testDeps } from "./fixtures/commands-env.js";

let kv: Kv;
let env: ReturnType<typeof testDeps>;
beforeEach(() => {
  kv = tempSqliteKv().kv;
  env = testDeps(kv);
});
afterEach(async () => {
  await kv.close();
});

const run = (over: Partial<Invocation>) => dispatch(slackInvocation(over), env.deps);
const as = (text: string, over: Partial<Invocation> = {}) =>
  run({ userId: "UADMIN", text, ...over });
async function reply(over: Partial<Invocation>): Promise<string> {
  const result = await run(over);
  if (result.kind !== "reply") throw new Error(`expected a reply, got ${JSON.stringify(result)}`);
  expect(result.ephemeral).toBe(true);
  return result.text;
}
async function runPreset(over: Partial<Invocation> = {}) {
  const result = await run({ text: "What is MoA?", ...over });
  if (result.kind !== "run") throw new Error(`expected a run, got ${JSON.stringify(result)}`);
  return result;
}

describe("help", () => {
  it("empty text and `help` show usage generated from the registry", async () => {
    expect(await reply({ text: "" })).toBe(helpText());
    expect(await reply({ text: "help" })).toBe(helpText());
    for (const usage of [
      "`ask <question>`",
      "`presets`",
      "`preset use <name>`",
      "`preset set key=value ...`",
      "`preset save <name>`",
      "`preset reset`",
    ]) {
      expect(helpText()).toContain(usage);
    }
  });

  it("`help preset set` lists every key with an example", async () => {
    const text = await reply({ text: "help preset set" });
    expect(text.split("\n")[0]).toBe(
      "`preset set key=value ...`: Change settings of this channel's preset; keys you leave out keep their value (preset editors)",
    );
    expect(text).toContain(
      "- `deadline`: per-layer wait for stragglers once min_proposers answered (20s, 1500ms, off), e.g. `deadline=20s`",
    );
    expect(text).toContain(
      "- `self`: Self-MoA: one model sampled N times (model*N, N 1-8; off for a mixture again), e.g. `self=gpt-4.1-mini*4`",
    );
  });

  it("commands without arguments refuse extra words", async () => {
    expect(await reply({ text: "preset reset now", userId: "UADMIN" })).toBe(
      "`preset reset` takes nothing after it; got `now`.",
    );
  });
});

describe("presets and preset", () => {
  it("`presets` lists built-in presets, marks the one in force and says which cannot run here", async () => {
    const lines = (await reply({ text: "presets" })).split("\n");
    expect(lines[0]).toBe("**Presets here** (▸ = in use in this channel)");
    expect(lines[1]).toBe(
      "▸ `default` (built-in): Built from the MOA_* environment variables. mixture, 2 layers, 3 proposers, aggregator gpt-4.1",
    );
    expect(lines[2]).toMatch(/^- `lite` \(built-in\): MoA-Lite/);
    expect(lines[3]).toBe(
      "- `self` (built-in): Self-MoA: gpt-4.1 sampled 4 times, then aggregating its own answers. self, 2 layers, gpt-4.1 ×4, aggregator gpt-4.1",
    );
    expect(lines[4]).toMatch(
      /^- `together` \(built-in\): .* \(unavailable here: `together:Qwen\/Qwen2.5-72B-Instruct-Turbo` names provider `together`, which is not configured here \(configured: default, groq\)\)$/,
    );
    expect(lines.at(-1)).toBe("Switch with `preset use <name>`.");
  });

  it("`preset` shows the channel's preset in full", async () => {
    expect(await reply({ text: "preset" })).toBe(
      [
        "**This channel's preset: `default`** (`default`)",
        "- kind: mixture (different models)",
        "- layers: 2 (1 proposer layer + aggregator)",
        "- proposers: `gpt-4.1-mini`, `gpt-4o-mini`, `gpt-4.1-nano`",
        "- aggregator: `gpt-4.1`",
        "- temperature: 0.7",
        "- max tokens: 1024 per call",
        "- min proposers: 1 per layer",
        "- deadline: off",
        "- style: paper",
        "- early agreement exit: off",
        "- limits: at most 8 proposers per layer, 1-4 layers, temperature 0-2, max tokens up to 4096; each call times out after 2m",
      ].join("\n"),
    );
    expect(await reply({ text: "preset show" })).toMatch(
      /^\*\*This channel's preset: `default`\*\*/,
    );
  });
});

describe("preset use / save / reset", () => {
  it("use switches the channel, runs use it, and other channels keep the default", async () => {
    expect((await as("preset use LITE")).kind).toBe("reply");
    expect(await reply({ text: "preset" })).toMatch(
      /^\*\*This channel's preset: `lite`\*\* \(`lite`, set by <@UADMIN> on 2025-06-01\)/,
    );
    expect((await runPreset()).preset.name).toBe("lite");
    expect((await runPreset({ channelId: "C2" })).preset.name).toBe("default");
    expect((await reply({ text: "presets" })).split("\n")[2]).toMatch(/^▸ `lite`/);
  });

  it("use refuses unknown presets with a suggestion, and presets that cannot run here", async () => {
    expect(await reply({ userId: "UADMIN", text: "preset use lit" })).toBe(
      "Unknown preset `lit`. Did you mean `lite`? Available: default, lite, self, together.",
    );
    expect(await reply({ userId: "UADMIN", text: "preset use together" })).toBe(
      "Preset `together` cannot run here: `together:Qwen/Qwen2.5-72B-Instruct-Turbo` names provider `together`, which is not configured here (configured: default, groq).",
    );
    expect(await reply({ userId: "UADMIN", text: "preset use" })).toBe(
      "`preset use` takes one preset name, e.g. `preset use lite`; `presets` lists them.",
    );
  });

  it("save stores the channel's preset for the workspace; another channel can use it", async () => {
    await as("preset set layers=3 temperature=0.3");
    expect(await reply({ userId: "UADMIN", text: "preset save deep" })).toBe(
      "Saved `deep` for this whole workspace: mixture, 3 layers, 3 proposers, aggregator gpt-4.1. Any channel can use it with `preset use deep`.",
    );
    await as("preset use deep", { channelId: "C2" });
    const { preset } = await runPreset({ channelId: "C2" });
    expect(preset).toMatchObject({ name: "deep", layers: 3, temperature: 0.3 });
    expect(await reply({ text: "presets", channelId: "C2" })).toContain(
      "▸ `deep` (saved by <@UADMIN>): Saved from <#C1>.",
    );
    // Saved presets are per workspace.
    expect(await reply({ userId: "UADMIN", text: "preset use deep", workspaceId: "T2" })).toMatch(
      /^Unknown preset `deep`/,
    );
    expect(await reply({ userId: "UADMIN", text: "preset save deep" })).toMatch(
      /It replaces the earlier preset of that name\.$/,
    );
  });

  it("save refuses bad and built-in names", async () => {
    expect(await reply({ userId: "UADMIN", text: "preset save lite" })).toBe(
      "`lite` is a built-in preset name; pick another, e.g. `preset save my-lite`.",
    );
    expect(await reply({ userId: "UADMIN", text: "preset save -bad!" })).toBe(
      "`-bad!` is not a valid preset name: use 1-32 of a-z 0-9 _ -, starting with a letter or digit, e.g. `preset save team-deep`.",
    );
    expect(await reply({ userId: "UADMIN", text: 'preset save "two words"' })).toMatch(
      /^`two words` is not a valid preset name/,
    );
  });

  it("reset puts the channel back on the default", async () => {
    await as("preset use self");
    expect(await reply({ userId: "UADMIN", text: "preset reset" })).toBe(
      "This channel is back on `default`: mixture, 2 layers, 3 proposers, aggregator gpt-4.1.",
    );
    expect((await runPreset()).preset.name).toBe("default");
  });
});

describe("runs and conversation memory", () => {
  it("a question runs the channel's preset with the new user turn", async () => {
    const result = await runPreset({ text: "  ask   What is MoA?  " });
    expect(result).toEqual({
      kind: "run",
      preset: env.deps.catalog.defaultPreset,
      messages: [{ role: "user", content: "What is MoA?" }],
      question: "What is MoA?",
    });
    expect(await reply({ text: "ask" })).toBe(
      "`ask` needs a question, e.g. `ask What is Mixture-of-Agents?`",
    );
  });

  it("in a thread with memory, the history comes first; a thread-reply is always a question", async () => {
    const key = conversationKey({
      platform: "slack",
      workspaceId: "T1",
      channelId: "C1",
      threadId: "1700.1",
    });
    await env.deps.stores.conversations.append(key, [
      { role: "user", content: "first question" },
      { role: "assistant", content: "first answer" },
    ]);
    const result = await runPreset({
      source: "thread-reply",
      threadId: "1700.1",
      text: "help me go further",
    });
    expect(result.messages).toEqual([
      { role: "user", content: "first question" },
      { role: "assistant", content: "first answer" },
      { role: "user", content: "help me go further" },
    ]);
  });

  it("a thread-reply in a thread without memory, or without text, is ignored", async () => {
    expect(await run({ source: "thread-reply", threadId: "999.9", text: "hello" })).toEqual({
      kind: "ignore",
      reason: "thread has no conversation with the bot",
    });
    expect(await run({ source: "thread-reply", threadId: "999.9", text: "  " })).toEqual({
      kind: "ignore",
      reason: "empty thread reply",
    });
  });

  it("presetOverride picks a preset for one run; unknown ones are refused", async () => {
    expect((await runPreset({ presetOverride: "self" })).preset.kind).toBe("self");
    expect(await reply({ text: "What?", presetOverride: "nope" })).toBe(
      "Unknown preset `nope`. Available: default, lite, self, together.",
    );
  });
});

describe("stored values that are corrupt or stale", () => {
  it("a corrupt channel value is logged and the default applies", async () => {
    const scope = { platform: "slack", workspaceId: "T1", channelId: "C1" };
    await kv.set(channelPresetKey(scope), {
      v: 1,
      choice: { kind: "custom", preset: { layers: 99 } },
    });
    expect((await runPreset()).preset.name).toBe("default");
    expect(env.log.lines.map((l) => l.msg)).toContain(
      "store: value has an unknown shape; treated as absent",
    );
  });

  it("a channel whose saved preset disappeared falls back to the default with a note", async () => {
    await as("preset save team");
    await as("preset use team");
    await kv.delete(savedPresetsKey({ platform: "slack", workspaceId: "T1" }));
    expect((await runPreset()).preset.name).toBe("default");
    expect(await reply({ text: "preset" })).toMatch(
      /\(`default` \(the chosen preset `team` no longer exists; using the default\)\)/,
    );
  });

  it("a stored preset whose model the operator has since banned falls back to the default", async () => {
    await as("preset set aggregator=groq:llama-3.3-70b-versatile");
    const strict = testDeps(kv, { MOA_ALLOWED_MODELS: "gpt-4.1" });
    const result = await dispatch(slackInvocation({ text: "What?" }), strict.deps);
    expect(result.kind === "run" && result.preset.name).toBe("default");
  });
});
