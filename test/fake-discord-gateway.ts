import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { Json } from "./fake-discord-payloads.js";

/** What the gateway needs from the fake's state when a session starts. */
export interface GatewayScript {
  /** READY's `d` (without session fields, which the gateway adds). */
  ready(): Json;
  /** One GUILD_CREATE `d` per guild listed in READY. */
  guilds(): Json[];
  /** HELLO's heartbeat interval, ms. */
  heartbeatIntervalMs: number;
}

/**
 * A Discord gateway on the fake's HTTP server, plain JSON frames (no zlib-sync):
 * HELLO, heartbeat ACK, IDENTIFY -> READY + GUILD_CREATE, RESUME -> RESUMED with the
 * events missed while the socket was down, then scripted dispatches with rising `s`.
 */
export class FakeGateway {
  /** IDENTIFY payloads received (`d`). */
  readonly identifies: Json[] = [];
  /** RESUME payloads received (`d`). */
  readonly resumes: Json[] = [];
  /** Heartbeats received (each answered with op 11). */
  heartbeats = 0;
  readonly #wss = new WebSocketServer({ noServer: true });
  #socket: WebSocket | undefined;
  #live = false;
  #seq = 0;
  #sessionId = "";
  #missed: Array<{ t: string; d: Json }> = [];
  #waiters: Array<() => void> = [];

  constructor(
    server: Server,
    private readonly url: () => string,
    private readonly script: GatewayScript,
  ) {
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  /** True while a session is up (after READY or RESUMED, until the socket closes). */
  get live(): boolean {
    return this.#live;
  }

  /** Sends a dispatch now, or queues it for replay on RESUME while the socket is down. */
  dispatch(t: string, d: Json): void {
    if (!this.#live || !this.#socket) {
      this.#missed.push({ t, d });
      return;
    }
    this.#seq += 1;
    this.#socket.send(JSON.stringify({ op: 0, t, s: this.#seq, d }));
  }

  /** Closes the socket from the server side (4000 = unknown error: the client resumes). */
  dropConnection(code = 4000): void {
    this.#live = false;
    this.#socket?.close(code, "fake gateway closed the socket");
  }

  /** Resolves when a session is up (immediately if it is). */
  async waitLive(timeoutMs = 10_000): Promise<void> {
    if (this.#live) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("gateway session never came up")), timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Closes every socket. */
  close(): void {
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }

  private accept(ws: WebSocket): void {
    this.#socket = ws;
    this.#live = false;
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.script.heartbeatIntervalMs } }));
    ws.on("message", (raw) =>
      this.onFrame(ws, JSON.parse(raw.toString()) as { op: number; d: Json }),
    );
    ws.on("close", () => {
      if (this.#socket === ws) this.#live = false;
    });
  }

  private onFrame(ws: WebSocket, frame: { op: number; d: Json }): void {
    switch (frame.op) {
      case 1:
        this.heartbeats += 1;
        ws.send(JSON.stringify({ op: 11 }));
        return;
      case 2:
        this.identifies.push(frame.d);
        this.#sessionId = `session-${this.identifies.length}`;
        this.#seq = 0;
        this.#missed = [];
        this.send(ws, "READY", {
          ...this.script.ready(),
          session_id: this.#sessionId,
          resume_gateway_url: this.url(),
          shard: [0, 1],
        });
        for (const guild of this.script.guilds()) this.send(ws, "GUILD_CREATE", guild);
        this.goLive();
        return;
      case 6:
        this.resumes.push(frame.d);
        if (frame.d.session_id !== this.#sessionId) {
          ws.send(JSON.stringify({ op: 9, d: false }));
          return;
        }
        for (const { t, d } of this.#missed.splice(0)) this.send(ws, t, d);
        this.send(ws, "RESUMED", {});
        this.goLive();
        return;
      default:
        return;
    }
  }

  private send(ws: WebSocket, t: string, d: Json): void {
    this.#seq += 1;
    ws.send(JSON.stringify({ op: 0, t, s: this.#seq, d }));
  }

  private goLive(): void {
    this.#live = true;
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
