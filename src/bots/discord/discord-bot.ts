import { type APIApplication, Client, Events, Partials, REST, Routes } from "discord.js";
import type { Invocation } from "../../commands/invocation.js";
import type { Config } from "../../config.js";
import { ConfigError } from "../../errors.js";
import type { Resumer } from "../admission/take-over-runs.js";
import { EditBudgets } from "../edit-budget.js";
import { existingMessageRuns } from "../existing-message-runs.js";
import { type BotDeps, handleInvocation } from "../handle-invocation.js";
import { discordCommands } from "./command-definitions.js";
import { registerDiscordListeners } from "./discord-listeners.js";
import { type Anchor, DiscordSink } from "./discord-sink.js";
import { ExistingMessageAnchor } from "./existing-message-anchor.js";
import { chooseIntents, MESSAGE_CONTENT_MISSING } from "./intents.js";
import {
  DISCORD_REST_RETRIES,
  DISCORD_REST_TIMEOUT_MS,
  discordProfile,
  NO_MENTIONS,
} from "./profile.js";
import { registerCommands } from "./register-commands.js";
import { StopButtons } from "./stop-button.js";

/** The variables the Discord bot reads. */
export type DiscordConfig = Pick<
  Config,
  | "DISCORD_BOT_TOKEN"
  | "DISCORD_APPLICATION_ID"
  | "DISCORD_GUILD_ID"
  | "DISCORD_API_URL"
  | "DISCORD_ALLOW_DMS"
> &
  Partial<Pick<Config, "MOA_DISCORD_NATIVE">>;

/** The shared bot collaborators plus what only Discord asks for. */
export interface DiscordBotDeps extends BotDeps {
  /** Preset names usable in a guild ("dm" for DMs): built-in, operator and saved ones. */
  presetNames(workspaceId: string): Promise<string[]>;
  /** Clock, ms; decides when an interaction token (15 min) is no longer trusted. Default Date.now. */
  now?: () => number;
  /** Real-time wait before an unanswered slash command is deferred, ms (default 2,000). */
  deferAfterMs?: number;
}

/** How long login may take to a ready gateway before start-up fails instead of hanging, ms. */
const READY_TIMEOUT_MS = 60_000;

