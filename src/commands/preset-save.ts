import { UsageError } from "../errors.js";
import { PresetSchema } from "../moa/preset.js";
import { presetInForce } from "./channel-preset.js";
import { privateReply } from "./command-result.js";
import { authorship, type CommandSpec } from "./command-spec.js";
import { presetSummary } from "./preset-format.js";
import { oneArgument } from "./tokenize.js";

/** Most presets one workspace may save, so the single saved-presets value stays small. */
export const MAX_SAVED_PRESETS = 50;
const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** `preset save <name>`: save this channel's preset for the whole workspace/guild. */
export const presetSave: CommandSpec = {
  path: ["preset", "save"],
  summary: "Save this channel's preset under a name for the whole workspace",
  usage: "preset save <name>",
  examples: ["preset save team-deep"],
  options: [
    {
      name: "name",
      description: "New preset name: a-z 0-9 _ -, up to 32",
      type: "string",
      required: true,
      carriedBy: "text",
    },
  ],
  mutates: true,
  async run(rest, ctx) {
    const name = oneArgument(
      rest,
      "`preset save` takes one name, e.g. `preset save team-deep`.",
    ).toLowerCase();
    if (!NAME.test(name)) {
      throw new UsageError(
        `\`${name}\` is not a valid preset name: use 1-32 of a-z 0-9 _ -, starting with a letter or digit, e.g. \`preset save team-deep\`.`,
      );
    }
    if (ctx.deps.catalog.entries.has(name)) {
      throw new UsageError(
        `\`${name}\` is a built-in preset name; pick another, e.g. \`preset save my-${name}\`.`,
      );
    }
    const saved = await ctx.deps.stores.presets.listSaved(ctx.invocation);
    if (!saved.has(name) && saved.size >= MAX_SAVED_PRESETS) {
      throw new UsageError(
        `This workspace already has ${MAX_SAVED_PRESETS} saved presets; save under an existing name to replace one.`,
      );
    }
    const { preset } = await presetInForce(ctx);
    const named = PresetSchema.parse({
      ...preset,
      name,
      description: `Saved from <#${ctx.invocation.channelId}>`,
    });
    await ctx.deps.stores.presets.save(ctx.invocation, named, authorship(ctx));
    const replaced = saved.has(name) ? " It replaces the earlier preset of that name." : "";
    return privateReply(
      `Saved \`${name}\` for this whole workspace: ${presetSummary(named)}. Any channel can use it with \`preset use ${name}\`.${replaced}`,
    );
  },
};
