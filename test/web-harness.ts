/**
 * The whole playground path in one process: real HTTP + SSE -> web adapter -> shared flow ->
 * real engine and openai client -> fake models. Only the composition is written here.
 */
import { createApp, type MoaApp } from "../src/app.js";
import type { WebBot } from "../src/bots/web/web-bot.js";
import { loadConfig } from "../src/config.js";
import { silentLogger } from "../src/log.js";
import type { FakeOpenAIServer, ModelScript } from "./fake-openai-server.js";
import { harnessModelEnv, startHarnessModels } from "./fixtures/harness-models.js";

/** A running playground over fake models. */
export interface WebHarness {
  app: MoaApp;
  bot: WebBot;
  models: FakeOpenAIServer;
  /** POSTs JSON to a path of the playground. */
  post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Starts fake models and the app with only the playground on (port 0, in-memory SQLite). */
export async function startWebHarness(
  options: { models?: Record<string, ModelScript>; env?: Record<string, string> } = {},
): Promise<WebHarness> {
  const models = await startHarnessModels(options.models);
  const config = loadConfig({
    ...harnessModelEnv(models),
    MOA_WEB_PORT: "0",
    MOA_STORE_URL: "sqlite://:memory:",
    MOA_MAX_RETRIES: "0",
    ...options.env,
  });
  const app = createApp(config, { log: silentLogger, webNotice: "Models: fake ones." });
  await app.start();
  const bot = app.web;
  if (!bot) throw new Error("web playground did not start");
  const post = async (path: string, body: unknown) => {
    const res = await fetch(new URL(path, bot.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return {
    app,
    bot,
    models,
    post,
    async close() {
      await app.stop(0);
      await models.close();
    },
  };
}
