import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeGateway } from "./fake-discord-gateway.js";
import {
  alice,
  guildCreate,
  type Json,
  snowflake,
  textChannel,
  user,
} from "./fake-discord-payloads.js";
import {
  DISCORD_ROUTE_LIMITS,
  type Reply,
  type RouteLimit,
  routeRest,
} from "./fake-discord-rest.js";
import { RateWindows } from "./fake-rate-windows.js";

/** One REST call the bot made, as received. */
export interface RecordedCall {
  /** HTTP method, upper case. */
  method: string;
  /** Path after `/api/v10`, e.g. `/channels/1/messages`. */
  path: string;
  /** Query string parameters. */
  query: URLSearchParams;
  /** Parsed JSON body (undefined when none). */
  body: Json | undefined;
  /** Epoch ms when received. */
  at: number;
  /** HTTP status the fake answered with (set once answered). */
  status?: number;
}

/** Options of `FakeDiscord.start`. */
export interface FakeDiscordOptions {
  /** The app has the Message Content intent enabled in the developer portal. */
  messageContentIntent?: boolean;
  /** HELLO heartbeat interval, ms. */
  heartbeatIntervalMs?: number;
  /** Per-route buckets (default DISCORD_ROUTE_LIMITS); `false` turns them off. */
  routeLimits?: RouteLimit[] | false;
}

/**
 * In-process fake Discord on 127.0.0.1: REST under `/api/v10` (point
 * `rest.api` at `apiUrl`) and a gateway WebSocket advertised by `GET /gateway/bot`.
 * Records every REST call; answers unknown routes 404 and lists them in `unhandled`.
 */
export class FakeDiscord {
  /** Bot user id. */
  readonly botId = snowflake();
  /** Application id (what `DISCORD_APPLICATION_ID` holds). */
  readonly appId = snowflake();
  /** The one guild the bot is in. */
  readonly guildId = snowflake();
  /** Its text channel. */
  readonly channelId = snowflake();
  /** The DM channel between alice and the bot. */
  readonly dmChannelId = snowflake();
  /** Guild owner (has every permission). */
  readonly ownerId = snowflake();
  /** The bot's user object. */
  readonly bot: Json;
  /** Every REST call, in order. */
  readonly calls: RecordedCall[] = [];
  /** Calls no route answered. */
  readonly unhandled: RecordedCall[] = [];
  /** Channels (and threads) by id. */
  readonly channels = new Map<string, Json>();
  /** Messages by id (ephemeral ones included). */
  readonly messages = new Map<string, Json>();
  /** Interactions dispatched, by id. */
  readonly interactions = new Map<string, Json>();
  /** Interactions that got their first response (callback), by id. */
  readonly acknowledged = new Set<string>();
  /** Original response message id by interaction token. */
  readonly originals = new Map<string, string>();
  /** Interaction tokens the fake now refuses (as Discord does after 15 minutes). */
  readonly expiredTokens = new Set<string>();
  /** Per-route bucket logs; `windows.refused` counts the 429s they answered. */
  readonly windows = new RateWindows();
  /** Pending scripted 429s: method + path pattern + Retry-After seconds. */
  readonly rateLimits: Array<{ method: string; path: RegExp; retryAfterS: number }> = [];
  /** The gateway. */
  gateway!: FakeGateway;
  /** `rest.api` for the client. */
  apiUrl = "";
  /** What `GET /gateway/bot` advertises. */
  gatewayUrl = "";
  readonly #server: Server;

  private constructor(readonly options: FakeDiscordOptions) {
    this.bot = user(this.botId, "moa-bot", true);
    this.#server = createServer((req, res) => void this.onRequest(req, res));
    this.channels.set(this.channelId, textChannel(this.channelId, this.guildId));
    this.channels.set(this.dmChannelId, { id: this.dmChannelId, type: 1, recipients: [alice] });
  }

