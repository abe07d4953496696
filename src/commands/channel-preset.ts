import type { Preset } from "../moa/preset.js";
import type { Authorship } from "../store/preset-store.js";
import type { CommandContext } from "./command-spec.js";
import { presetProblems, problemsText } from "./model-policy.js";
import { findPreset } from "./preset-lookup.js";

/** The preset a channel runs with, and how it came to be. */
export interface PresetInForce {
  /** The preset. */
  preset: Preset;
  /** `default`: no choice stored; `named`: a catalog or saved preset; `custom`: made with `preset set`. */
  source: "default" | "named" | "custom";
  /** For `custom`, the preset it was customised from. */
  basedOn?: string;
  /** Who chose it and when (absent for the default). */
  setBy?: Authorship;
  /** Why the stored choice is not used (deleted preset, model no longer allowed). */
  note?: string;
}

/**
 * The channel's preset in force. A stored choice that no longer resolves, or no
 * longer passes the model policy (the operator changed the allow-list), falls back
 * to the default with a note, so settings can never smuggle in a banned model.
 * Throws StoreUnavailableError when the store is down.
 */
export async function presetInForce(ctx: CommandContext): Promise<PresetInForce> {
  const stored = await ctx.deps.stores.presets.getChannel(ctx.invocation);
  if (!stored) return { preset: ctx.deps.catalog.defaultPreset, source: "default" };
  const fallBack = (reason: string): PresetInForce => {
    ctx.log.warn(
      { channelId: ctx.invocation.channelId, reason },
      "commands: channel preset falls back to default",
    );
    return {
      preset: ctx.deps.catalog.defaultPreset,
      source: "default",
      note: `${reason}; using the default`,
    };
  };
  const { choice } = stored;
  let preset: Preset;
  if (choice.kind === "custom") preset = choice.preset;
  else {
    const found = await findPreset(choice.name, ctx);
    if (!found) return fallBack(`the chosen preset \`${choice.name}\` no longer exists`);
    preset = found;
  }
  const problems = presetProblems(preset, ctx.deps.config);
  if (problems.length > 0)
    return fallBack(`the chosen preset can no longer run here (${problemsText(problems)})`);
  const setBy = { by: stored.by, at: stored.at };
  return choice.kind === "custom"
    ? { preset, source: "custom", basedOn: choice.basedOn, setBy }
    : { preset, source: "named", setBy };
}
