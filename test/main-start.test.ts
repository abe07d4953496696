import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type MainProcess, spawnMain } from "./fixtures/main-process.js";

let running: MainProcess | undefined;
afterEach(() => {
  running?.child.kill("SIGKILL");
  running = undefined;
});

// Whole processes on a loaded 2-core box need more than the default timeout.
describe("npm start", { timeout: 90_000 }, () => {
  it("without platform credentials serves the web playground, whose page says which variable to set", async () => {
    const dir = mkdtempSync(join(tmpdir(), "moa-main-web-"));
    running = spawnMain({
      MOA_WEB_PORT: "0",
      MOA_STORE_URL: `sqlite://${join(dir, "moa.sqlite")}`,
      // Nothing listens there: no Ollama, so the page must name OPENAI_API_KEY.
      MOA_OLLAMA_URL: "http://127.0.0.1:9",
    });
    const line = await running.logLine("web playground started: open it in a browser");
    const url = String(line.url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("moa-bot playground");
    const info = (await (await fetch(new URL("/api/info", url))).json()) as { notice: string };
    expect(info.notice).toContain("OPENAI_API_KEY");
    expect(info.notice).toContain("MOA_OLLAMA_URL");
  });

  it("with MOA_WEB=off and no platform names the variables, points at .env.example and the CLI, exits 1", async () => {
    running = spawnMain({ MOA_WEB: "off" });
    expect(await running.exited).toBe(1);
    const err = running.stderr.join("");
    for (const hint of [
      "SLACK_BOT_TOKEN",
      "SLACK_SIGNING_SECRET",
      "DISCORD_BOT_TOKEN",
      ".env.example",
      "npx moa ask",
    ]) {
      expect(err).toContain(hint);
    }
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("lists every configuration problem at once, without a stack trace", async () => {
    running = spawnMain({ MOA_LAYERS: "9", MOA_TEMPERATURE: "hot", SLACK_BOT_TOKEN: "xoxb-1" });
    expect(await running.exited).toBe(1);
    const err = running.stderr.join("");
    expect(err).toContain("MOA_LAYERS");
    expect(err).toContain("MOA_TEMPERATURE");
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("refuses a half-configured Slack and says what is missing", async () => {
    running = spawnMain({ SLACK_BOT_TOKEN: "xoxb-1" });
    expect(await running.exited).toBe(1);
    expect(running.stderr.join("")).toContain("SLACK_SIGNING_SECRET");
  });
});
