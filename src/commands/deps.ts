import type { Config } from "../config.js";
import type { Stores } from "../store/stores.js";
import type { WarnLog } from "../store/warn-log.js";
import type { ModelPolicyConfig } from "./model-policy.js";
import type { PresetCatalog } from "./presets/catalog.js";

/** The settings commands read: model policy and who may edit presets. */
export type CommandConfig = ModelPolicyConfig &
  Pick<Config, "MOA_ADMIN_USERS" | "MOA_PRESET_EDITORS">;

/** Collaborators of `dispatch`, passed in by the composition root (and by tests). */
export interface CommandDeps {
  /** Preset choices and thread memory (see `openStores`); run records for `stats` and each thread's last run for `regenerate`, when kept. */
  stores: Pick<Stores, "presets" | "conversations"> & Partial<Pick<Stores, "runs" | "threadRuns">>;
  /** Built-in and operator presets, fixed at startup (`loadPresetCatalog`). */
  catalog: PresetCatalog;
  /** Validated configuration (a full `Config` fits). */
  config: CommandConfig;
  /** Slack: is the user a workspace admin/owner (users.info)? Absent on platforms that set `platformAdmin`. */
  isWorkspaceAdmin?: (userId: string) => Promise<boolean>;
  /** Current time, for "set by ... at" records; defaults to the system clock. */
  clock?: () => Date;
  /** Where recoverable problems go; a pino logger fits; defaults to console.warn. */
  log?: WarnLog;
}
