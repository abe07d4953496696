import type { FakeDiscord, RecordedCall } from "./fake-discord.js";
import { CV2, cv2Refusal, postRefusal } from "./fake-discord-cv2.js";
import { type Json, message, snowflake } from "./fake-discord-payloads.js";

/** A REST answer of the fake. */
export interface Reply {
  /** HTTP status. */
  status: number;
  /** JSON body (none for 204). */
  body?: Json | undefined;
  /** Extra headers. */
  headers?: Record<string, string>;
}

type Handler = (fake: FakeDiscord, m: string[], call: RecordedCall) => Reply;
const EPHEMERAL = 64;
const LOADING = 128;
const ok = (body?: Json): Reply => (body ? { status: 200, body } : { status: 204 });
const error = (status: number, code: number, text: string): Reply => ({
  status,
  body: { message: text, code },
});

/** Stores a message written by the bot and, like Discord, echoes it on the gateway. */
function botMessage(fake: FakeDiscord, channelId: string, body: Json, extra: Json = {}): Json {
  const channel = fake.channels.get(channelId);
  const flags = Number(body.flags ?? 0);
  const msg: Json = {
    ...message({
      id: snowflake(),
      channelId,
      guildId: channel?.guild_id as string | undefined,
      author: fake.bot,
      content: String(body.content ?? ""),
      flags,
      reference: body.message_reference as Json | undefined,
    }),
    components: (body.components as Json[] | undefined) ?? [],
    ...extra,
  };
  fake.messages.set(msg.id as string, msg);
  if (!(flags & EPHEMERAL)) fake.gateway.dispatch("MESSAGE_CREATE", msg);
  return msg;
}

function edit(fake: FakeDiscord, id: string | undefined, body: Json): Reply {
  const msg = id ? fake.messages.get(id) : undefined;
  if (!msg) return error(404, 10008, "Unknown Message");
  const refused = cv2Refusal(fake, msg, body);
  if (refused) return refused;
  if (body.flags !== undefined) msg.flags = Number(body.flags) | (Number(msg.flags ?? 0) & CV2);
  if (body.content !== undefined) msg.content = body.content ?? "";
  if (body.components !== undefined) msg.components = body.components;
  msg.flags = Number(msg.flags ?? 0) & ~LOADING;
  msg.edited_timestamp = new Date().toISOString();
  return ok(msg);
}

function tokenRefused(fake: FakeDiscord, token: string | undefined): Reply | undefined {
  return fake.expiredTokens.has(token ?? "")
    ? error(401, 50027, "Invalid Webhook Token")
    : undefined;
}

/**
 * An interaction's first response: 4 reply (5 deferred), or for a component press
 * 6 DEFERRED_UPDATE_MESSAGE (ack only) or 7 UPDATE_MESSAGE (edits the pressed message).
 * A second response to the same interaction is refused, as Discord does.
 */
function callback(fake: FakeDiscord, [, id, token]: string[], call: RecordedCall): Reply {
  const interaction = fake.interactions.get(id ?? "");
  if (!interaction || fake.expiredTokens.has(token ?? ""))
    return error(404, 10062, "Unknown interaction");
  if (fake.acknowledged.has(id ?? ""))
    return error(400, 40060, "Interaction has already been acknowledged.");
  const type = Number(call.body?.type);
  const data = (call.body?.data ?? {}) as Json;
  const pressed = interaction.message as Json | undefined;
  if ((type === 6 || type === 7) && !pressed)
    return error(400, 50035, "Invalid Form Body: only component interactions update a message");
  fake.acknowledged.add(id ?? "");
  let msg: Json | undefined;
  if (type === 7) edit(fake, pressed?.id as string, data);
  if (type === 4 || type === 5) {
    const flags = Number(data.flags ?? 0) | (type === 5 ? LOADING : 0);
    msg = botMessage(
      fake,
      interaction.channel_id as string,
      { ...data, flags },
      {
        interaction_metadata: {
          id,
          type: interaction.type,
          user: (interaction.member as Json).user,
          authorizing_integration_owners: interaction.authorizing_integration_owners,
        },
        webhook_id: fake.appId,
      },
    );
    fake.originals.set(token ?? "", msg.id as string);
  }
  if (call.query.get("with_response") !== "true") return ok();
  return ok({
    interaction: { id, type: interaction.type, response_message_id: msg?.id },
    resource: { type, ...(msg && { message: msg }) },
  });
}

