import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../../config.js";
import { STOP_REPLIES } from "../admission/run-gate.js";
import { type BotDeps, handleInvocation } from "../handle-invocation.js";
import { webProfile } from "./profile.js";
import { SseHub } from "./sse-hub.js";
import { WEB_USER, webInvocation } from "./to-invocation.js";
import { type WebMessage, WebSink } from "./web-sink.js";

/** The variables the playground reads. */
export type WebConfig = Pick<Config, "MOA_WEB_PORT" | "MOA_WEB_HOST">;

/** Options of the playground. */
export interface WebBotOptions {
  /** Shown on the page above the box: which models answer, or which variable to set. */
  notice?: string;
}

/** A running playground. */
export interface WebBot {
  /** Page address, e.g. http://127.0.0.1:3000/. */
  url: string;
  /** Bound port (the real one when MOA_WEB_PORT is 0). */
  port: number;
  /** Invocations in flight on this instance (the shared run registry). */
  readonly running: number;
  /** Stops serving, ends event streams, then waits for runs in flight; idempotent. */
  stop(): Promise<void>;
}

/** Largest request body accepted, bytes. */
const MAX_BODY_BYTES = 32 * 1024;

const STATIC: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

/** The page itself allows only its own script and style: model text can never run. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:";

/**
 * Starts the local playground on MOA_WEB_HOST:MOA_WEB_PORT: the page, one SSE stream per
 * conversation (GET /api/events), asks (POST /api/ask) through the shared flow, and Stop
 * (POST /api/stop) through the run gate.
 */
export async function startWebBot(
  config: WebConfig,
  deps: BotDeps,
  options: WebBotOptions = {},
): Promise<WebBot> {
  const log = deps.log.child({ platform: "web" });
  const files = new Map(
    Object.entries(STATIC).map(([path, f]) => [
      path,
      { body: readFileSync(new URL(`./static/${f.file}`, import.meta.url)), type: f.type },
    ]),
  );
  const hub = new SseHub();
  const publish = (conversation: string) => (m: WebMessage) => hub.publish(conversation, m);
  const botDeps: BotDeps = {
    ...deps,
    onEvent: (inv, event) =>
      hub.publish(inv.threadId ?? "", { kind: "moa", turn: inv.eventKey, at: Date.now(), event }),
  };

  const ask = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readJson(req);
    const parsed = webInvocation(body);
    if (!parsed.ok) {
      log.info({ problem: parsed.message }, "bad ask refused");
      return json(res, 400, { error: parsed.message });
    }
    const inv = parsed.invocation;
    const conversation = inv.threadId ?? "";
    const sink = new WebSink(publish(conversation), conversation, inv.eventKey);
    handleInvocation(inv, sink, webProfile, botDeps).catch((err) =>
      log.error({ err, event: inv.eventKey }, "run escaped the shared flow"),
    );
    json(res, 202, { turn: inv.eventKey });
  };
  const stop = async (req: IncomingMessage, res: ServerResponse) => {
    const body = (await readJson(req)) as { stopKey?: unknown } | undefined;
    const key = typeof body?.stopKey === "string" ? body.stopKey : "";
    const result = deps.gate ? await deps.gate.stop(key, WEB_USER) : "not-running";
    json(res, 200, { result, message: result === "stopped" ? "" : STOP_REPLIES[result] });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const file = req.method === "GET" ? files.get(url.pathname) : undefined;
    if (file) {
      res.writeHead(200, { "content-type": file.type, "content-security-policy": CSP });
      res.end(file.body);
      return;
    }
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /api/info") return json(res, 200, { notice: options.notice ?? "" });
    if (route === "GET /api/events") {
      const conversation = url.searchParams.get("conversation") ?? "";
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(conversation))
        return json(res, 400, { error: "conversation: must be 1-64 letters, digits, - or _" });
      return hub.subscribe(conversation, res);
    }
    // JSON only: a page on another site cannot send it without a CORS preflight we never grant.
    const isJson = (req.headers["content-type"] ?? "").startsWith("application/json");
    const handler = route === "POST /api/ask" ? ask : route === "POST /api/stop" ? stop : undefined;
    if (!handler) return json(res, 404, { error: "not found" });
    if (!isJson) return json(res, 415, { error: "send application/json" });
    handler(req, res).catch((err: unknown) => {
      log.warn({ err, route }, "request failed");
      if (!res.headersSent)
        json(res, 400, { error: err instanceof Error ? err.message : "bad request" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.MOA_WEB_PORT, config.MOA_WEB_HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.MOA_WEB_HOST.includes(":") ? `[${config.MOA_WEB_HOST}]` : config.MOA_WEB_HOST;
  const url = `http://${host}:${port}/`;
  log.info({ url }, "web playground started: open it in a browser");

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    get running() {
      return deps.runs.size;
    },
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        hub.close();
        server.closeIdleConnections();
        await closed;
        await deps.runs.idle();
      })();
      return stopping;
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

/** The request's JSON body; rejects past MAX_BODY_BYTES or on invalid JSON. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new Error("body is not JSON");
  }
}
