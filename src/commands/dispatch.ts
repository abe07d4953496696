import { StoreUnavailableError, UsageError } from "../errors.js";
import { consoleWarnLog } from "../store/warn-log.js";
import { startRun } from "./ask.js";
import { type CommandResult, privateReply } from "./command-result.js";
import type { CommandContext } from "./command-spec.js";
import type { CommandDeps } from "./deps.js";
import type { Invocation } from "./invocation.js";
import { parseText } from "./parse.js";
import { editRefusal, mayEditPresets } from "./permissions.js";
import { COMMANDS } from "./registry.js";

export type { CommandResult } from "./command-result.js";
export type { CommandDeps } from "./deps.js";

/** What settings commands answer while the store is down. */
export const SETTINGS_UNAVAILABLE =
  "Settings are unavailable right now, so nothing was read or changed; please try again in a minute. Questions still work with the default preset.";

/**
 * The single entry from bots/ into commands: parses the invocation's text,
 * checks permission for commands that change settings, and returns what to do.
 * A message in a bot thread (`source: "thread-reply"`) is always a question and
 * never parsed as a command, because people write "help me..." in conversation;
 * commands stay available through /moa and mentions. Usage mistakes and a
 * store outage come back as private replies; anything else is thrown for the
 * presenter's single catch.
 */
export async function dispatch(invocation: Invocation, deps: CommandDeps): Promise<CommandResult> {
  const ctx: CommandContext = {
    invocation,
    deps,
    commands: COMMANDS,
    log: deps.log ?? consoleWarnLog,
    now: deps.clock ?? (() => new Date()),
  };
  try {
    if (invocation.source === "thread-reply")
      return await startRun(invocation.text, ctx, "thread-reply");
    const parsed = parseText(invocation.text, COMMANDS);
    if (parsed.kind === "question") return await startRun(parsed.question, ctx, "command");
    const { spec, rest } = parsed;
    if (spec.options.every((o) => o.carriedBy !== "text") && rest !== "") {
      throw new UsageError(`\`${spec.usage}\` takes nothing after it; got \`${rest}\`.`);
    }
    if (spec.mutates && !(await mayEditPresets(ctx)))
      return privateReply(editRefusal(invocation.platform, spec.path.join(" ")));
    return await spec.run(rest, ctx);
  } catch (error) {
    if (error instanceof UsageError) return privateReply(error.userMessage);
    if (error instanceof StoreUnavailableError) {
      ctx.log.warn(
        { err: error.cause, channelId: invocation.channelId },
        "commands: store unavailable",
      );
      return privateReply(SETTINGS_UNAVAILABLE);
    }
    throw error;
  }
}
