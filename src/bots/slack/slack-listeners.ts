import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  Context,
  SlackActionMiddlewareArgs,
} from "@slack/bolt";
import type { Invocation } from "../../commands/invocation.js";
import type { Logger } from "../../log.js";
import { STOP_ACTION_ID } from "../chat-sink.js";
import { STOP_REPLIES, type StopResult } from "../run-gate.js";
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
    async (args) => {
      try {
        await onStopPress(args, deps);
      } catch (err) {
        log.error({ err }, "stop press not handled");
      }
    },
  );
  registerFallbackAcks(app, log);
}

/** Every action_id but the Stop button's (a negative lookahead: Bolt matches a RegExp). */
const OTHER_ACTIONS = new RegExp(`^(?!${STOP_ACTION_ID}$)`);

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

/**
 * A Stop press: acked at once (well within Slack's 3 s), then the gate decides (asker or
 * admin, run still in flight, on this instance or, through the stop bus, another one). A
 * stop needs no reply: the presenter's final edit, wherever the run is, says it and removes
 * the button. Anything else is told to the presser alone.
 */
async function onStopPress(
  { ack, body, action, client, respond }: StopPressArgs,
  deps: SlackListenerDeps,
): Promise<void> {
  const { log } = deps;
  await ack();
  const runKey = action.value;
  const userId = body.user.id;
  const result: StopResult =
    runKey === undefined || !deps.stop ? "not-running" : await deps.stop(runKey, userId);
  log.info({ event: runKey, user: userId, result }, "stop pressed");
  if (result === "stopped") return;
  const text = STOP_REPLIES[result];
  const channel = body.channel?.id;
  // In the conversation (and thread) of the pressed message; the action's response_url
  // when there is no channel or the bot cannot post there.
  if (channel !== undefined) {
    const threadTs = threadOf(body);
    try {
      await client.chat.postEphemeral({
        channel,
        user: userId,
        text,
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      });
      return;
    } catch (err) {
      log.warn({ err, event: runKey, result }, "chat.postEphemeral failed; trying response_url");
    }
  }
  // Bolt only provides respond() when the payload has a response_url.
  if (!body.response_url) {
    log.warn({ event: runKey, result }, "stop reply not delivered: no channel or response_url");
    return;
  }
  await respond({ response_type: "ephemeral", replace_original: false, text }).catch(
    (err: unknown) => log.warn({ err, event: runKey, result }, "stop reply not delivered"),
  );
}

/** Thread of the pressed message: its root, or none when it is a top-level message. */
function threadOf(body: BlockAction): string | undefined {
  const ts: unknown = body.container.thread_ts ?? body.message?.thread_ts;
  return typeof ts === "string" ? ts : undefined;
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
