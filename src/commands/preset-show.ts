import { presetInForce } from "./channel-preset.js";
import { privateReply } from "./command-result.js";
import type { CommandSpec } from "./command-spec.js";
import { originLine, presetDetails } from "./preset-format.js";

/** `preset` (or `preset show`): this channel's preset in full. */
export const presetShow: CommandSpec = {
  path: ["preset", "show"],
  summary: "Show this channel's preset in full",
  usage: "preset",
  examples: ["preset"],
  options: [],
  mutates: false,
  groupDefault: true,
  async run(_rest, ctx) {
    const inForce = await presetInForce(ctx);
    const heading = `**This channel's preset: \`${inForce.source === "custom" ? "custom" : inForce.preset.name}\`** (${originLine(inForce)})`;
    return privateReply(
      `${heading}\n${presetDetails(inForce.preset, ctx.deps.config.MOA_MAX_TOKENS_CEILING)}`,
    );
  },
};
