import { UsageError } from "../errors.js";
import { privateReply } from "./command-result.js";
import type { CommandContext, CommandSpec } from "./command-spec.js";
import { mayEditPresets } from "./permissions.js";
import { computeStats } from "./stats-compute.js";
import { renderStats, TABLE_STYLE } from "./stats-table.js";

/** Days looked back when none are given. */
export const DEFAULT_STATS_DAYS = 7;

/** Most days one `stats` may look back (run records are kept MOA_RUN_RETENTION_DAYS anyway). */
export const MAX_STATS_DAYS = 365;

const GRAMMAR = /^(?:(\d{1,4})\s*)?(workspace)?$/i;

/** Workspace-wide stats are for admins: MOA_ADMIN_USERS and platform admins, whatever MOA_PRESET_EDITORS says. */
function isAdmin(ctx: CommandContext): Promise<boolean> {
  const config = { ...ctx.deps.config, MOA_PRESET_EDITORS: "admins" as const };
  return mayEditPresets({ ...ctx, deps: { ...ctx.deps, config } });
}

/** `stats [days] [workspace]`: runs, 👍 rate per preset and per-model numbers from the run records. */
export const stats: CommandSpec = {
  path: ["stats"],
  summary: "Runs, 👍 rate and per-model latency, failures, tokens and cost over the last N days",
  usage: "stats [days] [workspace]",
  examples: ["stats", "stats 30", "stats 30 workspace"],
  options: [
    {
      name: "days",
      description: `Days to look back (default ${DEFAULT_STATS_DAYS}, at most ${MAX_STATS_DAYS})`,
      type: "integer",
      required: false,
      carriedBy: "text",
    },
    {
      name: "scope",
      description: "workspace: the whole workspace/server (admins only); default this channel",
      type: "string",
      required: false,
      choices: ["workspace"],
      carriedBy: "text",
    },
  ],
  mutates: false,
  // "stats on churn in 2024?" is a question.
  claims: (rest) => GRAMMAR.test(rest.trim()),
  async run(rest, ctx) {
    const m = GRAMMAR.exec(rest.trim());
    const days = m?.[1] === undefined ? DEFAULT_STATS_DAYS : Number(m[1]);
    if (!m || days < 1 || days > MAX_STATS_DAYS)
      throw new UsageError(
        `\`${stats.usage}\`: days is a whole number from 1 to ${MAX_STATS_DAYS}.`,
      );
    const runs = ctx.deps.stores.runs;
    if (!runs) return privateReply("Run records are not kept by this bot, so there are no stats.");
    const inv = ctx.invocation;
    const workspace = m[2] !== undefined;
    if (workspace && !(await isAdmin(ctx)))
      return privateReply(
        "Workspace-wide stats are for admins (MOA_ADMIN_USERS and platform admins); `stats` shows this channel.",
      );
    const scope = workspace
      ? { platform: inv.platform, workspaceId: inv.workspaceId }
      : { platform: inv.platform, workspaceId: inv.workspaceId, channelId: inv.channelId };
    const records = await runs.list(scope, days, ctx.now().getTime());
    const label = workspace ? "this workspace" : "this channel";
    return privateReply(
      renderStats(computeStats(records), { label, days }, TABLE_STYLE[inv.platform]),
    );
  },
};
