import type { Preset } from "../moa/preset.js";
import { presetInForce } from "./channel-preset.js";
import { privateReply } from "./command-result.js";
import type { CommandSpec } from "./command-spec.js";
import { presetProblems } from "./model-policy.js";
import { presetSummary } from "./preset-format.js";

/** `presets`: the presets available here (catalog and saved), marking the one in force. */
export const presetsList: CommandSpec = {
  path: ["presets"],
  summary: "List the presets available here; ▸ marks the one this channel uses",
  usage: "presets",
  examples: ["presets"],
  options: [],
  mutates: false,
  // "presets for a dinner party?" is a question.
  claims: (rest) => rest === "",
  async run(_rest, ctx) {
    const inForce = await presetInForce(ctx);
    const saved = await ctx.deps.stores.presets.listSaved(ctx.invocation);
    const current = inForce.source === "custom" ? undefined : inForce.preset.name;
    const line = (preset: Preset, origin: string) => {
      const mark = preset.name === current ? "▸" : "-";
      const problems = presetProblems(preset, ctx.deps.config);
      const state = problems.length > 0 ? ` (unavailable here: ${problems[0]})` : "";
      const about = preset.description ? `${preset.description}. ` : "";
      return `${mark} \`${preset.name}\` (${origin}): ${about}${presetSummary(preset)}${state}`;
    };
    const lines = ["**Presets here** (▸ = in use in this channel)"];
    for (const entry of ctx.deps.catalog.entries.values())
      lines.push(line(entry.preset, entry.origin));
    for (const [name, entry] of saved) {
      // A catalog preset added later under the same name wins; the saved one is shadowed.
      if (!ctx.deps.catalog.entries.has(name))
        lines.push(line(entry.preset, `saved by <@${entry.by}>`));
    }
    if (inForce.source === "custom")
      lines.push(
        `▸ This channel uses its own preset, customised from \`${inForce.basedOn}\`: see \`preset\`.`,
      );
    if (inForce.note) lines.push(`Note: ${inForce.note}.`);
    lines.push("Switch with `preset use <name>`.");
    return privateReply(lines.join("\n"));
  },
};
