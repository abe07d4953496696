/**
 * The shared flow with no platform: invocation -> dispatch -> runMoa -> presenter -> a
 * recording sink, with the real commands, stores, quotas, run queue, engine and openai
 * client (against the fake models). What both bots rely on is checked here once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Quotas } from "../src/bots/admission/quotas.js";
import { createRunGate } from "../src/bots/admission/run-gate.js";
import { RunQueue } from "../src/bots/admission/run-queue.js";
import { RunRegistry } from "../src/bots/admission/run-registry.js";
import type { ChatSink, PlatformProfile } from "../src/bots/chat-sink.js";
import { type BotDeps, handleInvocation } from "../src/bots/handle-invocation.js";
import { storeDeps } from "../src/bots/store-deps.js";
import { dispatch } from "../src/commands/dispatch.js";
import type { Invocation } from "../src/commands/invocation.js";
import { loadPresetCatalog } from "../src/commands/presets/catalog.js";
import { loadConfig } from "../src/config.js";
import { silentLogger } from "../src/log.js";
import { OpenAICompatibleModel } from "../src/moa/providers/openai-compatible.js";
import { openStore } from "../src/store/open-store.js";
import { conversationKey } from "../src/store/store-keys.js";
import { storesOver } from "../src/store/stores.js";
import type { FakeOpenAIServer } from "./fake-openai-server.js";
import { until } from "./fixtures/conditions.js";
import { harnessModelEnv, startHarnessModels } from "./fixtures/harness-models.js";

/** A sink that records every call in order, as `kind: text`. */
class RecordingSink implements ChatSink {
  readonly calls: string[] = [];
  constructor(private readonly thread = "T-1") {}
  async open(text: string) {
    this.calls.push(`open: ${text}`);
  }
  async edit(text: string) {
    this.calls.push(`edit: ${text}`);
  }
  async postInThread(text: string) {
    this.calls.push(`thread: ${text}`);
  }
  async replyPrivately(text: string) {
    this.calls.push(`private: ${text}`);
  }
  threadId() {
    return this.calls.some((c) => c.startsWith("open:")) ? this.thread : undefined;
  }
}

const profile: PlatformProfile = {
  name: "test",
  maxMessageChars: 4_000,
  editIntervalMs: 50,
  neutralize: (t) => t,
};

let models: FakeOpenAIServer;
beforeAll(async () => {
  models = await startHarnessModels({ agg: { reply: "The answer.", firstTokenMs: 150 } });
});
afterAll(() => models.close());

function setup(limits: { userPerMinute?: number; maxRuns?: number } = {}) {
  const config = loadConfig({ ...harnessModelEnv(models), MOA_MAX_RETRIES: "0" });
  const stores = storesOver(openStore("sqlite://:memory:"), config);
  const runs = new RunRegistry();
  const claims: string[] = [];
  const remembered: string[] = [];
  const store = storeDeps("slack", stores);
  const deps: BotDeps = {
    dispatch: async (inv) => {
      const result = await dispatch(inv, {
        stores,
        catalog: loadPresetCatalog(config),
        config,
        log: silentLogger,
      });
      claims.push(`dispatched ${inv.eventKey}`);
      return result;
    },
    claim: async (key) => {
      claims.push(`claim ${key}`);
      return store.claim(key);
    },
    remember: async (inv, threadId, turns) => {
      remembered.push(threadId);
      await store.remember(inv, threadId, turns);
    },
    engine: { model: new OpenAICompatibleModel(config.providers), maxRetries: 0 },
    log: silentLogger,
    runs,
    gate: createRunGate({
      runs,
      quotas: new Quotas({
        userPerMinute: limits.userPerMinute ?? 0,
        userPerHour: 0,
        channelPerMinute: 0,
        channelPerHour: 0,
      }),
      runQueue: new RunQueue(limits.maxRuns ?? 0),
    }),
  };
  return { deps, stores, runs, claims, remembered };
}

let events = 0;
const inv = (text: string, over: Partial<Invocation> = {}): Invocation => ({
  platform: "slack",
  workspaceId: "T1",
  channelId: "C1",
  userId: "U1",
  source: "command",
  text,
  platformAdmin: false,
  eventKey: `flow:${++events}`,
  ...over,
});

describe("the shared flow", () => {
  it("claims the event only after dispatch, and only for events it acts on", async () => {
    const { deps, claims, stores } = setup();
    const ignored = inv("hi", { source: "thread-reply", threadId: "not-ours" });
    await handleInvocation(ignored, new RecordingSink(), profile, deps);
    expect(claims).toEqual([`dispatched ${ignored.eventKey}`]);

    const help = inv("help");
    const sink = new RecordingSink();
    await handleInvocation(help, sink, profile, deps);
    expect(claims.slice(1)).toEqual([`dispatched ${help.eventKey}`, `claim ${help.eventKey}`]);
    expect(sink.calls[0]).toMatch(/^(open|private): /);
    // A second delivery of the same event is dispatched, then dropped by the claim.
    const again = new RecordingSink();
    await handleInvocation(help, again, profile, deps);
    expect(again.calls).toEqual([]);
    expect(models.requests).toHaveLength(0);
    await stores.close();
  });

  it("refuses over quota before any interim message or model call", async () => {
    const { deps, stores } = setup({ userPerMinute: 1 });
    const first = new RecordingSink();
    await handleInvocation(inv("Why is the sky blue?"), first, profile, deps);
    expect(first.calls.at(-1)).toContain("The answer.");
    models.reset();
    const second = new RecordingSink();
    await handleInvocation(inv("And the sea?"), second, profile, deps);
    expect(second.calls).toHaveLength(1);
    expect(second.calls[0]).toMatch(/^private: .*(try again|retry)/i);
    expect(models.requests).toHaveLength(0);
    await stores.close();
  });

  it("shows the queue position while another run holds the only slot, then answers", async () => {
    const { deps, stores, runs } = setup({ maxRuns: 1 });
    const a = new RecordingSink("T-a");
    const b = new RecordingSink("T-b");
    const first = handleInvocation(inv("First?"), a, profile, deps);
    await until(() => a.calls.length > 0, "first run's interim message");
    const second = handleInvocation(inv("Second?", { channelId: "C2" }), b, profile, deps);
    await until(() => b.calls.some((c) => c.includes("queued (position 1)")), "queue position");
    expect(runs.size).toBe(2);
    await Promise.all([first, second]);
    expect(b.calls.at(-1)).toContain("The answer.");
    expect(runs.size).toBe(0);
    await stores.close();
  });

  it("remembers the turns only when the run is done, not when it was stopped", async () => {
    const { deps, stores, runs, remembered } = setup();
    const done = inv("Remember me?");
    await handleInvocation(done, new RecordingSink("T-done"), profile, deps);
    expect(remembered).toEqual(["T-done"]);
    const key = conversationKey({ ...done, threadId: "T-done" });
    expect(await stores.conversations.load(key)).toEqual([
      { role: "user", content: "Remember me?" },
      { role: "assistant", content: "The answer." },
    ]);

    const stopped = inv("Stop me?");
    const flow = handleInvocation(stopped, new RecordingSink("T-stop"), profile, deps);
    await until(() => runs.find(stopped.eventKey).length === 1, "run stoppable");
    expect(await deps.gate?.stop(stopped.eventKey, "U1")).toBe("stopped");
    await flow;
    expect(remembered).toEqual(["T-done"]);
    await stores.close();
  });
});
