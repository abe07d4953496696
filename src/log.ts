import { pino } from "pino";

/** The structured logger every part of moa-bot writes to (pino). */
export type Logger = pino.Logger;

/** Log field names whose values are always secret. */
const SECRET_KEYS =
  /^(api_?key|apiKey|token|botToken|appToken|signingSecret|authorization|password|secret)$/i;

/** Replaces every occurrence of a known secret value in a string. */
function scrubString(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join("[redacted]");
  return out;
}

function scrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === "string") return scrubString(value, secrets);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    return {
      type: value.name,
      message: scrubString(value.message, secrets),
      code: (value as { code?: unknown }).code,
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEYS.test(k) ? "[redacted]" : scrub(v, secrets, depth + 1);
  return out;
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** pino level name. */
  level: string;
  /** Secret values (API keys, tokens) to blank out wherever they appear, even inside messages. */
  secrets?: readonly string[];
  /** Where lines go (default stdout); tests pass a stream to read them back. */
  destination?: pino.DestinationStream;
}

/**
 * JSON logger that never writes a secret: fields named like secrets are blanked, and
 * every configured secret value is removed from every string (messages, error texts).
 */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  return pino(
    {
      level: options.level,
      base: null,
      formatters: { log: (obj) => scrub(obj, secrets) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a) => (typeof a === "string" ? scrubString(a, secrets) : a));
          return method.apply(this, clean as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}

/** A logger that writes nothing (tests, benches). */
export const silentLogger: Logger = pino({ level: "silent" });
