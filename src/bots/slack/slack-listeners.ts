import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  Context,
  FeedbackButtonsAction,
  SlackActionMiddlewareArgs,
} from "@slack/bolt";
import type { Invocation } from "../../commands/invocation.js";
import type { Logger } from "../../log.js";
import { STOP_REPLIES, type StopResult } from "../admission/run-gate.js";
import { FEEDBACK_ACTION_ID, REGENERATE_ACTION_ID, STOP_ACTION_ID } from "../chat-sink.js";
import { parseFeedbackValue, recordVote, type VoteFn } from "../feedback.js";
import type { RegeneratePress } from "../regenerate.js";
import { replyToPresser } from "./presser-reply.js";
import type { SlackSinkTarget } from "./slack-sink.js";
import {
  commandToInvocation,
  directMessageToInvocation,
  mentionToInvocation,
  type SlackSelf,
  threadReplyToInvocation,
} from "./to-invocation.js";

/** The slash command moa-bot answers (slack-manifest.yml declares it). */
export const SLASH_COMMAND = "/moa";

/** Starts one run in the background; must return at once (the request is already acked). */
export type StartRun = (inv: Invocation, target: SlackSinkTarget) => void;

/** What the listeners hand work to. */
export interface SlackListenerDeps {
  /** Starts the shared flow for an invocation. */
  start: StartRun;
  /**
   * A Stop press by `userId` on run `runKey` (the run gate, which may ask other instances);
   * absent = no run can be stopped.
   */
  stop?: ((runKey: string, userId: string) => Promise<StopResult>) | undefined;
  /** Records a 👍/👎 press; absent = presses are answered "not recorded". */
  vote?: VoteFn | undefined;
  /** Starts a regenerate of a run into the pressed message (in the background); absent = ignored. */
  regenerate?: ((press: RegeneratePress, target: SlackSinkTarget) => void) | undefined;
  /** Sets a DM's suggested prompts (app_home_opened on the Messages tab); absent = none. */
  suggestPrompts?: ((channelId: string) => void) | undefined;
  /** Structured log. */
  log: Logger;
}

/**
 * Wires Slack's ways in (`/moa`, `app_mention`, thread `message`, DMs) to `start`, and
 * Stop button presses to `stop`. Nothing slow happens before the ack: commands and button
 * presses are acked first, and Bolt acks Events API requests before calling listeners.
 * Retries are not dropped here (a retry may be the only delivery after a crash); the dedup
 * claim in the shared flow decides.
 */
export function registerSlackListeners(app: App, deps: SlackListenerDeps): void {
  const { start, log } = deps;
  app.command(SLASH_COMMAND, async ({ command, ack, respond }) => {
    await ack();
    start(commandToInvocation(command), {
      channel: command.channel_id,
      userId: command.user_id,
      respond,
    });
  });

  // A mention is answered in its thread; a thread reply (edits, deletions, joins... filtered
  // out by subtype in threadReplyToInvocation) continues the bot's conversation there.
  const answerIn = (inv: Invocation | undefined, context: Context): void => {
    if (!inv) return;
    noteRetry(context, inv, log);
    start(inv, { channel: inv.channelId, threadTs: inv.threadId, userId: inv.userId });
  };
  app.event("app_mention", async ({ event, body, context }) => {
    const self = selfOf(context, log);
    answerIn(self && mentionToInvocation(event, body.team_id, self), context);
  });
  app.event("message", async ({ event, body, context }) => {
    const self = selfOf(context, log);
    if (!self) return;
    if (event.channel_type !== "im") {
      answerIn(threadReplyToInvocation(event, body.team_id, self), context);
      return;
    }
    // A DM: one conversation per DM channel; each answer goes in the thread of the message
    // it answers (Slack streams in DMs only as replies).
    const inv = directMessageToInvocation(event, body.team_id, self);
    if (!inv) return;
    noteRetry(context, inv, log);
    const ts = "ts" in event ? event.ts : undefined;
    const threadTs = ("thread_ts" in event ? event.thread_ts : undefined) ?? ts;
    start(inv, {
      channel: inv.channelId,
      threadTs,
      userId: inv.userId,
      conversationId: inv.channelId,
      loadingStatus: true,
    });
  });
  // Opening the app's Messages tab offers a few starters.
  app.event("app_home_opened", async ({ event }) => {
    if (event.tab === "messages") deps.suggestPrompts?.(event.channel);
  });

  app.action<BlockAction<ButtonAction>>(
    { type: "block_actions", action_id: STOP_ACTION_ID },
    (args) => onStopPress(args, deps).catch((err) => log.error({ err }, "stop press not handled")),
  );
  app.action<BlockAction<ButtonAction>>(
    { type: "block_actions", action_id: REGENERATE_ACTION_ID },
    async ({ ack, body, action, respond }) => {
      await ack();
      const channel = body.channel?.id;
      const messageTs = body.message?.ts ?? body.container.message_ts;
      if (!deps.regenerate || !action.value || !channel || typeof messageTs !== "string") {
        log.warn({ value: action.value }, "regenerate press without a run, channel or message");
        return;
      }
      const threadTs: unknown = body.container.thread_ts ?? body.message?.thread_ts;
      deps.regenerate(
        {
          platform: "slack",
          workspaceId: body.team?.id ?? body.user.team_id ?? "",
          channelId: channel,
          userId: body.user.id,
          runKey: action.value,
        },
        {
          channel,
          threadTs: typeof threadTs === "string" ? threadTs : undefined,
          userId: body.user.id,
          messageTs,
          ...(body.response_url ? { respond } : {}),
        },
      );
    },
  );
  app.action<BlockAction<FeedbackButtonsAction>>(
    { type: "block_actions", action_id: FEEDBACK_ACTION_ID },
    (args) =>
      onFeedbackPress(args, deps).catch((err) => log.error({ err }, "feedback press not handled")),
  );
  registerFallbackAcks(app, log);
}

