import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A named health check: true when healthy. Throwing, rejecting or timing out counts as false. */
export type HealthCheck = () => boolean | Promise<boolean>;

/** What the ops endpoints serve. */
export interface OpsEndpoints {
  /** Checks by name, e.g. `{ store: ..., slack: ..., discord: ... }`; all true = 200. */
  checks: Readonly<Record<string, HealthCheck>>;
  /** Prometheus exposition (a `Metrics` instance fits). */
  metrics: { text(): Promise<string>; readonly contentType: string };
  /** Longest wait for one check, ms (default 2 000); a hung Redis must not hang the probe. */
  checkTimeoutMs?: number;
}

/** A route in the shape of Bolt's `customRoutes` entries (HTTPReceiver / ExpressReceiver). */
export interface OpsRoute {
  /** Exact path. */
  path: string;
  /** HTTP method. */
  method: "GET";
  /** Writes the whole response. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** Handles `/healthz` and `/metrics`; returns false (writing nothing) for any other request. */
export type OpsHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The ops request handler, to mount on any Node HTTP server. Bodies carry only check
 * names and booleans and metric values: never an error text, which might hold a URL
 * with a password or a token.
 */
export function createOpsHandler(endpoints: OpsEndpoints): OpsHandler {
  const routes = opsRoutes(endpoints);
  return (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const route = routes.find((r) => r.path === path && r.method === req.method);
    if (!route) return false;
    route.handler(req, res);
    return true;
  };
}

/** The same endpoints as Bolt `customRoutes`, for the Slack HTTP receiver's server. */
export function opsRoutes(endpoints: OpsEndpoints): OpsRoute[] {
  return [
    { path: "/healthz", method: "GET", handler: (_req, res) => void health(endpoints, res) },
    { path: "/metrics", method: "GET", handler: (_req, res) => void metrics(endpoints, res) },
  ];
}

/** A listening ops server; `close` stops it. */
export interface OpsServer {
  /** Port actually bound (useful with port 0). */
  port: number;
  /** The underlying server. */
  server: Server;
  /** Stops accepting and closes idle connections. */
  close(): Promise<void>;
}

/** Serves the ops endpoints on `port` (0 = any free port), 404 for everything else. */
export async function startOpsServer(
  endpoints: OpsEndpoints,
  port: number,
  host = "0.0.0.0",
): Promise<OpsServer> {
  const handle = createOpsHandler(endpoints);
  const server = createServer((req, res) => {
    if (!handle(req, res)) send(res, 404, "application/json", '{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function health(endpoints: OpsEndpoints, res: ServerResponse): Promise<void> {
  const timeoutMs = endpoints.checkTimeoutMs ?? 2_000;
  const entries = await Promise.all(
    Object.entries(endpoints.checks).map(
      async ([name, check]) => [name, await passes(check, timeoutMs)] as const,
    ),
  );
  const healthy = entries.every(([, ok]) => ok);
  const body = { status: healthy ? "ok" : "unhealthy", checks: Object.fromEntries(entries) };
  send(res, healthy ? 200 : 503, "application/json", JSON.stringify(body));
}

async function metrics(endpoints: OpsEndpoints, res: ServerResponse): Promise<void> {
  try {
    send(res, 200, endpoints.metrics.contentType, await endpoints.metrics.text());
  } catch {
    send(res, 500, "text/plain", "metrics unavailable\n");
  }
}

async function passes(check: HealthCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return (await Promise.race([Promise.resolve().then(check), late])) === true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}
