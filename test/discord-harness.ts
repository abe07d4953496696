/**
 * The whole Discord path in one process for end-to-end tests: scripted gateway events
 * -> real discord.js client -> startDiscordBot -> real dispatch, stores and engine ->
 * real openai client -> fake models; every REST call -> the fake Discord. Only the
 * composition is written here; every part is production code.
 */
import { createApp, type MoaApp } from "../src/app.js";
import type { DiscordBot } from "../src/bots/discord/discord-bot.js";
import { type Config, loadConfig } from "../src/config.js";
import { silentLogger } from "../src/log.js";
import type { Stores } from "../src/store/stores.js";
import { FakeDiscord } from "./fake-discord.js";
import type { FakeOpenAIServer, ModelScript } from "./fake-openai-server.js";
import { until } from "./fixtures/conditions.js";
import { harnessModelEnv, startHarnessModels } from "./fixtures/harness-models.js";

/** Options of `startDiscordHarness`. */
export interface DiscordHarnessOptions {
  /** Scripts of the fake models (p1, p2 proposers and agg aggregator by default). */
  models?: Record<string, ModelScript>;
  /** Extra environment for `loadConfig`. */
  env?: Record<string, string>;
  /** The app has the Message Content intent enabled. */
  messageContentIntent?: boolean;
  /** Clock of the bot (interaction token expiry). */
  now?: () => number;
  /** User ids that may stop anyone's run (the gate's MOA_ADMIN_USERS). */
  admins?: string[];
}

/** A running Discord path. */
export interface DiscordHarness {
  fake: FakeDiscord;
  models: FakeOpenAIServer;
  /** The whole app, as `npm start` builds it (quotas, run queue, scheduler, metrics, shutdown). */
  app: MoaApp;
  bot: DiscordBot;
  stores: Stores;
  config: Config;
  /** Resolves when no run is in flight (after the event had time to start one). */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts fake models, fake Discord, stores and the real Discord bot wired together. */
export async function startDiscordHarness(
  options: DiscordHarnessOptions = {},
): Promise<DiscordHarness> {
  const models = await startHarnessModels(options.models);
  const fake = await FakeDiscord.start({
    messageContentIntent: options.messageContentIntent ?? false,
  });
  const config = loadConfig({
    ...harnessModelEnv(models),
    MOA_MAX_RETRIES: "0",
    DISCORD_BOT_TOKEN: "fake-token",
    DISCORD_GUILD_ID: fake.guildId,
    DISCORD_API_URL: fake.apiUrl,
    MOA_STORE_URL: "sqlite://:memory:",
    MOA_ADMIN_USERS: (options.admins ?? []).join(","),
    // Plain content unless a test asks for CV2 finals and typing (test/discord-native.test.ts).
    MOA_DISCORD_NATIVE: "off",
    ...options.env,
  });
  const app = createApp(config, {
    log: silentLogger,
    ...(options.now && { discordNow: options.now }),
  });
  await app.start();
  const bot = app.discord as DiscordBot;
  const stores = app.stores;
  return {
    fake,
    models,
    app,
    bot,
    stores,
    config,
    // Runs start on the next tick after the event arrives; \`until\` lets them register first.
    idle: (timeoutMs = 15_000) =>
      until(() => bot.running === 0, "Discord harness: runs still in flight", timeoutMs, 50),
    async close() {
      await app.stop();
      await Promise.all([fake.close(), models.close()]);
    },
  };
}
