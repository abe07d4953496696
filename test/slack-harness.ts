/**
 * The whole Slack path in one process for end-to-end tests and the bench: signed requests
 * -> real Bolt App (HTTP receiver on 127.0.0.1) -> shared flow -> real engine and openai
 * client -> fake models; every Web API call -> the fake Slack. Only the composition is
 * written here; every part is production code.
 */
import type { CustomRoute } from "@slack/bolt";
import { createApp, type MoaApp } from "../src/app.js";
import { STOP_ACTION_ID } from "../src/bots/chat-sink.js";
import type { SlackBot, SlackBotOptions } from "../src/bots/slack/slack-bot.js";
import { type Config, loadConfig } from "../src/config.js";
import { silentLogger } from "../src/log.js";
import type { Stores } from "../src/store/stores.js";
import type { FakeOpenAIServer, FakeRateLimits, ModelScript } from "./fake-openai-server.js";
import {
  buttonValues,
  type FakeSlack,
  type FakeSlackOptions,
  startFakeSlack,
} from "./fake-slack.js";
import {
  type BlockActionFields,
  blockActions,
  eventCallback,
  postSigned,
  type SignOptions,
  type SlackPostResult,
  slashCommand,
} from "./fake-slack-requests.js";
import { until } from "./fixtures/conditions.js";
import { harnessModelEnv, startHarnessModels } from "./fixtures/harness-models.js";

/** Signing secret the harness app verifies with. */
export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

/** Options of `startSlackHarness`. */
export interface SlackHarnessOptions {
  /** Scripts of the fake models (p1, p2 proposers and agg aggregator by default). */
  models?: Record<string, ModelScript>;
  /** Provider-wide limits of the fake models' server (429s beyond them). */
  modelLimits?: FakeRateLimits;
  /** Extra environment for loadConfig (MOA_* settings of the `default` preset, MOA_PRESET_EDITORS...). */
  env?: Record<string, string>;
  /** Options of the fake Slack. */
  slack?: FakeSlackOptions;
  /** Store URL (default an in-memory SQLite). */
  storeUrl?: string;
  /** Engine retries per call (default 0, so failure tests are quick). */
  maxRetries?: number;
  /** Socket Mode: the WebSocket URL the fake's apps.connections.open hands out. */
  socketUrl?: string;
  /** Extra routes on the receiver's server. */
  customRoutes?: CustomRoute[];
  /** User ids that may stop anyone's run (MOA_ADMIN_USERS). */
  admins?: string[];
  /** Passed to startSlackBot (e.g. a short `apiTimeoutMs` for hanging-call tests). */
  bot?: SlackBotOptions;
}

/** A button press: which message, and who (the fake's response_url is filled in). */
export type PressFields = Omit<BlockActionFields, "responseUrl" | "value"> & {
  /** The button's value (default: the Stop button's value on that message now). */
  value?: string;
};

/** A running Slack path. */
export interface SlackHarness {
  fake: FakeSlack;
  models: FakeOpenAIServer;
  /** The whole app, as `npm start` builds it (quotas, run queue, scheduler, metrics, shutdown). */
  app: MoaApp;
  bot: SlackBot;
  stores: Stores;
  config: Config;
  /** The app's Events API / commands URL. */
  url: string;
  /** Sends `/moa <text>` (signed); its response_url is `fake.responseUrl(triggerId)`. */
  command(text: string, triggerId?: string, sign?: Partial<SignOptions>): Promise<SlackPostResult>;
  /** Sends an event_callback around `event` (signed). */
  event(
    event: Record<string, unknown>,
    eventId: string,
    sign?: Partial<SignOptions>,
  ): Promise<SlackPostResult>;
  /**
   * Presses a button on a message (a signed `block_actions` interaction); its response_url
   * is `fake.responseUrl(triggerId)`.
   */
  press(fields: PressFields, sign?: Partial<SignOptions>): Promise<SlackPostResult>;
  /** Resolves when no run is in flight (after at least one started, when `started` is given). */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

let triggers = 0;

/** Starts fake models, fake Slack, stores and the real Slack bot wired together. */
export async function startSlackHarness(options: SlackHarnessOptions = {}): Promise<SlackHarness> {
  const models = await startHarnessModels(options.models, options.modelLimits);
  const fake = await startFakeSlack(options.slack);
  if (options.socketUrl) fake.socketUrl = options.socketUrl;
  // The real config and composition root: the default preset is p1 + p2 -> agg, two layers.
  const config = loadConfig({
    ...harnessModelEnv(models),
    MOA_MAX_TOKENS: "200",
    MOA_STORE_URL: options.storeUrl ?? "sqlite://:memory:",
    MOA_MAX_RETRIES: String(options.maxRetries ?? 0),
    MOA_ADMIN_USERS: (options.admins ?? []).join(","),
    SLACK_BOT_TOKEN: "xoxb-harness",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    ...(options.socketUrl && { SLACK_APP_TOKEN: "xapp-harness" }),
    SLACK_PORT: "0",
    SLACK_API_URL: fake.apiUrl,
    // Streaming only against a fake that has the stream methods (fake-slack-stream.ts).
    MOA_SLACK_STREAMING: options.slack?.stream ? "auto" : "off",
    ...options.env,
  });
  const app = createApp(config, {
    log: silentLogger,
    slackHost: "127.0.0.1",
    ...(options.customRoutes && { slackRoutes: options.customRoutes }),
    ...(options.bot && { slackBot: options.bot }),
  });
  await app.start();
  const bot = app.slack as SlackBot;
  const stores = app.stores;
  const url = `http://127.0.0.1:${bot.port}/slack/events`;
  const sign = (extra?: Partial<SignOptions>): SignOptions => ({
    secret: SIGNING_SECRET,
    ...extra,
  });

  return {
    fake,
    models,
    app,
    bot,
    stores,
    config,
    url,
    command(text, triggerId = `trig.${++triggers}`, extra) {
      const body = slashCommand({ text, triggerId, responseUrl: fake.responseUrl(triggerId) });
      return postSigned(url, body, sign(extra));
    },
    event(event, eventId, extra) {
      return postSigned(url, eventCallback(event, { eventId, teamId: fake.teamId }), sign(extra));
    },
    async press(fields, extra) {
      const triggerId = fields.triggerId ?? `press.${++triggers}`;
      const value =
        fields.value ?? buttonValues(fake.messages.get(fields.messageTs), STOP_ACTION_ID)[0];
      if (value === undefined)
        throw new Error(`Slack harness: no Stop button on ${fields.messageTs}`);
      const body = blockActions({
        ...fields,
        value,
        triggerId,
        responseUrl: fake.responseUrl(triggerId),
      });
      return postSigned(url, body, sign(extra));
    },
    // Runs start on the next tick after the event arrives; \`until\` lets them register first.
    idle: (timeoutMs = 15_000) =>
      until(() => bot.running === 0, "Slack harness: runs still in flight", timeoutMs, 20),
    async close() {
      await app.stop();
      await Promise.all([fake.close(), models.close()]);
    },
  };
}
