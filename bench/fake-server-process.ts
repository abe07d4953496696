// Child process of the benchmark: runs the fake OpenAI server so its CPU and memory stay
// out of the engine's figures. Protocol over IPC: sends {url} when listening; answers
// "records" with the timings of every request since the last call, then forgets them,
// and with its own CPU time since the last call.
import { type ModelScript, startFakeOpenAI } from "../test/fake-openai-server.js";

/** Timings of one request, as sent to the parent. */
export interface RequestTiming {
  /** Model id. */
  model: string;
  /** Content of the last user message (the bench tags each run there). */
  tag: string;
  /** Server-side duration from request to last byte, ms. */
  durationMs: number;
  /** How it ended. */
  outcome: string;
}

/** The answer to "records". */
export interface ServerReport {
  /** Every request since the last report. */
  records: RequestTiming[];
  /** Server CPU time since the last report, ms. */
  cpuMs: number;
}

const scripts = JSON.parse(process.env.BENCH_SCRIPTS ?? "{}") as Record<string, ModelScript>;
const server = await startFakeOpenAI({ models: scripts, strict: true });
let cpuMark = process.cpuUsage();
process.on("message", (message) => {
  if (message !== "records") return;
  const timings: RequestTiming[] = server.requests.map((r) => ({
    model: r.model,
    tag: String(r.messages.findLast((m) => m.role === "user")?.content ?? ""),
    durationMs: (r.endedAt ?? Number.NaN) - r.receivedAt,
    outcome: r.outcome,
  }));
  server.reset();
  const cpu = process.cpuUsage(cpuMark);
  cpuMark = process.cpuUsage();
  const report: ServerReport = { records: timings, cpuMs: (cpu.user + cpu.system) / 1000 };
  process.send?.(report);
});
process.on("disconnect", () => void server.close().then(() => process.exit(0)));
process.send?.({ url: server.url });
