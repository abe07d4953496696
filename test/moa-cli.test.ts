import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, test } from "vitest";
import type { MoaEvent } from "../src/moa/events.js";
import { startFakeOpenAI } from "./fake-openai-server.js";

const server = await startFakeOpenAI();
afterAll(() => server.close());
beforeEach(() => server.reset());

const BIN = join(import.meta.dirname, "..", "bin", "moa.js");
// An empty working directory, so a developer's .env cannot leak into the run.
const CWD = mkdtempSync(join(tmpdir(), "moa-cli-"));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `moa` as a user would; `onStdout` may act on the output as it arrives (e.g. send Ctrl-C). */
function moa(
  args: string[],
  env: Record<string, string> = {},
  onStdout?: (text: string, kill: () => void) => void,
) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: CWD,
    env: {
      PATH: process.env.PATH ?? "",
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: "sk-cli-test-key",
      MOA_PROPOSERS: "p1,p2",
      MOA_AGGREGATOR: "agg",
      ...env,
    },
  });
  return new Promise<Result>((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, () => child.kill("SIGINT"));
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe("moa ask", () => {
  test("--json prints every event as one JSON line", async () => {
    server.script("agg", { reply: "Forty-two." });
    const { code, stdout } = await moa(["ask", "--json", "What is the answer?"]);
    expect(code).toBe(0);
    const events = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as MoaEvent);
    expect(events[0]?.type).toBe("run-start");
    const end = events.at(-1);
    expect(end).toMatchObject({ type: "run-end", outcome: "ok", answer: "Forty-two." });
    expect(events.filter((e) => e.type === "proposer-end")).toHaveLength(2);
    expect(server.requestsFor("p1")[0]?.messages).toEqual([
      { role: "user", content: "What is the answer?" },
    ]);
  });

  test("plain output: progress lines on stderr, only the answer on stdout", async () => {
    server.script("agg", { reply: "The sky scatters blue light." });
    const { code, stdout, stderr } = await moa(["ask", "Why", "is", "the", "sky", "blue?"]);
    expect(code).toBe(0);
    expect(stdout).toBe("The sky scatters blue light.\n");
    expect(stderr).toContain("preset default: 1 proposer layer of p1, p2; aggregator agg");
    expect(stderr).toMatch(/\[layer 1\] ✓ p1 in \d+\.\d s · 3 tokens/);
    expect(stderr).toContain("[layer 1] 2 drafts, 0 failed, 0 skipped");
    expect(stderr).toMatch(/done: \d+\.\d s · 3 calls/);
    expect(server.requestsFor("p2")[0]?.messages[0]?.content).toBe("Why is the sky blue?");
  });

  test("--show-drafts and --preset: drafts before the answer, Self-MoA samples", async () => {
    let n = 0;
    server.script("agg", { reply: () => `text ${++n}` });
    const { code, stdout } = await moa(["ask", "--preset", "self", "--show-drafts", "q"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^── draft 1 · agg \(layer 1\) ──\ntext \d\n\n── draft 2 · agg/);
    expect(stdout).toMatch(/── answer ──\ntext 5\n$/);
    expect(server.requestsFor("agg")).toHaveLength(5);
  });

  test("a failed run exits 1 with the reasons; an aggregator failure still prints the drafts", async () => {
    server.script("p1", { always: { kind: "status", status: 400, message: "nope" } });
    server.script("p2", { always: { kind: "status", status: 404 } });
    const failed = await moa(["ask", "q"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("error: Only 0 of 2 proposers answered in layer 1 (need 1).");
    expect(failed.stderr).toContain("p1: request rejected (HTTP 400): nope");
    noStack(failed.stderr);

    server.reset();
    server.script("agg", { always: { kind: "status", status: 401 } });
    const aggFailed = await moa(["ask", "q"]);
    expect(aggFailed.code).toBe(1);
    expect(aggFailed.stderr).toContain(
      "error: The aggregator failed. agg: provider default refused the API key",
    );
    expect(aggFailed.stderr).not.toContain("sk-cli-test-key");
    expect(aggFailed.stdout).toContain("── draft 1 · p1 (layer 1) ──\nAnswer from p1.");
  });

  test("configuration and usage errors are readable, exit 2, no stack trace", async () => {
    const bad = await moa(["ask", "q"], { MOA_LAYERS: "9", OPENAI_BASE_URL: "not a url" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Configuration problems:");
    expect(bad.stderr).toContain("MOA_LAYERS");
    expect(bad.stderr).toContain("OPENAI_BASE_URL");
    noStack(bad.stderr);
    const unknown = await moa(["ask", "--preset", "nope", "q"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No preset named "nope"\. Presets: default, lite, self/);
    const empty = await moa(["ask"]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("Usage: moa ask");
  });

  test("Ctrl-C mid-answer cancels: the request is closed and the exit code is 130", async () => {
    server.script("agg", { reply: "a b c d e f g h i j", tokenMs: 300 });
    let sent = false;
    const { code, stdout } = await moa(["ask", "q"], {}, (text, kill) => {
      if (!sent && text.length > 0) {
        sent = true;
        kill();
      }
    });
    expect(code).toBe(130);
    expect(stdout.startsWith("a ")).toBe(true);
    expect(stdout).not.toContain("j");
    await server.waitFor((s) => s.inFlight === 0, 5000);
    expect(server.requestsFor("agg")[0]?.outcome).toBe("aborted");
  });
});
