/**
 * Slack bench: the whole path (signed request -> Bolt -> dispatch -> engine -> fake models
 * -> fake Web API) at 1, 50 and 200 concurrent `/moa` commands. The bot runs in this
 * process; the load generator, the fake Slack Web API and the fake models run in a child
 * process (slack-load-process.ts), so their CPU is not counted as ours.
 * Reports ack latency, time to the interim message, end-to-end time against the scripted
 * critical path, and chat.update calls per run.
 *
 *   npx tsx bench/slack.ts
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { pathToFileURL } from "node:url";
import { createApp } from "../src/app.js";
import type { SlackBot } from "../src/bots/slack/slack-bot.js";
import { loadConfig } from "../src/config.js";
import { silentLogger } from "../src/log.js";
import type { ModelScript } from "../test/fake-openai-server.js";
import type { BenchSection } from "./section.js";
import type { FromLoad, RunTiming, ToLoad } from "./slack-load-process.js";
import { percentile, table } from "./stats.js";

const SECRET = "bench-signing-secret";
const TOKEN_MS = 20;
const tokens = (n: number) => Array.from({ length: n }, (_, i) => `tok${i} `);
const SCRIPTS: Record<string, ModelScript> = {
  "bench-p1": { firstTokenMs: 150, tokenMs: TOKEN_MS, reply: tokens(20) },
  "bench-p2": { firstTokenMs: 200, tokenMs: TOKEN_MS, reply: tokens(20) },
  "bench-p3": { firstTokenMs: 250, tokenMs: TOKEN_MS, reply: tokens(20) },
  "bench-agg": { firstTokenMs: 200, tokenMs: TOKEN_MS, reply: tokens(100) },
};
/** Slowest proposer (250 + 19·20) then the aggregator (200 + 99·20), ms. */
const CRITICAL_MS = 250 + 19 * TOKEN_MS + 200 + 99 * TOKEN_MS;
/** The presenter's edit interval (slackProfile.editIntervalMs). */
const EDIT_INTERVAL_MS = 1_000;
const LEVELS = [
  { concurrency: 1, waves: 5 },
  { concurrency: 50, waves: 2 },
  { concurrency: 200, waves: 2 },
];

/** Starts the load process and the real bot wired to its fakes. */
async function startBench() {
  const child: ChildProcess = fork(new URL("./slack-load-process.ts", import.meta.url), {
    // SLACK_BENCH_CHILD_ARGS="--cpu-prof" profiles the load process too.
    execArgv: ["--import", "tsx", ...(process.env.SLACK_BENCH_CHILD_ARGS?.split(" ") ?? [])],
    env: {
      ...process.env,
      SLACK_BENCH_SECRET: SECRET,
      SLACK_BENCH_SCRIPTS: JSON.stringify(SCRIPTS),
    },
  });
  const [first] = (await once(child, "message")) as [FromLoad];
  if (!("ready" in first)) throw new Error("load process did not start");
  // Redis as in a multi-instance deployment (dedup claims are SET NX there).
  const storeUrl = process.env.SLACK_BENCH_STORE_URL ?? "redis://127.0.0.1:6379";
  const config = loadConfig({
    OPENAI_BASE_URL: first.ready.openaiUrl,
    OPENAI_API_KEY: "sk-bench",
    MOA_PROPOSERS: "bench-p1,bench-p2,bench-p3",
    MOA_AGGREGATOR: "bench-agg",
    MOA_LAYERS: "2",
    MOA_MAX_TOKENS: "256",
    MOA_STORE_URL: storeUrl,
    // This section measures the bot's own overhead per run, not admission: no quotas or run cap.
    MOA_QUOTA_USER_PER_MINUTE: "0",
    MOA_QUOTA_USER_PER_HOUR: "0",
    MOA_QUOTA_CHANNEL_PER_MINUTE: "0",
    MOA_QUOTA_CHANNEL_PER_HOUR: "0",
    MOA_MAX_CONCURRENT_RUNS: "0",
    SLACK_BOT_TOKEN: "xoxb-bench",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_PORT: "0",
    SLACK_API_URL: first.ready.slackApiUrl,
  });
  const app = createApp(config, {
    log: silentLogger,
    slackHost: "127.0.0.1",
    storePrefix: `moa-bench-${process.pid}`,
  });
  await app.start();
  const bot = app.slack as SlackBot;
  const url = `http://127.0.0.1:${bot.port}/slack/events`;
  const level = async (concurrency: number, wave: number): Promise<RunTiming[]> => {
    child.send({ level: { url, concurrency, wave } } satisfies ToLoad);
    const [reply] = (await once(child, "message")) as [FromLoad];
    if (!("timings" in reply)) throw new Error("unexpected message from the load process");
    return reply.timings;
  };
  const close = async () => {
    await app.stop();
    child.disconnect();
  };
  return { level, close };
}

