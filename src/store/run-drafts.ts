import { z } from "zod";
import type { Draft } from "../moa/events.js";
import type { ChatMessage } from "../moa/messages.js";
import { type Preset, PresetSchema } from "../moa/preset.js";
import type { Kv } from "./kv.js";
import { runDraftsKey, type WorkspaceScope } from "./store-keys.js";
import type { WarnLog } from "./warn-log.js";

/** Longest stored draft or answer, characters (a regenerate needs no more than the aggregator saw). */
export const MAX_STORED_DRAFT_CHARS = 16_000;
/** Most characters of conversation kept for a regenerate (newest turns first). */
export const MAX_STORED_CONVERSATION_CHARS = 48_000;
/** How long drafts stay available for regenerate, ms (they hold message text: kept short). */
export const RUN_DRAFTS_TTL_MS = 7 * 86_400_000;

const Message = z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() });
const StoredDraft = z.object({
  layer: z.number().int(),
  index: z.number().int(),
  model: z.string(),
  text: z.string(),
});
const RunDraftsSchema = z.object({
  v: z.literal(1),
  /** Hash of the asker: only they may regenerate. */
  userHash: z.string(),
  preset: PresetSchema,
  messages: z.array(Message),
  question: z.string(),
  drafts: z.array(StoredDraft).max(8),
  answer: z.string(),
});

/** What a regenerate needs of a finished run. */
export interface RunDrafts {
  /** Hash of the asker. */
  userHash: string;
  /** The preset the run used. */
  preset: Preset;
  /** The conversation the aggregator answered (bounded). */
  messages: ChatMessage[];
  /** The question of the run. */
  question: string;
  /** The drafts the answer was written from. */
  drafts: Draft[];
  /** The answer (bounded), noted in the thread when replaced. */
  answer: string;
}

const clip = (text: string) => text.slice(0, MAX_STORED_DRAFT_CHARS);

/** Newest turns that fit the budget, the last (current) user turn always kept. */
function boundedConversation(messages: readonly ChatMessage[]): ChatMessage[] {
  const kept: ChatMessage[] = [];
  let used = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as ChatMessage;
    const content = m.content.slice(0, MAX_STORED_CONVERSATION_CHARS);
    if (kept.length > 0 && used + content.length > MAX_STORED_CONVERSATION_CHARS) break;
    used += content.length;
    kept.unshift({ role: m.role, content });
  }
  while (kept.length > 1 && kept[0]?.role === "assistant") kept.shift();
  return kept;
}

/** The drafts of finished runs, for regenerate: one bounded key per run, validated on read. */
export class RunDraftsStore {
  constructor(
    private readonly kv: Kv,
    private readonly log: WarnLog,
  ) {}

  /** Stores what a regenerate of run `runId` needs (drafts cut to their bounds). */
  async save(scope: WorkspaceScope, runId: string, value: RunDrafts): Promise<void> {
    await this.kv.set(
      runDraftsKey(scope, runId),
      {
        v: 1,
        userHash: value.userHash,
        preset: value.preset,
        messages: boundedConversation(value.messages),
        question: clip(value.question),
        drafts: value.drafts
          .slice(0, 8)
          .map((d) => ({ layer: d.layer, index: d.index, model: d.model, text: clip(d.text) })),
        answer: clip(value.answer),
      },
      RUN_DRAFTS_TTL_MS,
    );
  }

  /** The stored drafts, or undefined when absent, expired or corrupt (logged). */
  async load(scope: WorkspaceScope, runId: string): Promise<RunDrafts | undefined> {
    const key = runDraftsKey(scope, runId);
    const raw = await this.kv.get(key);
    if (raw === undefined) return undefined;
    const parsed = RunDraftsSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn({ key, issues: parsed.error.issues.length }, "store: run drafts skipped");
      return undefined;
    }
    const { v: _v, drafts, ...rest } = parsed.data;
    const zero = { inputTokens: 0, outputTokens: 0 };
    return { ...rest, drafts: drafts.map((d) => ({ ...d, latencyMs: 0, usage: zero })) };
  }
}
