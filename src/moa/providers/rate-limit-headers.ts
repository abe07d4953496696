import type { RateLimitInfo } from "../chat-model.js";

/**
 * The request budget in OpenAI-style `x-ratelimit-*` headers (also sent by Groq, Together
 * and OpenRouter); undefined when none are present. Token budgets are not read: the
 * scheduler limits requests, and a token 429 still pauses the provider by its Retry-After.
 */
export function rateLimitInfo(headers: Headers | undefined): RateLimitInfo | undefined {
  if (!headers) return undefined;
  const info: RateLimitInfo = {};
  const remaining = count(headers.get("x-ratelimit-remaining-requests"));
  const reset = durationMs(headers.get("x-ratelimit-reset-requests"));
  if (remaining !== undefined) info.remainingRequests = remaining;
  if (reset !== undefined) info.resetRequestsMs = reset;
  return Object.keys(info).length > 0 ? info : undefined;
}

function count(raw: string | null): number | undefined {
  if (raw === null || raw.trim() === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `"1s"`, `"6m0s"`, `"20ms"`, `"0.5s"` or bare seconds (`"2"`) to ms. */
export function durationMs(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const text = raw.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) * 1_000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] as string] ?? 0), 0);
}
