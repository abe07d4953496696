import type { ProposerStatus } from "./run-view.js";

/** Seconds with one decimal, e.g. 3.2. */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** Short human count, e.g. 1,234. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** Cuts a single-line reason to `max` chars. */
export function shortReason(text: string, max = 80): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const ICON: Record<ProposerStatus["state"], string> = {
  waiting: "⏳",
  writing: "✍️",
  retrying: "🔁",
  done: "✅",
  failed: "❌",
  skipped: "⏭️",
};

/** One status line for a proposer, e.g. "✅ `model` — 3.2s · 412 tokens" (chat and terminal alike). */
export function progressLine(s: ProposerStatus): string {
  const head = `${ICON[s.state]} \`${s.model}\``;
  switch (s.state) {
    case "waiting":
      return `${head} — thinking`;
    case "writing":
      return `${head} — writing`;
    case "retrying":
      return `${head} — retrying (${shortReason(s.reason ?? "", 60)})`;
    case "done":
      return `${head} — ${seconds(s.latencyMs ?? 0)}s · ${count(s.outputTokens ?? 0)} tokens`;
    case "failed":
      return `${head} — failed: ${shortReason(s.reason ?? "unknown error")}`;
    case "skipped":
      return `${head} — skipped after ${seconds(s.latencyMs ?? 0)}s (layer deadline)`;
  }
}
