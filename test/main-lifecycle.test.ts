import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { STOP_REPLIES } from "../src/bots/admission/run-gate.js";
import { type FakeOpenAIServer, startFakeOpenAI } from "./fake-openai-server.js";
import { buttonValues, type FakeSlack, startFakeSlack } from "./fake-slack.js";
import {
  blockActions,
  eventCallback,
  messageEvent,
  postSigned,
  slashCommand,
} from "./fake-slack-requests.js";
import { type MainProcess, spawnMain } from "./fixtures/main-process.js";

const SECRET = "lifecycle-signing-secret";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

let models: FakeOpenAIServer;
let slack: FakeSlack;
const processes: MainProcess[] = [];

beforeAll(async () => {
  models = await startFakeOpenAI({
    models: {
      p1: { reply: "Draft one.", firstTokenMs: 20 },
      p2: { reply: "Draft two.", firstTokenMs: 20 },
      // Long enough that a SIGTERM lands mid-answer.
      agg: { reply: "word ".repeat(400), firstTokenMs: 50, tokenMs: 50 },
    },
  });
});
afterAll(async () => {
  await models.close();
});
afterEach(async () => {
  for (const p of processes.splice(0)) p.child.kill("SIGKILL");
  await slack?.close();
  models.reset();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    OPENAI_BASE_URL: models.url,
    OPENAI_API_KEY: "sk-lifecycle-test-key",
    MOA_PROPOSERS: "p1,p2",
    MOA_AGGREGATOR: "agg",
    MOA_MAX_RETRIES: "0",
    SLACK_BOT_TOKEN: "xoxb-lifecycle-token",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_PORT: "0",
    SLACK_API_URL: slack.apiUrl,
    MOA_STORE_URL: "sqlite://:memory:",
    LOG_LEVEL: "info",
    ...extra,
  };
}

async function start(
  extra: Record<string, string> = {},
): Promise<{ proc: MainProcess; url: string }> {
  const proc = spawnMain(env(extra));
  processes.push(proc);
  const line = await proc.logLine("Slack bot started");
  return { proc, url: `http://127.0.0.1:${line.port}/slack/events` };
}

