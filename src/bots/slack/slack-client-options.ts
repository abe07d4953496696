import type { webApi } from "@slack/bolt";

/** Longest wait for one Web API HTTP request, ms (the WebClient default is none). */
export const SLACK_API_TIMEOUT_MS = 10_000;

/**
 * WebClient settings for every Slack call: a timeout per request and a short retry policy
 * (the default retries for about 30 minutes, so a run's last edit could hang that long), and
 * 429s rejected instead of waited out: the WebClient's own wait pauses its whole request
 * queue, so one rate-limited chat.update would hold every other method and message.
 */
export function slackClientOptions(
  slackApiUrl: string | undefined,
  timeoutMs = SLACK_API_TIMEOUT_MS,
): webApi.WebClientOptions {
  return {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    timeout: timeoutMs,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2_000, randomize: true },
    rejectRateLimitedCalls: true,
  };
}
