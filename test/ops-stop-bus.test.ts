import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { createClient } from "@keyv/redis";
import { afterEach, describe, expect, it } from "vitest";
import { RedisStopBus, type RedisStopBusOptions } from "../src/ops/redis-stop-bus.js";
import { MemoryStopBus, type StopHandler } from "../src/ops/stop-bus.js";
import { recordingLog } from "./fixtures/commands-env.js";
import { TcpProxy } from "./fixtures/tcp-proxy.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A channel of this test run alone, so parallel runs never hear each other's presses. */
const channel = () => `moa-test-stop-${randomUUID()}`;

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const bus of open.splice(0)) await bus.close();
});

async function bus(options: RedisStopBusOptions, url = REDIS_URL): Promise<RedisStopBus> {
  const b = await RedisStopBus.connect(url, options);
  open.push(b);
  return b;
}

/** A local stop over one run: `owner` (or UADMIN) may stop it while `running`. */
function runsOf(runKey: string, owner: string) {
  const calls: string[] = [];
  let running = true;
  const handler: StopHandler = (key, userId) => {
    calls.push(`${key}/${userId}`);
    if (key !== runKey || !running) return "not-running";
    if (userId !== owner && userId !== "UADMIN") return "not-allowed";
    running = false;
    return "stopped";
  };
  return { calls, handler, running: () => running };
}

/** Resolves once `count` instances listen on `ch` (serve() subscribes in the background). */
async function serving(ch: string, count: number): Promise<void> {
  const raw = createClient({ url: REDIS_URL });
  raw.on("error", () => {});
  await raw.connect();
  try {
    await expect.poll(async () => (await raw.pubSubNumSub(ch))[ch], { timeout: 5_000 }).toBe(count);
  } finally {
    raw.destroy();
  }
}

