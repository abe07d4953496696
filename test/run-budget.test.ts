import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { defaultMaxConcurrentRuns } from "../src/moa/traffic/run-budget.js";

const provider = (name: string, maxConcurrency: number) => ({
  name,
  baseURL: "http://127.0.0.1:1/v1",
  apiKey: "k",
  maxConcurrency,
  rpm: 0,
});

describe("default MOA_MAX_CONCURRENT_RUNS", () => {
  it("is what the providers' concurrency can keep streaming, one proposer layer per run", () => {
    expect(defaultMaxConcurrentRuns({ default: provider("default", 24) }, 3)).toBe(8);
    expect(
      defaultMaxConcurrentRuns({ default: provider("default", 10), groq: provider("groq", 5) }, 3),
    ).toBe(5);
    // A learnt provider counts with the ceiling of its learnt concurrency.
    expect(defaultMaxConcurrentRuns({ default: provider("default", 0) }, 3)).toBe(42);
    expect(defaultMaxConcurrentRuns({ default: provider("default", 1) }, 4)).toBe(1);
  });

  it("is derived by loadConfig when unset, and an explicit value (0 = off) wins", () => {
    expect(loadConfig({}).MOA_MAX_CONCURRENT_RUNS).toBe(42);
    expect(loadConfig({ OPENAI_MAX_CONCURRENCY: "30" }).MOA_MAX_CONCURRENT_RUNS).toBe(10);
    expect(loadConfig({ MOA_MAX_CONCURRENT_RUNS: "0" }).MOA_MAX_CONCURRENT_RUNS).toBe(0);
    expect(loadConfig({ MOA_MAX_CONCURRENT_RUNS: "8" }).MOA_MAX_CONCURRENT_RUNS).toBe(8);
    expect(loadConfig({}).MOA_QUEUE_TIMEOUT_MS).toBe(180_000);
  });
});
