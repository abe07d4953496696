import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agreementNote, footer } from "../src/bots/render-view.js";
import { dispatch } from "../src/commands/dispatch.js";
import type { Kv } from "../src/store/kv.js";
import { initialView } from "../src/view/run-view.js";
import { slackInvocation, tempSqliteKv, testDeps } from "./fixtures/commands-env.js";

const admin = (text: string) => slackInvocation({ userId: "UADMIN", text });
let kv: Kv;
beforeEach(() => {
  kv = tempSqliteKv().kv;
});
afterEach(async () => {
  await kv.close();
});

async function set(text: string) {
  const { deps } = testDeps(kv);
  const result = await dispatch(admin(`preset set ${text}`), deps);
  const stored = await deps.stores.presets.getChannel(admin(""));
  return {
    text: result.kind === "reply" ? result.text : "",
    preset: stored?.choice.kind === "custom" ? stored.choice.preset : undefined,
  };
}

describe("preset set style / agree", () => {
  it("stores style=council and agree=0.8, and agree=off removes it", async () => {
    const on = await set("style=council agree=0.8 layers=3");
    expect(on.preset).toMatchObject({ style: "council", agreementExit: 0.8, layers: 3 });
    const off = await set("agree=off style=paper");
    expect(off.preset?.style).toBe("paper");
    expect(off.preset && "agreementExit" in off.preset).toBe(false);
  });

  it.each([
    ["style=fancy", "`style` is `paper` or `council`; got `fancy`."],
    [
      "agree=2",
      "`agree` takes a similarity from 0.05 to 1, e.g. `agree=0.8`, or `agree=off`; got `2`.",
    ],
    [
      "agree=0.01",
      "`agree` takes a similarity from 0.05 to 1, e.g. `agree=0.8`, or `agree=off`; got `0.01`.",
    ],
  ])("%s is refused precisely and nothing is stored", async (text, message) => {
    const r = await set(text);
    expect(r.text).toContain(message);
    expect(r.preset).toBeUndefined();
  });
});

describe("footer of an early agreement exit", () => {
  it("says the drafts agreed and how many layers were skipped", () => {
    const view = initialView("deep");
    view.stats = {
      totalMs: 2_000,
      calls: [],
      usage: { inputTokens: 10, outputTokens: 5 },
    };
    view.agreement = { layer: 1, similarity: 0.912, skippedLayers: 2 };
    expect(agreementNote(view.agreement)).toBe(
      "drafts agreed after layer 1 (similarity 0.91): 2 layers skipped",
    );
    expect(footer(view)).toBe(
      "_preset deep · 2.0s · 15 tokens · drafts agreed after layer 1 (similarity 0.91): 2 layers skipped_",
    );
  });
});
