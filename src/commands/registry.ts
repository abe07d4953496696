import { ask } from "./ask.js";
import type { CommandSpec } from "./command-spec.js";
import { help } from "./help.js";
import { renderHelp } from "./help-text.js";
import { presetReset } from "./preset-reset.js";
import { presetSave } from "./preset-save.js";
import { presetSet } from "./preset-set.js";
import { presetShow } from "./preset-show.js";
import { presetUse } from "./preset-use.js";
import { presetsList } from "./presets-list.js";
import { regenerate } from "./regenerate.js";
import { stats } from "./stats.js";

export type { CommandSpec, OptionSpec } from "./command-spec.js";

/**
 * Every command, in help order: the one table that dispatch parses with, `help`
 * renders, and src/bots/discord turns into Discord command definitions.
 */
export const COMMANDS: readonly CommandSpec[] = [
  ask,
  help,
  presetsList,
  presetShow,
  presetUse,
  presetSet,
  presetSave,
  presetReset,
  regenerate,
  stats,
];

/** Slack help text (Markdown-ish; the Slack sink adapts it), generated from COMMANDS. */
export function helpText(): string {
  return renderHelp(COMMANDS);
}

/** A value as one token of the text grammar: quoted (see tokenize) when it holds spaces or quotes. */
function quoted(value: string): string {
  return /[\s"\u201C\u201D\u201E]/.test(value)
    ? `"${value.replace(/["\u201C\u201D\u201E]/g, '\\"')}"`
    : value;
}

/**
 * Renders a structured invocation (Discord slash options) into the text grammar:
 * the command path, then each `text` option's raw value (`name=value` when keyed) in
 * declaration order. `commandText(presetSet, { values: "layers=3" })` is `preset set layers=3`.
 */
export function commandText(
  spec: CommandSpec,
  values: Readonly<Record<string, string | number | boolean | undefined>>,
): string {
  const parts: string[] = [...spec.path];
  for (const option of spec.options) {
    const value = values[option.name];
    if (option.carriedBy !== "text" || value === undefined || value === "") continue;
    parts.push(option.keyed ? `${option.name}=${quoted(String(value))}` : String(value));
  }
  return parts.join(" ");
}
