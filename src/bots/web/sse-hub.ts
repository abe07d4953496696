import type { ServerResponse } from "node:http";

/** How often an idle stream gets a comment line, so proxies and browsers keep it open, ms. */
const KEEPALIVE_MS = 15_000;

/** Server-Sent Event subscribers by conversation id. */
export class SseHub {
  private readonly subscribers = new Map<string, Set<ServerResponse>>();
  private readonly keepalive = setInterval(
    () => this.each((res) => res.write(":\n\n")),
    KEEPALIVE_MS,
  );

  constructor() {
    this.keepalive.unref();
  }

  /** Turns `res` into an event stream of `conversation` until the client goes away. */
  subscribe(conversation: string, res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    let set = this.subscribers.get(conversation);
    if (!set) {
      set = new Set();
      this.subscribers.set(conversation, set);
    }
    set.add(res);
    res.on("close", () => {
      set.delete(res);
      if (set.size === 0) this.subscribers.delete(conversation);
    });
    // Tells the page it is subscribed, so nothing it asks next can be missed.
    res.write("event: hello\ndata: {}\n\n");
  }

  /** Sends `data` (JSON) to every page of `conversation`; nobody listening is fine. */
  publish(conversation: string, data: unknown): void {
    const line = `data: ${JSON.stringify(data)}\n\n`;
    for (const res of this.subscribers.get(conversation) ?? []) res.write(line);
  }

  /** Ends every stream (shutdown). */
  close(): void {
    clearInterval(this.keepalive);
    this.each((res) => res.end());
    this.subscribers.clear();
  }

  private each(fn: (res: ServerResponse) => void): void {
    for (const set of this.subscribers.values()) for (const res of set) fn(res);
  }
}
