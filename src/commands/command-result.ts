import type { ChatMessage } from "../moa/messages.js";
import type { Preset } from "../moa/preset.js";

/** What the bot should do with an invocation; bots/ turn it into platform calls. */
export type CommandResult =
  | {
      /** Answer with text (Markdown-ish; sinks adapt formatting). */
      kind: "reply";
      /** The reply. */
      text: string;
      /** Visible only to the caller. */
      ephemeral: boolean;
    }
  | {
      /** Run MoA. */
      kind: "run";
      /** Recipe to run (channel's, override, or default when the store is down). */
      preset: Preset;
      /** Stored thread history followed by the new user turn. */
      messages: ChatMessage[];
      /** The new user turn alone (what to store with the answer afterwards). */
      question: string;
      /** A line to show before the answer, e.g. that settings were unavailable so the default preset ran. */
      notice?: string;
    }
  | {
      /** Aggregate a finished run's stored drafts again, into its answer message. */
      kind: "regenerate";
      /** The run whose drafts are aggregated again (the last one answered in the thread). */
      runKey: string;
      /** Platform ids of that run's answer message, as the bot stored them (channel, ts / message id). */
      message: Record<string, string>;
      /** Another aggregator model for this once (already checked against the model policy); absent = the run's own. */
      aggregator?: string;
    }
  | {
      /** Do nothing (not for us). */
      kind: "ignore";
      /** Why, for logs. */
      reason: string;
    };

/** A reply only the caller sees, as every settings reply is. */
export function privateReply(text: string): CommandResult {
  return { kind: "reply", text, ephemeral: true };
}
