import { privateReply } from "./command-result.js";
import type { CommandSpec } from "./command-spec.js";
import { presetSummary } from "./preset-format.js";

/** `preset reset`: back to the default preset. */
export const presetReset: CommandSpec = {
  path: ["preset", "reset"],
  summary: "Put this channel back on the default preset",
  usage: "preset reset",
  examples: ["preset reset"],
  options: [],
  mutates: true,
  async run(_rest, ctx) {
    await ctx.deps.stores.presets.clearChannel(ctx.invocation);
    return privateReply(
      `This channel is back on \`default\`: ${presetSummary(ctx.deps.catalog.defaultPreset)}.`,
    );
  },
};
