import { privateReply } from "./command-result.js";
import { authorship, type CommandSpec } from "./command-spec.js";
import { presetSummary } from "./preset-format.js";
import { runnablePreset } from "./preset-lookup.js";
import { oneArgument } from "./tokenize.js";

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
    const name = oneArgument(
      rest,
      "`preset use` takes one preset name, e.g. `preset use lite`; `presets` lists them.",
    );
    const preset = await runnablePreset(name, ctx);
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
