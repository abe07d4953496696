import { afterEach, describe, expect, it } from "vitest";
import { dispatch, SETTINGS_UNAVAILABLE } from "../src/commands/dispatch.js";
import { type Kv, keyvKv } from "../src/store/kv.js";
import { openStore } from "../src/store/open-store.js";
import { conversationKey } from "../src/store/store-keys.js";
import { recordingLog, slackInvocation, testDeps } from "./fixtures/commands-env.js";
import { FlakyAdapter } from "./fixtures/flaky-adapter.js";

let kv: Kv | undefined;
afterEach(async () => {
  await kv?.close();
  kv = undefined;
});

const admin = (text: string) => slackInvocation({ userId: "UADMIN", text });

describe("a store that goes down and comes back", () => {
  it("commands say settings are unavailable, runs use the default, and it recovers", async () => {
    const adapter = new FlakyAdapter();
    kv = keyvKv(adapter, { log: recordingLog() });
    const { deps, log } = testDeps(kv);
    expect((await dispatch(admin("preset use lite"), deps)).kind).toBe("reply");

    adapter.down = true;
    for (const text of [
      "presets",
      "preset",
      "preset use self",
      "preset set layers=3",
      "preset save x",
      "preset reset",
    ]) {
      expect(await dispatch(admin(text), deps), text).toEqual({
        kind: "reply",
        text: SETTINGS_UNAVAILABLE,
        ephemeral: true,
      });
    }
    const run = await dispatch(admin("What is MoA?"), deps);
    expect(run).toMatchObject({
      kind: "run",
      preset: { name: "default" },
      notice: "Settings are unavailable right now; using the default preset.",
    });
    // A catalog override needs no store, so it still applies.
    const override = await dispatch(
      slackInvocation({ text: "Why?", presetOverride: "self" }),
      deps,
    );
    expect(override.kind === "run" && override.preset.name).toBe("self");
    // We cannot tell whether a thread is ours, so we stay quiet rather than answer strangers.
    expect(
      await dispatch(
        slackInvocation({ source: "thread-reply", threadId: "1.2", text: "more?" }),
        deps,
      ),
    ).toEqual({
      kind: "ignore",
      reason: "store unavailable; cannot tell whether the thread is the bot's",
    });
    expect(log.lines.map((l) => l.msg)).toContain("commands: store unavailable");

    adapter.down = false;
    const back = await dispatch(admin("Still there?"), deps);
    expect(back).toMatchObject({ kind: "run", preset: { name: "lite" } });
    expect(back).not.toHaveProperty("notice");
  });

  it("a store that hangs costs a command at most the store deadline", async () => {
    const adapter = new FlakyAdapter();
    kv = keyvKv(adapter, { timeoutMs: 300, log: recordingLog() });
    const { deps } = testDeps(kv);
    adapter.hang = true;
    const started = Date.now();
    expect(await dispatch(admin("preset use lite"), deps)).toEqual({
      kind: "reply",
      text: SETTINGS_UNAVAILABLE,
      ephemeral: true,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("Redis on a closed port: commands answer at once, questions run with the default", async () => {
    kv = openStore("redis://127.0.0.1:1", { log: recordingLog(), timeoutMs: 1_000 });
    const { deps } = testDeps(kv);
    const started = Date.now();
    expect(await dispatch(admin("preset use lite"), deps)).toEqual({
      kind: "reply",
      text: SETTINGS_UNAVAILABLE,
      ephemeral: true,
    });
    const run = await dispatch(slackInvocation({ text: "Hi?", threadId: "1.2" }), deps);
    expect(run).toMatchObject({
      kind: "run",
      preset: { name: "default" },
      messages: [{ role: "user", content: "Hi?" }],
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(
      deps.stores.conversations.load(conversationKey({ ...admin(""), threadId: "1.2" })),
    ).rejects.toThrow("Settings are unavailable right now");
  });
});
