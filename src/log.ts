import { pino } from "pino";

/** The structured logger every part of moa-bot writes to (pino). */
export type Logger = pino.Logger;

/** Log field names whose values are always secret, whatever they hold. */
const SECRET_KEYS =
  /^(api_?key|token|bot_?token|app_?token|signing_?secret|authorization|password|secret)$/i;

/** Blanks fields named like secrets, at any depth (cycles and depth are bounded). */
function redactFields(value: unknown, seen = new WeakSet<object>(), depth = 0): unknown {
  if (value === null || typeof value !== "object" || depth > 32 || seen.has(value)) return value;
  seen.add(value);
  // pino's err serializer keeps type, stack and cause; secrets in them go with the line scrub.
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => redactFields(v, seen, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEYS.test(k) ? "[redacted]" : redactFields(v, seen, depth + 1);
  }
  return out;
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** pino level name. */
  level: string;
  /** Secret values (API keys, tokens) to blank out wherever they appear. */
  secrets?: readonly string[];
  /** Where lines go (default stdout); tests pass a stream to read them back. */
  destination?: pino.DestinationStream;
}

/**
 * JSON logger that never writes a secret. Fields named like secrets are blanked as
 * objects are logged; then every finished line is scrubbed of each configured secret
 * value, which also covers printf arguments, deep values and child bindings.
 */
export function createLogger(options: LoggerOptions): Logger {
  // Shortest first would let a short secret cut a longer one in half; scrub longest first.
  // A secret with quotes or backslashes appears JSON-escaped in the line: scrub both forms.
  const raw = (options.secrets ?? []).filter((s) => s.length >= 6);
  const secrets = [...new Set([...raw, ...raw.map((s) => JSON.stringify(s).slice(1, -1))])]
    .filter((s) => s.length >= 6)
    .sort((a, b) => b.length - a.length);
  const target = options.destination ?? pino.destination(1);
  const destination: pino.DestinationStream = {
    write(line: string) {
      let out = line;
      for (const s of secrets) if (out.includes(s)) out = out.split(s).join("[redacted]");
      target.write(out);
    },
  };
  const fields = (obj: Record<string, unknown>) => redactFields(obj) as Record<string, unknown>;
  return pino(
    { level: options.level, base: null, formatters: { log: fields, bindings: fields } },
    destination,
  );
}

/** A logger that writes nothing (tests, benches). */
export const silentLogger: Logger = pino({ level: "silent" });
