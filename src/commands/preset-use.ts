import { UsageError } from "../errors.js";
import { privateReply } from "./command-result.js";
import { authorship, type CommandSpec } from "./command-spec.js";
import { presetSummary } from "./preset-format.js";
import { runnablePreset } from "./preset-lookup.js";
import { tokenize } from "./tokenize.js";

/** `preset use <name>`: this channel now uses a catalog or saved preset. */
export const presetUse: CommandSpec = {
  path: ["preset", "use"],
  summary: "Make this channel use a preset (see presets)",
  usage: "preset use <name>",
  examples: ["preset use lite", "preset use self"],
  options: [
    {
      name: "name",
      description: "Preset name (see presets)",
      type: "string",
      required: true,
      carriedBy: "text",
    },
  ],
  mutates: true,
  async run(rest, ctx) {
    const tokens = tokenize(rest);
    if (tokens.length !== 1) {
      throw new UsageError(
        "`preset use` takes one preset name, e.g. `preset use lite`; `presets` lists them.",
      );
    }
    const preset = await runnablePreset(tokens[0] as string, ctx);
    // `default` is the absence of a choice, so a later change of MOA_* reaches this channel too.
    if (preset.name === "default") await ctx.deps.stores.presets.clearChannel(ctx.invocation);
    else
      await ctx.deps.stores.presets.setChannel(
        ctx.invocation,
        { kind: "named", name: preset.name },
        authorship(ctx),
      );
    return privateReply(`This channel now uses \`${preset.name}\`: ${presetSummary(preset)}.`);
  },
};
