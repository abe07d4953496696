import { UsageError } from "../errors.js";
import type { Preset } from "../moa/preset.js";
import type { CommandContext } from "./command-spec.js";
import { presetProblems, problemsText, sentence } from "./model-policy.js";
import { nearest } from "./suggest.js";

/** A preset by name: catalog first (no store read), then the workspace's saved presets. */
export async function findPreset(name: string, ctx: CommandContext): Promise<Preset | undefined> {
  const entry = ctx.deps.catalog.entries.get(name);
  if (entry) return entry.preset;
  const saved = await ctx.deps.stores.presets.listSaved(ctx.invocation);
  return saved.get(name)?.preset;
}

/** The preset named `name` (any case) that can run here; otherwise a UsageError naming the choices. */
export async function runnablePreset(name: string, ctx: CommandContext): Promise<Preset> {
  const wanted = name.trim().toLowerCase();
  const preset = await findPreset(wanted, ctx);
  if (!preset) {
    const saved = await ctx.deps.stores.presets.listSaved(ctx.invocation);
    const names = [...new Set([...ctx.deps.catalog.entries.keys(), ...saved.keys()])];
    const guess = nearest(wanted, names);
    throw new UsageError(
      `Unknown preset \`${wanted}\`.${guess ? ` Did you mean \`${guess}\`?` : ""} Available: ${names.join(", ")}.`,
    );
  }
  const problems = presetProblems(preset, ctx.deps.config);
  if (problems.length > 0)
    throw new UsageError(
      `Preset \`${wanted}\` cannot run here: ${sentence(problemsText(problems))}`,
    );
  return preset;
}
