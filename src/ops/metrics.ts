import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { RunStats } from "../moa/events.js";

/**
 * How a run ended, as counted: `ok` (answered), `failed`, `cancelled` (Stop pressed),
 * `interrupted` (shutdown), `refused` (quota or draining; no model was called).
 */
export type RunOutcome = "ok" | "failed" | "cancelled" | "interrupted" | "refused";

/** Queue sizes read at scrape time. */
export interface QueueSources {
  /** Runs waiting for a run slot (RunQueue.queued). */
  runsQueued?: () => number;
  /** Runs holding a slot (RunQueue.active). */
  runsActive?: () => number;
  /** Model calls waiting and streaming by provider (ProviderScheduler.load). */
  providers?: () => Record<string, { queued: number; active: number }>;
}

/** Options of `Metrics`. */
export interface MetricsOptions {
  /** Also export Node process metrics (CPU, memory, event loop lag); default true. */
  processMetrics?: boolean;
  /** Distinct `model` label values kept (default 100); later ones count as `other`. */
  maxModels?: number;
}

const RUN_BUCKETS_S = [1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 300];
const CALL_BUCKETS_S = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];

/**
 * moa-bot's Prometheus metrics in a Registry of their own (never the global one, so
 * tests and several instances in one process do not collide). Names start with `moa_`.
 */
export class Metrics {
  /** The registry `/metrics` serialises. */
  readonly registry = new Registry();
  private readonly runs: Counter<"platform" | "outcome">;
  private readonly runSeconds: Histogram<"platform" | "outcome">;
  private readonly callSeconds: Histogram<"model" | "role">;
  private readonly callErrors: Counter<"model" | "role">;
  private readonly callRetries: Counter<"model">;
  private readonly tokens: Counter<"model" | "direction">;
  private readonly cost: Counter<"platform">;
  private queues: QueueSources = {};
  /** Model ids seen: presets may name any model, and every label value is a series forever. */
  private readonly models = new Set<string>();
  private readonly maxModels: number;

  constructor(options: MetricsOptions = {}) {
    this.maxModels = options.maxModels ?? 100;
    const registers = [this.registry];
    this.runs = new Counter({
      name: "moa_runs_total",
      help: "Runs by platform and outcome",
      labelNames: ["platform", "outcome"],
      registers,
    });
    this.runSeconds = new Histogram({
      name: "moa_run_duration_seconds",
      help: "Wall time of runs that called models, seconds",
      labelNames: ["platform", "outcome"],
      buckets: RUN_BUCKETS_S,
      registers,
    });
    this.callSeconds = new Histogram({
      name: "moa_model_call_duration_seconds",
      help: "Wall time of successful model calls (retries included), seconds",
      labelNames: ["model", "role"],
      buckets: CALL_BUCKETS_S,
      registers,
    });
    this.callErrors = new Counter({
      name: "moa_model_errors_total",
      help: "Model calls that failed after their retries",
      labelNames: ["model", "role"],
      registers,
    });
    this.callRetries = new Counter({
      name: "moa_model_retries_total",
      help: "Extra attempts made for model calls (429s, 5xx, timeouts)",
      labelNames: ["model"],
      registers,
    });
    this.tokens = new Counter({
      name: "moa_model_tokens_total",
      help: "Tokens reported by providers, by direction (input|output)",
      labelNames: ["model", "direction"],
      registers,
    });
    this.cost = new Counter({
      name: "moa_cost_usd_total",
      help: "Model spend of runs with configured prices, USD",
      labelNames: ["platform"],
      registers,
    });
    this.queueGauges(registers);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one run; `stats` (from run-end / run-error) adds latency, per-model figures and cost. */
  recordRun(platform: string, outcome: RunOutcome, stats?: RunStats): void {
    this.runs.inc({ platform, outcome });
    if (!stats) return;
    this.runSeconds.observe({ platform, outcome }, stats.totalMs / 1000);
    if (stats.costUsd !== undefined && stats.costUsd > 0)
      this.cost.inc({ platform }, stats.costUsd);
    for (const call of stats.calls) {
      const model = this.modelLabel(call.model);
      const role = call.role;
      if (call.outcome === "ok") this.callSeconds.observe({ model, role }, call.latencyMs / 1000);
      if (call.outcome === "error") this.callErrors.inc({ model, role });
      if (call.attempts > 1) this.callRetries.inc({ model }, call.attempts - 1);
      if (call.usage.inputTokens > 0)
        this.tokens.inc({ model, direction: "input" }, call.usage.inputTokens);
      if (call.usage.outputTokens > 0)
        this.tokens.inc({ model, direction: "output" }, call.usage.outputTokens);
    }
  }

  private modelLabel(model: string): string {
    if (this.models.has(model)) return model;
    if (this.models.size >= this.maxModels) return "other";
    this.models.add(model);
    return model;
  }

  /** Where the queue gauges read from at scrape time (RunQueue, ProviderScheduler). */
  observeQueues(sources: QueueSources): void {
    this.queues = sources;
  }

  /** Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content-Type header for `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  private queueGauges(registers: Registry[]): void {
    const queues = () => this.queues;
    new Gauge({
      name: "moa_runs_queued",
      help: "Runs waiting for a run slot",
      registers,
      collect() {
        this.set(queues().runsQueued?.() ?? 0);
      },
    });
    new Gauge({
      name: "moa_runs_active",
      help: "Runs holding a run slot",
      registers,
      collect() {
        this.set(queues().runsActive?.() ?? 0);
      },
    });
    const perProvider = (field: "queued" | "active") =>
      function (this: Gauge<"provider">) {
        this.reset();
        for (const [provider, load] of Object.entries(queues().providers?.() ?? {}))
          this.set({ provider }, load[field]);
      };
    new Gauge({
      name: "moa_provider_calls_queued",
      help: "Model calls waiting in the provider scheduler (concurrency, RPM or Retry-After)",
      labelNames: ["provider"],
      registers,
      collect: perProvider("queued"),
    });
    new Gauge({
      name: "moa_provider_calls_active",
      help: "Model calls streaming, by provider",
      labelNames: ["provider"],
      registers,
      collect: perProvider("active"),
    });
  }
}
