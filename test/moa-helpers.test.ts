import { describe, expect, test } from "vitest";
import { ModelError } from "../src/errors.js";
import { EventChannel } from "../src/moa/event-channel.js";
import { trimHistory } from "../src/moa/history.js";
import type { ChatMessage } from "../src/moa/messages.js";
import { retryDelayMs, sleep } from "../src/moa/retry.js";
import { stripThink, ThinkFilter } from "../src/moa/think-filter.js";
import { costOf, summarize } from "../src/moa/usage.js";

describe("EventChannel (the event merge)", () => {
  test("events pushed by concurrent producers come out once each, in push order", async () => {
    const channel = new EventChannel<string>();
    const producer = async (name: string, delays: number[]) => {
      for (const [i, ms] of delays.entries()) {
        await new Promise((r) => setTimeout(r, ms));
        channel.push(`${name}${i}`);
      }
    };
    void Promise.all([producer("a", [5, 30, 5]), producer("b", [20, 5, 40])]).then(() =>
      channel.close(),
    );
    const seen: string[] = [];
    for await (const e of channel) seen.push(e);
    expect(seen.sort()).toEqual(["a0", "a1", "a2", "b0", "b1", "b2"]);
  });

  test("queued events are delivered before the end; a waiting consumer is woken by push and close", async () => {
    const channel = new EventChannel<number>();
    channel.push(1);
    channel.push(2);
    expect(await channel.next()).toEqual({ value: 1, done: false });
    expect(await channel.next()).toEqual({ value: 2, done: false });
    const waiting = channel.next();
    channel.push(3);
    expect(await waiting).toEqual({ value: 3, done: false });
    channel.push(4);
    channel.close();
    expect(await channel.next()).toEqual({ value: 4, done: false });
    const ended = channel.next();
    expect(await ended).toEqual({ value: undefined, done: true });
    channel.push(5);
    expect(await channel.next()).toEqual({ value: undefined, done: true });
  });

  test("close wakes a consumer already waiting; return drops the rest", async () => {
    const a = new EventChannel<number>();
    const waiting = a.next();
    a.close();
    expect((await waiting).done).toBe(true);
    const b = new EventChannel<number>();
    b.push(1);
    for await (const _ of b) break;
    b.push(2);
    expect((await b.next()).done).toBe(true);
  });
});

describe("ThinkFilter", () => {
  const run = (chunks: string[]) => {
    const f = new ThinkFilter();
    return chunks.map((c) => f.push(c)).join("") + f.flush();
  };

  test("removes blocks whose tags are split at every possible boundary", () => {
    const text = "<think>a < b</think>\n\nHello <b>world</b><think>more</think>!";
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        expect(run([text.slice(0, i), text.slice(i, j), text.slice(j)])).toBe(
          "Hello <b>world</b>!",
        );
      }
    }
  });

  test("passes text without tags through untouched, one delta at a time", () => {
    const f = new ThinkFilter();
    expect(f.push("plain ")).toBe("plain ");
    expect(f.push("a <")).toBe("a ");
    expect(f.push("= b")).toBe("<= b");
    expect(f.push(" <thi")).toBe(" ");
    expect(f.flush()).toBe("<thi");
  });

  test("an unterminated block is dropped; leading whitespace is dropped", () => {
    expect(run(["  \n", "<think>still thinking"])).toBe("");
    expect(run(["\n\n  Answer"])).toBe("Answer");
  });

  test("stripThink also handles an answer that starts inside the block", () => {
    expect(stripThink("reasoning without opening tag</think>\n\nThe answer.")).toBe("The answer.");
    expect(stripThink("<think>x</think>A</think>B")).toBe("A</think>B");
    expect(stripThink("No thinking here.  ")).toBe("No thinking here.");
  });
});

describe("trimHistory", () => {
  const m = (role: ChatMessage["role"], content: string): ChatMessage => ({ role, content });
  const convo = [
    m("system", "S"),
    m("user", "u1xx"),
    m("assistant", "a1xx"),
    m("user", "u2xx"),
    m("assistant", "a2xx"),
    m("user", "now"),
  ];

  test("keeps everything within budget (same array)", () => {
    const out = trimHistory(convo, 16);
    expect(out.messages).toBe(convo);
    expect(out.droppedTurns).toBe(0);
  });

  test("drops oldest first, restarts on a user turn, keeps system and the current turn", () => {
    const out = trimHistory(convo, 12);
    expect(out.messages.map((x) => x.content)).toEqual(["S", "u2xx", "a2xx", "now"]);
    expect(out).toMatchObject({ droppedTurns: 2, droppedChars: 8 });
    const odd = trimHistory(convo, 6);
    expect(odd.messages.map((x) => x.content)).toEqual(["S", "now"]);
    expect(trimHistory(convo, 0).messages.map((x) => x.content)).toEqual(["S", "now"]);
  });
});

describe("retry policy", () => {
  const err = (kind: ConstructorParameters<typeof ModelError>[0], retryAfterMs?: number) =>
    new ModelError(kind, "m", "x", { retryAfterMs });
  const opts = { maxRetries: 3, maxWaitMs: 10_000, random: () => 1 };

  test("backs off exponentially, capped, and stops after maxRetries or on non-retryable errors", () => {
    expect([1, 2, 3].map((a) => retryDelayMs(a, err("server"), opts))).toEqual([500, 1000, 2000]);
    expect(retryDelayMs(9, err("timeout"), { ...opts, maxRetries: 20 })).toBe(8000);
    expect(retryDelayMs(4, err("server"), opts)).toBeUndefined();
    expect(retryDelayMs(1, err("auth"), opts)).toBeUndefined();
    expect(retryDelayMs(1, err("bad_request"), opts)).toBeUndefined();
  });

  test("Retry-After wins, unless it is longer than the caller can wait", () => {
    expect(retryDelayMs(1, err("rate_limit", 1234.5), opts)).toBe(1235);
    expect(retryDelayMs(1, err("rate_limit", 60_000), opts)).toBeUndefined();
  });

  test("sleep ends early on abort and never rejects", async () => {
    const controller = new AbortController();
    // Ten minutes: the test can only finish (within its 5 s timeout) if the abort ended it.
    const waiting = sleep(600_000, controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeUndefined();
  });
});

describe("usage accounting", () => {
  test("cost is per million tokens; totals have cost only when a call had a price", () => {
    expect(
      costOf({ inputTokens: 1_000_000, outputTokens: 500_000 }, { input: 3, output: 15 }),
    ).toBe(10.5);
    const call = (costUsd?: number) => ({
      role: "proposer" as const,
      layer: 1,
      index: 0,
      model: "m",
      outcome: "ok" as const,
      latencyMs: 1,
      attempts: 1,
      usage: { inputTokens: 10, outputTokens: 5 },
      ...(costUsd === undefined ? {} : { costUsd }),
    });
    expect(summarize([call(), call()], 7)).toEqual({
      totalMs: 7,
      calls: [call(), call()],
      usage: { inputTokens: 20, outputTokens: 10 },
    });
    expect(summarize([call(0.5), call()], 7).costUsd).toBe(0.5);
  });
});