// Whole processes (tsx start-up, two at once) on a loaded 2-core box need more than the default.
describe("a running moa-bot process", { timeout: 90_000 }, () => {
  it("serves /healthz and /metrics on the Slack receiver's port in HTTP mode", async () => {
    slack = await startFakeSlack();
    const { url } = await start();
    const base = url.replace("/slack/events", "");
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ checks: { store: true, slack: true } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain("# TYPE moa_runs_total counter");
    expect(metrics).not.toContain("sk-lifecycle-test-key");
  });

  it("logs one JSON line per run with ids, per-model figures, time and cost, but not the question", async () => {
    slack = await startFakeSlack();
    models.script("agg", { reply: "Short answer." });
    const prices = JSON.stringify({ p1: { input: 1, output: 2 }, agg: { input: 3, output: 4 } });
    const { proc, url } = await start({ MOA_PRICES: prices });
    const body = slashCommand({
      text: "a private question 4711",
      triggerId: "trig-log",
      responseUrl: slack.responseUrl("log"),
    });
    await postSigned(url, body, { secret: SECRET });
    const line = await proc.logLine("run finished");
    expect(line).toMatchObject({
      platform: "slack",
      workspace: "T0TEAM",
      channel: "C0CHAN",
      preset: "default",
      outcome: "done",
    });
    expect(typeof line.runId).toBe("string");
    expect(line.totalMs).toBeGreaterThan(0);
    expect(line.costUsd).toBeGreaterThan(0);
    const calls = line.calls as Array<Record<string, unknown>>;
    expect(calls.map((c) => c.model).sort()).toEqual(["agg", "p1", "p2"]);
    for (const c of calls) {
      expect(c.outcome).toBe("ok");
      expect(c.ms).toBeGreaterThan(0);
      expect(c.out).toBeGreaterThan(0);
    }
    expect(proc.stdout.join("\n")).not.toContain("4711");
  });

  it("on SIGTERM lets the grace period pass, marks the unfinished run interrupted, and exits 0", async () => {
    slack = await startFakeSlack();
    const { proc, url } = await start({ MOA_SHUTDOWN_GRACE_MS: "300" });
    const body = slashCommand({
      text: "long question",
      triggerId: "trig-1",
      responseUrl: slack.responseUrl("r1"),
    });
    expect((await postSigned(url, body, { secret: SECRET })).status).toBe(200);
    await models.waitFor((s) => s.requestsFor("agg").length === 1, 15_000);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    const interim = [...slack.messages.values()].find((m) => !m.threadTs);
    expect(interim?.text).toContain("Interrupted by a restart");
    expect(models.aborted().some((r) => r.model === "agg")).toBe(true);
    expect(proc.stdout.join("\n")).not.toContain("sk-lifecycle-test-key");
    expect(proc.stdout.join("\n")).not.toContain("xoxb-lifecycle-token");
  });

  it("two instances sharing Redis answer a retried event once and see each other's presets", async () => {
    const team = `T${randomUUID().slice(0, 8).toUpperCase()}`;
    slack = await startFakeSlack({ teamId: team });
    const shared = { MOA_STORE_URL: REDIS_URL, MOA_ADMIN_USERS: "U0ADMIN" };
    const [a, b] = await Promise.all([start(shared), start(shared)]);
    models.script("agg", { reply: "Short answer." });

    const event = eventCallback(
      messageEvent({ type: "app_mention", text: "<@U0BOT> hello", ts: "1700000000.000100" }),
      { eventId: "Ev1", teamId: team },
    );
    await postSigned(a.url, event, { secret: SECRET });
    await postSigned(b.url, event, {
      secret: SECRET,
      headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" },
    });
    await slack.waitFor(
      (f) => [...f.messages.values()].some((m) => m.text.includes("Short answer.")),
      15_000,
    );
    // Let a wrongly started second run show itself before counting.
    await new Promise((r) => setTimeout(r, 500));
    expect(models.requestsFor("agg")).toHaveLength(1);

    const use = slashCommand({
      text: "preset use lite",
      triggerId: "t-use",
      responseUrl: slack.responseUrl("use"),
      teamId: team,
      userId: "U0ADMIN",
    });
    await postSigned(a.url, use, { secret: SECRET });
    await slack.waitFor((f) => f.callsTo("response_url").length >= 1, 10_000);
    const show = slashCommand({
      text: "preset",
      triggerId: "t-show",
      responseUrl: slack.responseUrl("show"),
      teamId: team,
    });
    await postSigned(b.url, show, { secret: SECRET });
    await slack.waitFor((f) => f.callsTo("response_url").length >= 2, 10_000);
    const shown = JSON.stringify(slack.callsTo("response_url")[1]?.args);
    expect(shown).toContain("lite");
  });

  it("two instances sharing Redis: the asker's Stop pressed on the other instance stops the run", async () => {
    const team = `T${randomUUID().slice(0, 8).toUpperCase()}`;
    slack = await startFakeSlack({ teamId: team });
    const shared = { MOA_STORE_URL: REDIS_URL };
    const [a, b] = await Promise.all([start(shared), start(shared)]);

    const triggerId = `trig-${randomUUID()}`;
    const ask = slashCommand({
      text: "a long question",
      triggerId,
      responseUrl: slack.responseUrl("ask"),
      teamId: team,
    });
    expect((await postSigned(a.url, ask, { secret: SECRET })).status).toBe(200);
    const runKey = `slack:${team}:cmd:${triggerId}`;
    await models.waitFor((s) => s.requestsFor("agg").length === 1, 15_000);
    await slack.waitFor(
      (f) => [...f.messages.values()].some((m) => buttonValues(m, "moa_stop").includes(runKey)),
      10_000,
    );
    const interim = [...slack.messages.values()].find((m) =>
      buttonValues(m, "moa_stop").includes(runKey),
    );

    // The press lands on B (a load balancer's choice); the run lives on A.
    const press = blockActions({
      messageTs: String(interim?.ts),
      value: runKey,
      responseUrl: slack.responseUrl("press"),
      teamId: team,
    });
    const ack = await postSigned(b.url, press, { secret: SECRET });
    expect(ack.status).toBe(200);
    expect(ack.ms).toBeLessThan(3_000);
    expect(await b.proc.logLine("stop pressed")).toMatchObject({
      event: runKey,
      result: "stopped",
    });
    expect(await a.proc.logLine("run finished")).toMatchObject({ outcome: "cancelled" });
    await models.waitFor((s) => s.aborted().some((r) => r.model === "agg"), 10_000);
    await slack.waitFor(
      (f) => String(f.messages.get(String(interim?.ts))?.text).includes("Stopped"),
      10_000,
    );
    expect(buttonValues(slack.messages.get(String(interim?.ts)), "moa_stop")).toEqual([]);
    // A stop needs no reply; above all not "That run has already finished".
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.callsTo("chat.postEphemeral")).toEqual([]);
    expect(JSON.stringify(slack.callsTo("response_url"))).not.toContain(
      STOP_REPLIES["not-running"],
    );
  });
});
