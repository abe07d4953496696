// Early agreement exit: a scripted 3-layer run (3 proposers per layer, then the aggregator)
// whose proposers agree, run with the exit off and on. Prints wall time, model calls,
// tokens and the ratios. In-process scripted models (no HTTP), so only the engine and the
// scripted latencies count.
import type { RunStats } from "../src/moa/events.js";
import { PresetSchema } from "../src/moa/preset.js";
import { runMoa } from "../src/moa/run-moa.js";
import { type LatencyScript, ScriptedChatModel } from "./scripted-model.js";
import type { BenchSection } from "./section.js";
import { percentile, table } from "./stats.js";

const TOKEN_MS = 10;
const words = (text: string) => text.split(" ").map((w) => `${w} `);
/** Three proposers that say the same thing in slightly different order, ~50 chunks each. */
const AGREED = "the capital of france is paris and it has been since the middle ages ".repeat(4);
const SCRIPTS: Record<string, LatencyScript> = {
  "ag-p1": { firstTokenMs: 150, tokenMs: TOKEN_MS, chunks: words(AGREED) },
  "ag-p2": { firstTokenMs: 200, tokenMs: TOKEN_MS, chunks: words(`paris ${AGREED}`) },
  "ag-p3": { firstTokenMs: 250, tokenMs: TOKEN_MS, chunks: words(`${AGREED} indeed`) },
  "ag-agg": { firstTokenMs: 200, tokenMs: TOKEN_MS, chunks: words("paris ".repeat(30)) },
};
const RUNS = 5;

const preset = (agreementExit?: number) =>
  PresetSchema.parse({
    name: "agree-bench",
    proposers: ["ag-p1", "ag-p2", "ag-p3"],
    aggregator: "ag-agg",
    layers: 3,
    temperature: 0.7,
    maxTokens: 256,
    ...(agreementExit !== undefined && { agreementExit }),
  });

async function measure(agreementExit?: number) {
  const model = new ScriptedChatModel(SCRIPTS);
  const times: number[] = [];
  let last: RunStats | undefined;
  let exits = 0;
  for (let i = 0; i < RUNS; i++) {
    for await (const e of runMoa(
      {
        messages: [{ role: "user", content: "Capital of France?" }],
        preset: preset(agreementExit),
      },
      { model },
    )) {
      if (e.type === "agreement-exit") exits++;
      if (e.type === "run-end" || e.type === "run-error") last = e.stats;
    }
    times.push(last?.totalMs ?? Number.NaN);
  }
  const tokens = (last?.usage.inputTokens ?? 0) + (last?.usage.outputTokens ?? 0);
  return { p50: percentile(times, 50), calls: last?.calls.length ?? 0, tokens, exits };
}

/** `npm run bench -- agreement`. */
export const agreementBench: BenchSection = {
  name: "early agreement exit (3 layers, agreeing proposers)",
  async run() {
    const off = await measure();
    const on = await measure(0.8);
    const row = (label: string, m: typeof off) => [
      label,
      `${m.p50.toFixed(0)} ms`,
      String(m.calls),
      String(m.tokens),
      `${m.exits}/${RUNS}`,
    ];
    console.log(
      table(["agree", "p50 run", "calls", "tokens", "exited"], [row("off", off), row("0.8", on)]),
    );
    console.log(
      `\non/off: time ${(on.p50 / off.p50).toFixed(2)}x, calls ${(on.calls / off.calls).toFixed(2)}x, tokens ${(on.tokens / off.tokens).toFixed(2)}x`,
    );
  },
};
