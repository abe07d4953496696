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
      const { min, max, int } = presetFieldBounds(field);
      const ok = (value: number) => PresetSchema.safeParse({ ...base, [field]: value }).success;
      expect([field, ok(min), ok(max)]).toEqual([field, true, true]);
      expect([field, ok(min + 0.5)]).toEqual([field, !int]);
      expect([field, ok(min - 1), ok(max + 1)]).toEqual([field, false, false]);
    }
    const self = { ...base, kind: "self", proposers: ["m1"], minProposers: 1 };
    const { min, max } = presetFieldBounds("samples");
    const ok = (samples: number) => PresetSchema.safeParse({ ...self, samples }).success;
    expect([ok(min), ok(max), ok(min - 1), ok(max + 1)]).toEqual([true, true, false, false]);
  });
});

describe("PresetSchema rules across fields", () => {
  it("wait until every field passes, so one bad value is one issue", () => {
    const self = { ...base, kind: "self", proposers: ["m1"], samples: 0 };
    expect(PresetSchema.safeParse(self).error?.issues.map((i) => i.path)).toEqual([["samples"]]);
    // With the fields fine, the rule speaks: 1 sample cannot satisfy minProposers 2.
    const rule = PresetSchema.safeParse({ ...self, samples: 1, minProposers: 2 });
    expect(rule.error?.issues.map((i) => [i.code, i.path])).toEqual([["custom", ["minProposers"]]]);
  });
});
