import type { CommandResult } from "../commands/command-result.js";
import type { Invocation, Platform } from "../commands/invocation.js";
import { toMoaBotError } from "../errors.js";
import { runMoa } from "../moa/run-moa.js";
import type { ChatSink, PlatformProfile } from "./chat-sink.js";
import type { BotDeps } from "./handle-invocation.js";
import { present } from "./presenter.js";
import { splitForLimit, threadName } from "./render-policy.js";
import { hashUser } from "./run-record-of.js";

/** A Regenerate press (or command), as both platforms' listeners hand it over. */
export interface RegeneratePress {
  /** Where it came from. */
  platform: Platform;
  /** Slack team / Discord guild ("dm" for DMs). */
  workspaceId: string;
  /** Channel of the answer. */
  channelId: string;
  /** Who pressed. */
  userId: string;
  /** The run whose drafts are aggregated again. */
  runKey: string;
  /** Another aggregator model for this once (`regenerate aggregator=MODEL`). */
  aggregator?: string;
}

/** What the presser alone is told when a regenerate does not start. */
export const REGENERATE_REPLIES = {
  gone: "The drafts of that answer are no longer stored (they are kept 7 days), so it cannot be regenerated. Ask again instead.",
  notYours:
    "Only the person who asked (or a bot admin, MOA_ADMIN_USERS) can regenerate this answer.",
  noMessage:
    "I can no longer reach that answer's message (deleted, or I lost access to it), so it cannot be regenerated.",
  started: (aggregator: string) =>
    `Regenerating the answer with aggregator \`${aggregator}\`; it is replaced in place.`,
  busy: "That answer is already being regenerated.",
  failed: "The answer could not be regenerated; the old one is unchanged.",
} as const;

/** How a regenerate talks to the person who asked for it. */
export interface RegenerateOptions {
  /** Where refusals and notes go (default: `sink`; a command: the command's own sink). */
  privately?: ChatSink;
  /** Tell them privately once it starts (a slash command is owed an answer). */
  announce?: boolean;
  /** The thread the answer's conversation is keyed by, when known better than the sink knows it (a DM). */
  threadId?: string | undefined;
}

/** Runs being regenerated in this process: two presses must not both rewrite one message. */
const inFlight = new Set<string>();

/**
 * Regenerate: the aggregator alone runs again on the stored drafts of a finished run (no
 * proposer is called), optionally with another aggregator. The previous answer is first
 * posted in the thread as a note; the new one then replaces it in place through `sink`
 * (attached to the answer message), with a footer saying it was regenerated and its cost,
 * and is recorded as a run of its own (so it can be rated and regenerated too). Never throws.
 */
export async function regenerate(
  press: RegeneratePress,
  sink: ChatSink,
  profile: PlatformProfile,
  deps: BotDeps,
  options: RegenerateOptions = {},
): Promise<void> {
  const log = deps.log.child({ platform: press.platform, run: press.runKey, regenerate: true });
  const privately = options.privately ?? sink;
  const key = `${press.platform}:${press.workspaceId}:${press.runKey}`;
  if (inFlight.has(key)) return tell(privately, REGENERATE_REPLIES.busy, log);
  inFlight.add(key);
  try {
    const source = await deps.loadDrafts?.(press, press.runKey);
    if (!source || source.drafts.length === 0)
      return await tell(privately, REGENERATE_REPLIES.gone, log);
    const asker = source.userHash === hashUser(press.platform, press.workspaceId, press.userId);
    if (!asker && !deps.admins?.includes(press.userId))
      return await tell(privately, REGENERATE_REPLIES.notYours, log);
    const inv: Invocation = {
      ...press,
      source: "command",
      text: "",
      platformAdmin: false,
      eventKey: `${press.platform}:regen:${press.runKey}:${Date.now()}`,
    };
    const refusal = deps.gate?.refusal() ?? (await deps.gate?.checkQuota(inv));
    if (refusal) return await tell(privately, refusal, log);
    const preset = { ...source.preset, aggregator: press.aggregator ?? source.preset.aggregator };
    if (options.announce) await tell(privately, REGENERATE_REPLIES.started(preset.aggregator), log);
    const previous = `_Previous answer (replaced by a regenerate):_\n\n${profile.neutralize(source.answer)}`;
    for (const part of splitForLimit(previous, profile.maxMessageChars))
      await sink.postInThread(part, threadName(source.question));
    const request = { messages: source.messages, preset, reuseDrafts: source.drafts };
    const view = await present(runMoa(request, deps.engine), sink, profile, {
      question: source.question,
      preset: preset.name,
      feedback: deps.recordRun !== undefined,
      regenerate: true,
      regenerated: true,
      onSinkError: (err, what) => log.warn({ err, what }, "platform call failed"),
    });
    log.info({ outcome: view.phase, costUsd: view.stats?.costUsd }, "regenerated");
    deps.gate?.finished(inv, view);
    // The new answer stays the asker's to regenerate, whoever asked for this one.
    const place = {
      threadId: options.threadId ?? sink.threadId(),
      message: sink.messageRef?.(),
      askerHash: source.userHash,
    };
    await deps
      .recordRun?.(
        inv,
        view,
        { preset, messages: source.messages, question: source.question },
        place,
      )
      .catch((e) => log.warn({ err: e }, "run record not saved"));
  } catch (error) {
    log.error({ err: error, code: toMoaBotError(error).code }, "regenerate failed");
    await tell(privately, REGENERATE_REPLIES.failed, log);
  } finally {
    inFlight.delete(key);
  }
}

async function tell(sink: ChatSink, text: string, log: BotDeps["log"]): Promise<void> {
  await sink.replyPrivately(text).catch((e) => log.warn({ err: e }, "could not tell the user"));
}

/**
 * A `regenerate` command: the run its thread answered last is regenerated into that run's
 * message (reached through the platform's `answerSink`), with refusals and notes told to
 * the invoker through the command's own `via`. Never throws.
 */
export async function regenerateByCommand(
  inv: Invocation,
  result: Extract<CommandResult, { kind: "regenerate" }>,
  via: ChatSink,
  profile: PlatformProfile,
  deps: BotDeps,
): Promise<void> {
  const log = deps.log.child({ platform: inv.platform, run: result.runKey, regenerate: true });
  let sink: ChatSink;
  try {
    if (!deps.answerSink) throw new Error("this bot cannot reach stored answer messages");
    sink = await deps.answerSink(result.message, inv);
  } catch (error) {
    log.warn({ err: error }, "answer message not reachable for regenerate");
    return tell(via, REGENERATE_REPLIES.noMessage, log);
  }
  const press: RegeneratePress = {
    platform: inv.platform,
    workspaceId: inv.workspaceId,
    channelId: inv.channelId,
    userId: inv.userId,
    runKey: result.runKey,
    ...(result.aggregator !== undefined && { aggregator: result.aggregator }),
  };
  await regenerate(press, sink, profile, deps, {
    privately: via,
    announce: inv.source === "command",
    threadId: inv.threadId ?? inv.repliesTo,
  });
}