/** Resolves with `ready`, or rejects once `ms` have passed. */
function readyWithin(ready: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Discord gateway not ready within ${ms} ms`)), ms);
  });
  return Promise.race([ready, late]).finally(() => clearTimeout(timer));
}

/** A running Discord bot. */
export interface DiscordBot {
  /** The discord.js client (logged in and ready). */
  client: Client;
  /** Message Content intent in use: follow-ups in drafts threads need no mention. */
  messageContent: boolean;
  /** Takes over a journaled run of a crashed instance in its own message (see SlackBot.resume). */
  resume: Resumer;
  /** Invocations in flight on this instance (the shared run registry). */
  readonly running: number;
  /** Stops receiving, waits for runs in flight (abort them through the registry to hurry), logs out. */
  stop(): Promise<void>;
}

/**
 * Starts the Discord bot: reads the app's flags to pick intents (Message Content only
 * when enabled), registers the slash commands (on DISCORD_GUILD_ID at once, else
 * globally), logs in and resolves once the gateway is ready. Throws ConfigError when
 * the token is missing; a failed command registration is logged, not fatal.
 */
export async function startDiscordBot(
  config: DiscordConfig,
  deps: DiscordBotDeps,
): Promise<DiscordBot> {
  const token = config.DISCORD_BOT_TOKEN;
  if (!token)
    throw new ConfigError([
      "DISCORD_BOT_TOKEN: required for Discord (Developer Portal > Bot > Token)",
    ]);
  const log = deps.log.child({ platform: "discord" });
  const rest = {
    ...(config.DISCORD_API_URL && { api: config.DISCORD_API_URL }),
    timeout: DISCORD_REST_TIMEOUT_MS,
    retries: DISCORD_REST_RETRIES,
  };
  // Before login: the app's flags decide the intents, so this REST client carries the token itself.
  const api = new REST(rest).setToken(token);
  const app = (await api.get(Routes.currentApplication())) as APIApplication;
  const appId = config.DISCORD_APPLICATION_ID ?? app.id;
  if (appId !== app.id)
    log.warn(
      { configured: appId, actual: app.id },
      "DISCORD_APPLICATION_ID is not this token's app",
    );
  const { intents, messageContent } = chooseIntents(app.flags ?? 0, config.DISCORD_ALLOW_DMS);
  if (!messageContent) log.warn(MESSAGE_CONTENT_MISSING);

  const client = new Client({
    intents,
    // DM channels are not cached until a DM arrives; without this partial their messages are dropped.
    partials: config.DISCORD_ALLOW_DMS ? [Partials.Channel] : [],
    rest,
    allowedMentions: NO_MENTIONS,
    // A reply to a message deleted meanwhile is posted as a plain message instead of failing.
    failIfNotExists: false,
  });

  await registerCommands(api, {
    appId: app.id,
    guildId: config.DISCORD_GUILD_ID,
    commands: discordCommands({ allowDms: config.DISCORD_ALLOW_DMS }),
  }).then(
    (n) =>
      log.info(
        { commands: n, guild: config.DISCORD_GUILD_ID ?? "global" },
        "slash commands registered",
      ),
    (err: unknown) => log.error({ err }, "slash commands not registered; @mentions still work"),
  );

  let accepting = true;
  const stopButtons = new StopButtons();
  // A stored answer message (a resumed run, a `regenerate` command) by its messageRef.
  const answerSink = async ({ channelId, messageId }: Record<string, string>) => {
    if (!channelId || !messageId) throw new Error("stored answer has no message");
    const channel = await client.channels.fetch(channelId);
    if (!channel?.isTextBased()) throw new Error(`channel ${channelId} is not text-based`);
    const message = await channel.messages.fetch(messageId);
    const anchor = new ExistingMessageAnchor(message, (text) =>
      message.reply({ content: text, allowedMentions: NO_MENTIONS }),
    );
    return new DiscordSink(anchor, stopButtons);
  };
  // One edit budget per channel, shared by every run of this bot.
  const runDeps = { budgets: new EditBudgets(), ...deps, answerSink } satisfies BotDeps;
  const start = (inv: Invocation, anchor: Anchor): void => {
    if (!accepting) return;
    const sink = new DiscordSink(anchor, stopButtons, {
      native: (config.MOA_DISCORD_NATIVE ?? "auto") === "auto",
      onError: (err, what) => log.warn({ err, what, event: inv.eventKey }, "Discord call failed"),
    });
    handleInvocation(inv, sink, discordProfile, runDeps).catch((err: unknown) =>
      log.error({ err, event: inv.eventKey }, "run escaped the shared flow"),
    );
  };
  const existing = existingMessageRuns(discordProfile, runDeps);
  registerDiscordListeners(client, {
    regenerate: (press, anchor) => {
      if (accepting) existing.regenerate(press, new DiscordSink(anchor, stopButtons));
    },
    allowDms: config.DISCORD_ALLOW_DMS,
    start,
    presetNames: deps.presetNames,
    now: deps.now ?? Date.now,
    ...(deps.deferAfterMs !== undefined && { deferAfterMs: deps.deferAfterMs }),
    stopButtons,
    ...(deps.gate && { stop: deps.gate.stop.bind(deps.gate) }),
    ...(deps.vote && { vote: deps.vote }),
    log,
  });

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  client.on(Events.ShardDisconnect, (event, shard) =>
    log.warn({ code: event.code, shard }, "gateway disconnected"),
  );
  client.on(Events.ShardResume, (shard, replayed) =>
    log.info({ shard, replayed }, "gateway resumed"),
  );
  client.on(Events.Error, (err) => log.error({ err }, "discord.js error"));
  await client.login(token);
  await readyWithin(ready, READY_TIMEOUT_MS).catch(async (error: unknown) => {
    await client.destroy();
    throw error;
  });
  log.info(
    { user: client.user?.tag, messageContent, dms: config.DISCORD_ALLOW_DMS },
    "Discord bot started",
  );

  return {
    client,
    messageContent,
    resume: existing.resume,
    get running() {
      return deps.runs.size;
    },
    async stop() {
      accepting = false;
      await deps.runs.idle();
      await client.destroy();
    },
  };
}
