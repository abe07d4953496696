import type { Draft, MoaEvent } from "../moa/events.js";
import { foldEvent, initialView } from "../view/run-view.js";
import { eventLine, liveLines, spinner } from "./progress.js";

/** The two streams the CLI writes to. */
export interface CliStreams {
  /** Answer (and drafts): what a script would capture. */
  out: Pick<NodeJS.WriteStream, "write">;
  /** Progress and errors; a TTY gets a live status block. */
  err: Pick<NodeJS.WriteStream, "write"> & { isTTY?: boolean };
}

/** Shows a run's events in the terminal; `close` stops any spinner. */
export interface Reporter {
  event(event: MoaEvent): void;
  close(): void;
}

/** Every event as one JSON line on stdout. */
export function jsonReporter(io: CliStreams): Reporter {
  return {
    event: (event) => io.out.write(`${JSON.stringify(event)}\n`),
    close: () => {},
  };
}

const SPIN_MS = 100;

/**
 * Human output: progress on stderr (a live spinner block per layer on a TTY, one plain
 * line per step otherwise), drafts when asked and the streamed answer on stdout.
 */
export function textReporter(io: CliStreams, showDrafts: boolean): Reporter {
  const view = initialView("");
  const live = io.err.isTTY === true;
  let block: ((frame: number) => string[]) | undefined;
  let drawn = 0;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  let layerDrafts: Draft[] = [];
  let shownDrafts = false;
  let answering = false;
  let answerOpen = false;

  const erase = () => {
    // Cursor to the start of the block's first line, then clear to the end of the screen.
    if (drawn > 0) io.err.write(`\x1b[${drawn}F\x1b[0J`);
    drawn = 0;
  };
  const draw = () => {
    erase();
    const lines = block?.(frame++) ?? [];
    if (lines.length > 0) io.err.write(`${lines.join("\n")}\n`);
    drawn = lines.length;
  };
  const startBlock = (lines: (frame: number) => string[]) => {
    block = lines;
    timer ??= setInterval(draw, SPIN_MS);
    draw();
  };
  /** Stops the spinner, leaving the block's final state on screen unless `keep` is false. */
  const endBlock = (keep = true) => {
    if (block) keep ? draw() : erase();
    clearInterval(timer);
    timer = undefined;
    block = undefined;
    drawn = 0;
  };
  const note = (line: string | undefined) => {
    if (line === undefined) return;
    if (!live) return void io.err.write(`${line}\n`);
    const active = block;
    erase();
    io.err.write(`${line}\n`);
    if (active) draw();
  };
  const printDrafts = (drafts: Draft[]) => {
    if (drafts.length === 0) return;
    shownDrafts = true;
    for (const d of [...drafts].sort((a, b) => a.layer - b.layer || a.index - b.index)) {
      io.out.write(`── draft ${d.index + 1} · ${d.model} (layer ${d.layer}) ──\n${d.text}\n\n`);
    }
  };

  return {
    event(event) {
      foldEvent(view, event);
      const line = eventLine(event);
      switch (event.type) {
        case "proposer-start":
          if (live && !block) startBlock((f) => liveLines(view, f));
          return;
        case "proposer-delta":
          return;
        case "proposer-end":
          layerDrafts.push(event.draft);
          if (!live) note(line);
          return;
        case "proposer-retry":
        case "proposer-error":
          if (!live) note(line);
          return;
        case "layer-end":
          endBlock();
          note(line);
          if (showDrafts) printDrafts(layerDrafts);
          layerDrafts = [];
          return;
        case "aggregate-start":
          if (!live) return note(line);
          return startBlock((f) => [`${spinner(f)} ${line}`]);
        case "aggregate-delta":
          if (!answering) {
            answering = true;
            answerOpen = true;
            endBlock(false);
            if (showDrafts) io.out.write("── answer ──\n");
          }
          io.out.write(event.text);
          return;
        case "aggregate-end":
          if (answerOpen) io.out.write("\n");
          answerOpen = false;
          return;
        case "run-end":
        case "run-error":
          endBlock();
          if (answerOpen) io.out.write("\n");
          answerOpen = false;
          if (event.type === "run-error" && !shownDrafts) printDrafts(event.drafts);
          note(line);
          return;
        default:
          note(line);
      }
    },
    close: () => endBlock(),
  };
}
