import { z } from "zod";
import { ConfigError } from "./errors.js";
import type { ProviderConfig } from "./moa/providers/provider-config.js";
import { defaultMaxConcurrentRuns } from "./moa/traffic/run-budget.js";
import type { ModelPrice } from "./moa/usage.js";

export type { ProviderConfig } from "./moa/providers/provider-config.js";
export type { ModelPrice } from "./moa/usage.js";

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);
const num = (def: number, min: number, max: number) =>
  z.coerce.number().min(min).max(max).default(def);
const csv = z
  .string()
  .default("")
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  );
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .default("false")
  .transform((s) => s === "true" || s === "1" || s === "yes");
const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === "" ? undefined : s.trim()));
const url = z.string().url("must be a URL such as https://api.example.com/v1");

const pricesSchema = z.record(
  z.string(),
  z.object({ input: z.number().min(0), output: z.number().min(0) }),
);

const EnvSchema = z.object({
  OPENAI_BASE_URL: url.default("https://api.openai.com/v1"),
  OPENAI_API_KEY: optionalString,
  MOA_PROPOSERS: csv
    .pipe(z.array(z.string()).min(1, "list at least one proposer model"))
    .or(z.array(z.string())),
  MOA_AGGREGATOR: z.string().min(1).default("gpt-4.1"),
  MOA_LAYERS: int(2, 1, 4),
  MOA_TEMPERATURE: num(0.7, 0, 2),
  MOA_MAX_TOKENS: int(1024, 1, 32_768),
  MOA_MAX_TOKENS_CEILING: int(4096, 1, 32_768),
  MOA_MIN_PROPOSERS: int(1, 1, 8),
  MOA_LAYER_DEADLINE_MS: int(0, 0, 600_000),
  MOA_CALL_TIMEOUT_MS: int(120_000, 1_000, 900_000),
  MOA_MAX_RETRIES: int(2, 0, 8),
  MOA_MAX_REFERENCE_CHARS: int(16_000, 200, 200_000),
  MOA_HISTORY_BUDGET_CHARS: int(24_000, 0, 1_000_000),
  MOA_PRICES: optionalString,
  MOA_PRESETS_FILE: optionalString,
  MOA_ALLOWED_MODELS: csv,
  MOA_ADMIN_USERS: csv,
  MOA_PRESET_EDITORS: z.enum(["everyone", "admins"]).default("admins"),
  MOA_STORE_URL: z.string().min(1).default("sqlite://data/moa.sqlite"),
  MOA_CONVERSATION_TTL_DAYS: num(7, 0.001, 365),
  MOA_CONVERSATION_MAX_TURNS: int(40, 2, 1000),
  /** Unset: derived from the provider budgets (see defaultMaxConcurrentRuns). */
  MOA_MAX_CONCURRENT_RUNS: z.coerce.number().int().min(0).max(10_000).optional(),
  MOA_QUEUE_TIMEOUT_MS: int(180_000, 1_000, 3_600_000),
  MOA_RUN_RETENTION_DAYS: num(90, 0.001, 3650),
  MOA_QUOTA_USER_PER_MINUTE: int(5, 0),
  MOA_QUOTA_USER_PER_HOUR: int(60, 0),
  MOA_QUOTA_CHANNEL_PER_MINUTE: int(20, 0),
  MOA_QUOTA_CHANNEL_PER_HOUR: int(300, 0),
  MOA_HTTP_PORT: int(0, 0, 65_535),
  MOA_SHUTDOWN_GRACE_MS: int(25_000, 0, 600_000),
  MOA_HEARTBEAT_MS: int(5_000, 50, 600_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_PORT: int(3000, 0, 65_535),
  SLACK_API_URL: optionalString.pipe(url.optional()),
  MOA_SLACK_STREAMING: z.enum(["auto", "off"]).default("auto"),
  DISCORD_BOT_TOKEN: optionalString,
  DISCORD_APPLICATION_ID: optionalString,
  DISCORD_GUILD_ID: optionalString,
  DISCORD_API_URL: optionalString.pipe(url.optional()),
  DISCORD_ALLOW_DMS: bool,
  MOA_DISCORD_NATIVE: z.enum(["auto", "off"]).default("auto"),
  /** `on`: serve the web playground even with a chat platform; `off`: never; unset: only without one. */
  MOA_WEB: z.enum(["on", "off", ""]).default(""),
  /** Port of the web playground (0 = any free port). */
  MOA_WEB_PORT: int(3000, 0, 65_535),
  /** Interface the playground binds: loopback unless told otherwise (it has no login). */
  MOA_WEB_HOST: z.string().min(1).default("127.0.0.1"),
  /** Ollama server the playground uses when no OPENAI_API_KEY is set (GET /api/tags lists its models). */
  MOA_OLLAMA_URL: url.default("http://127.0.0.1:11434"),
});

/** Validated configuration; see .env.example for each variable. */
export type Config = Omit<
  z.output<typeof EnvSchema>,
  "MOA_PRICES" | "OPENAI_BASE_URL" | "OPENAI_API_KEY" | "MOA_MAX_CONCURRENT_RUNS"
> & {
  /** Runs in flight at once (0 = unlimited); derived from the provider budgets when unset. */
  MOA_MAX_CONCURRENT_RUNS: number;
  /** Providers by lower-case name; always has `default`. */
  providers: Record<string, ProviderConfig>;
  /** Prices by model id, from MOA_PRICES. */
  prices: Record<string, ModelPrice>;
};

const PROVIDER_VAR =
  /^MOA_PROVIDER_([A-Z0-9]+(?:_[A-Z0-9]+)*?)_(BASE_URL|API_KEY|MAX_CONCURRENCY|RPM)$/;
const KEYLESS = "not-needed";

/** Reads providers from OPENAI_* and MOA_PROVIDER_<NAME>_*; pushes problems instead of throwing. */
function readProviders(env: NodeJS.ProcessEnv, problems: string[]): Record<string, ProviderConfig> {
  const providers: Record<string, ProviderConfig> = {};
  const fields = new Map<string, Partial<Record<string, string>>>();
  for (const [key, value] of Object.entries(env)) {
    const m = PROVIDER_VAR.exec(key);
    if (!m || value === undefined || value.trim() === "") continue;
    const name = (m[1] as string).toLowerCase();
    const entry = fields.get(name) ?? {};
    entry[m[2] as string] = value.trim();
    fields.set(name, entry);
  }
  for (const [name, f] of fields) {
    const prefix = `MOA_PROVIDER_${name.toUpperCase()}_`;
    if (name === "default") {
      problems.push(
        "MOA_PROVIDER_DEFAULT_*: `default` is reserved; use OPENAI_BASE_URL / OPENAI_API_KEY",
      );
      continue;
    }
    if (!f.BASE_URL) {
      problems.push(`${prefix}BASE_URL: required when other ${prefix}* are set`);
      continue;
    }
    if (!url.safeParse(f.BASE_URL).success) problems.push(`${prefix}BASE_URL: must be a URL`);
    providers[name] = {
      name,
      baseURL: f.BASE_URL,
      apiKey: f.API_KEY ?? KEYLESS,
      maxConcurrency: parseLimit(f.MAX_CONCURRENCY, `${prefix}MAX_CONCURRENCY`, problems),
      rpm: parseLimit(f.RPM, `${prefix}RPM`, problems),
    };
  }
  return providers;
}

function parseLimit(raw: string | undefined, key: string, problems: string[]): number {
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    problems.push(`${key}: must be a whole number >= 0 (0 = unlimited), got "${raw}"`);
    return 0;
  }
  return n;
}

