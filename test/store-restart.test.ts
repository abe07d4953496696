import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const CHILD = join(import.meta.dirname, "fixtures", "store-child.ts");

/** Starts the child with tsx and resolves with its first stdout line. */
function start(mode: "set" | "get", path: string): { child: ChildProcess; line: Promise<string> } {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, mode, path], {
    cwd: join(import.meta.dirname, ".."),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const line = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.stderr?.on("data", (chunk) => {
      err += chunk;
    });
    child.on("exit", (code) =>
      reject(new Error(`child ${mode} exited ${code} before answering: ${err}`)),
    );
  });
  return { child, line };
}

// Whole processes on a loaded 2-core box need more than the default timeout.
describe("a preset survives a real process restart (SQLite file)", { timeout: 90_000 }, () => {
  it("set in one process, killed, read back by the next", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "moa-restart-")), "data", "moa.sqlite");
    const writer = start("set", path);
    expect(await writer.line).toBe("SET");
    const exited = new Promise((resolve) => writer.child.on("exit", resolve));
    writer.child.kill("SIGKILL");
    await exited;

    const reader = start("get", path);
    expect(JSON.parse(await reader.line)).toMatchObject({
      name: "custom",
      layers: 3,
      temperature: 0.25,
      proposers: ["gpt-4o-mini", "groq:llama-3.3-70b-versatile"],
    });
  });
});
