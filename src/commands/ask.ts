import { StoreUnavailableError, UsageError } from "../errors.js";
import type { ChatMessage } from "../moa/messages.js";
import type { Preset } from "../moa/preset.js";
import { conversationKey } from "../store/store-keys.js";
import { presetInForce } from "./channel-preset.js";
import type { CommandResult } from "./command-result.js";
import type { CommandContext, CommandSpec } from "./command-spec.js";
import { runnablePreset } from "./preset-lookup.js";
import { trimInvisible } from "./visible-text.js";

/** `ask <question>` (or any text that is not a command): run MoA with the channel's preset. */
export const ask: CommandSpec = {
  path: ["ask"],
  summary: "Ask with this channel's preset (typing the question alone works too)",
  usage: "ask <question>",
  examples: ["ask What are the trade-offs of Mixture-of-Agents?"],
  options: [
    {
      name: "question",
      description: "Your question",
      type: "string",
      required: true,
      carriedBy: "text",
    },
    {
      name: "preset",
      description: "Preset for this question only (see presets)",
      type: "string",
      required: false,
      carriedBy: "presetOverride",
    },
  ],
  mutates: false,
  run: (rest, ctx) => startRun(rest, ctx, "command"),
};

/**
 * Builds the run: the thread's stored history (when the invocation is in a thread)
 * plus the new user turn, with the override or channel preset. In a thread-reply,
 * a thread without stored memory is not the bot's and is ignored. When the store is
 * down a command still runs, with the default preset (or a catalog override) and no
 * history; a thread-reply is ignored, since we cannot tell whether it is ours.
 */
export async function startRun(
  text: string,
  ctx: CommandContext,
  mode: "command" | "thread-reply",
): Promise<CommandResult> {
  const question = trimInvisible(text);
  if (question === "") {
    if (mode === "thread-reply") return { kind: "ignore", reason: "empty thread reply" };
    throw new UsageError("`ask` needs a question, e.g. `ask What is Mixture-of-Agents?`");
  }
  const inv = ctx.invocation;
  let history: ChatMessage[] | undefined;
  let preset: Preset;
  let notice: string | undefined;
  try {
    if (inv.threadId !== undefined) {
      history = await ctx.deps.stores.conversations.load(
        conversationKey({ ...inv, threadId: inv.threadId }),
      );
    }
    if (mode === "thread-reply" && !history)
      return { kind: "ignore", reason: "thread has no conversation with the bot" };
    preset = inv.presetOverride
      ? await runnablePreset(inv.presetOverride, ctx)
      : (await presetInForce(ctx)).preset;
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    ctx.log.warn(
      { err: error.cause, channelId: inv.channelId },
      "commands: store down; running with the default preset",
    );
    if (mode === "thread-reply")
      return {
        kind: "ignore",
        reason: "store unavailable; cannot tell whether the thread is the bot's",
      };
    const fromCatalog = inv.presetOverride
      ? ctx.deps.catalog.entries.get(inv.presetOverride)?.preset
      : undefined;
    preset = fromCatalog ?? ctx.deps.catalog.defaultPreset;
    notice = error.userMessage;
  }
  return {
    kind: "run",
    preset,
    messages: [...(history ?? []), { role: "user", content: question }],
    question,
    ...(notice ? { notice } : {}),
  };
}
