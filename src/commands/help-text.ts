import type { CommandSpec } from "./command-spec.js";
import { SET_KEYS } from "./preset-set-keys.js";

const line = (spec: CommandSpec) =>
  `\`${spec.usage}\`: ${spec.summary}${spec.mutates ? " (preset editors)" : ""}`;

/** The usage of every command, generated from the registry (what `help` and an empty text show). */
export function renderHelp(commands: readonly CommandSpec[]): string {
  return [
    "**MoA bot**: several models answer, then an aggregator writes one answer from theirs.",
    "`<question>`: ask with this channel's preset",
    ...commands.map(line),
    `Keys for \`preset set\`: ${SET_KEYS.map((k) => `\`${k.example}\``).join(" ")}`,
    'Quote values with spaces: `aggregator="my model"`. Reply in a thread the bot answered to continue the conversation.',
    "`help <command>` shows a command's details, e.g. `help preset set`.",
  ].join("\n");
}

/** One command's details: usage, options, keys (for `preset set`) and examples. */
export function renderCommandHelp(spec: CommandSpec): string {
  const lines = [line(spec)];
  for (const o of spec.options) {
    if (o.carriedBy !== "text") continue;
    lines.push(`- \`${o.name}\`${o.required ? "" : " (optional)"}: ${o.description}`);
  }
  if (spec.path[1] === "set" && spec.path[0] === "preset") {
    for (const k of SET_KEYS) lines.push(`- \`${k.name}\`: ${k.summary}, e.g. \`${k.example}\``);
  }
  lines.push(`Examples: ${spec.examples.map((e) => `\`${e}\``).join(", ")}`);
  return lines.join("\n");
}
