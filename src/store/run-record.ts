import { z } from "zod";

/** One model call of a stored run (the run-end event's CallStat, trimmed to what stats read). */
export const StoredCallSchema = z.object({
  /** `proposer` or `aggregator`. */
  role: z.enum(["proposer", "aggregator"]),
  /** Layer, 1-based. */
  layer: z.number().int().min(1),
  /** Model id. */
  model: z.string().max(200),
  /** How the call ended. */
  outcome: z.enum(["ok", "error", "skipped", "cancelled"]),
  /** Wall time, ms. */
  latencyMs: z.number().min(0),
  /** Input tokens. */
  inputTokens: z.number().int().min(0),
  /** Output tokens. */
  outputTokens: z.number().int().min(0),
  /** Cost in USD, when the model has a price. */
  costUsd: z.number().min(0).optional(),
});

/** A stored call. */
export type StoredCall = z.infer<typeof StoredCallSchema>;

/** A 👍 or 👎. */
export const VoteSchema = z.enum(["up", "down"]);

/** A 👍 or 👎. */
export type Vote = z.infer<typeof VoteSchema>;

/**
 * What is kept of one run for feedback and `/moa stats`. The asker is stored as a hash
 * only; votes are keyed by the voter's hash, so one vote per user per run, changeable.
 */
export const RunRecordSchema = z.object({
  /** Schema version. */
  v: z.literal(1),
  /** Engine run id; also the key feedback buttons carry. */
  runKey: z.string().min(1).max(200),
  /** `slack` or `discord`. */
  platform: z.string().max(20),
  /** Slack team / Discord guild. */
  workspaceId: z.string().max(200),
  /** Channel id. */
  channelId: z.string().max(200),
  /** Hash of the asker (never the raw id). */
  userHash: z.string().max(64),
  /** Preset name. */
  preset: z.string().max(64),
  /** Epoch ms the run finished. */
  at: z.number(),
  /** End state: `done`, `failed` or `cancelled`. */
  outcome: z.enum(["done", "failed", "cancelled"]),
  /** Wall time of the run, ms. */
  totalMs: z.number().min(0),
  /** Every call, in start order. */
  calls: z.array(StoredCallSchema).max(64),
  /** Per proposer layer (index 0 = layer 1): the model the layer waited for, if any answered. */
  slowest: z.array(z.string().max(200)).max(8),
  /** Votes by voter hash. */
  votes: z.record(z.string().max(64), VoteSchema),
});

/** A stored run. */
export type RunRecord = z.infer<typeof RunRecordSchema>;
