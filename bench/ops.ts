/**
 * Ops bench: many concurrent MoA runs across three providers whose RPM budgets are
 * enforced by 429-answering proxies in front of the fake OpenAI server. Runs the same
 * load twice, without and with the ProviderScheduler, and reports the 429s that
 * reached users (a failed run or a dropped proposer) and the overhead ratio:
 * wall time / the lower bound the budgets impose (1.0 = as fast as the budgets allow).
 *
 *   npx tsx bench/ops.ts        (or `npm run bench` once opsBench is listed in bench/run.ts)
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import type { ProviderConfig } from "../src/config.js";
import type { ChatModel } from "../src/moa/chat-model.js";
import { PresetSchema } from "../src/moa/preset.js";
import { OpenAICompatibleModel } from "../src/moa/providers/openai-compatible.js";
import { resolveModel } from "../src/moa/providers/resolve-model.js";
import { runMoa } from "../src/moa/run-moa.js";
import { ProviderScheduler } from "../src/moa/traffic/provider-scheduler.js";
import { startFakeOpenAI, tokenize } from "../test/fake-openai-server.js";
import type { BenchSection } from "./section.js";
import { percentile, table } from "./stats.js";

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
    const limits = { rpm: rpm[name] ?? 60, maxConcurrency: options.maxConcurrency ?? 10 };
    providers[name] = { ...fake.provider(name), baseURL: (proxies[i] as RpmProxy).url, ...limits };
  });
  const direct = new OpenAICompatibleModel(providers);
  const scheduled = new ProviderScheduler(direct, {
    providerOf: (id) => resolveModel(id, providers).provider,
    limits: providers,
    // 5% slack for the ms of jitter between our count and the proxy's (see DEFAULT_RATE_WINDOW_MS).
    rateWindowMs: windowMs * 1.05,
  });
  // Every run calls each provider once as a proposer; run i's aggregator is on provider i % 3.
  const calls = (k: number) => runs + Math.ceil((runs - k) / 3);
  const budgetMs = PROVIDERS.map((p, k) => Math.floor((calls(k) - 1) / (rpm[p] ?? 60)) * windowMs);
  const callMs = REPLY.firstTokenMs + tokenize(REPLY.reply).length * REPLY.tokenMs;
  const lowerBoundMs = Math.max(...budgetMs) + 2 * callMs;
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

/** One preset per aggregator provider; proposers are one model on each provider. */
const PRESETS = PROVIDERS.map((agg) =>
  PresetSchema.parse({
    name: "bench",
    proposers: PROVIDERS.map((p) => `${p}:${p}-m`),
    aggregator: `${agg}:${agg}-agg`,
    layers: 2,
    temperature: 0.7,
    maxTokens: 64,
  }),
);

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
      const preset = PRESETS[i % 3] as (typeof PRESETS)[number];
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
  const times = results.map((r) => r.ms);
  return {
    mode,
    runs,
    ok: results.filter((r) => r.ok).length,
    runsHitBy429: results.filter((r) => r.hit429).length,
    sent429: proxies.reduce((n, p) => n + p.sent429, 0),
    wallMs: Math.round(wallMs),
    lowerBoundMs,
    overheadRatio: Math.round((wallMs / lowerBoundMs) * 100) / 100,
    p50Ms: Math.round(percentile(times, 50)),
    p95Ms: Math.round(percentile(times, 95)),
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

/** A table with one row per pass. */
export function formatOpsBench(passes: OpsPass[]): string {
  const header = ["mode", "runs", "ok", "users saw 429", "429s sent", "wall ms", "bound ms"];
  header.push("overhead", "p50 ms", "p95 ms");
  const rows = passes.map((p) =>
    [p.mode, p.runs, p.ok, p.runsHitBy429, p.sent429, p.wallMs, p.lowerBoundMs]
      .map(String)
      .concat(`${p.overheadRatio.toFixed(2)}x`, String(p.p50Ms), String(p.p95Ms)),
  );
  return table(header, rows);
}

/** The section for bench/run.ts. */
export const opsBench: BenchSection = {
  name: "Ops: 200 concurrent runs over 3 RPM-limited providers, direct vs ProviderScheduler",
  async run() {
    console.log(
      "providers p1/p2/p3: 50/40/60 requests per 1 s window (a scaled minute), 429 beyond",
    );
    console.log("users saw 429 = runs that failed or lost a proposer to a rate limit");
    console.log(
      "overhead = wall time / lower bound set by the budgets (1.00 = as fast as allowed);",
    );
    console.log("direct runs can end early by failing, so its ratio may dip below 1");
    console.log(formatOpsBench(await benchOps()));
  },
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await opsBench.run();
}
