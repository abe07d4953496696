import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dispatch } from "../src/commands/dispatch.js";
import { SET_KEYS } from "../src/commands/preset-set-keys.js";
import {
  DEFAULT_SELF_SAMPLES,
  type Preset,
  PresetSchema,
  presetFieldBounds,
} from "../src/moa/preset.js";
import type { Kv } from "../src/store/kv.js";
import { slackInvocation, tempSqliteKv, testDeps } from "./fixtures/commands-env.js";

const KEYS =
  "Keys: proposers, aggregator, layers, temperature, max_tokens, min_proposers, deadline, self, style, agree.";
const admin = (text: string) => slackInvocation({ userId: "UADMIN", text });

let kv: Kv;
beforeEach(() => {
  kv = tempSqliteKv().kv;
});
afterEach(async () => {
  await kv.close();
});

async function replyTo(text: string, env: Record<string, string> = {}) {
  const { deps } = testDeps(kv, env);
  const result = await dispatch(admin(text), deps);
  if (result.kind !== "reply") throw new Error(`expected a reply, got ${result.kind}`);
  expect(result.ephemeral).toBe(true);
  return { text: result.text, deps };
}

async function presetAfter(text: string): Promise<Preset> {
  const { deps } = await replyTo(text);
  const stored = await deps.stores.presets.getChannel(admin(text));
  if (stored?.choice.kind !== "custom") throw new Error("expected a custom preset to be stored");
  return stored.choice.preset;
}

