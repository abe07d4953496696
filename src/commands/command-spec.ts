import type { WarnLog } from "../store/warn-log.js";
import type { CommandResult } from "./command-result.js";
import type { CommandDeps } from "./deps.js";
import type { Invocation } from "./invocation.js";

/**
 * One option of a command, described neutrally so Discord can register it. A
 * `text` option is rendered into the text grammar by appending its raw value (or
 * `name=value` when `keyed`) after the command path, in declaration order
 * (`commandText` does exactly that).
 */
export interface OptionSpec {
  /** Lower-case option name (Discord: 1-32 of a-z 0-9 _ -). */
  name: string;
  /** One line, at most 100 characters (Discord's limit). */
  description: string;
  /** Value type. */
  type: "string" | "integer" | "number" | "boolean";
  /** Must be given. */
  required: boolean;
  /** The only values allowed, when the set is fixed. */
  choices?: readonly string[];
  /** `text`: appended to Invocation.text; `presetOverride`: put in Invocation.presetOverride instead. */
  carriedBy: "text" | "presetOverride";
  /** A `text` option the grammar writes as `name=value` (`regenerate aggregator=gpt-4o`), not bare. */
  keyed?: boolean;
}

/** What a command handler gets besides its argument text. */
export interface CommandContext {
  /** The invocation being handled. */
  invocation: Invocation;
  /** Stores, catalog, config, admin check. */
  deps: CommandDeps;
  /** The registry, so help can describe every command. */
  commands: readonly CommandSpec[];
  /** Log port (deps.log or console). */
  log: WarnLog;
  /** Clock (deps.clock or the system's). */
  now: () => Date;
}

/** One (sub)command: its metadata, from which help and Discord definitions are generated, and its handler. */
export interface CommandSpec {
  /** Words that select it: `["presets"]`, `["preset", "use"]`. */
  path: readonly [string] | readonly [string, string];
  /** One line, at most 100 characters. */
  summary: string;
  /** The text grammar, e.g. `preset use <name>`. */
  usage: string;
  /** Example texts (without `/moa`). */
  examples: readonly string[];
  /** Options, in text order. */
  options: readonly OptionSpec[];
  /** Changes settings: needs a preset editor (checked by dispatch before `run`). */
  mutates: boolean;
  /** Runs when the group word is typed alone (`preset` shows the channel's preset). */
  groupDefault?: boolean;
  /**
   * Whether text starting with this command's word is this command rather than a
   * question (`help me write...` is a question). Default: always the command.
   */
  claims?: (rest: string, commands: readonly CommandSpec[]) => boolean;
  /** Handles the text after the command words (raw: handlers tokenize when they need to). */
  run(rest: string, ctx: CommandContext): Promise<CommandResult>;
}

/** Who made a change and when, as stored next to it. */
export function authorship(ctx: CommandContext): { by: string; at: string } {
  return { by: ctx.invocation.userId, at: ctx.now().toISOString() };
}
