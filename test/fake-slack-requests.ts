/**
 * Requests as Slack sends them to an app's `/slack/events`: signed with the app's signing
 * secret (`v0=` + hex HMAC-SHA256 over `v0:{timestamp}:{raw body}`), slash commands and
 * interactions (`payload=<json>`) form-encoded, Events API callbacks as JSON.
 */
import { createHmac } from "node:crypto";

/** What the app answered, and how long it took. */
export interface SlackPostResult {
  /** HTTP status. */
  status: number;
  /** Response body text. */
  body: string;
  /** Time from send to the full response, ms. */
  ms: number;
  /** When the response was complete, epoch ms. */
  at: number;
}

/** Options of `postSigned`. */
export interface SignOptions {
  /** Signing secret to sign with. */
  secret: string;
  /** Request timestamp, epoch seconds (default now; a stale one tests replay protection). */
  timestamp?: number;
  /** Extra headers, e.g. X-Slack-Retry-Num. */
  headers?: Record<string, string>;
  /** Replace the computed signature (tests a bad one). */
  signature?: string;
}

/** The `v0=` signature of a body. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** POSTs a signed body (JSON when it starts with `{`, else form) and reads the whole answer. */
export async function postSigned(
  url: string,
  body: string,
  options: SignOptions,
): Promise<SlackPostResult> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": body.startsWith("{")
        ? "application/json"
        : "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": options.signature ?? slackSignature(options.secret, timestamp, body),
      ...options.headers,
    },
    body,
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text,
    ms: performance.now() - started,
    at: performance.timeOrigin + performance.now(),
  };
}

/** Fields of a `/moa` command. */
export interface CommandFields {
  /** Text after `/moa`. */
  text: string;
  /** Unique per command. */
  triggerId: string;
  /** response_url (point it at the fake). */
  responseUrl: string;
  teamId?: string;
  channelId?: string;
  userId?: string;
}

/** A slash command body, form-encoded like Slack's. */
export function slashCommand(f: CommandFields): string {
  return new URLSearchParams({
    token: "legacy-verification-token",
    team_id: f.teamId ?? "T0TEAM",
    team_domain: "acme",
    channel_id: f.channelId ?? "C0CHAN",
    channel_name: "general",
    user_id: f.userId ?? "U0USER",
    user_name: "ada",
    command: "/moa",
    text: f.text,
    api_app_id: "A0APP",
    is_enterprise_install: "false",
    response_url: f.responseUrl,
    trigger_id: f.triggerId,
  }).toString();
}

/** An Events API `event_callback` envelope around `event`. */
export function eventCallback(
  event: Record<string, unknown>,
  ids: { eventId: string; teamId?: string },
): string {
  const teamId = ids.teamId ?? "T0TEAM";
  return JSON.stringify({
    token: "legacy-verification-token",
    team_id: teamId,
    api_app_id: "A0APP",
    event: { team: teamId, event_ts: event.ts, ...event },
    type: "event_callback",
    event_id: ids.eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: teamId, user_id: "U0BOT", is_bot: true }],
  });
}

/** A message event in a channel (top level or, with threadTs, a thread reply). */
export function messageEvent(f: {
  type?: "message" | "app_mention";
  text: string;
  ts: string;
  threadTs?: string;
  user?: string;
  channel?: string;
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    type: f.type ?? "message",
    user: f.user ?? "U0USER",
    text: f.text,
    ts: f.ts,
    channel: f.channel ?? "C0CHAN",
    channel_type: "channel",
    ...(f.threadTs ? { thread_ts: f.threadTs } : {}),
    ...f.extra,
  };
}

/** Fields of a button press on a message (a `block_actions` interaction). */
export interface BlockActionFields {
  /** ts of the message holding the button. */
  messageTs: string;
  /** Root ts when that message is a thread reply. */
  threadTs?: string;
  /** The button's value. */
  value: string;
  /** The button's action_id (default `moa_stop`). */
  actionId?: string;
  /** The element type (default `button`; 👍/👎 presses are `feedback_buttons`). */
  actionType?: string;
  /** response_url (point it at the fake). */
  responseUrl: string;
  /** Who pressed (default U0USER). */
  userId?: string;
  teamId?: string;
  channelId?: string;
  /** Unique per press (default derived from the time). */
  triggerId?: string;
}

/** A `block_actions` interaction as Slack POSTs it: form-encoded, the JSON in `payload`. */
export function blockActions(f: BlockActionFields): string {
  const teamId = f.teamId ?? "T0TEAM";
  const channelId = f.channelId ?? "C0CHAN";
  const userId = f.userId ?? "U0USER";
  const actionTs = (Date.now() / 1000).toFixed(6);
  const thread = f.threadTs === undefined ? {} : { thread_ts: f.threadTs };
  const payload = {
    type: "block_actions",
    user: {
      id: userId,
      username: userId.toLowerCase(),
      name: userId.toLowerCase(),
      team_id: teamId,
    },
    api_app_id: "A0APP",
    token: "legacy-verification-token",
    container: {
      type: "message",
      message_ts: f.messageTs,
      channel_id: channelId,
      is_ephemeral: false,
      ...thread,
    },
    trigger_id: f.triggerId ?? `${Date.now()}.${Math.floor(Math.random() * 1e9)}`,
    team: { id: teamId, domain: "acme" },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: "general" },
    message: { type: "message", user: "U0BOT", ts: f.messageTs, text: "MoA", ...thread },
    state: { values: {} },
    response_url: f.responseUrl,
    actions: [
      {
        action_id: f.actionId ?? "moa_stop",
        block_id: "b1",
        text: { type: "plain_text", text: "Stop", emoji: true },
        value: f.value,
        style: "danger",
        type: f.actionType ?? "button",
        action_ts: actionTs,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The `url_verification` handshake Slack sends when the Request URL is saved. */
export function urlVerification(challenge: string): string {
  return JSON.stringify({
    token: "legacy-verification-token",
    challenge,
    type: "url_verification",
  });
}
