/**
 * The whole Discord path in one process for end-to-end tests: scripted gateway events
 * -> real discord.js client -> startDiscordBot -> real dispatch, stores and engine ->
 * real openai client -> fake models; every REST call -> the fake Discord. Only the
 * composition is written here; every part is production code.
 */
import {
  type DiscordBot,
  type DiscordBotDeps,
  startDiscordBot,
} from "../src/bots/discord/discord-bot.js";
import { createRunGate } from "../src/bots/run-gate.js";
import { presetNames, storeDeps } from "../src/bots/store-deps.js";
import { dispatch } from "../src/commands/dispatch.js";
import { loadPresetCatalog } from "../src/commands/presets/catalog.js";
import { type Config, loadConfig } from "../src/config.js";
import { silentLogger } from "../src/log.js";
import { OpenAICompatibleModel } from "../src/moa/providers/openai-compatible.js";
import { openStore } from "../src/store/open-store.js";
import { type Stores, storesOver } from "../src/store/stores.js";
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
    ...options.env,
  });
  const stores = storesOver(openStore("sqlite://:memory:"), config);
  const catalog = loadPresetCatalog(config);
  const deps: DiscordBotDeps = {
    dispatch: (inv) => dispatch(inv, { stores, catalog, config, log: silentLogger }),
    ...storeDeps("discord", stores),
    engine: { model: new OpenAICompatibleModel(config.providers), maxRetries: 0 },
    log: silentLogger,
    // As in main.ts: the gate is what lets a Stop press find and abort its run.
    gate: createRunGate({ admins: options.admins ?? [] }),
    presetNames: presetNames(catalog, stores, "discord"),
    ...(options.now && { now: options.now }),
  };
  const bot = await startDiscordBot(config, deps);
  return {
    fake,
    models,
    bot,
    stores,
    config,
    // Runs start on the next tick after the event arrives; \`until\` lets them register first.
    idle: (timeoutMs = 15_000) =>
      until(() => bot.running === 0, "Discord harness: runs still in flight", timeoutMs, 50),
    async close() {
      await bot.stop();
      await Promise.all([fake.close(), models.close(), stores.close()]);
    },
  };
}