describe("Redis stop bus (two instances in one process)", () => {
  it("a press on the instance without the run stops it on the one that has it", async () => {
    const ch = channel();
    const log = recordingLog();
    const a = await bus({ channel: ch, warn: log.warn });
    const b = await bus({ channel: ch, warn: log.warn });
    const runs = runsOf("run-a", "UASK");
    a.serve(runs.handler);
    b.serve(() => "not-running");
    await serving(ch, 2);

    expect(await b.request("run-a", "USTRANGER")).toBe("not-allowed");
    expect(runs.running()).toBe(true);
    const started = Date.now();
    expect(await b.request("run-a", "UASK")).toBe("stopped");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(runs.running()).toBe(false);
    expect(runs.calls).toEqual(["run-a/USTRANGER", "run-a/UASK"]);
    expect(log.lines).toEqual([]);
  });

  it("answers not-running as soon as every instance said it has no such run", async () => {
    const ch = channel();
    const a = await bus({ channel: ch, replyTimeoutMs: 5_000 });
    const b = await bus({ channel: ch, replyTimeoutMs: 5_000 });
    a.serve(runsOf("run-a", "UASK").handler);
    b.serve(() => "not-running");
    await serving(ch, 2);
    const started = Date.now();
    expect(await b.request("finished-run", "UASK")).toBe("not-running");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("is unknown at once when nobody serves, and after the timeout when nobody answers", async () => {
    const ch = channel();
    const log = recordingLog();
    const lonely = await bus({ channel: ch, replyTimeoutMs: 5_000 });
    let started = Date.now();
    expect(await lonely.request("run", "UASK")).toBe("unknown");
    expect(Date.now() - started).toBeLessThan(1_000);

    const silent = await bus({ channel: ch, warn: log.warn });
    silent.serve(() => {
      throw new Error("local stop broke");
    });
    await serving(ch, 1);
    const asker = await bus({ channel: ch, replyTimeoutMs: 300 });
    started = Date.now();
    expect(await asker.request("run", "UASK")).toBe("unknown");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(log.lines.map((l) => l.msg)).toEqual(["stop bus: local stop failed"]);
  });

  it("ignores malformed presses and replies, with a warning", async () => {
    const ch = channel();
    const log = recordingLog();
    const a = await bus({ channel: ch, warn: log.warn });
    const runs = runsOf("run-a", "UASK");
    a.serve(runs.handler);
    await serving(ch, 1);
    const raw = createClient({ url: REDIS_URL });
    raw.on("error", () => {});
    await raw.connect();
    try {
      await raw.publish(ch, "not json");
      await raw.publish(ch, JSON.stringify({ runKey: "run-a", userId: "UASK" }));
      await raw.publish(ch, JSON.stringify({ runKey: "run-a", userId: "UASK", replyId: "a b" }));
      await expect.poll(() => log.lines.length).toBe(3);
    } finally {
      raw.destroy();
    }
    expect(log.lines.every((l) => l.msg === "stop bus: malformed press ignored")).toBe(true);
    expect(runs.calls).toEqual([]);
    expect(runs.running()).toBe(true);
  });

  it("close ends pending requests as unknown, stops serving, and is idempotent", async () => {
    const ch = channel();
    const log = recordingLog();
    const a = await bus({ channel: ch, replyTimeoutMs: 5_000, warn: log.warn });
    const b = await bus({ channel: ch, replyTimeoutMs: 500, warn: log.warn });
    // Serves but never answers (throws), so a's request waits.
    b.serve(() => {
      throw new Error("no answer");
    });
    await serving(ch, 1);
    const pending = a.request("run", "UASK");
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await a.close();
    expect(await pending).toBe("unknown");
    expect(Date.now() - started).toBeLessThan(500);
    expect(await a.request("run", "UASK")).toBe("unknown");
    await a.close();

    const runs = runsOf("run-b", "UASK");
    b.serve(runs.handler);
    await b.close();
    await serving(ch, 0);
    const c = await bus({ channel: ch, replyTimeoutMs: 300 });
    expect(await c.request("run-b", "UASK")).toBe("unknown");
    expect(runs.running()).toBe(true);
  });
});

describe("Redis stop bus when Redis is unreachable", () => {
  const proxy = new TcpProxy(new URL(REDIS_URL).hostname, Number(new URL(REDIS_URL).port || 6379));
  afterEach(async () => {
    await proxy.stop();
  });

  it("connect rejects in bounded time when nothing answers", async () => {
    // A port nobody listens on: take one, then free it.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const started = Date.now();
    await expect(RedisStopBus.connect(`redis://127.0.0.1:${port}`)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it("requests answer unknown at once while Redis is down, and presses relay again once it is back", async () => {
    const ch = channel();
    const log = recordingLog();
    await proxy.start();
    const viaProxy = `redis://127.0.0.1:${proxy.port}`;
    const a = await bus({ channel: ch, warn: log.warn }, viaProxy);
    const b = await bus({ channel: ch, warn: log.warn, replyTimeoutMs: 1_000 }, viaProxy);
    const runs = runsOf("run-a", "UASK");
    a.serve(runs.handler);
    await serving(ch, 1);

    await proxy.stop();
    const started = Date.now();
    expect(await b.request("run-a", "UASK")).toBe("unknown");
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(runs.running()).toBe(true);
    expect(log.lines.map((l) => l.msg)).toContain(
      "stop bus: Redis unreachable; presses on other instances wait for it",
    );
    expect(JSON.stringify(log.lines)).not.toContain(viaProxy);

    await proxy.start();
    // The clients reconnect alone and the subscriber re-subscribes.
    await serving(ch, 1);
    await expect.poll(() => b.request("run-a", "UASK"), { timeout: 10_000 }).toBe("stopped");
    expect(runs.running()).toBe(false);
    expect(log.lines.map((l) => l.msg)).toContain("stop bus: Redis reachable again");
  });
});

describe("memory stop bus", () => {
  it("has nobody to ask", async () => {
    const memory = new MemoryStopBus();
    memory.serve();
    expect(await memory.request()).toBe("unknown");
    await memory.close();
  });
});
