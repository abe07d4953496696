import { presetProblems } from "../commands/model-policy.js";
import { loadPresetCatalog } from "../commands/presets/catalog.js";
import { loadConfig } from "../config.js";
import { ConfigError, MoaBotError, UsageError } from "../errors.js";
import { OpenAICompatibleModel } from "../moa/providers/openai-compatible.js";
import { runMoa } from "../moa/run-moa.js";
import { type AskOptions, parseArgs, USAGE } from "./args.js";
import { type CliStreams, jsonReporter, type Reporter, textReporter } from "./reporter.js";

/** Exit codes: 0 answered, 1 the run failed, 2 usage or configuration error, 130 cancelled. */
const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

/** Runs the CLI with `argv` (no node/script); resolves to the exit code. Never throws. */
export async function main(
  argv: readonly string[],
  io: CliStreams,
  env = process.env,
): Promise<number> {
  try {
    const command = parseArgs(argv);
    if (command.command === "help") {
      io.out.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    return await ask(command, io, env);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err.write(`moa: ${error.userMessage}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      io.err.write(
        `moa: ${error.userMessage}\nSet these in the environment or in .env (see .env.example).\n`,
      );
      return EXIT.usage;
    }
    // No stack trace: the message is what the user can act on.
    const message =
      error instanceof MoaBotError ? error.userMessage : String((error as Error)?.message ?? error);
    io.err.write(`moa: ${message}\n`);
    return EXIT.failed;
  }
}

async function ask(options: AskOptions, io: CliStreams, env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadConfig(env);
  const catalog = loadPresetCatalog(config);
  const entry = catalog.entries.get(options.preset);
  if (!entry) {
    const names = [...catalog.entries.keys()].join(", ");
    throw new UsageError(`No preset named "${options.preset}". Presets: ${names}.`);
  }
  const problems = presetProblems(entry.preset, config);
  if (problems.length > 0)
    throw new ConfigError(
      problems.map((p) => `preset ${options.preset}: ${p.replaceAll("`", "")}`),
    );

  const cancel = new AbortController();
  const onSignal = () => {
    // A second Ctrl-C while the run winds down quits at once.
    if (cancel.signal.aborted) process.exit(EXIT.cancelled);
    cancel.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const reporter: Reporter = options.json ? jsonReporter(io) : textReporter(io, options.showDrafts);
  let code: number = EXIT.failed;
  try {
    const events = runMoa(
      {
        messages: [{ role: "user", content: options.question }],
        preset: entry.preset,
        signal: cancel.signal,
      },
      {
        model: new OpenAICompatibleModel(config.providers),
        prices: config.prices,
        maxRetries: config.MOA_MAX_RETRIES,
      },
    );
    for await (const event of events) {
      reporter.event(event);
      if (event.type === "run-end") code = event.outcome === "ok" ? EXIT.ok : EXIT.cancelled;
      else if (event.type === "run-error") code = EXIT.failed;
    }
  } finally {
    reporter.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return code;
}
