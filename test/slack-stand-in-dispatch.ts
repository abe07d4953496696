/**
 * A stand-in for commands/dispatch while it is being written: the few behaviours the Slack
 * end-to-end tests rely on (help reply, thread memory, ignoring threads that are not the
 * bot's). Replaced by the real dispatch once it lands.
 */
import type { SlackPlatformChecks } from "../src/bots/slack/slack-bot.js";
import type { CommandResult } from "../src/commands/command-result.js";
import type { Invocation } from "../src/commands/invocation.js";
import type { Preset } from "../src/moa/preset.js";
import { conversationKey } from "../src/store/store-keys.js";
import type { Stores } from "../src/store/stores.js";

/** What the stand-in needs. */
export interface StandInDeps {
  stores: Pick<Stores, "conversations">;
  preset: Preset;
  platform: SlackPlatformChecks;
}

/** help -> ephemeral usage; `whoami` -> admin check; thread replies need thread memory. */
export async function standInDispatch(inv: Invocation, deps: StandInDeps): Promise<CommandResult> {
  if (inv.text === "" || inv.text === "help")
    return { kind: "reply", text: "Usage: `/moa <question>`", ephemeral: true };
  if (inv.text === "whoami") {
    const admin = await deps.platform.isWorkspaceAdmin(inv.userId);
    return { kind: "reply", text: admin ? "admin" : "member", ephemeral: true };
  }
  const history = inv.threadId
    ? await deps.stores.conversations.load(conversationKey({ ...inv, threadId: inv.threadId }))
    : undefined;
  if (inv.source === "thread-reply" && history === undefined)
    return { kind: "ignore", reason: "not a bot thread" };
  return {
    kind: "run",
    preset: deps.preset,
    messages: [...(history ?? []), { role: "user", content: inv.text }],
    question: inv.text,
  };
}
