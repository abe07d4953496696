/**
 * Admission bench (issue 14.5): 50 users ask at once. Each run waits in the RunQueue
 * (MOA_MAX_CONCURRENT_RUNS) and then goes through the production model chain
 * (createModelChain: provider scheduler + real openai client) to the fake provider.
 * Reports p50/p95 end-to-end time over the scripted critical path for the old fixed
 * default (8), the default now derived from the provider budgets, and no limit; once
 * with a provider without limits and once with a strict one (8 streams, 30 requests
 * per 2 s, 429 + retry-after beyond) where the provider, not admission, is the bottleneck.
 *
 *   npx tsx bench/admission.ts        (or `npm run bench -- admission`)
 */
import { pathToFileURL } from "node:url";
import { RunQueue } from "../src/bots/admission/run-queue.js";
import { loadConfig } from "../src/config.js";
import { defaultPresetFromConfig } from "../src/moa/default-preset.js";
import { runMoa } from "../src/moa/run-moa.js";
import { createModelChain } from "../src/moa/traffic/model-chain.js";
import { type FakeRateLimits, startFakeOpenAI } from "../test/fake-openai-server.js";
import type { BenchSection } from "./section.js";
import { percentile, table } from "./stats.js";

const USERS = 50;
const TOKEN_MS = 10;
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `);
const SCRIPTS = {
  "b-p1": { firstTokenMs: 100, tokenMs: TOKEN_MS, reply: words(10) },
  "b-p2": { firstTokenMs: 150, tokenMs: TOKEN_MS, reply: words(10) },
  "b-p3": { firstTokenMs: 200, tokenMs: TOKEN_MS, reply: words(10) },
  "b-agg": { firstTokenMs: 100, tokenMs: TOKEN_MS, reply: words(30) },
};
/** Two layers: slowest proposer twice (layer 1, layer 2), then the aggregator, ms. */
const CRITICAL_MS = 2 * (200 + 9 * TOKEN_MS) + (100 + 29 * TOKEN_MS);
const quiet = { warn: () => {} };

/** One row of the table. */
interface AdmissionRow {
  provider: string;
  limit: string;
  p50: number;
  p95: number;
  answered: number;
  drafts: number;
}

async function pass(
  provider: string,
  limits: FakeRateLimits | undefined,
  label: string,
  maxRuns: (derived: number) => number,
): Promise<AdmissionRow> {
  const fake = await startFakeOpenAI({
    models: SCRIPTS,
    strict: true,
    ...(limits ? { limits } : {}),
  });
  try {
    const config = loadConfig({
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: "sk-bench",
      MOA_PROPOSERS: "b-p1,b-p2,b-p3",
      MOA_AGGREGATOR: "b-agg",
      MOA_LAYERS: "3",
      MOA_MAX_TOKENS: "64",
    });
    const queue = new RunQueue(maxRuns(config.MOA_MAX_CONCURRENT_RUNS));
    const { model } = createModelChain(config, quiet);
    const preset = defaultPresetFromConfig(config);
    let drafts = 0;
    let answered = 0;
    const times = await Promise.all(
      Array.from({ length: USERS }, async (_, u) => {
        const start = performance.now();
        const release = await queue.admit(`bench:C${u}`, new AbortController().signal, () => {});
        try {
          for await (const e of runMoa(
            { messages: [{ role: "user", content: `q${u}` }], preset },
            {
              model,
              maxRetries: config.MOA_MAX_RETRIES,
              queueTimeoutMs: config.MOA_QUEUE_TIMEOUT_MS,
            },
          )) {
            if (e.type === "proposer-end") drafts++;
            if (e.type === "run-end" && e.outcome === "ok") answered++;
          }
        } finally {
          release();
        }
        return performance.now() - start;
      }),
    );
    return {
      provider,
      limit: label === "derived" ? `derived (${config.MOA_MAX_CONCURRENT_RUNS})` : label,
      p50: percentile(times, 50) / CRITICAL_MS,
      p95: percentile(times, 95) / CRITICAL_MS,
      answered,
      drafts,
    };
  } finally {
    await fake.close();
  }
}

/** Every combination of provider and admission limit. */
export async function runAdmissionBench(): Promise<AdmissionRow[]> {
  const rows: AdmissionRow[] = [];
  const providers: Array<[string, FakeRateLimits | undefined]> = [
    ["unlimited", undefined],
    ["8 streams, 30 req/2 s", { maxConcurrent: 8, requestsPerWindow: 30, windowMs: 2_000 }],
  ];
  const limits: Array<[string, (derived: number) => number]> = [
    ["8 (old default)", () => 8],
    ["derived", (d) => d],
    ["off", () => 0],
  ];
  // ADMISSION_BENCH_PROVIDER=unlimited runs one provider only.
  const only = process.env.ADMISSION_BENCH_PROVIDER;
  for (const [provider, fakeLimits] of providers.filter(([p]) => !only || p.startsWith(only)))
    for (const [label, maxRuns] of limits)
      rows.push(await pass(provider, fakeLimits, label, maxRuns));
  return rows;
}

/** `npm run bench` section. */
export const admissionBench = {
  name: `Admission: ${USERS} concurrent users, MOA_MAX_CONCURRENT_RUNS old vs derived (engine + model chain)`,
  async run() {
    const rows = await runAdmissionBench();
    console.log(
      table(
        [
          "provider",
          "MOA_MAX_CONCURRENT_RUNS",
          "e2e/crit p50",
          "e2e/crit p95",
          "answered",
          "drafts",
        ],
        rows.map((r) => [
          r.provider,
          r.limit,
          r.p50.toFixed(2),
          r.p95.toFixed(2),
          `${r.answered}/${USERS}`,
          `${r.drafts}/${USERS * 6}`,
        ]),
      ),
    );
    console.log(
      `\ncritical path ${CRITICAL_MS} ms (scripted, 3 proposers x 2 layers + aggregator).` +
        "\nTrade-off: a higher admission limit lets every run start at once, so nobody waits in" +
        "\nbatches while the provider has room; when the provider is the bottleneck the calls" +
        "\nqueue in the provider scheduler instead, and the tail is set by the provider's budget.",
    );
  },
} satisfies BenchSection;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await admissionBench.run();
  process.exit(0);
}
