import { ApplicationFlags, GatewayIntentBits } from "discord.js";

/** Gateway intents the bot asks for, and whether follow-ups without a mention can be read. */
export interface IntentChoice {
  /** Intents to IDENTIFY with. */
  intents: GatewayIntentBits[];
  /** The privileged Message Content intent is on (unmentioned thread follow-ups are readable). */
  messageContent: boolean;
}

/** Message Content is enabled for the app (either the verified or the limited, unverified flag). */
export function hasMessageContent(appFlags: number): boolean {
  const bits =
    ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited;
  return (appFlags & bits) !== 0;
}

/**
 * The least the bot needs: Guilds (channels, threads, commands), GuildMessages
 * (mentions and thread messages), DirectMessages only when DMs are allowed, and
 * Message Content only when the app has it enabled: asking for a privileged intent
 * the app lacks makes Discord close the gateway with 4014.
 */
export function chooseIntents(appFlags: number, allowDms: boolean): IntentChoice {
  const messageContent = hasMessageContent(appFlags);
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages];
  if (allowDms) intents.push(GatewayIntentBits.DirectMessages);
  if (messageContent) intents.push(GatewayIntentBits.MessageContent);
  return { intents, messageContent };
}

/** The log line when Message Content is off: what still works and how to turn it on. */
export const MESSAGE_CONTENT_MISSING =
  "Discord Message Content intent is OFF for this application: /moa and @mentions work, but a " +
  "follow-up in a drafts thread must @mention the bot. To answer any message in its threads, " +
  "enable Developer Portal > your app > Bot > Privileged Gateway Intents > Message Content, then restart.";
