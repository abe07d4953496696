import { afterEach, describe, expect, it } from "vitest";
import { type MainProcess, spawnMain } from "./fixtures/main-process.js";

let running: MainProcess | undefined;
afterEach(() => {
  running?.child.kill("SIGKILL");
  running = undefined;
});

// Whole processes on a loaded 2-core box need more than the default timeout.
describe("npm start", { timeout: 90_000 }, () => {
  it("without platform credentials names the variables, points at .env.example and the CLI, exits 1", async () => {
    running = spawnMain({});
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
