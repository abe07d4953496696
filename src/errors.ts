/** Base of every error moa-bot raises on purpose: a stable `code`, and a message fit for chat users. */
export class MoaBotError extends Error {
  /** Stable machine-readable code, e.g. `model_rate_limited`. */
  readonly code: string;
  /** Short sentence safe to show in Slack/Discord (no secrets, no stack). */
  readonly userMessage: string;

  constructor(code: string, userMessage: string, options?: { cause?: unknown; message?: string }) {
    super(
      options?.message ?? userMessage,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    this.code = code;
    this.userMessage = userMessage;
  }
}

/** How a model call failed; decides whether the engine retries. */
export type ModelErrorKind =
  | "rate_limit"
  | "timeout"
  /** Waited longer than the queue bound for a provider slot; never retried (it would queue again). */
  | "queue_timeout"
  | "server"
  | "network"
  | "bad_request"
  | "auth"
  | "not_found"
  | "aborted"
  | "unknown";

/** A failed model call, mapped from the provider SDK's error. */
export class ModelError extends MoaBotError {
  /** Failure class. */
  readonly kind: ModelErrorKind;
  /** Model id that failed. */
  readonly model: string;
  /** Server-requested wait before retrying, in ms, when it sent `Retry-After`. */
  readonly retryAfterMs: number | undefined;
  /** HTTP status when there was one. */
  readonly status: number | undefined;

  constructor(
    kind: ModelErrorKind,
    model: string,
    reason: string,
    options?: { cause?: unknown; retryAfterMs?: number | undefined; status?: number | undefined },
  ) {
    super(`model_${kind}`, `${model}: ${reason}`, { cause: options?.cause });
    this.kind = kind;
    this.model = model;
    this.retryAfterMs = options?.retryAfterMs;
    this.status = options?.status;
  }

  /** True for failures worth another attempt (429, 5xx, network, timeout). */
  get retryable(): boolean {
    return (
      this.kind === "rate_limit" ||
      this.kind === "server" ||
      this.kind === "network" ||
      this.kind === "timeout"
    );
  }
}

/** Invalid configuration (environment, presets file). */
export class ConfigError extends MoaBotError {
  constructor(problems: string[]) {
    super(
      "config_invalid",
      `Configuration problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}

/** A chat command the user typed wrong; `userMessage` says what and shows the right form. */
export class UsageError extends MoaBotError {
  constructor(userMessage: string) {
    super("usage", userMessage);
  }
}

/** The settings store cannot be reached. */
export class StoreUnavailableError extends MoaBotError {
  constructor(cause: unknown) {
    super("store_unavailable", "Settings are unavailable right now; using the default preset.", {
      cause,
    });
  }
}

/** Converts anything thrown into a MoaBotError, once, at the outermost catch. */
export function toMoaBotError(error: unknown): MoaBotError {
  if (error instanceof MoaBotError) return error;
  return new MoaBotError("internal", "Something went wrong on our side; please try again.", {
    cause: error,
    message: error instanceof Error ? error.message : String(error),
  });
}
