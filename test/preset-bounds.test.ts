import { describe, expect, it } from "vitest";
import { type NumericPresetField, PresetSchema, presetFieldBounds } from "../src/moa/preset.js";

const base = {
  name: "b",
  proposers: ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"],
  aggregator: "agg",
  layers: 2,
  temperature: 0.5,
  maxTokens: 100,
};

describe("presetFieldBounds", () => {
  it("are exactly the bounds PresetSchema enforces, for every field preset set writes", () => {
    const fields: NumericPresetField[] = [
      "layers",
      "temperature",
      "maxTokens",
      "minProposers",
      "layerDeadlineMs",
    ];
    for (const field of fields) {
      const { min, max } = presetFieldBounds(field);
      const ok = (value: number) => PresetSchema.safeParse({ ...base, [field]: value }).success;
      expect([field, ok(min), ok(max)]).toEqual([field, true, true]);
      expect([field, ok(min - 1), ok(max + 1)]).toEqual([field, false, false]);
    }
    const self = { ...base, kind: "self", proposers: ["m1"], minProposers: 1 };
    const { min, max } = presetFieldBounds("samples");
    const ok = (samples: number) => PresetSchema.safeParse({ ...self, samples }).success;
    expect([ok(min), ok(max), ok(min - 1), ok(max + 1)]).toEqual([true, true, false, false]);
  });
});
