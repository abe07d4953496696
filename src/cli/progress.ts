import type { MoaEvent, RunStats } from "../moa/events.js";
import { progressLine, seconds as tenths } from "../view/progress-line.js";
import type { RunView } from "../view/run-view.js";

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** Spinner glyph for animation frame `frame`. */
export const spinner = (frame: number): string => SPINNER[frame % SPINNER.length] as string;

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** Seconds with one decimal, e.g. `3.2 s`. */
const seconds = (ms: number): string => `${tenths(ms)} s`;

/** The plain-text progress line for one event (non-TTY output), or undefined when it deserves none. */
export function eventLine(event: MoaEvent): string | undefined {
  switch (event.type) {
    case "run-start": {
      const { preset, proposers } = event;
      const models = proposers.map((p) => p.model).join(", ");
      const layers = preset.layers - 1;
      return layers === 0
        ? `preset ${preset.name}: ${preset.aggregator} answers alone`
        : `preset ${preset.name}: ${plural(layers, "proposer layer")} of ${models}; aggregator ${preset.aggregator}`;
    }
    case "proposer-retry":
      return `[layer ${event.layer}] ↻ ${event.error.message}; retrying in ${seconds(event.delayMs)}`;
    case "proposer-end": {
      const { draft } = event;
      const note = `${seconds(draft.latencyMs)} · ${plural(draft.usage.outputTokens, "token")}`;
      return `[layer ${event.layer}] ✓ ${event.model} in ${note}`;
    }
    case "proposer-error":
      return `[layer ${event.layer}] ${event.skipped ? "–" : "✗"} ${event.error.message}`;
    case "layer-end":
      return `[layer ${event.layer}] ${plural(event.succeeded, "draft")}, ${event.failed} failed, ${event.skipped} skipped`;
    case "aggregate-start":
      return `${event.model} is writing the answer…`;
    case "warning":
      return `warning: ${event.message}`;
    case "run-end":
      return event.outcome === "cancelled"
        ? `cancelled after ${seconds(event.stats.totalMs)}`
        : `done: ${summary(event.stats)}`;
    case "run-error":
      return `error: ${event.error.message}`;
    default:
      return undefined;
  }
}

/** Chat markup `code` becomes bold on the terminal. */
const bold = (line: string) => line.replace(/`([^`]+)`/g, "\x1b[1m$1\x1b[22m");

/**
 * The live TTY block: the shared chat progress line per proposer of the current layer
 * (from the shared run view), a spinner in front of those still running.
 */
export function liveLines(view: RunView, frame: number): string[] {
  const spin = spinner(frame);
  return view.proposers.map((s) => {
    const running = s.state === "waiting" || s.state === "writing" || s.state === "retrying";
    return `${running ? spin : " "} [layer ${s.layer}] ${bold(progressLine(s))}`;
  });
}

/** `5.3 s · 4 calls · 1234 tokens in / 567 out · $0.0012` */
function summary(stats: RunStats): string {
  const cost = stats.costUsd === undefined ? "" : ` · $${stats.costUsd.toFixed(4)}`;
  const { inputTokens, outputTokens } = stats.usage;
  return `${seconds(stats.totalMs)} · ${plural(stats.calls.length, "call")} · ${inputTokens} tokens in / ${outputTokens} out${cost}`;
}