describe("preset set: invalid input gets a precise message and changes nothing", () => {
  it.each([
    ["preset set", `Say what to change, e.g. \`preset set layers=3 temperature=0.5\`. ${KEYS}`],
    [
      "preset set layers",
      `\`layers\` is not key=value. Write settings as \`key=value\` with no spaces around \`=\`, e.g. \`preset set layers=3\`. ${KEYS}`,
    ],
    [
      "preset set =3",
      `\`=3\` is not key=value. Write settings as \`key=value\` with no spaces around \`=\`, e.g. \`preset set layers=3\`. ${KEYS}`,
    ],
    ["preset set layer=3", `Unknown key \`layer\`. Did you mean \`layers\`? ${KEYS}`],
    ["preset set colour=blue", `Unknown key \`colour\`. ${KEYS}`],
    [
      "preset set layers=three",
      "`layers` takes a whole number from 1 to 4, e.g. `layers=3`; got `three`.",
    ],
    [
      "preset set layers=2.5",
      "`layers` takes a whole number from 1 to 4, e.g. `layers=3`; got `2.5`.",
    ],
    ["preset set layers=7", "`layers` must be from 1 to 4; got 7."],
    ["preset set layers=0", "`layers` must be from 1 to 4; got 0."],
    [
      "preset set temperature=hot",
      "`temperature` takes a number from 0 to 2, e.g. `temperature=0.5`; got `hot`.",
    ],
    [
      "preset set temperature=-1",
      "`temperature` takes a number from 0 to 2, e.g. `temperature=0.5`; got `-1`.",
    ],
    ["preset set temperature=2.5", "`temperature` must be from 0 to 2; got 2.5."],
    ["preset set max_tokens=10000", "`max_tokens` must be from 1 to 4096; got 10000."],
    [
      "preset set max_tokens=",
      "`max_tokens` takes a whole number from 1 to 4096, e.g. `max_tokens=800`; got ``.",
    ],
    ["preset set min_proposers=9", "`min_proposers` must be from 1 to 8; got 9."],
    [
      "preset set min_proposers=5",
      "`min_proposers` is 5 but each layer has only 3 proposers; lower it, e.g. `min_proposers=3`.",
    ],
    [
      "preset set proposers=m1,m2,m3,m4,m5,m6,m7,m8,m9",
      "Too many proposers: `proposers` gives 9 per layer; the limit is 8.",
    ],
    [
      "preset set proposers=,,",
      "`proposers` needs at least one model, e.g. `proposers=gpt-4.1-mini,gpt-4o-mini`.",
    ],
    [
      "preset set self=gpt-4.1*12",
      "Too many proposers: `self=gpt-4.1*12` gives 12 per layer; the limit is 8.",
    ],
    ["preset set self=gpt-4.1*0", "`self samples` must be from 1 to 8; got 0."],
    [
      "preset set aggregator=nope:model-x",
      "Unknown model for `aggregator`: `nope:model-x` names provider `nope`, which is not configured here (configured: default, groq).",
    ],
    [
      "preset set proposers=gpt-4.1,grok:llama-3.3-70b",
      "Unknown model for `proposers`: `grok:llama-3.3-70b` names provider `grok`, which is not configured here (configured: default, groq); did you mean `groq:llama-3.3-70b`?",
    ],
    [
      "preset set aggregator=https://evil.example/v1",
      "Unknown model for `aggregator`: `https://evil.example/v1` is not a model id (letters, digits and . - _ / : @ only, no URLs).",
    ],
    [
      'preset set aggregator="my model"',
      "Unknown model for `aggregator`: `my model` is not a model id (letters, digits and . - _ / : @ only, no URLs).",
    ],
    ["preset set aggregator=", "`aggregator` needs a model id, e.g. `aggregator=gpt-4.1-mini`."],
    [
      "preset set deadline=20",
      "`deadline` takes a duration such as `deadline=20s` or `deadline=1500ms`, or `deadline=off`; got `20`.",
    ],
    ["preset set deadline=700s", "`deadline` must be from 100ms to 600s; got 700s."],
    ["preset set deadline=50ms", "`deadline` must be from 100ms to 600s; got 50ms."],
    ["preset set layers=3 layers=2", "`layers` is given twice; give each key once."],
    [
      "preset set self=gpt-4.1*4 proposers=gpt-4.1",
      "Give either `proposers=a,b,c` (a mixture) or `self=model*4` (Self-MoA), not both.",
    ],
    [
      "preset set self=gpt-4.1*4 temperature=0",
      "Self-MoA needs `temperature` above 0, or every sample is the same answer; e.g. `temperature=0.7`.",
    ],
    // The first key is fine; the second is not: nothing is applied.
    ["preset set layers=3 temperature=9", "`temperature` must be from 0 to 2; got 9."],
    [
      'preset set aggregator="gpt 4',
      'The quote at character 12 is never closed (near `aggregator="gpt 4`). Close it after the value, e.g. `aggregator="my model"`.',
    ],
  ])("%j", async (text, message) => {
    const { text: reply, deps } = await replyTo(text);
    expect(reply).toBe(message);
    expect(await deps.stores.presets.getChannel(admin(text))).toBeUndefined();
  });

  it("a model outside MOA_ALLOWED_MODELS is refused, naming the allow-list", async () => {
    const env = { MOA_ALLOWED_MODELS: "gpt-4.1,groq:llama-3.3-70b-versatile" };
    const { text } = await replyTo("preset set aggregator=gpt-4o", env);
    expect(text).toBe(
      "Unknown model for `aggregator`: `gpt-4o` is not on this bot's model allow-list (gpt-4.1, groq:llama-3.3-70b-versatile).",
    );
    // Operator-configured models (MOA_PROPOSERS) stay usable whatever the allow-list says.
    expect((await replyTo("preset set aggregator=gpt-4o-mini", env)).text).toMatch(
      /^Updated this channel's preset/,
    );
  });
});

describe("preset set: valid input is stored as one custom preset", () => {
  it("answers with what changed and the new summary", async () => {
    const { text } = await replyTo("preset set layers=3 temperature=0.5");
    expect(text).toBe(
      "Updated this channel's preset (layers, temperature): mixture, 3 layers, 3 proposers, aggregator gpt-4.1. See it all with `preset`.",
    );
  });

  it.each<[string, Partial<Preset>]>([
    ["preset set layers=3 temperature=0.5", { layers: 3, temperature: 0.5, kind: "mixture" }],
    [
      'preset set proposers="groq:llama-3.3-70b-versatile, gpt-4o-mini" aggregator=groq:llama-3.3-70b-versatile',
      {
        proposers: ["groq:llama-3.3-70b-versatile", "gpt-4o-mini"],
        aggregator: "groq:llama-3.3-70b-versatile",
      },
    ],
    ["preset set self=gpt-4.1-mini*6", { kind: "self", proposers: ["gpt-4.1-mini"], samples: 6 }],
    ["preset set self=gpt-4.1-mini", { kind: "self", proposers: ["gpt-4.1-mini"], samples: 4 }],
    ["preset set deadline=1500ms", { layerDeadlineMs: 1500 }],
    ["preset set deadline=2.5s min_proposers=2", { layerDeadlineMs: 2500, minProposers: 2 }],
    ["preset set Max-Tokens=800", { maxTokens: 800 }],
    ["preset set layers=1", { layers: 1 }],
    ["preset set temperature=0", { temperature: 0 }],
  ])("%j", async (text, fields) => {
    const preset = await presetAfter(text);
    expect(preset).toMatchObject({
      name: "custom",
      description: "Customised from default",
      ...fields,
    });
  });

  it("edits build on the channel's current preset, and deadline=off / self=off undo", async () => {
    await presetAfter("preset set self=gpt-4.1-mini*4 deadline=20s");
    const after = await presetAfter("preset set self=off deadline=off");
    expect(after).toMatchObject({ kind: "mixture", proposers: ["gpt-4.1-mini"], samples: 1 });
    expect(after.layerDeadlineMs).toBeUndefined();
  });
});

