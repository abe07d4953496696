import { privateReply } from "./command-result.js";
import type { CommandSpec } from "./command-spec.js";
import { renderCommandHelp, renderHelp } from "./help-text.js";

/** The command whose path is exactly the words of `text` (`preset set`), if any. */
export function commandNamed(
  text: string,
  commands: readonly CommandSpec[],
): CommandSpec | undefined {
  const words = text.trim().toLowerCase().split(/\s+/);
  return (
    commands.find(
      (c) => c.path.length === words.length && c.path.every((w, i) => w === words[i]),
    ) ??
    // `help preset` means the group's default command.
    commands.find((c) => c.groupDefault && words.length === 1 && c.path[0] === words[0])
  );
}

/** `help [command]` (and empty text): usage generated from the registry. */
export const help: CommandSpec = {
  path: ["help"],
  summary: "What the bot can do, or one command's details",
  usage: "help [command]",
  examples: ["help", "help preset set"],
  options: [
    {
      name: "command",
      description: "A command, e.g. preset set",
      type: "string",
      required: false,
      carriedBy: "text",
    },
  ],
  mutates: false,
  // "help me write a cover letter" is a question, not a request for this help.
  claims: (rest, commands) => rest === "" || commandNamed(rest, commands) !== undefined,
  async run(rest, ctx) {
    const spec = rest === "" ? undefined : commandNamed(rest, ctx.commands);
    return privateReply(spec ? renderCommandHelp(spec) : renderHelp(ctx.commands));
  },
};
