import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import type { Logger } from "../../log.js";

/** The parts of a block_actions listener's arguments a reply to the presser needs. */
export type PressArgs = Pick<
  SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs,
  "body" | "client" | "respond"
>;

/**
 * Tells the presser alone: an ephemeral message in the conversation (and thread) of the
 * pressed message, or the action's response_url when there is no channel or the bot cannot
 * post there. Never throws; an undelivered reply is logged.
 */
export async function replyToPresser(
  { body, client, respond }: PressArgs,
  text: string,
  log: Logger,
  context: object,
): Promise<void> {
  const channel = body.channel?.id;
  if (channel !== undefined) {
    const threadTs = threadOf(body);
    try {
      await client.chat.postEphemeral({
        channel,
        user: body.user.id,
        text,
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      });
      return;
    } catch (err) {
      log.warn({ err, ...context }, "chat.postEphemeral failed; trying response_url");
    }
  }
  // Bolt only provides respond() when the payload has a response_url.
  if (!body.response_url) {
    log.warn(context, "reply to presser not delivered: no channel or response_url");
    return;
  }
  await respond({ response_type: "ephemeral", replace_original: false, text }).catch(
    (err: unknown) => log.warn({ err, ...context }, "reply to presser not delivered"),
  );
}

/** Thread of the pressed message: its root, or none when it is a top-level message. */
function threadOf(body: BlockAction): string | undefined {
  const ts: unknown = body.container.thread_ts ?? body.message?.thread_ts;
  return typeof ts === "string" ? ts : undefined;
}
