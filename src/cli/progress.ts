import type { MoaEvent, RunStats } from "../moa/events.js";

/** Where one proposer call stands, as the terminal shows it. */
interface SlotView {
  /** Proposer layer, 1-based. */
  layer: number;
  /** Model id. */
  model: string;
  /** Current state. */
  state: "waiting" | "writing" | "retrying" | "done" | "failed" | "skipped";
  /** Characters streamed by the current attempt. */
  chars: number;
  /** Short detail for the status line (time and tokens, or the failure). */
  note: string;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** Spinner glyph for animation frame `frame`. */
export const spinner = (frame: number): string => SPINNER[frame % SPINNER.length] as string;
const ICON: Record<SlotView["state"], string> = {
  waiting: "·",
  writing: "",
  retrying: "↻",
  done: "✓",
  failed: "✗",
  skipped: "–",
};

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** Seconds with one decimal, e.g. `3.2 s`. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * Folds MoA events into per-proposer status: `apply` returns a plain progress line for
 * non-TTY output (or undefined when the event deserves none); `lines` draws the current
 * layer for a live TTY block.
 */
export class ProgressView {
  private readonly slots = new Map<number, SlotView>();
  private width = 0;

  /** Updates the view; returns the plain-text line for this event, if any. */
  apply(event: MoaEvent): string | undefined {
    switch (event.type) {
      case "run-start": {
        const { preset, proposers } = event;
        const models = proposers.map((p) => p.model).join(", ");
        const layers = preset.layers - 1;
        const layerWord = plural(layers, "proposer layer");
        this.width = Math.max(...proposers.map((p) => p.model.length), preset.aggregator.length);
        return layers === 0
          ? `preset ${preset.name}: ${preset.aggregator} answers alone`
          : `preset ${preset.name}: ${layerWord} of ${models}; aggregator ${preset.aggregator}`;
      }
      case "proposer-start":
        this.slots.set(event.index, {
          layer: event.layer,
          model: event.model,
          state: "waiting",
          chars: 0,
          note: "",
        });
        return undefined;
      case "proposer-delta": {
        const slot = this.slots.get(event.index);
        if (slot) {
          slot.state = "writing";
          slot.chars += event.text.length;
        }
        return undefined;
      }
      case "proposer-retry":
        this.update(
          event.index,
          "retrying",
          `${event.error.message}; retry in ${seconds(event.delayMs)}`,
        );
        return `[layer ${event.layer}] ↻ ${event.error.message}; retrying in ${seconds(event.delayMs)}`;
      case "proposer-end": {
        const { draft } = event;
        const note = `${seconds(draft.latencyMs)} · ${plural(draft.usage.outputTokens, "token")}`;
        this.update(event.index, "done", note);
        return `[layer ${event.layer}] ✓ ${event.model} in ${note}`;
      }
      case "proposer-error": {
        const state = event.skipped ? "skipped" : "failed";
        this.update(event.index, state, event.error.message);
        return `[layer ${event.layer}] ${ICON[state]} ${event.error.message}`;
      }
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

  /** One status line per proposer of the current layer; `frame` animates the spinner. */
  lines(frame: number): string[] {
    const spin = spinner(frame);
    return [...this.slots.values()].map((slot) => {
      const icon = slot.state === "writing" ? spin : ICON[slot.state];
      const note =
        slot.state === "writing"
          ? `writing… ${slot.chars} chars`
          : slot.state === "waiting"
            ? "waiting for the first token"
            : slot.note;
      return `${icon} [layer ${slot.layer}] ${slot.model.padEnd(this.width)}  ${note}`;
    });
  }

  private update(index: number, state: SlotView["state"], note: string): void {
    const slot = this.slots.get(index);
    if (!slot) return;
    slot.state = state;
    slot.note = note;
    if (state === "retrying") slot.chars = 0;
  }
}

/** `5.3 s · 4 calls · 1234 tokens in / 567 out · $0.0012` */
export function summary(stats: RunStats): string {
  const cost = stats.costUsd === undefined ? "" : ` · $${stats.costUsd.toFixed(4)}`;
  const { inputTokens, outputTokens } = stats.usage;
  return `${seconds(stats.totalMs)} · ${plural(stats.calls.length, "call")} · ${inputTokens} tokens in / ${outputTokens} out${cost}`;
}
