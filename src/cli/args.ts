import { parseArgs as parseNodeArgs } from "node:util";
import { UsageError } from "../errors.js";

/** What `moa ask` was told to do. */
export interface AskOptions {
  /** The question (all non-flag words, joined by spaces). */
  question: string;
  /** Preset name; `default` when not given. */
  preset: string;
  /** Print every draft (to stdout, before the answer). */
  showDrafts: boolean;
  /** Print each MoA event as one JSON line instead of text. */
  json: boolean;
}

/** Parsed command line. */
export type CliCommand = { command: "help" } | ({ command: "ask" } & AskOptions);

/** Usage text, printed by `moa help` and after a usage error. */
export const USAGE = `Usage: moa ask [options] "question"

Runs one Mixture-of-Agents turn with the models from your environment (.env).
Progress goes to stderr, the answer to stdout.

Options:
  --preset <name>   preset to run: default, lite, self, together, or one from MOA_PRESETS_FILE
  --show-drafts     print each proposer's draft before the answer
  --json            print every event as one JSON line (for scripts)
  -h, --help        show this help`;

/** Flags of `moa ask`, in node:util parseArgs form. */
const ASK_OPTIONS = {
  preset: { type: "string", default: "default" },
  "show-drafts": { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Parses `argv` (without node and script); throws UsageError with the reason. */
export function parseArgs(argv: readonly string[]): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "-h" || command === "--help") {
    return { command: "help" };
  }
  if (command !== "ask") throw new UsageError(`Unknown command "${command}".`);
  const { values, positionals } = parseAsk(rest);
  if (values.help) return { command: "help" };
  if (values.preset === "") throw new UsageError("--preset needs a preset name.");
  const question = positionals.join(" ").trim();
  if (question === "") throw new UsageError('Ask a question, e.g. moa ask "Why is the sky blue?"');
  return {
    command: "ask",
    question,
    preset: values.preset,
    showDrafts: values["show-drafts"],
    json: values.json,
  };
}

/** node:util parseArgs with its errors turned into the CLI's usage messages. */
function parseAsk(args: string[]) {
  try {
    return parseNodeArgs({ args, options: ASK_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && /--preset/.test(String(error))) {
      throw new UsageError("--preset needs a preset name.");
    }
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const option = /'([^']+)'/.exec(String(error))?.[1] ?? "";
      throw new UsageError(`Unknown option "${option}".`);
    }
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
