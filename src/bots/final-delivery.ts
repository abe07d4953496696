import type { ChatSink } from "./chat-sink.js";
import { RateLimitedError } from "./chat-sink.js";
import type { EditBudget } from "./edit-budget.js";
import { splitForLimit } from "./render-policy.js";

/** Tries for the final edit before the answer is posted as a new message instead. */
export const FINAL_EDIT_ATTEMPTS = 5;

/** Said above the answer when the final edit could not be delivered and it is posted anew. */
export const FALLBACK_NOTE =
  "⚠️ _I could not update my message above, so here is the answer as a new message._";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How the final text reached the user. */
export type FinalDelivery = "edited" | "posted" | "lost";

/** What `deliverFinal` needs. */
export interface FinalOptions {
  /** Shared edit budget of the run's scope (final edits go before interim ones). */
  budget?: EditBudget | undefined;
  /** Base pause between failed attempts, ms (doubles each time). */
  backoffMs: number;
  /** Max characters of one message (the fallback is split to it). */
  maxChars: number;
  /** Drafts-thread name, for the fallback post. */
  threadName: string;
  /** Where each failed call is reported. */
  report: (error: unknown, what: string) => void;
}

/**
 * The final edit carries the answer: it waits its turn in the budget, waits out 429s, retries
 * failures with backoff, and when every attempt failed posts the text as a new message (in the
 * thread) saying so. Every sink call is bounded by the SDK's timeout, so this ends.
 */
export async function deliverFinal(
  sink: ChatSink,
  text: string,
  options: FinalOptions,
): Promise<FinalDelivery> {
  for (let attempt = 1; attempt <= FINAL_EDIT_ATTEMPTS; attempt++) {
    await options.budget?.final();
    try {
      await sink.edit(text);
      return "edited";
    } catch (error) {
      options.report(error, `final edit (attempt ${attempt})`);
      if (error instanceof RateLimitedError) {
        options.budget?.pause(error.retryAfterMs);
        if (!options.budget) await sleep(error.retryAfterMs);
      } else if (attempt < FINAL_EDIT_ATTEMPTS) {
        await sleep(options.backoffMs * 2 ** (attempt - 1));
      }
    }
  }
  try {
    for (const part of splitForLimit(`${FALLBACK_NOTE}\n\n${text}`, options.maxChars))
      await sink.postInThread(part, options.threadName);
    return "posted";
  } catch (error) {
    options.report(error, "final answer as a new message");
    return "lost";
  }
}