/** Every action_id but the bot's own buttons' (a negative lookahead: Bolt matches a RegExp). */
const OTHER_ACTIONS = new RegExp(
  `^(?!(${[STOP_ACTION_ID, FEEDBACK_ACTION_ID, REGENERATE_ACTION_ID].join("|")})$)`,
);

/**
 * Acks what no other listener handles (a button of an older message layout, a shortcut or
 * a modal another app version declared) so Slack does not show the presser an error after
 * 3 s: ignored, with a debug line saying what it was.
 */
function registerFallbackAcks(app: App, log: Logger): void {
  app.action(OTHER_ACTIONS, async ({ ack, body, action }) => {
    await ack();
    const id =
      "action_id" in action
        ? action.action_id
        : "callback_id" in action
          ? action.callback_id
          : undefined;
    log.debug({ type: body.type, id }, "interaction of no known kind ignored");
  });
  app.shortcut(/.*/, async ({ ack, shortcut }) => {
    await ack();
    log.debug(
      { type: shortcut.type, id: shortcut.callback_id },
      "shortcut of no known kind ignored",
    );
  });
  app.view(/.*/, async ({ ack, view, body }) => {
    await ack();
    log.debug({ type: body.type, id: view.callback_id }, "view of no known kind ignored");
  });
}

type StopPressArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
type FeedbackPressArgs = SlackActionMiddlewareArgs<BlockAction<FeedbackButtonsAction>> &
  AllMiddlewareArgs;

/**
 * A Stop press: acked at once (well within Slack's 3 s), then the gate decides (asker or
 * admin, run still in flight, on this instance or, through the stop bus, another one). A
 * stop needs no reply: the presenter's final edit, wherever the run is, says it and removes
 * the button. Anything else is told to the presser alone.
 */
async function onStopPress(args: StopPressArgs, deps: SlackListenerDeps): Promise<void> {
  const { ack, body, action } = args;
  const { log } = deps;
  await ack();
  const runKey = action.value;
  const userId = body.user.id;
  const result: StopResult =
    runKey === undefined || !deps.stop ? "not-running" : await deps.stop(runKey, userId);
  log.info({ event: runKey, user: userId, result }, "stop pressed");
  if (result === "stopped") return;
  await replyToPresser(args, STOP_REPLIES[result], log, { event: runKey, result });
}

/**
 * A 👍/👎 press: acked at once, recorded (one vote per user per run; a second press
 * changes it), and acknowledged to the presser alone. The answer message is left as it is.
 */
async function onFeedbackPress(args: FeedbackPressArgs, deps: SlackListenerDeps): Promise<void> {
  const { ack, body, action } = args;
  await ack();
  const press = parseFeedbackValue(action.value ?? "");
  if (!press) {
    deps.log.warn({ value: action.value }, "feedback press with an unknown value ignored");
    return;
  }
  const where = { platform: "slack", workspaceId: body.team?.id ?? body.user.team_id ?? "" };
  const reply = await recordVote(deps.vote, { ...where, userId: body.user.id, ...press }, deps.log);
  await replyToPresser(args, reply, deps.log, { run: press.runKey });
}

function selfOf(context: Context, log: Logger): SlackSelf | undefined {
  if (context.botUserId === undefined) {
    log.warn("no bot user id from auth.test; event ignored");
    return undefined;
  }
  return { botUserId: context.botUserId, botId: context.botId };
}

function noteRetry(context: Context, inv: Invocation, log: Logger): void {
  if (context.retryNum === undefined) return;
  log.info(
    { event: inv.eventKey, retryNum: context.retryNum, retryReason: context.retryReason },
    "Events API retry",
  );
}
