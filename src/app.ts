import { randomUUID } from "node:crypto";
import type { CustomRoute } from "@slack/bolt";
import { Quotas } from "./bots/admission/quotas.js";
import { createRunGate } from "./bots/admission/run-gate.js";
import { RunQueue } from "./bots/admission/run-queue.js";
import { RunRegistry } from "./bots/admission/run-registry.js";
import { startRunJournal } from "./bots/admission/take-over-runs.js";
import { type DiscordBot, startDiscordBot } from "./bots/discord/discord-bot.js";
import type { BotDeps } from "./bots/handle-invocation.js";
import { type SlackBot, type SlackBotOptions, startSlackBot } from "./bots/slack/slack-bot.js";
import { presetNames, storeDeps } from "./bots/store-deps.js";
import { startWebBot, type WebBot } from "./bots/web/web-bot.js";
import { dispatch } from "./commands/dispatch.js";
import type { Platform } from "./commands/invocation.js";
import { loadPresetCatalog } from "./commands/presets/catalog.js";
import type { Config } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { createModelChain } from "./moa/traffic/model-chain.js";
import { opsRoutes, startOpsServer } from "./ops/http-server.js";
import { Metrics } from "./ops/metrics.js";
import { Lifecycle, type ShutdownReport } from "./ops/shutdown.js";
import { planPlatforms, secretsOf } from "./platforms.js";
import type { Kv } from "./store/kv.js";
import { openStore } from "./store/open-store.js";
import { connectRedis } from "./store/redis-kv.js";
import { RunJournal } from "./store/run-journal.js";
import { RedisStartBudget } from "./store/shared-start-budget.js";
import { StopStore } from "./store/stop-store.js";
import { type Stores, storesOver } from "./store/stores.js";

/** How often expired conversations and dedup keys are deleted from an SQLite store. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** What tests, benches and the CLI may replace; production passes none. */
export interface AppOverrides {
  /** Logger (default: pino at LOG_LEVEL with the config's secrets scrubbed). */
  log?: Logger;
  /** Interface the Slack HTTP receiver binds (default: all). */
  slackHost?: string;
  /** Extra routes on the Slack receiver's server (tests). */
  slackRoutes?: CustomRoute[];
  /** Further Slack bot options (tests: shorter Web API timeouts). */
  slackBot?: SlackBotOptions;
  /** Clock of the Discord bot (interaction token expiry). */
  discordNow?: () => number;
  /** Key prefix in the store (benches and tests sharing one Redis). */
  storePrefix?: string;
  /** Line the web playground shows about its models (src/playground-models.ts). */
  webNotice?: string;
}

/** One moa-bot instance: every platform the config enables, over one store and one run registry. */
export interface MoaApp {
  config: Config;
  log: Logger;
  /** In-flight invocations of this instance. */
  runs: RunRegistry;
  /** Metrics (also served on /metrics). */
  metrics: Metrics;
  /** The typed stores (open after `start`). */
  readonly stores: Stores;
  /** The Slack bot, once started (when configured). */
  readonly slack: SlackBot | undefined;
  /** The Discord bot, once started (when configured). */
  readonly discord: DiscordBot | undefined;
  /** The web playground, once started (without a chat platform, or with MOA_WEB=on). */
  readonly web: WebBot | undefined;
  /** True once `stop` began: new runs are refused. */
  readonly draining: boolean;
  /** Opens the store and starts every configured platform; rejects (closing what opened) on failure. */
  start(): Promise<void>;
  /** Graceful shutdown: drain for MOA_SHUTDOWN_GRACE_MS (or `graceMs`), interrupt the rest, close. */
  stop(graceMs?: number): Promise<ShutdownReport>;
}

