import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { eventCallback, messageEvent, slashCommand } from "./fake-slack-requests.js";
import { type SlackHarness, startSlackHarness } from "./slack-harness.js";

let h: SlackHarness | undefined;
let wss: WebSocketServer | undefined;
afterEach(async () => {
  await h?.close();
  for (const c of wss?.clients ?? []) c.terminate();
  await new Promise((r) => wss?.close(r));
  h = undefined;
});

/** Frames the app sent, with arrival times. */
type Frame = { data: Record<string, unknown>; at: number };

describe("Socket Mode", () => {
  it("connects via apps.connections.open, acks envelopes, and answers over the Web API", async () => {
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await once(wss, "listening");
    const frames: Frame[] = [];
    const connected = new Promise<WebSocket>((resolve) =>
      wss?.on("connection", (ws) => {
        ws.on("message", (raw) => frames.push({ data: JSON.parse(String(raw)), at: Date.now() }));
        ws.send(
          JSON.stringify({
            type: "hello",
            num_connections: 1,
            connection_info: { app_id: "A0APP" },
          }),
        );
        resolve(ws);
      }),
    );
    const port = (wss.address() as AddressInfo).port;
    h = await startSlackHarness({ socketUrl: `ws://127.0.0.1:${port}/link` });
    expect(h.bot.mode).toBe("socket");
    const ws = await connected;
    expect(h.fake.callsTo("apps.connections.open")).toHaveLength(1);

    const event = messageEvent({
      type: "app_mention",
      text: "<@U0BOT> over the socket",
      ts: "70.1",
    });
    ws.send(
      JSON.stringify({
        envelope_id: "env-1",
        type: "events_api",
        accepts_response_payload: false,
        retry_attempt: 0,
        retry_reason: "",
        payload: JSON.parse(eventCallback(event, { eventId: "Ev1" })),
      }),
    );
    await h.models.waitFor((m) => m.requestsFor("agg").length > 0);
    await h.idle();

    const ack = frames.find((f) => f.data.envelope_id === "env-1");
    expect(ack?.data).toEqual({ envelope_id: "env-1", payload: {} });
    expect(ack?.at).toBeLessThanOrEqual(Math.min(...h.models.requests.map((r) => r.receivedAt)));
    const posts = h.fake.callsTo("chat.postMessage");
    expect(posts.length).toBeGreaterThanOrEqual(3);
    for (const p of posts) expect(p.args.thread_ts).toBe("70.1");
    expect(h.models.requestsFor("p1")[0]?.messages.at(-1)?.content).toBe("over the socket");

    // A slash command over the socket: acked (empty) before its run calls any model.
    const before = h.models.requests.length;
    ws.send(
      JSON.stringify({
        envelope_id: "env-2",
        type: "slash_commands",
        accepts_response_payload: true,
        payload: Object.fromEntries(
          new URLSearchParams(
            slashCommand({
              text: "via socket",
              triggerId: "t.s",
              responseUrl: h.fake.responseUrl("s"),
            }),
          ),
        ),
      }),
    );
    await h.models.waitFor((m) => m.requests.length > before);
    await h.idle();
    const cmdAck = frames.find((f) => f.data.envelope_id === "env-2");
    expect(cmdAck?.data.envelope_id).toBe("env-2");
    expect(cmdAck?.at).toBeLessThanOrEqual(h.models.requests[before]?.receivedAt ?? 0);
  });
});
