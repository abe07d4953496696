import { fork } from "node:child_process";
import { once } from "node:events";
import type { ChatModel } from "../src/moa/chat-model.js";
import { PresetSchema } from "../src/moa/preset.js";
import { OpenAICompatibleModel } from "../src/moa/providers/openai-compatible.js";
import { runMoa } from "../src/moa/run-moa.js";
import type { ServerReport } from "./fake-server-process.js";
import { type LatencyScript, ScriptedChatModel } from "./scripted-model.js";
import type { BenchSection } from "./section.js";
import { mb, percentile, table } from "./stats.js";

const TOKEN_MS = 20;
const tokens = (n: number) => Array.from({ length: n }, (_, i) => `tok${i} `);
/** Four proposers with fixed, slightly different latencies, then the aggregator (~50 tokens/s each). */
const SCRIPTS: Record<string, LatencyScript> = {
  "bench-p1": { firstTokenMs: 150, tokenMs: TOKEN_MS, chunks: tokens(20) },
  "bench-p2": { firstTokenMs: 200, tokenMs: TOKEN_MS, chunks: tokens(20) },
  "bench-p3": { firstTokenMs: 250, tokenMs: TOKEN_MS, chunks: tokens(20) },
  "bench-p4": { firstTokenMs: 300, tokenMs: TOKEN_MS, chunks: tokens(20) },
  "bench-agg": { firstTokenMs: 200, tokenMs: TOKEN_MS, chunks: tokens(30) },
};
const AGGREGATOR = "bench-agg";
/** Critical path as scripted: slowest proposer (300 + 19·20) + aggregator (200 + 29·20) ms. */
const SCRIPTED_PATH_MS = 300 + 19 * TOKEN_MS + 200 + 29 * TOKEN_MS;
/** Concurrency levels; each wave starts `concurrency` runs at the same instant. */
const LEVELS = [
  { concurrency: 1, waves: 10 },
  { concurrency: 50, waves: 2 },
  { concurrency: 200, waves: 2 },
];

const preset = PresetSchema.parse({
  name: "bench",
  proposers: ["bench-p1", "bench-p2", "bench-p3", "bench-p4"],
  aggregator: AGGREGATOR,
  layers: 2,
  temperature: 0.7,
  maxTokens: 256,
});

/** What runs are measured against. */
interface Target {
  /** Table heading. */
  label: string;
  /** The port the engine calls. */
  model: ChatModel;
  /** Critical path of each run tagged since the last call (ms), and the server's CPU ms meanwhile. */
  report(): Promise<{ paths: Map<string, number>; serverCpuMs?: number }>;
  /** Releases the target. */
  close(): void;
}

/** The real openai client against the fake server in a child process (its CPU is not counted here). */
async function httpTarget(): Promise<Target> {
  const serverScripts = Object.fromEntries(
    Object.entries(SCRIPTS).map(([m, s]) => [
      m,
      { firstTokenMs: s.firstTokenMs, tokenMs: s.tokenMs, reply: s.chunks },
    ]),
  );
  const child = fork(new URL("./fake-server-process.ts", import.meta.url), {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, BENCH_SCRIPTS: JSON.stringify(serverScripts) },
  });
  const [ready] = (await once(child, "message")) as [{ url: string }];
  return {
    label:
      "engine + openai SDK + HTTP to the fake server (child process); path timed by the server",
    model: new OpenAICompatibleModel({
      default: { name: "default", baseURL: ready.url, apiKey: "bench", maxConcurrency: 0, rpm: 0 },
    }),
    async report() {
      child.send("records");
      const [reply] = (await once(child, "message")) as [ServerReport];
      return { paths: criticalPaths(reply), serverCpuMs: reply.cpuMs };
    },
    close: () => child.disconnect(),
  };
}

/** An in-process scripted model: no HTTP, no SDK, so only the engine's own overhead shows. */
function scriptedTarget(): Target {
  return {
    label: `engine alone, in-process scripted model; path as scripted (${SCRIPTED_PATH_MS} ms)`,
    model: new ScriptedChatModel(SCRIPTS),
    report: async () => ({ paths: new Map() }),
    close: () => {},
  };
}

/** Critical path of each run by the server's own clock: slowest proposer + aggregator. */
function criticalPaths(report: ServerReport): Map<string, number> {
  const byTag = new Map<string, { proposers: number; aggregator: number }>();
  for (const r of report.records) {
    const entry = byTag.get(r.tag) ?? { proposers: 0, aggregator: 0 };
    if (r.model === AGGREGATOR) entry.aggregator = r.durationMs;
    else entry.proposers = Math.max(entry.proposers, r.durationMs);
    byTag.set(r.tag, entry);
  }
  return new Map([...byTag].map(([tag, e]) => [tag, e.proposers + e.aggregator]));
}

