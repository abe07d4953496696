import type { ProviderConfig } from "../providers/provider-config.js";
import { ADAPTIVE_MAX_CONCURRENCY } from "./provider-lane.js";

/**
 * Default of MOA_MAX_CONCURRENT_RUNS: as many runs as the providers' concurrency can keep
 * streaming one proposer layer each (`floor(sum of slots / proposers per layer)`, at least
 * 1). A provider with no configured MOA_*_MAX_CONCURRENCY counts with the ceiling its
 * learnt concurrency may reach (`ADAPTIVE_MAX_CONCURRENCY`): the provider scheduler queues
 * the excess calls and learns the real limit from 429s, so admitting more runs than that
 * only makes everyone's critical path longer, while admitting fewer makes people wait in
 * batches while the provider has room.
 */
export function defaultMaxConcurrentRuns(
  providers: Readonly<Record<string, ProviderConfig>>,
  proposersPerLayer: number,
): number {
  const slots = Object.values(providers).reduce(
    (sum, p) => sum + (p.maxConcurrency > 0 ? p.maxConcurrency : ADAPTIVE_MAX_CONCURRENCY),
    0,
  );
  return Math.max(1, Math.floor(slots / Math.max(1, proposersPerLayer)));
}
