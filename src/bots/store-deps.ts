import type { Platform } from "../commands/invocation.js";
import type { PresetCatalog } from "../commands/presets/catalog.js";
import { conversationKey, dedupKey } from "../store/store-keys.js";
import type { Stores } from "../store/stores.js";
import type { BotDeps } from "./handle-invocation.js";
import { hashUser, runRecordOf } from "./run-record-of.js";

/** How long an event key stays claimed: longer than Slack's last retry (~5 min) and a gateway resume. */
export const DEDUP_TTL_MS = 60 * 60 * 1000;

/** The store-backed parts of BotDeps, wired the same way by main.ts, test harnesses and benches. */
export function storeDeps(
  platform: Platform,
  stores: Pick<Stores, "dedup" | "conversations"> &
    Partial<Pick<Stores, "runs" | "runDrafts" | "threadRuns">>,
  now: () => number = Date.now,
): Pick<BotDeps, "claim" | "remember" | "recordRun" | "vote" | "loadDrafts"> {
  const { runs, runDrafts, threadRuns } = stores;
  return {
    claim: (eventKey) => stores.dedup.claim(dedupKey(platform, eventKey), DEDUP_TTL_MS),
    remember: (inv, threadId, turns) =>
      stores.conversations.append(conversationKey({ ...inv, threadId }), turns),
    ...(runs && {
      recordRun: async (inv, view, source, place = {}) => {
        const record = runRecordOf(inv, view, now());
        if (!record) return;
        await runs.save(record);
        if (!runDrafts || view.phase !== "done" || view.drafts.length === 0) return;
        await runDrafts.save(inv, record.runKey, {
          ...source,
          userHash: place.askerHash ?? record.userHash,
          drafts: view.drafts,
          answer: view.answer,
        });
        // Only a run that can be regenerated becomes its thread's last run.
        const { threadId, message } = place;
        if (threadRuns && threadId !== undefined && message !== undefined)
          await threadRuns.set({ ...inv, threadId }, { runKey: record.runKey, message });
      },
      vote: (press) =>
        runs.vote(
          press,
          press.runKey,
          hashUser(press.platform, press.workspaceId, press.userId),
          press.vote,
        ),
    }),
    ...(runDrafts && { loadDrafts: (scope, runKey) => runDrafts.load(scope, runKey) }),
  };
}

/** Preset names usable in a workspace/guild: built-in and operator ones, then saved ones. */
export function presetNames(
  catalog: PresetCatalog,
  stores: Pick<Stores, "presets">,
  platform: Platform,
): (workspaceId: string) => Promise<string[]> {
  return async (workspaceId) => [
    ...catalog.entries.keys(),
    ...(await stores.presets.listSaved({ platform, workspaceId })).keys(),
  ];
}
