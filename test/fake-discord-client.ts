import { Client, Events, GatewayIntentBits, Partials } from "discord.js";
import type { FakeDiscord } from "./fake-discord.js";

/** A real discord.js client logged in to the fake and ready (guilds received). */
export async function connectClient(fake: FakeDiscord): Promise<Client> {
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.DirectMessages,
    ],
    partials: [Partials.Channel],
    rest: { api: fake.apiUrl },
  });
  const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
  await client.login("fake-token");
  await ready;
  return client;
}
