import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { App, type CustomRoute } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import type { RunStats } from "../src/moa/events.js";
import {
  createOpsHandler,
  type OpsServer,
  opsRoutes,
  startOpsServer,
} from "../src/ops/http-server.js";
import { Metrics } from "../src/ops/metrics.js";

const SECRET = "sk-live-THIS-MUST-NEVER-SHOW-123456";

const stats: RunStats = {
  totalMs: 4_200,
  usage: { inputTokens: 300, outputTokens: 120 },
  costUsd: 0.002,
  calls: [
    {
      role: "proposer",
      layer: 1,
      index: 0,
      model: "groq:llama",
      outcome: "ok",
      latencyMs: 1_500,
      attempts: 2,
      usage: { inputTokens: 100, outputTokens: 50 },
    },
    {
      role: "proposer",
      layer: 1,
      index: 1,
      model: "gpt-4.1-mini",
      outcome: "error",
      latencyMs: 900,
      attempts: 3,
      usage: { inputTokens: 0, outputTokens: 0 },
    },
    {
      role: "aggregator",
      layer: 2,
      index: 0,
      model: "gpt-4.1",
      outcome: "ok",
      latencyMs: 2_500,
      attempts: 1,
      usage: { inputTokens: 200, outputTokens: 70 },
    },
  ],
};

let server: OpsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function get(path: string) {
  const res = await fetch(`http://127.0.0.1:${server?.port}${path}`);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

describe("ops HTTP server", () => {
  it("/healthz is 200 with every check true, 503 naming the failing ones, never an error text", async () => {
    let slackUp = true;
    server = await startOpsServer(
      {
        metrics: new Metrics({ processMetrics: false }),
        checkTimeoutMs: 200,
        checks: {
          store: () => Promise.resolve(true),
          slack: () => slackUp,
          discord: () => {
            throw new Error(`gateway refused token ${SECRET}`);
          },
        },
      },
      0,
      "127.0.0.1",
    );
    const bad = await get("/healthz");
    expect(bad.status).toBe(503);
    expect(bad.type).toBe("application/json");
    expect(JSON.parse(bad.body)).toEqual({
      status: "unhealthy",
      checks: { store: true, slack: true, discord: false },
    });
    expect(bad.body).not.toContain(SECRET);

    await server.close();
    slackUp = false;
    server = await startOpsServer(
      {
        metrics: new Metrics({ processMetrics: false }),
        checks: { store: async () => true, slack: () => slackUp },
      },
      0,
      "127.0.0.1",
    );
    expect((await get("/healthz")).status).toBe(503);
    slackUp = true;
    const good = await get("/healthz?probe=1");
    expect(good.status).toBe(200);
    expect(JSON.parse(good.body)).toEqual({ status: "ok", checks: { store: true, slack: true } });
  });

  it("a hung check counts as down instead of hanging the probe", async () => {
    server = await startOpsServer(
      {
        metrics: new Metrics({ processMetrics: false }),
        checkTimeoutMs: 50,
        checks: { store: () => new Promise<boolean>(() => {}) },
      },
      0,
      "127.0.0.1",
    );
    const res = await get("/healthz");
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).checks).toEqual({ store: false });
  });

  it("/metrics serves runs, latencies, per-model errors/tokens and queue depths", async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.recordRun("slack", "ok", stats);
    metrics.recordRun("discord", "refused");
    metrics.observeQueues({
      runsQueued: () => 4,
      runsActive: () => 8,
      providers: () => ({ groq: { queued: 7, active: 2 }, default: { queued: 0, active: 3 } }),
    });
    server = await startOpsServer({ metrics, checks: {} }, 0, "127.0.0.1");
    const res = await get("/metrics");
    expect(res.status).toBe(200);
    expect(res.type).toContain("text/plain");
    const lines = res.body.split("\n");
    for (const line of [
      'moa_runs_total{platform="slack",outcome="ok"} 1',
      'moa_runs_total{platform="discord",outcome="refused"} 1',
      'moa_run_duration_seconds_bucket{le="5",platform="slack",outcome="ok"} 1',
      'moa_run_duration_seconds_count{platform="slack",outcome="ok"} 1',
      'moa_model_call_duration_seconds_bucket{le="2",model="groq:llama",role="proposer"} 1',
      'moa_model_call_duration_seconds_count{model="gpt-4.1",role="aggregator"} 1',
      'moa_model_errors_total{model="gpt-4.1-mini",role="proposer"} 1',
      'moa_model_retries_total{model="gpt-4.1-mini"} 2',
      'moa_model_tokens_total{model="gpt-4.1",direction="output"} 70',
      'moa_model_tokens_total{model="groq:llama",direction="input"} 100',
      'moa_cost_usd_total{platform="slack"} 0.002',
      "moa_runs_queued 4",
      "moa_runs_active 8",
      'moa_provider_calls_queued{provider="groq"} 7',
      'moa_provider_calls_active{provider="default"} 3',
    ])
      expect(lines).toContain(line);
    // Refused runs never called a model: no latency observed for them.
    expect(res.body).not.toContain('moa_run_duration_seconds_count{platform="discord"');
  });

  it("404s anything else, including other methods on the ops paths", async () => {
    server = await startOpsServer(
      { metrics: new Metrics({ processMetrics: false }), checks: {} },
      0,
      "127.0.0.1",
    );
    expect((await get("/")).status).toBe(404);
    expect((await get("/healthz/extra")).status).toBe(404);
    const post = await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: "POST" });
    expect(post.status).toBe(404);
  });

  it("the handler mounts on another server and leaves other paths to it", async () => {
    const handle = createOpsHandler({
      metrics: new Metrics({ processMetrics: false }),
      checks: { store: () => true },
    });
    const host = createServer((req, res) => {
      if (handle(req, res)) return;
      res.writeHead(200).end("slack events");
    });
    await new Promise<void>((r) => host.listen(0, "127.0.0.1", r));
    const port = (host.address() as AddressInfo).port;
    try {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      const other = await fetch(`http://127.0.0.1:${port}/slack/events`);
      expect(await other.text()).toBe("slack events");
    } finally {
      await new Promise((r) => host.close(r));
    }
  });

  it("mounts on the Slack HTTP receiver's server as Bolt customRoutes", async () => {
    const customRoutes: CustomRoute[] = opsRoutes({
      metrics: new Metrics({ processMetrics: false }),
      checks: { store: () => true, slack: () => true },
    });
    const app = new App({
      token: "xoxb-not-used",
      signingSecret: "not-used",
      tokenVerificationEnabled: false,
      customRoutes,
    });
    const listening = (await app.start({ port: 0, host: "127.0.0.1" })) as {
      address(): AddressInfo;
    };
    try {
      const base = `http://127.0.0.1:${listening.address().port}`;
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok", checks: { store: true, slack: true } });
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it("caps distinct model labels so user-chosen model ids cannot grow series forever", async () => {
    const metrics = new Metrics({ processMetrics: false, maxModels: 2 });
    metrics.recordRun("slack", "ok", stats);
    const text = await metrics.text();
    expect(text).toContain('moa_model_tokens_total{model="groq:llama",direction="input"} 100');
    expect(text).toContain('moa_model_errors_total{model="gpt-4.1-mini",role="proposer"} 1');
    expect(text).toContain('moa_model_tokens_total{model="other",direction="output"} 70');
    expect(text).not.toContain('model="gpt-4.1"');
  });

  it("process metrics are included by default", async () => {
    const text = await new Metrics().text();
    expect(text).toContain("process_cpu_user_seconds_total");
  });
});
