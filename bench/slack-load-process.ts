// Child process of the Slack bench: the fake models, the fake Slack Web API and a
// generator of simultaneous signed `/moa` commands, so their CPU stays out of the bot's
// figures. Protocol over IPC: sends {ready} when listening; answers each {level} with
// the timings of its runs once every run's final answer is in place.
import { Agent, request } from "node:http";
import { type ModelScript, startFakeOpenAI } from "../test/fake-openai-server.js";
import { startFakeSlack } from "../test/fake-slack.js";
import { slackSignature, slashCommand } from "../test/fake-slack-requests.js";

/** Timings of one run, as the load process measured them. */
export interface RunTiming {
  /** Request written -> HTTP 200 read, ms. */
  ackMs: number;
  /** Request sent -> the interim chat.postMessage at the fake, ms. */
  interimMs: number;
  /** Request sent -> the last chat.update at the fake, ms. */
  e2eMs: number;
  /** chat.update calls of the run. */
  updates: number;
}

/** Parent -> child: run `concurrency` simultaneous commands against `url`. */
export type ToLoad = { level: { url: string; concurrency: number; wave: number } };
/** Child -> parent. */
export type FromLoad =
  | { ready: { openaiUrl: string; slackApiUrl: string } }
  | { timings: RunTiming[] };

/** A finished run's root message carries the footer, which only the final render has. */
const FINAL_MARK = "_preset default";
const secret = process.env.SLACK_BENCH_SECRET ?? "";
const scripts = JSON.parse(process.env.SLACK_BENCH_SCRIPTS ?? "{}") as Record<string, ModelScript>;
const now = () => performance.timeOrigin + performance.now();

/**
 * POSTs a signed command with node:http and resolves with the time from writing the
 * request to reading the whole response, ms. A light client, so the figure is the bot's
 * ack latency rather than the load generator's own overhead (fetch adds ~1 ms a request).
 */
function postCommand(agent: Agent, url: URL, body: string): Promise<number> {
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    "content-type": "application/x-www-form-urlencoded",
    "content-length": Buffer.byteLength(body),
    "x-slack-request-timestamp": timestamp,
    "x-slack-signature": slackSignature(secret, timestamp, body),
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { method: "POST", agent, headers }, (res) => {
      res.resume();
      res.on("end", () =>
        res.statusCode === 200
          ? resolve(performance.now() - started)
          : reject(new Error(`HTTP ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

const models = await startFakeOpenAI({ models: scripts, strict: true });
const fake = await startFakeSlack();
const send = (m: FromLoad) => process.send?.(m);

process.on("message", async ({ level }: ToLoad) => {
  // One channel per run, so every Web API call can be told apart.
  const runs = Array.from({ length: level.concurrency }, (_, i) => ({
    channel: `C${level.wave}x${i}`,
    body: slashCommand({
      text: `bench question ${i}`,
      triggerId: `C${level.wave}x${i}.t`,
      responseUrl: fake.responseUrl(`C${level.wave}x${i}`),
      channelId: `C${level.wave}x${i}`,
    }),
    sentAt: 0,
    ackMs: Number.NaN,
  }));
  const url = new URL(level.url);
  // Fresh connections each wave, as Slack's would be (and no race with keep-alive timeouts).
  const agent = new Agent({ keepAlive: false, maxSockets: 1_000 });
  await Promise.all(
    runs.map(async (run) => {
      run.sentAt = now();
      run.ackMs = await postCommand(agent, url, run.body);
    }),
  );
  const finished = () =>
    new Set(
      [...fake.messages.values()]
        .filter((m) => !m.threadTs && m.text.includes(FINAL_MARK))
        .map((m) => m.channel),
    );
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    const done = finished();
    if (runs.every((r) => done.has(r.channel))) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const timings = runs.map((run): RunTiming => {
    const calls = fake.calls.filter((c) => c.args.channel === run.channel);
    const interim = calls.find((c) => c.method === "chat.postMessage" && !c.args.thread_ts);
    const updates = calls.filter((c) => c.method === "chat.update");
    return {
      ackMs: run.ackMs,
      interimMs: (interim?.at ?? Number.NaN) - run.sentAt,
      e2eMs: (updates.at(-1)?.at ?? Number.NaN) - run.sentAt,
      updates: updates.length,
    };
  });
  fake.reset();
  models.reset();
  send({ timings });
});
process.on("disconnect", () => {
  void Promise.all([fake.close(), models.close()]).then(() => process.exit(0));
});
send({ ready: { openaiUrl: models.url, slackApiUrl: fake.apiUrl } });
