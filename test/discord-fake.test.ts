import {
  type ButtonInteraction,
  Client,
  Events,
  GatewayIntentBits,
  type Message,
  Routes,
} from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { FakeDiscord } from "./fake-discord.js";
import { alice, buttonIds, postAsUser, pressButton } from "./fake-discord-actions.js";

/** The fake itself against the real discord.js client: handshake, heartbeat, resume. */
describe("fake Discord", () => {
  let fake: FakeDiscord;
  let client: Client | undefined;
  afterEach(async () => {
    await client?.destroy();
    await fake.close();
  });

  async function connect(heartbeatIntervalMs?: number): Promise<Client> {
    fake = await FakeDiscord.start(heartbeatIntervalMs ? { heartbeatIntervalMs } : {});
    client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages],
      rest: { api: fake.apiUrl },
    });
    const ready = new Promise((resolve) => client?.once(Events.ClientReady, resolve));
    await client.login("fake-token");
    await ready;
    return client;
  }

  it("serves GET /gateway/bot, READY and GUILD_CREATE so the client is ready at once", async () => {
    const started = Date.now();
    const c = await connect();
    expect(Date.now() - started).toBeLessThan(5_000); // no 15 s wait for missing guilds
    expect(fake.callsTo("GET", /^\/gateway\/bot$/)).toHaveLength(1);
    expect(c.user?.id).toBe(fake.botId);
    expect(c.application?.id).toBe(fake.appId);
    expect(c.guilds.cache.get(fake.guildId)?.channels.cache.has(fake.channelId)).toBe(true);
    expect(fake.gateway.identifies[0]).toMatchObject({
      token: "fake-token",
      intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages,
    });
    expect(fake.unhandled).toEqual([]);
  });

  it("answers heartbeats with ACKs and keeps the session", async () => {
    await connect(100);
    await new Promise((r) => setTimeout(r, 450));
    expect(fake.gateway.heartbeats).toBeGreaterThanOrEqual(2);
    expect(fake.gateway.identifies).toHaveLength(1);
    expect(fake.gateway.live).toBe(true);
  });

  it("delivers a button press, takes UPDATE_MESSAGE on the pressed message, and refuses a second answer", async () => {
    const c = await connect();
    const channel = await c.channels.fetch(fake.channelId);
    if (!channel?.isSendable()) throw new Error("channel not sendable");
    const button = { type: 2, style: 4, label: "Stop", custom_id: "moa_stop:k" };
    const sent = await channel.send({
      content: "running",
      components: [{ type: 1, components: [button] }],
    });
    expect(buttonIds(fake, sent.id)).toEqual(["moa_stop:k"]);
    const presses: ButtonInteraction[] = [];
    c.on(Events.InteractionCreate, (i) => {
      if (i.isButton()) presses.push(i);
    });
    pressButton(fake, { messageId: sent.id });
    await expect.poll(() => presses.length).toBe(1);
    const press = presses[0] as ButtonInteraction;
    expect(press.customId).toBe("moa_stop:k");
    expect(press.user.id).toBe(alice.id);
    expect(press.message.id).toBe(sent.id);

    await press.update({ content: "stopped", components: [] });
    expect(fake.messages.get(sent.id)).toMatchObject({ content: "stopped", components: [] });
    await expect(
      c.rest.post(Routes.interactionCallback(press.id, press.token), {
        body: { type: 6 },
        auth: false,
      }),
    ).rejects.toMatchObject({ code: 40060 });
    expect(fake.unhandled).toEqual([]);
  });

  it("resumes after the gateway drops the socket and replays what was missed", async () => {
    const c = await connect();
    const seen: Message[] = [];
    c.on(Events.MessageCreate, (m) => seen.push(m));
    fake.gateway.dropConnection(4000);
    postAsUser(fake, { content: "sent while down", mentionBot: true });
    await fake.gateway.waitLive();
    await expect
      .poll(() => seen.map((m) => m.content))
      .toEqual([`<@${fake.botId}> sent while down`]);
    expect(fake.gateway.resumes).toEqual([
      expect.objectContaining({ session_id: "session-1", token: "fake-token" }),
    ]);
    expect(fake.gateway.identifies).toHaveLength(1);
    postAsUser(fake, { content: "after", mentionBot: true });
    await expect.poll(() => seen.length).toBe(2);
  });
});
