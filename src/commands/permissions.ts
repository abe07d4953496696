import type { CommandContext } from "./command-spec.js";
import type { Platform } from "./invocation.js";

/** How long a platform admin lookup (Slack users.info) may take before we say no, ms. */
const ADMIN_LOOKUP_TIMEOUT_MS = 3_000;

/** Who counts as a platform admin, per platform: data, not branches. */
const PLATFORM_ADMINS: Record<Platform, string> = {
  slack: "Slack workspace admins and owners",
  discord: "members with the Manage Channels permission",
  web: "the playground user (whoever can open the local page)",
};

/**
 * May this user change presets? Yes when MOA_PRESET_EDITORS=everyone, the user is
 * in MOA_ADMIN_USERS, the platform marked them admin, or (Slack) `isWorkspaceAdmin`
 * says so. A failed or slow lookup counts as no, with a log line.
 */
export async function mayEditPresets(ctx: CommandContext): Promise<boolean> {
  const { config, isWorkspaceAdmin } = ctx.deps;
  const { userId, platformAdmin } = ctx.invocation;
  if (config.MOA_PRESET_EDITORS === "everyone" || platformAdmin) return true;
  if (config.MOA_ADMIN_USERS.includes(userId)) return true;
  if (!isWorkspaceAdmin) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      isWorkspaceAdmin(userId),
      new Promise<boolean>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error("admin lookup timed out")),
          ADMIN_LOOKUP_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    ctx.log.warn(
      { err: error, userId },
      "commands: admin lookup failed; treating user as not an admin",
    );
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The refusal of `command` (e.g. `preset set`): why, and who can. */
export function editRefusal(platform: Platform, command: string): string {
  return (
    `\`${command}\` changes presets, which only preset editors may do: users listed in MOA_ADMIN_USERS ` +
    `and ${PLATFORM_ADMINS[platform]}. Ask one of them, or an operator can set MOA_PRESET_EDITORS=everyone. ` +
    "Anyone can look: `presets`, `preset`."
  );
}
