import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeDiscord } from "./fake-discord.js";
import { messageBodies, opt, runCommand } from "./fake-discord-actions.js";
import { textDisplays } from "./fake-discord-cv2.js";
import type { Json } from "./fake-discord-payloads.js";
import { type FakeOpenAIServer, startFakeOpenAI } from "./fake-openai-server.js";
import { until } from "./fixtures/conditions.js";
import { type MainProcess, spawnMain } from "./fixtures/main-process.js";

let models: FakeOpenAIServer;
let discord: FakeDiscord;
let proc: MainProcess | undefined;

beforeAll(async () => {
  models = await startFakeOpenAI({
    models: {
      p1: { reply: "Draft one." },
      p2: { reply: "Draft two." },
      agg: { reply: "The Discord answer, no @everyone ping." },
    },
  });
  discord = await FakeDiscord.start();
});
afterAll(async () => {
  proc?.child.kill("SIGKILL");
  await Promise.all([models.close(), discord.close()]);
});

// Whole processes on a loaded 2-core box need more than the default timeout.
describe("npm start with Discord credentials", { timeout: 90_000 }, () => {
  it("registers the commands, answers /moa through the whole composition, and exits 0 on SIGTERM", async () => {
    proc = spawnMain({
      OPENAI_BASE_URL: models.url,
      OPENAI_API_KEY: "sk-discord-process-key",
      MOA_PROPOSERS: "p1,p2",
      MOA_AGGREGATOR: "agg",
      DISCORD_BOT_TOKEN: "fake-discord-token",
      DISCORD_GUILD_ID: discord.guildId,
      DISCORD_API_URL: discord.apiUrl,
      MOA_STORE_URL: "sqlite://:memory:",
      LOG_LEVEL: "info",
    });
    await proc.logLine("moa-bot running", 30_000);
    expect(discord.callsTo("PUT", /\/guilds\/\d+\/commands$/)).toHaveLength(1);

    const { token } = runCommand(discord, {
      name: "moa",
      options: [opt("prompt", "hello from Discord")],
    });
    // Plain content while streaming; the final is Components V2 by default (MOA_DISCORD_NATIVE).
    const answer = () => {
      const msg = discord.messages.get(discord.originals.get(token) ?? "");
      const texts = textDisplays((msg?.components as Json[] | undefined) ?? []);
      return [String(msg?.content ?? ""), ...texts].join("\n");
    };
    await until(() => answer().includes("The Discord answer"), "no answer within 20 s", 20_000);
    await until(() => answer().includes("preset default"), "no footer within 5 s", 5_000);
    for (const body of messageBodies(discord))
      expect(body.allowed_mentions).toMatchObject({ parse: [] });
    expect(models.requestsFor("agg")).toHaveLength(1);

    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.stdout.join("\n")).not.toContain("fake-discord-token");
  });
});
