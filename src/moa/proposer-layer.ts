import { callModel, secondsOf } from "./call-model.js";
import type { Draft, EventError } from "./events.js";
import type { ChatMessage } from "./messages.js";
import { proposerSlots } from "./preset.js";
import { eventError, type RunContext, settleCall, startCall } from "./run-context.js";
import { stripThink } from "./think-filter.js";

/** Abort reason of a straggler dropped at the layer deadline (any other reason is a cancel). */
const SKIP = Symbol("skip");

/**
 * Runs one proposer layer: every slot concurrently on the same `messages`. Returns the
 * drafts that succeeded, in slot order. Past `layerDeadlineMs`, once `minProposers`
 * answered, the late ones are aborted and reported as skipped. Emits `layer-end`
 * unless the run was cancelled.
 */
export async function runProposerLayer(
  run: RunContext,
  layer: number,
  messages: ChatMessage[],
): Promise<Draft[]> {
  const { preset } = run;
  const slots = proposerSlots(preset);
  const stops = slots.map(() => new AbortController());
  const drafts: Array<Draft | undefined> = [];
  const settled: boolean[] = [];
  let succeeded = 0;
  let failed = 0;
  let skipped = 0;
  let deadlinePassed = false;

  const cutStragglers = () => {
    if (!deadlinePassed || succeeded < preset.minProposers) return;
    stops.forEach((stop, i) => {
      if (!settled[i]) stop.abort(SKIP);
    });
  };
  const cancelAll = () => {
    for (const stop of stops) stop.abort(run.signal.reason);
  };
  if (run.signal.aborted) cancelAll();
  run.signal.addEventListener("abort", cancelAll);
  const deadline =
    preset.layerDeadlineMs === undefined
      ? undefined
      : setTimeout(() => {
          deadlinePassed = true;
          cutStragglers();
        }, preset.layerDeadlineMs);

  const runSlot = async (i: number): Promise<void> => {
    const { index, model } = slots[i] as (typeof slots)[number];
    const stop = (stops[i] as AbortController).signal;
    const stat = startCall(run, "proposer", layer, index, model);
    run.emit({ type: "proposer-start", layer, index, model });
    const request = {
      model,
      messages,
      temperature: preset.temperature,
      maxTokens: preset.maxTokens,
    };
    const result = await callModel(run.env, request, stat, stop, {
      onDelta: (text) => run.emit({ type: "proposer-delta", layer, index, model, text }),
      onRetry: (attempt, delayMs, error) =>
        run.emit({
          type: "proposer-retry",
          layer,
          index,
          model,
          attempt,
          delayMs,
          error: eventError(error),
        }),
    });
    settled[i] = true;
    const fail = (error: EventError, outcome: "error" | "skipped") => {
      settleCall(run, stat, outcome);
      if (outcome === "skipped") skipped++;
      else {
        failed++;
        run.failures.push({ model, layer, index, error });
      }
      const isSkip = outcome === "skipped";
      run.emit({
        type: "proposer-error",
        layer,
        index,
        model,
        error,
        skipped: isSkip,
        latencyMs: stat.latencyMs,
      });
    };
    if (result.status === "stopped") {
      if (stop.reason !== SKIP) return settleCall(run, stat, "cancelled");
      const deadline = secondsOf(preset.layerDeadlineMs ?? 0);
      const message = `${model}: dropped by the ${deadline} layer deadline (no answer after ${secondsOf(stat.latencyMs)})`;
      return fail({ code: "skipped", message }, "skipped");
    }
    if (result.status === "error") return fail(eventError(result.error), "error");
    const text = stripThink(result.text);
    if (text === "")
      return fail({ code: "empty_answer", message: `${model}: empty answer` }, "error");
    settleCall(run, stat, "ok");
    const draft: Draft = {
      layer,
      index,
      model,
      text,
      latencyMs: stat.latencyMs,
      usage: stat.usage,
    };
    drafts[i] = draft;
    succeeded++;
    run.emit({ type: "proposer-end", layer, index, model, draft });
    cutStragglers();
  };

  try {
    await Promise.all(slots.map((_, i) => runSlot(i)));
  } finally {
    clearTimeout(deadline);
    run.signal.removeEventListener("abort", cancelAll);
  }
  if (!run.signal.aborted) run.emit({ type: "layer-end", layer, succeeded, failed, skipped });
  return drafts.filter((d): d is Draft => d !== undefined);
}
