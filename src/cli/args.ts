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

/** Parses `argv` (without node and script); throws UsageError with the reason. */
export function parseArgs(argv: readonly string[]): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "-h" || command === "--help") {
    return { command: "help" };
  }
  if (command !== "ask") throw new UsageError(`Unknown command "${command}".`);
  const options: AskOptions = { question: "", preset: "default", showDrafts: false, json: false };
  const words: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === "--") {
      words.push(...rest.slice(i + 1));
      break;
    }
    if (arg === "-h" || arg === "--help") return { command: "help" };
    if (arg === "--json") options.json = true;
    else if (arg === "--show-drafts") options.showDrafts = true;
    else if (arg === "--preset" || arg.startsWith("--preset=")) {
      const value = arg === "--preset" ? rest[++i] : arg.slice("--preset=".length);
      if (!value) throw new UsageError("--preset needs a preset name.");
      options.preset = value;
    } else if (arg.startsWith("--")) throw new UsageError(`Unknown option "${arg}".`);
    else words.push(arg);
  }
  options.question = words.join(" ").trim();
  if (options.question === "")
    throw new UsageError('Ask a question, e.g. moa ask "Why is the sky blue?"');
  return { command: "ask", ...options };
}