  /** Starts REST and gateway on a free port. */
  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, "127.0.0.1", resolve));
    const { port } = fake.#server.address() as AddressInfo;
    fake.apiUrl = `http://127.0.0.1:${port}/api`;
    fake.gatewayUrl = `ws://127.0.0.1:${port}`;
    fake.gateway = new FakeGateway(fake.#server, () => fake.gatewayUrl, {
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      ready: () => ({
        v: 10,
        user: fake.bot,
        guilds: [{ id: fake.guildId, unavailable: true }],
        application: { id: fake.appId, flags: fake.appFlags },
      }),
      guilds: () => [fake.guild()],
    });
    return fake;
  }

  /** Application flags: GatewayMessageContent (1 << 18) when the intent is enabled. */
  get appFlags(): number {
    return this.options.messageContentIntent ? 1 << 18 : 0;
  }

  /** GUILD_CREATE for the guild, with its channels and active threads. */
  guild(): Json {
    const all = [...this.channels.values()].filter((c) => c.guild_id === this.guildId);
    const isThread = (c: Json) => c.type === 11;
    return guildCreate(
      this.guildId,
      this.ownerId,
      all.filter((c) => !isThread(c)),
      all.filter(isThread),
    );
  }

  /** REST calls matching a method and a path pattern. */
  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && path.test(c.path));
  }

  /** Resolves with the first call (past or future) matching, or rejects after `timeoutMs`. */
  async waitForCall(
    method: string,
    path: RegExp,
    timeoutMs = 10_000,
    count = 1,
  ): Promise<RecordedCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.callsTo(method, path);
      if (found.length >= count) return found[count - 1] as RecordedCall;
      if (Date.now() > deadline) throw new Error(`no ${method} ${path} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Makes the next matching call answer 429 with `Retry-After`. */
  rateLimitOnce(method: string, path: RegExp, retryAfterS = 0.2): void {
    this.rateLimits.push({ method, path, retryAfterS });
  }

  /** Stops REST and gateway. */
  async close(): Promise<void> {
    this.gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Counts a call against its route bucket: X-RateLimit-* headers, or a 429 with retry_after. */
  private bucketHit(
    call: RecordedCall,
  ): { ok: boolean; headers: Record<string, string>; reply: Reply } | undefined {
    const limits =
      this.options.routeLimits === false ? [] : (this.options.routeLimits ?? DISCORD_ROUTE_LIMITS);
    for (const route of limits) {
      const m = call.method === route.method ? route.path.exec(call.path) : null;
      if (!m) continue;
      const hit = this.windows.hit(`${route.bucket}:${m[1]}`, route);
      const resetAfter = (hit.ok ? hit.resetAfterMs : hit.retryAfterMs) / 1000;
      const headers = {
        "x-ratelimit-limit": String(route.limit),
        "x-ratelimit-remaining": String(hit.ok ? hit.remaining : 0),
        "x-ratelimit-reset": ((Date.now() + resetAfter * 1000) / 1000).toFixed(3),
        "x-ratelimit-reset-after": resetAfter.toFixed(3),
        "x-ratelimit-bucket": route.bucket,
      };
      if (hit.ok) return { ok: true, headers, reply: { status: 200 } };
      return {
        ok: false,
        headers: {
          ...headers,
          "retry-after": String(Math.ceil(resetAfter)),
          "x-ratelimit-scope": "user",
        },
        reply: {
          status: 429,
          body: { message: "You are being rate limited.", retry_after: resetAfter, global: false },
        },
      };
    }
    return undefined;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const call: RecordedCall = {
      method: req.method ?? "GET",
      path: decodeURIComponent(url.pathname).replace(/^\/api\/v10/, ""),
      query: url.searchParams,
      body: raw ? (JSON.parse(raw) as Json) : undefined,
      at: Date.now(),
    };
    this.calls.push(call);
    const limit = this.rateLimits.findIndex(
      (r) => r.method === call.method && r.path.test(call.path),
    );
    let reply: Reply;
    const bucket = this.bucketHit(call);
    if (bucket && !bucket.ok) {
      reply = bucket.reply;
    } else if (limit >= 0) {
      const { retryAfterS } = this.rateLimits.splice(limit, 1)[0] as { retryAfterS: number };
      reply = {
        status: 429,
        body: { message: "You are being rate limited.", retry_after: retryAfterS, global: false },
        headers: { "retry-after": String(retryAfterS), "x-ratelimit-scope": "user" },
      };
    } else {
      reply = routeRest(this, call) ?? {
        status: 404,
        body: { message: "404: Not Found", code: 0 },
      };
      if (reply.status === 404 && reply.body?.code === 0) this.unhandled.push(call);
    }
    call.status = reply.status;
    const type = reply.body === undefined ? {} : { "content-type": "application/json" };
    res.writeHead(reply.status, { ...type, ...bucket?.headers, ...reply.headers });
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }
}
