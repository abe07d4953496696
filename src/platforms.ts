import type { Config } from "./config.js";

/** Which chat platforms have credentials, and what is missing for a half-configured one. */
export interface PlatformPlan {
  /** Slack bot token present, plus a signing secret (HTTP) or app token (Socket Mode). */
  slack: boolean;
  /** Discord bot token present. */
  discord: boolean;
  /** The local web playground: on without a chat platform, or with MOA_WEB=on; never with MOA_WEB=off. */
  web: boolean;
  /** Variables missing for a platform that is partly configured. */
  problems: string[];
}

/** Reads which platforms `npm start` should run. */
export function planPlatforms(config: Config): PlatformPlan {
  const problems: string[] = [];
  const slackAny = Boolean(
    config.SLACK_BOT_TOKEN || config.SLACK_SIGNING_SECRET || config.SLACK_APP_TOKEN,
  );
  const slack = Boolean(
    config.SLACK_BOT_TOKEN && (config.SLACK_SIGNING_SECRET || config.SLACK_APP_TOKEN),
  );
  if (slackAny && !config.SLACK_BOT_TOKEN)
    problems.push("SLACK_BOT_TOKEN: required for Slack (xoxb-...)");
  if (config.SLACK_BOT_TOKEN && !slack)
    problems.push(
      "SLACK_SIGNING_SECRET: required for Slack HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)",
    );
  const discordAny = Boolean(config.DISCORD_APPLICATION_ID || config.DISCORD_GUILD_ID);
  const discord = Boolean(config.DISCORD_BOT_TOKEN);
  if (discordAny && !discord)
    problems.push("DISCORD_BOT_TOKEN: required for Discord (Developer Portal > Bot > Token)");
  const web = config.MOA_WEB === "on" || (config.MOA_WEB === "" && !slack && !discord);
  return { slack, discord, web, problems };
}

/** What `npm start` prints when no platform is configured. */
export const NO_PLATFORM_MESSAGE = `moa-bot: no chat platform is configured and MOA_WEB=off, so there is nothing to start.

Set the variables of at least one platform (in the environment or a .env file; see .env.example):
  Slack:   SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode), or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode)
  Discord: DISCORD_BOT_TOKEN (and DISCORD_APPLICATION_ID, DISCORD_GUILD_ID for instant commands)
and a model provider: OPENAI_API_KEY (and OPENAI_BASE_URL for Together, OpenRouter, Groq, Ollama, vLLM...).

To try Mixture-of-Agents without a chat platform, use the terminal CLI:
  npx moa ask "Why is the sky blue?"
`;

/** Secret values in the config, for the logger to scrub. */
export function secretsOf(config: Config): string[] {
  return [
    config.SLACK_BOT_TOKEN,
    config.SLACK_SIGNING_SECRET,
    config.SLACK_APP_TOKEN,
    config.DISCORD_BOT_TOKEN,
    ...Object.values(config.providers).map((p) => p.apiKey),
    storePassword(config.MOA_STORE_URL),
  ].filter((s): s is string => typeof s === "string" && s !== "not-needed");
}

function storePassword(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password || undefined;
  } catch {
    return undefined;
  }
}
