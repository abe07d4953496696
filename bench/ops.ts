/**
 * Ops bench: many concurrent MoA runs across three providers whose RPM budgets are
 * enforced by 429-answering proxies in front of the fake OpenAI server. Runs the same
 * load twice, without and with the ProviderScheduler, and reports the 429s that
 * reached users (a failed run or a dropped proposer) and the overhead ratio:
 * wall time / the lower bound the budgets impose (1.0 = as fast as the budgets allow).
 *
 *   npx tsx bench/ops.ts
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import type { ProviderConfig } from "../src/config.js";
import type { ChatModel } from "../src/moa/chat-model.js";
import { PresetSchema } from "../src/moa/preset.js";
import { OpenAICompatibleModel, resolveModel } from "../src/moa/providers/openai-compatible.js";
import { runMoa } from "../src/moa/run-moa.js";
import { ProviderScheduler } from "../src/ops/provider-scheduler.js";
import { startFakeOpenAI, tokenize } from "../test/fake-openai-server.js";

/** Shape of the load. */
export interface OpsBenchOptions {
  /** Concurrent runs (default 200). */
  runs?: number;
  /** The providers' rate window, ms (default 1 000: a scaled-down minute). */
  windowMs?: number;
  /** Requests per window by provider (default p1 50, p2 40, p3 60). */
  rpm?: Record<string, number>;
  /** Max concurrent calls per provider (default 10). */
  maxConcurrency?: number;
}

/** Figures of one pass. */
export interface OpsPass {
  /** `direct` (no scheduler) or `scheduled`. */
  mode: "direct" | "scheduled";
  runs: number;
  /** Runs that ended with an answer. */
  ok: number;
  /** Runs that failed with a rate-limit error, or lost a proposer to one: users saw a 429. */
  runsHitBy429: number;
  /** 429s the proxies sent (absorbed by retries unless counted above). */
  sent429: number;
  /** Wall time of the whole pass, ms. */
  wallMs: number;
  /** What the budgets allow at best, ms. */
  lowerBoundMs: number;
  /** wallMs / lowerBoundMs. */
  overheadRatio: number;
  /** Median and 95th percentile of run time, ms. */
  p50Ms: number;
  p95Ms: number;
}

/** Fake model latency: first token after 30 ms, then a token every 3 ms. */
const REPLY = {
  reply: "a draft with about a dozen words in it for the bench",
  firstTokenMs: 30,
  tokenMs: 3,
};
const PROVIDERS = ["p1", "p2", "p3"];

/** Runs the ops bench: the same load direct and through the scheduler. */
export async function benchOps(options: OpsBenchOptions = {}): Promise<OpsPass[]> {
  const runs = options.runs ?? 200;
  const windowMs = options.windowMs ?? 1_000;
  const rpm = options.rpm ?? { p1: 50, p2: 40, p3: 60 };
  const fake = await startFakeOpenAI({ models: {} });
  for (const p of PROVIDERS) for (const m of ["m", "agg"]) fake.script(`${p}-${m}`, REPLY);
  const proxies = await Promise.all(
    PROVIDERS.map((p) => startRpmProxy(fake.url, rpm[p] ?? 60, windowMs)),
  );
  const providers: Record<string, ProviderConfig> = { default: fake.provider() };
  PROVIDERS.forEach((name, i) => {
    const base = fake.provider(name);
    const proxy = proxies[i] as RpmProxy;
    providers[name] = { ...base, baseURL: proxy.url, rpm: rpm[name] ?? 60 };
    providers[name].maxConcurrency = options.maxConcurrency ?? 10;
  });
  const direct = new OpenAICompatibleModel(providers);
  const scheduled = new ProviderScheduler(direct, {
    providerOf: (id) => resolveModel(id, providers).provider,
    limits: providers,
    // 5% slack for the ms of jitter between our count and the proxy's (see DEFAULT_RATE_WINDOW_MS).
    rateWindowMs: windowMs * 1.05,
  });
  const calls = callsPerProvider(runs);
  const lowerBoundMs =
    Math.max(
      ...PROVIDERS.map((p) => Math.floor(((calls[p] ?? 1) - 1) / (rpm[p] ?? 60)) * windowMs),
    ) +
    2 * (REPLY.firstTokenMs + tokenize(REPLY.reply).length * REPLY.tokenMs);
  const passes: OpsPass[] = [];
  try {
    for (const [mode, model] of [
      ["direct", direct],
      ["scheduled", scheduled],
    ] as const) {
      for (const proxy of proxies) proxy.reset();
      // Let the previous pass's windows expire so both passes start with full budgets.
      await new Promise((r) => setTimeout(r, windowMs * 1.1));
      passes.push(await pass(mode, model, runs, lowerBoundMs, proxies));
    }
  } finally {
    await Promise.all([fake.close(), ...proxies.map((p) => p.close())]);
  }
  return passes;
}

