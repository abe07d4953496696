import { config as loadDotenv } from "dotenv";
import { startDiscordBot } from "./bots/discord/discord-bot.js";
import type { BotDeps } from "./bots/handle-invocation.js";
import { createRunGate } from "./bots/run-gate.js";
import { startSlackBot } from "./bots/slack/slack-bot.js";
import { presetNames, storeDeps } from "./bots/store-deps.js";
import { dispatch } from "./commands/dispatch.js";
import type { Platform } from "./commands/invocation.js";
import { loadPresetCatalog } from "./commands/presets/catalog.js";
import { type Config, loadConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { createLogger, type Logger } from "./log.js";
import { createModelChain } from "./moa/traffic/model-chain.js";
import { opsRoutes, startOpsServer } from "./ops/http-server.js";
import { Metrics } from "./ops/metrics.js";
import { RedisQuotaStore } from "./ops/quota-redis-store.js";
import { MemoryQuotaStore, type QuotaStore } from "./ops/quota-store.js";
import { Quotas } from "./ops/quotas.js";
import { RedisStopBus } from "./ops/redis-stop-bus.js";
import { RunQueue } from "./ops/run-queue.js";
import { installSignalHandlers, Lifecycle } from "./ops/shutdown.js";
import { MemoryStopBus, type StopBus } from "./ops/stop-bus.js";
import { NO_PLATFORM_MESSAGE, planPlatforms, secretsOf } from "./platforms.js";
import { openStore } from "./store/open-store.js";
import { storesOver } from "./store/stores.js";

/** How often expired conversations and dedup keys are deleted from an SQLite store. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** The composition root: config -> stores -> model chain -> ops -> bots. Returns an exit code on failure. */
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
  if (!plan.slack && !plan.discord) {
    process.stderr.write(NO_PLATFORM_MESSAGE);
    return 1;
  }
  const log = createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) });
  const catalog = loadPresetCatalog(config);
  const kv = openStore(config.MOA_STORE_URL, { log });
  const stores = storesOver(kv, config, log);
  const lifecycle = new Lifecycle({
    onError: (err, what) => log.error({ err, what }, "shutdown step failed"),
  });
  lifecycle.onClose("store", () => stores.close());
  const sweep = () =>
    kv.sweep?.().then(
      (removed) => removed > 0 && log.info({ removed }, "store: expired entries deleted"),
      (err) => log.warn({ err }, "store: sweep of expired entries failed"),
    );
  void sweep();
  const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS).unref();
  lifecycle.onClose("store sweep", async () => clearInterval(sweeper));

  const { model, scheduler } = createModelChain(config, log);
  const runQueue = new RunQueue(config.MOA_MAX_CONCURRENT_RUNS);
  const quotaStore = await openQuotaStore(config, log);
  lifecycle.onClose("quota store", () => quotaStore.close());
  const quotas = new Quotas(
    quotaStore,
    {
      userPerMinute: config.MOA_QUOTA_USER_PER_MINUTE,
      userPerHour: config.MOA_QUOTA_USER_PER_HOUR,
      channelPerMinute: config.MOA_QUOTA_CHANNEL_PER_MINUTE,
      channelPerHour: config.MOA_QUOTA_CHANNEL_PER_HOUR,
    },
    { onStoreError: (err) => log.warn({ err }, "quota store unavailable; allowing the run") },
  );
  const metrics = new Metrics();
  metrics.observeQueues({
    runsQueued: () => runQueue.queued,
    runsActive: () => runQueue.active,
    providers: () => scheduler.load(),
  });

  // Registered before the bots, so it closes after them: presses keep relaying while runs drain.
  const stopBus = await openStopBus(config, log);
  lifecycle.onClose("stop bus", () => stopBus.close());

  const commandDeps = { stores, catalog, config, log };
  const gate = createRunGate({
    lifecycle,
    quotas,
    runQueue,
    metrics,
    admins: config.MOA_ADMIN_USERS,
    stopBus,
  });
  const shared = (platform: Platform): Omit<BotDeps, "dispatch"> => ({
    ...storeDeps(platform, stores),
    engine: {
      model,
      prices: config.prices,
      maxRetries: config.MOA_MAX_RETRIES,
      queueTimeoutMs: config.MOA_QUEUE_TIMEOUT_MS,
    },
    log,
    gate,
  });
  const health: Record<string, () => Promise<boolean> | boolean> = {
    store: () =>
      kv.get("health:probe").then(
        () => true,
        () => false,
      ),
  };
  const endpoints = { checks: health, metrics };

  const slackHttp = plan.slack && !config.SLACK_APP_TOKEN;
  if (plan.slack) {
    const slack = await startSlackBot(
      config,
      {
        ...shared("slack"),
        dispatch: (inv, checks) => dispatch(inv, { ...commandDeps, ...checks }),
      },
      // HTTP mode only: in Socket Mode, routes would make Bolt open SLACK_PORT just for them.
      slackHttp ? { customRoutes: opsRoutes(endpoints) } : {},
    );
    health.slack = () => true;
    lifecycle.onClose("slack", () => slack.stop());
  }
  if (plan.discord) {
    const discord = await startDiscordBot(config, {
      ...shared("discord"),
      dispatch: (inv) => dispatch(inv, commandDeps),
      presetNames: presetNames(catalog, stores, "discord"),
    });
    health.discord = () => discord.client.isReady();
    lifecycle.onClose("discord", () => discord.stop());
  }
  const slackServesOps = slackHttp && config.MOA_HTTP_PORT === config.SLACK_PORT;
  if (config.MOA_HTTP_PORT > 0 && !slackServesOps) {
    const ops = await startOpsServer(endpoints, config.MOA_HTTP_PORT);
    lifecycle.onClose("ops server", () => ops.close());
  }
  installSignalHandlers(process, lifecycle, {
    graceMs: config.MOA_SHUTDOWN_GRACE_MS,
    exit: (code) => process.exit(code),
    onSignal: (signal, again) => log.info({ signal, again }, "shutting down"),
  });
  log.info({ slack: plan.slack, discord: plan.discord }, "moa-bot running");
  return undefined;
}

/** Quotas shared across instances when the store is Redis; per process otherwise. */
async function openQuotaStore(config: Config, log: Logger): Promise<QuotaStore> {
  if (!/^rediss?:\/\//.test(config.MOA_STORE_URL)) return new MemoryQuotaStore();
  try {
    return await RedisQuotaStore.connect(config.MOA_STORE_URL);
  } catch (err) {
    log.warn({ err }, "Redis unreachable for quotas; counting per process until restart");
    return new MemoryQuotaStore();
  }
}

/** Stop presses relayed between instances when the store is Redis; local runs only otherwise. */
async function openStopBus(config: Config, log: Logger): Promise<StopBus> {
  if (!/^rediss?:\/\//.test(config.MOA_STORE_URL)) return new MemoryStopBus();
  try {
    return await RedisStopBus.connect(config.MOA_STORE_URL, {
      warn: (obj, msg) => log.warn(obj, msg),
    });
  } catch (err) {
    log.warn({ err }, "Redis unreachable for Stop presses; stopping local runs only until restart");
    return new MemoryStopBus();
  }
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
