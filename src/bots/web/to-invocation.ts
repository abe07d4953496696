import { z } from "zod";
import type { Invocation } from "../../commands/invocation.js";

/** Workspace and channel of every playground invocation: one local "channel", so `preset use` applies to all its conversations. */
export const WEB_SCOPE = "playground";
/** The one playground user (the page has no login: whoever can reach it is its operator). */
export const WEB_USER = "local";
/** Longest question the page may send, chars. */
export const WEB_MAX_TEXT_CHARS = 8_000;

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, - or _");

/** The JSON body of POST /api/ask. */
const AskBody = z.object({
  /** Conversation (thread) id chosen by the page; follow-ups reuse it. */
  conversation: id,
  /** Turn id chosen by the page, so it can draw the turn before the reply to its POST arrives. */
  turn: id,
  /** What was typed: a question, or a command such as `/moa preset use self`. */
  text: z.string().max(WEB_MAX_TEXT_CHARS, `must be at most ${WEB_MAX_TEXT_CHARS} characters`),
});

/** A parsed ask, or why the body was refused. */
export type WebAsk = { ok: true; invocation: Invocation } | { ok: false; message: string };

/**
 * Pure: the page's ask body -> Invocation. Typed text is read like a `/moa` command (a leading
 * `/moa` is optional), in the thread of its conversation so stored history makes follow-ups.
 */
export function webInvocation(body: unknown): WebAsk {
  const parsed = AskBody.safeParse(body);
  if (!parsed.success)
    return {
      ok: false,
      message: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    };
  const { conversation, turn, text } = parsed.data;
  return {
    ok: true,
    invocation: {
      platform: "web",
      workspaceId: WEB_SCOPE,
      channelId: WEB_SCOPE,
      threadId: conversation,
      userId: WEB_USER,
      source: "command",
      text: text.trim().replace(/^\/moa(\s+|$)/, ""),
      platformAdmin: true,
      eventKey: `${conversation}:${turn}`,
    },
  };
}