describe("preset set: every problem at once, worded from the schema", () => {
  it("lists each bad key once, in the order typed, and stores nothing", async () => {
    const text = "preset set deadline=50ms layers=7 aggregator=nope:model-x temperature=hot";
    const { text: reply, deps } = await replyTo(text);
    expect(reply.split("\n")).toEqual([
      "`deadline` must be from 100ms to 600s; got 50ms.",
      "`layers` must be from 1 to 4; got 7.",
      "Unknown model for `aggregator`: `nope:model-x` names provider `nope`, which is not configured here (configured: default, groq).",
      "`temperature` takes a number from 0 to 2, e.g. `temperature=0.5`; got `hot`.",
    ]);
    expect(await deps.stores.presets.getChannel(admin(text))).toBeUndefined();
  });

  it("judges a rule across keys once each field passes", async () => {
    // min_proposers=5 exceeds the 3 proposers too, but layers=7 is the problem to fix first.
    expect((await replyTo("preset set layers=7 min_proposers=5")).text).toBe(
      "`layers` must be from 1 to 4; got 7.",
    );
  });

  it("names the key people know when another key's change breaks it", async () => {
    await presetAfter("preset set min_proposers=3");
    expect((await replyTo("preset set proposers=gpt-4.1-mini,gpt-4o-mini")).text).toBe(
      "`min_proposers` is 3 but each layer has only 2 proposers; lower it, e.g. `min_proposers=2`.",
    );
  });

  it("a field two keys write is reported under the one typed", async () => {
    const long = "m".repeat(201);
    expect((await replyTo(`preset set self=${long}`)).text).toBe(
      "`self`: Too big: expected string to have <=200 characters.",
    );
    expect((await replyTo(`preset set proposers=gpt-4.1,${long}`)).text).toBe(
      "`proposers`: Too big: expected string to have <=200 characters.",
    );
  });

  it("quotes the schema's bounds, so changing them changes the message", async () => {
    const layers = presetFieldBounds("layers");
    expect((await replyTo(`preset set layers=${layers.max + 1}`)).text).toBe(
      `\`layers\` must be from ${layers.min} to ${layers.max}; got ${layers.max + 1}.`,
    );
    const samples = presetFieldBounds("samples");
    expect((await replyTo(`preset set self=gpt-4.1*${samples.max + 1}`)).text).toBe(
      `Too many proposers: \`self=gpt-4.1*${samples.max + 1}\` gives ${samples.max + 1} per layer; the limit is ${samples.max}.`,
    );
    const agree = presetFieldBounds("agreementExit");
    expect((await replyTo(`preset set agree=${agree.min / 2}`)).text).toBe(
      `\`agree\` takes a similarity from ${agree.min} to ${agree.max}, e.g. \`agree=0.8\`, or \`agree=off\`; got \`${agree.min / 2}\`.`,
    );
    const minProposers = presetFieldBounds("minProposers");
    expect((await replyTo("preset set min_proposers=two")).text).toBe(
      `\`min_proposers\` takes a whole number from ${minProposers.min} to ${minProposers.max}, e.g. \`min_proposers=2\`; got \`two\`.`,
    );
  });

  it("every field a key declares is a PresetSchema field", () => {
    const schemaFields = Object.keys(PresetSchema.shape);
    for (const key of SET_KEYS)
      expect(schemaFields).toEqual(expect.arrayContaining([...key.fields]));
  });

  it("`self=model` without `*N` takes the preset module's default sample count", async () => {
    const preset = await presetAfter("preset set self=gpt-4.1-mini");
    expect(preset.samples).toBe(DEFAULT_SELF_SAMPLES);
  });
});
