import {
  type APIApplicationCommandBasicOption,
  ApplicationCommandOptionType,
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import {
  COMMANDS,
  type CommandSpec,
  type OptionSpec,
  commandText as renderText,
} from "../../commands/registry.js";

/** A value of a slash-command option. */
export type OptionValue = string | number | boolean;

/** The slash command that asks a question (the registry's `ask`). */
export const MOA_COMMAND = "moa";

/**
 * Where registry commands live on Discord, by text path: `ask` is `/moa` itself,
 * `presets` joins the preset group as `list`; any other `[group, sub]` becomes
 * `/moa-<group> <sub>` and `[word]` becomes `/moa-<word>`, so a new command appears
 * without touching this file.
 */
const PLACEMENT: Record<string, readonly [string, string?]> = {
  ask: [MOA_COMMAND],
  presets: ["moa-preset", "list"],
};

/** Discord names for registry options, where the issue fixed another word (`/moa prompt:`). */
const OPTION_NAMES: Record<string, string> = { question: "prompt" };

const TYPES: Record<OptionSpec["type"], ApplicationCommandOptionType> = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  number: ApplicationCommandOptionType.Number,
  boolean: ApplicationCommandOptionType.Boolean,
};

/** Discord caps descriptions at 100 characters. */
const clip = (text: string) => (text.length > 100 ? `${text.slice(0, 99)}…` : text);

function placement(spec: CommandSpec): readonly [string, string?] {
  const key = spec.path.join(" ");
  return (
    PLACEMENT[key] ??
    (spec.path.length === 2 ? [`moa-${spec.path[0]}`, spec.path[1]] : [`moa-${key}`])
  );
}

const discordName = (o: OptionSpec) => OPTION_NAMES[o.name] ?? o.name;

function option(o: OptionSpec): APIApplicationCommandBasicOption {
  const base = { name: discordName(o), description: clip(o.description), required: o.required };
  if (o.type !== "string")
    return { ...base, type: TYPES[o.type] } as APIApplicationCommandBasicOption;
  if (o.choices) {
    const choices = o.choices.map((c) => ({ name: c, value: c }));
    return { ...base, type: ApplicationCommandOptionType.String, choices };
  }
  // The per-run preset is picked from a list that changes as presets are saved.
  const autocomplete = o.carriedBy === "presetOverride";
  return { ...base, type: ApplicationCommandOptionType.String, autocomplete };
}

// Discord rejects a required option after an optional one.
const options = (spec: CommandSpec) =>
  [...spec.options].sort((a, b) => Number(b.required) - Number(a.required)).map(option);

/** What `discordCommands` varies on. */
export interface CommandOptions {
  /** Offer the commands in the bot's DMs too (DISCORD_ALLOW_DMS). */
  allowDms: boolean;
}

/**
 * The Discord command JSON, generated from the registry. A command whose group
 * holds a settings-changing subcommand is hidden from members without Manage
 * Channels by default (server admins can widen that); dispatch checks again at run time.
 */
export function discordCommands(
  opts: CommandOptions,
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const groups = new Map<string, CommandSpec[]>();
  for (const spec of COMMANDS) {
    const [name] = placement(spec);
    groups.set(name, [...(groups.get(name) ?? []), spec]);
  }
  const contexts = opts.allowDms
    ? [InteractionContextType.Guild, InteractionContextType.BotDM]
    : [InteractionContextType.Guild];
  return [...groups].map(([name, specs]) => {
    const subs = specs.map((s) => [placement(s)[1], s] as const);
    const flat = subs.length === 1 && subs[0]?.[0] === undefined;
    return {
      name,
      description: clip(
        flat
          ? (specs[0] as CommandSpec).summary
          : `${name.replace(/^moa-/, "")} commands: ${subs.map(([s]) => s).join(", ")}`,
      ),
      options: flat
        ? options(specs[0] as CommandSpec)
        : subs.map(([sub, spec]) => ({
            type: ApplicationCommandOptionType.Subcommand,
            name: sub ?? spec.path.join("-"),
            description: clip(spec.summary),
            options: options(spec),
          })),
      ...(specs.some((s) => s.mutates) && {
        default_member_permissions: PermissionFlagsBits.ManageChannels.toString(),
      }),
      contexts,
      integration_types: [ApplicationIntegrationType.GuildInstall],
    };
  });
}

/** The registry command a Discord command + subcommand stands for. */
function specFor(command: string, sub: string | null): CommandSpec | undefined {
  return COMMANDS.find((s) => {
    const [name, subName] = placement(s);
    return name === command && (subName ?? null) === sub;
  });
}

/** A slash command rendered into the text grammar, plus the per-run preset when given. */
export interface RenderedCommand {
  /** Invocation text, e.g. `ask What is MoA?` or `preset use deep`. */
  text: string;
  /** `/moa preset:` value. */
  presetOverride?: string;
}

/** Renders a Discord command back into the text grammar dispatch parses; undefined if unknown. */
export function commandText(
  command: string,
  sub: string | null,
  values: Readonly<Record<string, OptionValue>>,
): RenderedCommand | undefined {
  const spec = specFor(command, sub);
  if (!spec) return undefined;
  const byRegistryName: Record<string, OptionValue> = {};
  for (const o of spec.options) {
    const v = values[discordName(o)];
    if (v !== undefined) byRegistryName[o.name] = typeof v === "string" ? v.trim() : v;
  }
  const preset = spec.options.find((o) => o.carriedBy === "presetOverride");
  const override = preset ? byRegistryName[preset.name] : undefined;
  return {
    text: renderText(spec, byRegistryName),
    ...(typeof override === "string" && override !== "" && { presetOverride: override }),
  };
}

/** True when the option being typed is a preset name Discord should autocomplete. */
export function completesPresetName(
  command: string,
  sub: string | null,
  optionName: string,
): boolean {
  const spec = specFor(command, sub);
  return (
    spec?.options.some((o) => o.carriedBy === "presetOverride" && discordName(o) === optionName) ??
    false
  );
}