/** The composition root: config -> stores -> model chain -> admission -> bots. */
export function createApp(config: Config, overrides: AppOverrides = {}): MoaApp {
  const log =
    overrides.log ?? createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) });
  const runs = new RunRegistry();
  const metrics = new Metrics();
  const lifecycle = new Lifecycle(runs, {
    onError: (err, what) => log.error({ err, what }, "shutdown step failed"),
  });
  const plan = planPlatforms(config);
  let stores: Stores | undefined;
  let slack: SlackBot | undefined;
  let discord: DiscordBot | undefined;
  let web: WebBot | undefined;

  const start = async (): Promise<void> => {
    const catalog = loadPresetCatalog(config);
    const shared = isShared(config);
    // One Redis connection per instance, one reconnect policy, for the store and the quotas.
    const redis = shared ? connectRedis(config.MOA_STORE_URL, { log }) : undefined;
    if (redis) lifecycle.onClose("redis", () => redis.close());
    const kv = openStore(config.MOA_STORE_URL, {
      log,
      ...(redis && { redis }),
      ...(overrides.storePrefix && { prefix: overrides.storePrefix }),
    });
    const opened = storesOver(kv, config, log);
    stores = opened;
    lifecycle.onClose("store", () => opened.close());
    sweepExpired(kv, lifecycle, log);
    const journal = new RunJournal(kv, log, { instance: randomUUID() });

    // Provider request budgets count across instances when they share Redis.
    const sharedBudget =
      redis &&
      new RedisStartBudget(redis.client, {
        ...(overrides.storePrefix && { prefix: `${overrides.storePrefix}rpm:` }),
        onStoreError: (err) =>
          log.warn({ err }, "provider budgets: Redis unavailable; counting in this process"),
      });
    const { model, scheduler } = createModelChain(config, log, sharedBudget);
    const runQueue = new RunQueue(config.MOA_MAX_CONCURRENT_RUNS);
    const quotas = new Quotas(
      {
        userPerMinute: config.MOA_QUOTA_USER_PER_MINUTE,
        userPerHour: config.MOA_QUOTA_USER_PER_HOUR,
        channelPerMinute: config.MOA_QUOTA_CHANNEL_PER_MINUTE,
        channelPerHour: config.MOA_QUOTA_CHANNEL_PER_HOUR,
      },
      {
        ...(redis && { redis: redis.client }),
        onStoreError: (err) =>
          log.warn({ err }, "quotas: Redis unavailable; counting in this process"),
      },
    );
    metrics.observeQueues({
      runsQueued: () => runQueue.queued,
      runsActive: () => runQueue.active,
      providers: () => scheduler.load(),
    });

    const gate = createRunGate({
      runs,
      lifecycle,
      quotas,
      runQueue,
      metrics,
      admins: config.MOA_ADMIN_USERS,
      // Presses on another instance only exist when instances share the store.
      ...(shared && { stops: new StopStore(kv, log) }),
      onStoreError: (err, what) => log.warn({ err, what }, "stop record unavailable"),
    });
    const commandDeps = { stores: opened, catalog, config, log };
    const botDeps = (platform: Platform): Omit<BotDeps, "dispatch"> => ({
      ...storeDeps(platform, opened),
      engine: {
        model,
        prices: config.prices,
        maxRetries: config.MOA_MAX_RETRIES,
        queueTimeoutMs: config.MOA_QUEUE_TIMEOUT_MS,
      },
      log,
      runs,
      gate,
      journal,
      admins: config.MOA_ADMIN_USERS,
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
      const routes = [
        // HTTP mode only: in Socket Mode, routes would make Bolt open SLACK_PORT just for them.
        ...(slackHttp ? opsRoutes(endpoints) : []),
        ...(overrides.slackRoutes ?? []),
      ];
      const bot = await startSlackBot(
        config,
        {
          ...botDeps("slack"),
          dispatch: (inv, checks) => dispatch(inv, { ...commandDeps, ...checks }),
        },
        {
          ...(routes.length > 0 && { customRoutes: routes }),
          ...(overrides.slackHost !== undefined && { host: overrides.slackHost }),
          ...overrides.slackBot,
        },
      );
      slack = bot;
      health.slack = () => true;
      lifecycle.onClose("slack", () => bot.stop());
    }
    if (plan.discord) {
      const bot = await startDiscordBot(config, {
        ...botDeps("discord"),
        dispatch: (inv) => dispatch(inv, commandDeps),
        presetNames: presetNames(catalog, opened, "discord"),
        ...(overrides.discordNow && { now: overrides.discordNow }),
      });
      discord = bot;
      health.discord = () => bot.client.isReady();
      lifecycle.onClose("discord", () => bot.stop());
    }
    if (plan.web) {
      const bot = await startWebBot(
        config,
        { ...botDeps("web"), dispatch: (inv) => dispatch(inv, commandDeps) },
        overrides.webNotice === undefined ? {} : { notice: overrides.webNotice },
      );
      web = bot;
      health.web = () => true;
      lifecycle.onClose("web", () => bot.stop());
    }
    const slackServesOps = slackHttp && config.MOA_HTTP_PORT === config.SLACK_PORT;
    if (config.MOA_HTTP_PORT > 0 && !slackServesOps) {
      const ops = await startOpsServer(endpoints, config.MOA_HTTP_PORT);
      lifecycle.onClose("ops server", () => ops.close());
    }
    await startRunJournal(journal, shared, config.MOA_HEARTBEAT_MS, lifecycle, log, {
      ...(slack && { slack: slack.resume }),
      ...(discord && { discord: discord.resume }),
    });
    log.info({ slack: plan.slack, discord: plan.discord, web: web?.url }, "moa-bot running");
  };

  return {
    config,
    log,
    runs,
    metrics,
    get stores() {
      if (!stores) throw new Error("createApp: stores are open only after start()");
      return stores;
    },
    get slack() {
      return slack;
    },
    get discord() {
      return discord;
    },
    get web() {
      return web;
    },
    get draining() {
      return lifecycle.draining;
    },
    async start() {
      try {
        await start();
      } catch (error) {
        await lifecycle.shutdown(0);
        throw error;
      }
    },
    stop: (graceMs = config.MOA_SHUTDOWN_GRACE_MS) => lifecycle.shutdown(graceMs),
  };
}

/** Several instances can only meet in a networked store (Redis); SQLite is one process's. */
function isShared(config: Pick<Config, "MOA_STORE_URL">): boolean {
  return /^rediss?:\/\//.test(config.MOA_STORE_URL);
}

/** Deletes expired entries of an SQLite store now and hourly (Redis expires its own). */
function sweepExpired(kv: Kv, lifecycle: Lifecycle, log: Logger): void {
  const sweep = () =>
    kv.sweep?.().then(
      (removed) => removed > 0 && log.info({ removed }, "store: expired entries deleted"),
      (err) => log.warn({ err }, "store: sweep of expired entries failed"),
    );
  void sweep();
  const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS).unref();
  lifecycle.onClose("store sweep", async () => clearInterval(sweeper));
}
