import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { RunRegistry } from "../src/bots/admission/run-registry.js";
import { startSlackBot } from "../src/bots/slack/slack-bot.js";
import { ConfigError } from "../src/errors.js";
import { silentLogger } from "../src/log.js";
import { startFakeSlack } from "./fake-slack.js";
import { type SlackHarness, startSlackHarness } from "./slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const noDeps = {
  dispatch: async () => ({ kind: "ignore" as const, reason: "test" }),
  claim: async () => true,
  remember: async () => {},
  engine: { model: { stream: async function* () {} } },
  log: silentLogger,
  runs: new RunRegistry(),
};
const base = {
  SLACK_BOT_TOKEN: undefined,
  SLACK_SIGNING_SECRET: undefined,
  SLACK_APP_TOKEN: undefined,
  SLACK_PORT: 0,
  SLACK_API_URL: undefined,
};

describe("startSlackBot", () => {
  it("lists every missing variable at once", async () => {
    const err = await startSlackBot(base, noDeps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain("SLACK_BOT_TOKEN");
    expect((err as Error).message).toContain("SLACK_SIGNING_SECRET");
  });

  it("fails at start on a token Slack refuses (auth.test)", async () => {
    const fake = await startFakeSlack();
    fake.script("auth.test", { error: "invalid_auth" });
    const config = {
      ...base,
      SLACK_BOT_TOKEN: "xoxb-bad",
      SLACK_SIGNING_SECRET: "s",
      SLACK_API_URL: fake.apiUrl,
    };
    await expect(startSlackBot(config, noDeps, { host: "127.0.0.1" })).rejects.toThrow(
      /invalid_auth/,
    );
    await fake.close();
  });

  it("serves custom routes (ops) on the receiver's port", async () => {
    h = await startSlackHarness({
      customRoutes: [
        {
          path: "/healthz",
          method: "GET",
          handler: (_req: IncomingMessage, res: ServerResponse) => res.end("ok"),
        },
      ],
    });
    const res = await fetch(`http://127.0.0.1:${h.bot.port}/healthz`);
    expect(await res.text()).toBe("ok");
  });

  it("stop() stops receiving, then waits for runs in flight to finish", async () => {
    h = await startSlackHarness({ models: { agg: { reply: "Late answer.", firstTokenMs: 800 } } });
    await h.command("slow");
    await h.models.waitFor((m) => m.requestsFor("agg").length > 0);
    expect(h.bot.running).toBe(1);
    await h.bot.stop();
    expect(h.bot.running).toBe(0);
    const root = [...h.fake.messages.values()].find((m) => !m.threadTs);
    expect(root?.text).toContain("Late answer.");
    await expect(h.command("after stop")).rejects.toThrow();
  });
});
