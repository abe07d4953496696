import type { RunRecord } from "../store/run-record.js";

/** 👍/👎 of one preset. */
export interface PresetStats {
  /** Preset name. */
  preset: string;
  /** Runs recorded. */
  runs: number;
  /** 👍 votes. */
  up: number;
  /** 👎 votes. */
  down: number;
}

/** How one model did over the runs. */
export interface ModelStats {
  /** Model id. */
  model: string;
  /** Runs that called it (any role). */
  runs: number;
  /** Calls that ended (cancelled ones are not counted). */
  calls: number;
  /** Calls that failed (errors; stragglers dropped at a deadline are `skipped`, not failures). */
  failed: number;
  /** Calls dropped at a layer deadline. */
  skipped: number;
  /** Median latency of its successful calls, ms (nearest rank); undefined without any. */
  p50Ms?: number;
  /** 95th percentile latency of its successful calls, ms (nearest rank). */
  p95Ms?: number;
  /** Input + output tokens over all its calls. */
  tokens: number;
  /** Cost over its priced calls, USD; undefined when none was priced. */
  costUsd?: number;
  /** Runs where it proposed in a layer of two or more proposers. */
  raced: number;
  /** Of those, runs where it was the proposer its layer waited for. */
  slowest: number;
}

/** Everything `/moa stats` shows. */
export interface StatsSummary {
  /** Runs in scope. */
  runs: number;
  /** Per preset, most runs first. */
  presets: PresetStats[];
  /** Per model, most runs first (then by name). */
  models: ModelStats[];
}

/** Nearest-rank percentile (the smallest value with at least p% of values at or below it). */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** Folds stored runs into the stats table's numbers. */
export function computeStats(records: readonly RunRecord[]): StatsSummary {
  const presets = new Map<string, PresetStats>();
  const models = new Map<string, ModelStats & { ok: number[] }>();
  for (const r of records) {
    const p = presets.get(r.preset) ?? { preset: r.preset, runs: 0, up: 0, down: 0 };
    p.runs++;
    for (const v of Object.values(r.votes)) v === "up" ? p.up++ : p.down++;
    presets.set(r.preset, p);

    const seen = new Set<string>();
    const racedLayers = new Map<string, Set<number>>();
    for (const c of r.calls) {
      const m = models.get(c.model) ?? {
        model: c.model,
        runs: 0,
        calls: 0,
        failed: 0,
        skipped: 0,
        tokens: 0,
        raced: 0,
        slowest: 0,
        ok: [],
      };
      models.set(c.model, m);
      if (!seen.has(c.model)) {
        seen.add(c.model);
        m.runs++;
      }
      m.tokens += c.inputTokens + c.outputTokens;
      if (c.costUsd !== undefined) m.costUsd = (m.costUsd ?? 0) + c.costUsd;
      if (c.outcome === "cancelled") continue;
      m.calls++;
      if (c.outcome === "error") m.failed++;
      if (c.outcome === "skipped") m.skipped++;
      if (c.outcome === "ok") m.ok.push(c.latencyMs);
      if (c.role === "proposer" && (r.slowest[c.layer - 1] ?? "") !== "") {
        const layers = racedLayers.get(c.model) ?? new Set<number>();
        layers.add(c.layer);
        racedLayers.set(c.model, layers);
      }
    }
    for (const [model, layers] of racedLayers) {
      const m = models.get(model);
      if (!m) continue;
      m.raced++;
      if ([...layers].some((l) => r.slowest[l - 1] === model)) m.slowest++;
    }
  }
  const modelStats = [...models.values()].map(({ ok, ...m }) => {
    const sorted = ok.sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p95 = percentile(sorted, 95);
    return {
      ...m,
      ...(p50 !== undefined && { p50Ms: p50 }),
      ...(p95 !== undefined && { p95Ms: p95 }),
    };
  });
  return {
    runs: records.length,
    presets: [...presets.values()].sort(
      (a, b) => b.runs - a.runs || a.preset.localeCompare(b.preset),
    ),
    models: modelStats.sort((a, b) => b.runs - a.runs || a.model.localeCompare(b.model)),
  };
}

/** Fewest proposer runs before a model's share of slow or failed runs is worth a recommendation. */
export const MIN_RUNS_FOR_ADVICE = 5;

/**
 * One line of advice when the data supports it: a proposer that the answer waited for in at
 * least half of its runs and that also failed 10% or more, or was at least twice as slow
 * (p95) as the next slowest proposer, is named with a deadline that would have kept the
 * others; else a model failing a quarter of its calls. Undefined otherwise.
 */
export function recommendation(summary: StatsSummary): string | undefined {
  const proposers = summary.models.filter((m) => m.raced >= MIN_RUNS_FOR_ADVICE);
  for (const m of [...proposers].sort((a, b) => b.slowest / b.raced - a.slowest / a.raced)) {
    const share = m.slowest / m.raced;
    if (share < 0.5) break;
    const failRate = m.calls > 0 ? m.failed / m.calls : 0;
    const others = proposers.filter((o) => o !== m && o.p95Ms !== undefined);
    const nextP95 = Math.max(0, ...others.map((o) => o.p95Ms ?? 0));
    const muchSlower = m.p95Ms !== undefined && nextP95 > 0 && m.p95Ms >= 2 * nextP95;
    if (failRate < 0.1 && !muchSlower) continue;
    // Half again the next slowest p95: the others would still make it in almost every run.
    const deadline =
      nextP95 > 0 ? ` or a ${Math.ceil((nextP95 * 1.5) / 1000)} s layer deadline` : "";
    const failed = failRate > 0 ? ` and failed ${pct(failRate)}` : "";
    return `\`${m.model}\` was the slowest proposer in ${pct(share)} of runs${failed}: consider removing it${deadline}.`;
  }
  const failing = summary.models.find(
    (m) => m.calls >= MIN_RUNS_FOR_ADVICE && m.failed / m.calls >= 0.25,
  );
  if (failing)
    return `\`${failing.model}\` failed ${pct(failing.failed / failing.calls)} of its calls: check its provider or replace it.`;
  return undefined;
}

/** A ratio as a whole percentage. */
export function pct(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}