/**
 * Validates the environment (call `dotenv` first). Throws one ConfigError listing
 * every problem at once; never echoes secret values.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const parsed = EnvSchema.safeParse({
    ...env,
    MOA_PROPOSERS: env.MOA_PROPOSERS ?? "gpt-4.1-mini,gpt-4o-mini,gpt-4.1-nano",
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${issue.path.join(".") || "(env)"}: ${issue.message}`);
  }
  const providers = readProviders(env, problems);
  let prices: Record<string, ModelPrice> = {};
  if (env.MOA_PRICES?.trim()) {
    try {
      const p = pricesSchema.safeParse(JSON.parse(env.MOA_PRICES));
      if (p.success) prices = p.data;
      else
        problems.push(
          'MOA_PRICES: expected JSON like {"model":{"input":0.88,"output":0.88}} (USD per 1M tokens)',
        );
    } catch {
      problems.push("MOA_PRICES: not valid JSON");
    }
  }
  const defaultLimits = {
    maxConcurrency: parseLimit(env.OPENAI_MAX_CONCURRENCY, "OPENAI_MAX_CONCURRENCY", problems),
    rpm: parseLimit(env.OPENAI_RPM, "OPENAI_RPM", problems),
  };
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const { OPENAI_BASE_URL, OPENAI_API_KEY, MOA_PRICES: _prices, ...rest } = parsed.data;
  providers.default = {
    name: "default",
    baseURL: OPENAI_BASE_URL,
    apiKey: OPENAI_API_KEY ?? KEYLESS,
    ...defaultLimits,
  };
  const maxRuns =
    rest.MOA_MAX_CONCURRENT_RUNS ?? defaultMaxConcurrentRuns(providers, rest.MOA_PROPOSERS.length);
  return { ...rest, MOA_MAX_CONCURRENT_RUNS: maxRuns, providers, prices };
}
