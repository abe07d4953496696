import { z } from "zod";
import type { ChatMessage } from "../moa/messages.js";
import type { Kv } from "./kv.js";
import type { WarnLog } from "./warn-log.js";

/** Longest stored turn, characters; keeps one stored value bounded whatever a model wrote. */
export const MAX_STORED_TURN_CHARS = 100_000;

const Turn = z.object({ role: z.enum(["user", "assistant"]), content: z.string() });
const ConversationValue = z.object({ v: z.literal(1), turns: z.array(Turn) });

/** Options of `ConversationStore`. */
export interface ConversationStoreOptions {
  /** Memory lifetime after the last turn, ms (MOA_CONVERSATION_TTL_DAYS). */
  ttlMs: number;
  /** Most turns kept (user and assistant each count one); older ones are dropped (MOA_CONVERSATION_MAX_TURNS). */
  maxTurns: number;
}

/**
 * Thread memory: user turns and the final aggregated answers (never drafts),
 * one key per thread (build it with `conversationKey`), expiring `ttlMs` after
 * the last append. Two runs appending to one thread at the same moment may
 * lose one pair of turns; threads are conversational, so that is accepted.
 */
export class ConversationStore {
  constructor(
    private readonly kv: Kv,
    private readonly options: ConversationStoreOptions,
    private readonly log: WarnLog,
  ) {}

  /** The stored turns, oldest first; undefined when the thread has no (valid) memory. */
  async load(key: string): Promise<ChatMessage[] | undefined> {
    const raw = await this.kv.get(key);
    if (raw === undefined) return undefined;
    const parsed = ConversationValue.safeParse(raw);
    if (parsed.success) return parsed.data.turns;
    this.log.warn(
      { key, issues: parsed.error.issues.length },
      "store: conversation has an unknown shape; treated as absent",
    );
    return undefined;
  }

  /** Adds turns (system turns are not memory and are skipped), trims to the bound, renews the TTL. */
  async append(key: string, turns: readonly ChatMessage[]): Promise<void> {
    const kept = (await this.load(key)) ?? [];
    for (const t of turns) {
      if (t.role === "system") continue;
      kept.push({ role: t.role, content: t.content.slice(0, MAX_STORED_TURN_CHARS) });
    }
    let first = Math.max(0, kept.length - this.options.maxTurns);
    // Several providers reject a history that opens with an assistant turn.
    while (first < kept.length && kept[first]?.role !== "user") first++;
    await this.kv.set(key, { v: 1, turns: kept.slice(first) }, this.options.ttlMs);
  }
}
