import { UsageError } from "../errors.js";
import type { CommandSpec } from "./command-spec.js";
import { nearest } from "./suggest.js";
import { splitWord } from "./tokenize.js";
import { trimInvisible } from "./visible-text.js";

/** What a command text means: a command with its argument text, or a question. */
export type ParsedText =
  | {
      /** A command. */
      kind: "command";
      /** Which command. */
      spec: CommandSpec;
      /** The text after its words, untouched. */
      rest: string;
    }
  | {
      /** A question for MoA. */
      kind: "question";
      /** The whole text, trimmed. */
      question: string;
    };

/**
 * Reads the text grammar. Empty text is `help`. A first word naming a command
 * selects it (and a second word its subcommand) unless the command declines the
 * rest via `claims` (then the text is a question). A lone word, or a word before
 * a known subcommand, that is one typo away from a command is an error with a
 * suggestion rather than a surprise MoA run; anything else is a question.
 */
export function parseText(text: string, commands: readonly CommandSpec[]): ParsedText {
  const trimmed = trimInvisible(text);
  const [first, afterFirst] = splitWord(trimmed);
  const word = first.toLowerCase();
  if (word === "") return command(commands, ["help"], "");
  const group = commands.filter((c) => c.path[0] === word);
  if (group.length === 0) {
    refuseTypo(word, afterFirst, commands);
    return { kind: "question", question: trimmed };
  }
  const single = group.find((c) => c.path.length === 1);
  if (single) {
    return !single.claims || single.claims(afterFirst, commands)
      ? { kind: "command", spec: single, rest: afterFirst }
      : { kind: "question", question: trimmed };
  }
  const [second, afterSecond] = splitWord(afterFirst);
  if (second === "")
    return {
      kind: "command",
      spec: group.find((c) => c.groupDefault) ?? (group[0] as CommandSpec),
      rest: "",
    };
  const sub = group.find((c) => c.path[1] === second.toLowerCase());
  if (sub) return { kind: "command", spec: sub, rest: afterSecond };
  const names = group.map((c) => c.path[1] as string);
  const guess = nearest(second, names);
  throw new UsageError(
    `Unknown \`${word}\` subcommand \`${second}\`.${guess ? ` Did you mean \`${word} ${guess}\`?` : ""} ` +
      `Try: ${group.map((c) => `\`${c.usage}\``).join(", ")}.`,
  );
}

function command(
  commands: readonly CommandSpec[],
  path: readonly string[],
  rest: string,
): ParsedText {
  const spec = commands.find((c) => c.path.join(" ") === path.join(" "));
  if (!spec) throw new Error(`registry has no ${path.join(" ")} command`);
  return { kind: "command", spec, rest };
}

function refuseTypo(word: string, rest: string, commands: readonly CommandSpec[]): void {
  const guess = nearest(word, [...new Set(commands.map((c) => c.path[0]))]);
  if (!guess) return;
  const next = splitWord(rest)[0].toLowerCase();
  const looksLikeCommand =
    rest === "" || commands.some((c) => c.path[0] === guess && c.path[1] === next);
  if (!looksLikeCommand) return;
  const example =
    commands.find((c) => c.path[0] === guess && c.path[1] === next) ??
    commands.find((c) => c.path[0] === guess && (c.path.length === 1 || c.groupDefault));
  throw new UsageError(
    `Unknown command \`${word}\`. Did you mean \`${example?.usage ?? guess}\`? ` +
      `To ask a question that starts with that word, write \`ask ${word}${rest ? ` ${rest}` : ""}\`.`,
  );
}
