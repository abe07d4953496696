import { config as loadDotenv } from "dotenv";
import { createApp } from "./app.js";
import { type Config, loadConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { installSignalHandlers } from "./ops/shutdown.js";
import { NO_PLATFORM_MESSAGE, planPlatforms } from "./platforms.js";
import { playgroundModels } from "./playground-models.js";

/** `npm start`: config from the environment (and .env), then one app until SIGTERM/SIGINT. */
async function main(): Promise<number | undefined> {
  loadDotenv({ quiet: true });
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`moa-bot: ${error.userMessage}\nSee .env.example for every variable.\n`);
    return 1;
  }
  const plan = planPlatforms(config);
  if (plan.problems.length > 0) {
    process.stderr.write(
      `moa-bot: ${new ConfigError(plan.problems).userMessage}\nSee .env.example.\n`,
    );
    return 1;
  }
  if (!plan.slack && !plan.discord && !plan.web) {
    process.stderr.write(NO_PLATFORM_MESSAGE);
    return 1;
  }
  // Without a provider the playground looks for a local Ollama, and says on its page what it found.
  const models = plan.web ? await playgroundModels(config) : undefined;
  const app = createApp(models?.config ?? config, models ? { webNotice: models.notice } : {});
  // Before start: a SIGTERM during a slow start-up still shuts down cleanly.
  const lifecycle = {
    get draining() {
      return app.draining;
    },
    shutdown: app.stop,
  };
  installSignalHandlers(process, lifecycle, {
    graceMs: config.MOA_SHUTDOWN_GRACE_MS,
    exit: (code) => process.exit(code),
    onSignal: (signal, again) => app.log.info({ signal, again }, "shutting down"),
  });
  await app.start();
  return undefined;
}

main().then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    const message =
      error instanceof ConfigError
        ? error.userMessage
        : error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`moa-bot failed to start: ${message}\n`);
    process.exit(1);
  },
);
