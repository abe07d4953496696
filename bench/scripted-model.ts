import { setTimeout as delay } from "node:timers/promises";
import { ModelError } from "../src/errors.js";
import type { ChatChunk, ChatModel, ChatRequest } from "../src/moa/chat-model.js";

/** Latency script of one model: first token after `firstTokenMs`, then one chunk every `tokenMs`. */
export interface LatencyScript {
  /** Delay before the first chunk, ms. */
  firstTokenMs: number;
  /** Delay between chunks, ms. */
  tokenMs: number;
  /** The chunks. */
  chunks: string[];
}

/**
 * An in-process ChatModel that plays latency scripts with no HTTP and no SDK, so the
 * engine's own overhead can be told apart from the openai client's.
 */
export class ScriptedChatModel implements ChatModel {
  constructor(private readonly scripts: Record<string, LatencyScript>) {}

  async *stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatChunk> {
    const script = this.scripts[request.model];
    if (!script) throw new ModelError("not_found", request.model, "not scripted");
    const start = performance.now();
    try {
      for (const [i, text] of script.chunks.entries()) {
        // Absolute schedule, like the fake server: timer lateness does not add up.
        const due = start + script.firstTokenMs + i * script.tokenMs - performance.now();
        if (due > 0) await delay(due, undefined, { signal });
        yield { type: "delta", text };
      }
    } catch (error) {
      throw new ModelError("aborted", request.model, "cancelled", { cause: error });
    }
    yield { type: "usage", usage: { inputTokens: 10, outputTokens: script.chunks.length } };
  }
}