/** Calls each provider receives: every run has one proposer on each, aggregators rotate. */
function callsPerProvider(runs: number): Record<string, number> {
  const calls: Record<string, number> = {};
  for (let i = 0; i < runs; i++) {
    for (const p of PROVIDERS) calls[p] = (calls[p] ?? 0) + 1;
    const agg = PROVIDERS[i % 3] as string;
    calls[agg] = (calls[agg] ?? 0) + 1;
  }
  return calls;
}

async function pass(
  mode: OpsPass["mode"],
  model: ChatModel,
  runs: number,
  lowerBoundMs: number,
  proxies: RpmProxy[],
): Promise<OpsPass> {
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: runs }, async (_, i) => {
      const preset = PresetSchema.parse({
        name: "bench",
        proposers: PROVIDERS.map((p) => `${p}:${p}-m`),
        aggregator: `${PROVIDERS[i % 3]}:${PROVIDERS[i % 3]}-agg`,
        layers: 2,
        temperature: 0.7,
        maxTokens: 64,
      });
      const t0 = performance.now();
      let hit429 = false;
      let ok = false;
      const messages = [{ role: "user" as const, content: `question ${i}` }];
      for await (const e of runMoa({ messages, preset }, { model })) {
        // A 429 reaches the user as a failed proposer line or as the run's error.
        if (e.type === "proposer-error" || e.type === "run-error")
          hit429 ||= e.error.code === "model_rate_limit";
        if (e.type === "run-end") ok = e.outcome === "ok";
      }
      return { ms: performance.now() - t0, hit429, ok };
    }),
  );
  const wallMs = performance.now() - started;
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0);
  return {
    mode,
    runs,
    ok: results.filter((r) => r.ok).length,
    runsHitBy429: results.filter((r) => r.hit429).length,
    sent429: proxies.reduce((n, p) => n + p.sent429, 0),
    wallMs: Math.round(wallMs),
    lowerBoundMs,
    overheadRatio: Math.round((wallMs / lowerBoundMs) * 100) / 100,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
  };
}

/** A provider's rate limit in front of the fake server. */
interface RpmProxy {
  url: string;
  sent429: number;
  reset(): void;
  close(): Promise<void>;
}

/** Forwards to `target` at most `rpm` requests per sliding `windowMs`; 429 + Retry-After beyond. */
async function startRpmProxy(target: string, rpm: number, windowMs: number): Promise<RpmProxy> {
  const upstream = new URL(target);
  let arrivals: number[] = [];
  const state = { sent429: 0 };
  const server = createServer((req, res) => {
    const now = performance.now();
    arrivals = arrivals.filter((t) => t > now - windowMs);
    if (arrivals.length >= rpm) {
      state.sent429++;
      const waitMs = Math.ceil((arrivals[0] as number) + windowMs - now);
      res.writeHead(429, {
        "content-type": "application/json",
        "retry-after-ms": String(waitMs),
        "retry-after": String(Math.ceil(waitMs / 1000)),
      });
      res.end(JSON.stringify({ error: { message: "Rate limit reached", type: "requests" } }));
      return;
    }
    arrivals.push(now);
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    res.on("close", () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get sent429() {
      return state.sent429;
    },
    reset() {
      arrivals = [];
      state.sent429 = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

const COLUMNS: Array<[string, (p: OpsPass) => string | number]> = [
  ["mode", (p) => p.mode],
  ["runs", (p) => p.runs],
  ["ok", (p) => p.ok],
  ["users-saw-429", (p) => p.runsHitBy429],
  ["429s-sent", (p) => p.sent429],
  ["wall-ms", (p) => p.wallMs],
  ["bound-ms", (p) => p.lowerBoundMs],
  ["overhead", (p) => `${p.overheadRatio.toFixed(2)}x`],
  ["p50-ms", (p) => p.p50Ms],
  ["p95-ms", (p) => p.p95Ms],
];

/** A table with one row per pass, for bench/run.ts. */
export function formatOpsBench(passes: OpsPass[]): string {
  const rows = [
    COLUMNS.map(([name]) => name),
    ...passes.map((p) => COLUMNS.map(([, cell]) => String(cell(p)))),
  ];
  return rows
    .map((row) => row.map((c, i) => c.padStart(COLUMNS[i]?.[0].length ?? 0)).join("  "))
    .join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatOpsBench(await benchOps()));
}