/** Figures of one concurrency level. */
export interface SlackBenchRow {
  concurrency: number;
  runs: number;
  ackP50: number;
  ackP99: number;
  interimP50: number;
  interimP99: number;
  e2eP50: number;
  e2eP99: number;
  /** Mean chat.update calls per run. */
  updatesPerRun: number;
  /** CPU time of the bot process (Bolt, engine, SDKs) per run, ms. */
  botCpuMsPerRun: number;
}

/** Runs the levels (all, or those whose concurrency is listed) and returns their figures. */
export async function runSlackBench(only: number[] = []): Promise<SlackBenchRow[]> {
  const bench = await startBench();
  const rows: SlackBenchRow[] = [];
  try {
    // A first unmeasured wave loads lazy modules and warms the JIT, as a running bot would be.
    await bench.level(20, 0);
    let wave = 1;
    for (const { concurrency, waves } of LEVELS) {
      if (only.length > 0 && !only.includes(concurrency)) continue;
      const all: RunTiming[] = [];
      const cpu = process.cpuUsage();
      for (let w = 0; w < waves; w++) all.push(...(await bench.level(concurrency, wave++)));
      const { user, system } = process.cpuUsage(cpu);
      const of = (k: keyof RunTiming) => all.map((t) => t[k]);
      rows.push({
        concurrency,
        runs: all.length,
        ackP50: percentile(of("ackMs"), 50),
        ackP99: percentile(of("ackMs"), 99),
        interimP50: percentile(of("interimMs"), 50),
        interimP99: percentile(of("interimMs"), 99),
        e2eP50: percentile(of("e2eMs"), 50),
        e2eP99: percentile(of("e2eMs"), 99),
        updatesPerRun: of("updates").reduce((a, b) => a + b, 0) / all.length,
        botCpuMsPerRun: (user + system) / 1000 / all.length,
      });
    }
  } finally {
    await bench.close();
  }
  return rows;
}

const ms = (n: number) => n.toFixed(0);

/** `npm run bench` section. */
export const slackBench = {
  name: "Slack: signed /moa -> Bolt -> engine -> fake models -> fake Web API",
  async run(only: number[] = []) {
    const rows = await runSlackBench(only);
    const columns: Array<[string, (r: SlackBenchRow) => string]> = [
      ["concurrent", (r) => String(r.concurrency)],
      ["runs", (r) => String(r.runs)],
      ["ack p50", (r) => ms(r.ackP50)],
      ["ack p99", (r) => ms(r.ackP99)],
      ["interim p50", (r) => ms(r.interimP50)],
      ["interim p99", (r) => ms(r.interimP99)],
      ["e2e p50", (r) => ms(r.e2eP50)],
      ["e2e p99", (r) => ms(r.e2eP99)],
      ["e2e/crit p99", (r) => (r.e2eP99 / CRITICAL_MS).toFixed(2)],
      ["updates/run", (r) => r.updatesPerRun.toFixed(1)],
      ["bot CPU ms/run", (r) => r.botCpuMsPerRun.toFixed(1)],
    ];
    const header = columns.map(([h]) => h);
    console.log(
      table(
        header,
        rows.map((r) => columns.map(([, cell]) => cell(r))),
      ),
    );
    const at200 = rows.find((r) => r.concurrency === 200);
    const budget = 1.1 * CRITICAL_MS + EDIT_INTERVAL_MS;
    console.log(
      `\ncritical path ${CRITICAL_MS} ms (scripted); e2e budget 1.10 x critical + one edit interval = ${ms(budget)} ms` +
        (at200
          ? `\ntargets at 200: ack p99 ${ms(at200.ackP99)} < 100 ms: ${at200.ackP99 < 100 ? "met" : "MISSED"}; ` +
            `interim p99 ${ms(at200.interimP99)} < 300 ms: ${at200.interimP99 < 300 ? "met" : "MISSED"}; ` +
            `e2e p99 ${ms(at200.e2eP99)} <= ${ms(budget)} ms: ${at200.e2eP99 <= budget ? "met" : "MISSED"}`
          : ""),
    );
  },
} satisfies BenchSection;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `npx tsx bench/slack.ts 200` runs one level.
  await slackBench.run(process.argv.slice(2).map(Number));
  process.exit(0);
}
