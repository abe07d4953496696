import { callModel } from "./call-model.js";
import type { Draft } from "./events.js";
import type { ChatMessage } from "./messages.js";
import { newNonce, withReferences } from "./prompts.js";
import {
  endRun,
  eventError,
  failRun,
  type RunContext,
  settleCall,
  startCall,
} from "./run-context.js";
import { ThinkFilter } from "./think-filter.js";

/**
 * The final layer: the aggregator answers the conversation with `drafts` as references
 * (none when the preset has one layer), streaming its answer without think blocks, and
 * the run ends. It is retried only before any answer text was shown, since shown text
 * cannot be taken back.
 */
export async function aggregate(
  run: RunContext,
  conversation: ChatMessage[],
  drafts: Draft[],
): Promise<void> {
  const { preset } = run;
  const model = preset.aggregator;
  const layer = preset.layers;
  const messages = withReferences(
    conversation,
    drafts.map((d) => d.text),
    { nonce: newNonce(), maxChars: preset.maxReferenceChars, style: preset.style },
  );
  const stat = startCall(run, "aggregator", layer, 0, model);
  run.emit({ type: "aggregate-start", model, layer });
  let filter = new ThinkFilter();
  let answer = "";
  const show = (text: string) => {
    if (text === "") return;
    answer += text;
    run.emit({ type: "aggregate-delta", text });
  };
  const request = {
    model,
    messages,
    temperature: preset.temperature,
    maxTokens: preset.maxTokens,
  };
  const result = await callModel(run.env, request, stat, run.signal, {
    onDelta: (text) => show(filter.push(text)),
    onRetry: (attempt, delayMs, error) => {
      filter = new ThinkFilter();
      // There is no aggregate-retry event; a warning keeps presenters' event sets closed.
      const message = `${error.userMessage} (attempt ${attempt}); retrying in ${delayMs} ms`;
      run.emit({ type: "warning", code: "aggregator_retry", message });
    },
    canRetry: () => answer === "",
  });
  if (result.status === "stopped") {
    settleCall(run, stat, "cancelled");
    return endRun(run, "cancelled", answer, drafts);
  }
  if (result.status === "ok") show(filter.flush());
  const failure =
    result.status === "error"
      ? eventError(result.error)
      : answer.trim() === ""
        ? { code: "empty_answer", message: `${model}: empty answer` }
        : undefined;
  if (failure) {
    settleCall(run, stat, "error");
    run.failures.push({ model, layer, index: 0, error: failure });
    const error = { code: failure.code, message: `The aggregator failed. ${failure.message}` };
    return failRun(run, error, drafts);
  }
  settleCall(run, stat, "ok");
  const text = answer.trimEnd();
  run.emit({ type: "aggregate-end", text, latencyMs: stat.latencyMs, usage: stat.usage });
  endRun(run, "ok", text, drafts);
}