/** Peak RSS seen at layer ends (when most calls are in flight); one read per run, no timer. */
let rssPeak = 0;

/** One MoA run end to end, as a bot would drive it; returns its wall time in ms. */
async function oneRun(model: ChatModel, tag: string): Promise<number> {
  const started = performance.now();
  const request = { messages: [{ role: "user" as const, content: tag }], preset };
  for await (const event of runMoa(request, { model })) {
    if (event.type === "layer-end") rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    if (event.type === "run-error") throw new Error(`${tag}: ${event.error.message}`);
  }
  return performance.now() - started;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Runs `waves` waves of `concurrency` simultaneous runs; returns one table row. */
async function measure(target: Target, label: string, concurrency: number, waves: number) {
  gc?.();
  const rssBefore = process.memoryUsage.rss();
  rssPeak = rssBefore;
  const cpuBefore = process.cpuUsage();
  let serverCpuMs = 0;
  const ratios: number[] = [];
  for (let wave = 0; wave < waves; wave++) {
    const tags = Array.from({ length: concurrency }, (_, i) => `${label} wave ${wave} run ${i}`);
    const times = await Promise.all(tags.map((tag) => oneRun(target.model, tag)));
    const report = await target.report();
    serverCpuMs += report.serverCpuMs ?? 0;
    tags.forEach((tag, i) => {
      ratios.push((times[i] as number) / (report.paths.get(tag) ?? SCRIPTED_PATH_MS));
    });
  }
  const cpu = process.cpuUsage(cpuBefore);
  const runs = concurrency * waves;
  return [
    String(concurrency),
    String(runs),
    percentile(ratios, 50).toFixed(3),
    percentile(ratios, 95).toFixed(3),
    ((cpu.user + cpu.system) / 1000 / runs).toFixed(2),
    serverCpuMs > 0 ? (serverCpuMs / runs).toFixed(2) : "-",
    mb(rssPeak),
    // One run is lost in the noise of a ~100 MB process; per-run memory needs many in flight.
    concurrency < 10
      ? "-"
      : `${Math.max(0, (rssPeak - rssBefore) / 1024 / concurrency).toFixed(0)} KB`,
  ];
}

async function benchTarget(target: Target): Promise<void> {
  try {
    await measure(target, "warm-up", 20, 1); // JIT and connection pool
    const rows: string[][] = [];
    for (const { concurrency, waves } of LEVELS) {
      rows.push(await measure(target, `c${concurrency}`, concurrency, waves));
    }
    const header = ["concurrent", "runs", "p50 e2e/path", "p95 e2e/path", "CPU ms/run"];
    header.push("server CPU ms/run", "peak RSS", "RSS/in-flight run");
    console.log(`\n${target.label}\n${table(header, rows)}`);
  } finally {
    target.close();
  }
}

/** CPU of the engine alone per run when the model answers at once: its own cost per call and chunk. */
async function pureEngineCpu(): Promise<string> {
  const instant = Object.fromEntries(
    Object.entries(SCRIPTS).map(([m, s]) => [m, { ...s, firstTokenMs: 0, tokenMs: 0 }]),
  );
  const model = new ScriptedChatModel(instant);
  const chunks = Object.values(SCRIPTS).reduce((n, s) => n + s.chunks.length, 0);
  for (let i = 0; i < 1000; i++) await oneRun(model, "warm-up");
  const runs = 3000;
  const before = process.cpuUsage();
  for (let i = 0; i < runs; i++) await oneRun(model, "pure");
  const cpu = process.cpuUsage(before);
  const perRun = (cpu.user + cpu.system) / runs;
  return `engine alone, model answering instantly: ${perRun.toFixed(0)} µs CPU per run (5 calls, ${chunks} chunks; ${(perRun / chunks).toFixed(1)} µs per chunk)`;
}

/** End-to-end overhead against the critical path at 1, 50 and 200 concurrent runs, with and without the SDK. */
export const engineBench: BenchSection = {
  name: "MoA engine: 4 proposers + aggregator (2 layers); each wave starts all its runs at once",
  async run() {
    console.log("e2e/path: run wall time / (slowest proposer + aggregator, first token to last)");
    console.log(
      `CPU ms/run and RSS: this process only (the fake server runs in a child; its CPU is shown apart); gc ${gc ? "forced before each level" : "not exposed (node --expose-gc)"}`,
    );
    console.log(await pureEngineCpu());
    await benchTarget(scriptedTarget());
    await benchTarget(await httpTarget());
    console.log(
      "\ntargets: e2e/path <= 1.02 at 1 run, <= 1.10 at 200; < 1 MB RSS per in-flight run",
    );
  },
};