const routes: Array<[string, RegExp, Handler]> = [
  [
    "GET",
    /^\/gateway\/bot$/,
    (fake) =>
      ok({
        url: fake.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      }),
  ],
  ["GET", /^\/users\/@me$/, (fake) => ok(fake.bot)],
  [
    "GET",
    /^\/applications\/@me$/,
    (fake) => ok({ id: fake.appId, name: "moa-bot", flags: fake.appFlags, bot: fake.bot }),
  ],
  [
    "PUT",
    /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/,
    (_fake, _m, call) => {
      const list = (call.body as unknown as Json[] | undefined) ?? [];
      return {
        status: 200,
        body: list.map((c) => ({ ...c, id: snowflake(), version: "1" })) as never,
      };
    },
  ],
  [
    "GET",
    /^\/channels\/(\d+)$/,
    (fake, [, id]) => {
      const channel = fake.channels.get(id ?? "");
      return channel ? ok(channel) : error(404, 10003, "Unknown Channel");
    },
  ],
  [
    "POST",
    /^\/channels\/(\d+)\/messages$/,
    (fake, [, id], call) =>
      fake.channels.has(id ?? "")
        ? ok(botMessage(fake, id ?? "", call.body ?? {}))
        : error(404, 10003, "Unknown Channel"),
  ],
  [
    "PATCH",
    /^\/channels\/(\d+)\/messages\/(\d+)$/,
    (fake, [, , id], call) => {
      const msg = fake.messages.get(id ?? "");
      // Ephemeral messages and other people's messages cannot be edited with the bot token.
      if (!msg || Number(msg.flags) & EPHEMERAL) return error(404, 10008, "Unknown Message");
      if ((msg.author as Json).id !== fake.botId)
        return error(403, 50005, "Cannot edit a message authored by another user");
      return edit(fake, id, call.body ?? {});
    },
  ],
  [
    "POST",
    /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/,
    (fake, [, parent, id], call) => {
      const thread = {
        id,
        type: 11,
        guild_id: fake.guildId,
        parent_id: parent,
        owner_id: fake.botId,
        name: call.body?.name,
        message_count: 0,
        member_count: 1,
        rate_limit_per_user: 0,
        thread_metadata: {
          archived: false,
          locked: false,
          auto_archive_duration: call.body?.auto_archive_duration ?? 1440,
          archive_timestamp: new Date().toISOString(),
        },
      };
      fake.channels.set(id ?? "", thread);
      fake.gateway.dispatch("THREAD_CREATE", { ...thread, newly_created: true });
      return { status: 201, body: thread };
    },
  ],
  [
    "POST",
    /^\/channels\/(\d+)\/typing$/,
    (fake, [, id]) => (fake.channels.has(id ?? "") ? ok() : error(404, 10003, "Unknown Channel")),
  ],
  ["POST", /^\/interactions\/(\d+)\/([^/]+)\/callback$/, callback],
  [
    "GET",
    /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/,
    (fake, [, , token]) =>
      tokenRefused(fake, token) ?? edit(fake, fake.originals.get(token ?? ""), {}),
  ],
  [
    "PATCH",
    /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/,
    (fake, [, , token], call) =>
      tokenRefused(fake, token) ?? edit(fake, fake.originals.get(token ?? ""), call.body ?? {}),
  ],
  [
    "DELETE",
    /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/,
    (fake, [, , token]) => {
      if (tokenRefused(fake, token)) return tokenRefused(fake, token) as Reply;
      fake.messages.delete(fake.originals.get(token ?? "") ?? "");
      return ok();
    },
  ],
  [
    "POST",
    /^\/webhooks\/(\d+)\/([^/]+)$/,
    (fake, [, , token], call) => {
      const refused = tokenRefused(fake, token);
      if (refused) return refused;
      const interaction = [...fake.interactions.values()].find((i) => i.token === token);
      if (!interaction) return error(404, 10015, "Unknown Webhook");
      return ok(
        botMessage(fake, interaction.channel_id as string, call.body ?? {}, {
          webhook_id: fake.appId,
        }),
      );
    },
  ],
];

/** Discord refuses a message `content` over 2,000 characters. */
function tooLong(call: RecordedCall): Reply | undefined {
  const content = call.body?.content ?? (call.body?.data as Json | undefined)?.content;
  return typeof content === "string" && content.length > 2_000
    ? error(400, 50035, "Invalid Form Body: content: Must be 2000 or fewer in length.")
    : undefined;
}

/** The body of a new message this call posts (a send, a follow-up, a reply callback), if any. */
function postedBody(call: RecordedCall): Json | undefined {
  if (call.method !== "POST" || !call.body) return undefined;
  if (/^\/channels\/\d+\/messages$/.test(call.path) || /^\/webhooks\/\d+\/[^/]+$/.test(call.path))
    return call.body;
  const reply = /\/callback$/.test(call.path) && [4, 5].includes(Number(call.body.type));
  return reply ? ((call.body.data as Json | undefined) ?? {}) : undefined;
}

/** Answers one REST call, or undefined when no route matches. */
export function routeRest(fake: FakeDiscord, call: RecordedCall): Reply | undefined {
  const refused = tooLong(call);
  if (refused) return refused;
  const posted = postedBody(call);
  const badComponents = posted && postRefusal(posted);
  if (badComponents) return badComponents;
  for (const [method, pattern, handle] of routes) {
    const m = call.method === method ? pattern.exec(call.path) : null;
    if (m)
      return handle(
        fake,
        [...m].map((s) => s ?? ""),
        call,
      );
  }
  return undefined;
}

/** A per-route limit: calls in any window per bucket key. */
export interface RouteLimit {
  /** Method and path the limit applies to. */
  method: string;
  path: RegExp;
  /** Bucket name (X-RateLimit-Bucket); the key adds the top-level resource (channel, webhook). */
  bucket: string;
  /** Calls per window. */
  limit: number;
  /** Window, ms. */
  windowMs: number;
}

/**
 * Per-route buckets as Discord applies them: per route and top-level resource (channel id,
 * webhook id + token). Discord publishes no numbers; 5 per 5 s per channel is what bot authors
 * observe for sending and editing messages.
 */
export const DISCORD_ROUTE_LIMITS: RouteLimit[] = [
  {
    method: "POST",
    path: /^\/channels\/(\d+)\/messages$/,
    bucket: "msg-create",
    limit: 5,
    windowMs: 5_000,
  },
  {
    method: "PATCH",
    path: /^\/channels\/(\d+)\/messages\/\d+$/,
    bucket: "msg-edit",
    limit: 5,
    windowMs: 5_000,
  },
  {
    method: "PATCH",
    path: /^\/webhooks\/(\d+\/[^/]+)\/messages\/@original$/,
    bucket: "webhook-edit",
    limit: 5,
    windowMs: 5_000,
  },
];
