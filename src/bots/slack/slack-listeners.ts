import type { App, Context } from "@slack/bolt";
import type { Invocation } from "../../commands/invocation.js";
import type { Logger } from "../../log.js";
import type { SlackSinkTarget } from "./slack-sink.js";
import {
  commandToInvocation,
  mentionToInvocation,
  type SlackSelf,
  threadReplyToInvocation,
} from "./to-invocation.js";

/** The slash command moa-bot answers (slack-manifest.yml declares it). */
export const SLASH_COMMAND = "/moa";

/** Starts one run in the background; must return at once (the request is already acked). */
export type StartRun = (inv: Invocation, target: SlackSinkTarget) => void;

/**
 * Wires Slack's three ways in (`/moa`, `app_mention`, thread `message`) to `start`. Nothing
 * slow happens before the ack: commands are acked first, and Bolt acks Events API requests
 * before calling listeners. Retries are not dropped here (a retry may be the only delivery
 * after a crash); the dedup claim in the shared flow decides.
 */
export function registerSlackListeners(app: App, start: StartRun, log: Logger): void {
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
    answerIn(self && threadReplyToInvocation(event, body.team_id, self), context);
  });
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
