/**
 * A crash loses no question: `npm start` processes killed with SIGKILL mid-answer, then
 * a restart on the same SQLite file, or a second instance on the same Redis, takes the
 * journaled run over and re-runs it into its own message.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAIServer, startFakeOpenAI } from "./fake-openai-server.js";
import { buttonValues, type FakeSlack, startFakeSlack } from "./fake-slack.js";
import { postSigned, slashCommand } from "./fake-slack-requests.js";
import { type MainProcess, spawnMain } from "./fixtures/main-process.js";

const SECRET = "crash-signing-secret";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const ANSWER = "word ".repeat(40).trim();

let models: FakeOpenAIServer;
let slack: FakeSlack | undefined;
const processes: MainProcess[] = [];

beforeAll(async () => {
  models = await startFakeOpenAI({
    models: {
      p1: { reply: "Draft one.", firstTokenMs: 20 },
      p2: { reply: "Draft two.", firstTokenMs: 20 },
      // Slow enough that a SIGKILL lands while the aggregator writes.
      agg: { reply: ANSWER, firstTokenMs: 50, tokenMs: 40 },
    },
  });
});
afterAll(() => models.close());
afterEach(async () => {
  for (const p of processes.splice(0)) p.child.kill("SIGKILL");
  await slack?.close();
  models.reset();
});

async function start(fake: FakeSlack, extra: Record<string, string>) {
  const proc = spawnMain({
    OPENAI_BASE_URL: models.url,
    OPENAI_API_KEY: "sk-crash-test-key",
    MOA_PROPOSERS: "p1,p2",
    MOA_AGGREGATOR: "agg",
    MOA_MAX_RETRIES: "0",
    SLACK_BOT_TOKEN: "xoxb-crash-token",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_PORT: "0",
    SLACK_API_URL: fake.apiUrl,
    LOG_LEVEL: "info",
    ...extra,
  });
  processes.push(proc);
  const line = await proc.logLine("Slack bot started");
  return { proc, url: `http://127.0.0.1:${line.port}/slack/events` };
}

/** Asks `/moa`, waits until the aggregator is writing, and returns the run's message ts. */
async function askAndWaitForAggregator(fake: FakeSlack, url: string, team: string) {
  const ask = slashCommand({
    text: "a question worth keeping",
    triggerId: `trig-${randomUUID()}`,
    responseUrl: fake.responseUrl("ask"),
    teamId: team,
  });
  expect((await postSigned(url, ask, { secret: SECRET })).status).toBe(200);
  await models.waitFor((s) => s.requestsFor("agg").length === 1, 15_000);
  await fake.waitFor(
    (f) => [...f.messages.values()].some((m) => m.text.includes("writing the answer")),
    15_000,
  );
  const interim = [...fake.messages.values()].find((m) => !m.threadTs);
  if (!interim) throw new Error("no interim message");
  return interim.ts;
}

/** Waits for the run's own message to carry the whole answer, resumed, with no Stop button. */
async function expectResumedAnswer(fake: FakeSlack, ts: string) {
  await fake.waitFor((f) => String(f.messages.get(ts)?.text).includes(ANSWER), 30_000);
  const message = fake.messages.get(ts);
  expect(message?.text).toContain("resumed after a restart");
  expect(message?.text).not.toContain("writing the answer");
  expect(buttonValues(message, "moa_stop")).toEqual([]);
  // Re-run into the same message: no second top-level answer was posted.
  expect([...fake.messages.values()].filter((m) => !m.threadTs)).toHaveLength(1);
}

// Whole processes (tsx start-up, two at once) on a loaded 2-core box need more than the default.
describe("a crash mid-run", { timeout: 90_000 }, () => {
  it("SQLite: the restarted process re-runs the killed run into its own message", async () => {
    const fake = await startFakeSlack();
    slack = fake;
    const file = join(mkdtempSync(join(tmpdir(), "moa-crash-")), "moa.sqlite");
    const store = { MOA_STORE_URL: `sqlite://${file}` };
    const first = await start(fake, store);
    const ts = await askAndWaitForAggregator(fake, first.url, fake.teamId);
    first.proc.child.kill("SIGKILL");
    expect(await first.proc.exited).toBe("SIGKILL");

    const second = await start(fake, store);
    expect(await second.proc.logLine("taking over a journaled run")).toMatchObject({
      how: "rerun",
    });
    await expectResumedAnswer(fake, ts);
    expect(await second.proc.logLine("run finished")).toMatchObject({ outcome: "done" });
  });

  it("Redis: when one of two instances dies, the other takes its run over", async () => {
    const team = `T${randomUUID().slice(0, 8).toUpperCase()}`;
    const fake = await startFakeSlack({ teamId: team });
    slack = fake;
    const shared = { MOA_STORE_URL: REDIS_URL, MOA_HEARTBEAT_MS: "200" };
    const [a, b] = await Promise.all([start(fake, shared), start(fake, shared)]);
    const ts = await askAndWaitForAggregator(fake, a.url, team);
    a.proc.child.kill("SIGKILL");
    expect(await b.proc.logLine("taking over a journaled run", 15_000)).toMatchObject({
      how: "rerun",
    });
    await expectResumedAnswer(fake, ts);
    // Done before the test ends, so no journaled run is left for another test's instances.
    expect(await b.proc.logLine("run finished")).toMatchObject({ outcome: "done" });
  });
});
