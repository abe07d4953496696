/**
 * Which workspaces get Slack's native streaming. `MOA_SLACK_STREAMING=off` forces the
 * post-and-edit path everywhere; `auto` streams until a workspace refuses (unknown method,
 * missing scope, token or channel type not allowed), then uses the edit path there for
 * `retryAfterMs` (the workspace may gain the feature or scope later), logging the decision
 * once per refusal.
 */
export class StreamingPolicy {
  readonly #refusedUntil = new Map<string, number>();

  constructor(
    private readonly mode: "auto" | "off",
    private readonly onRefused: (teamId: string, code: string) => void = () => {},
    private readonly retryAfterMs = REFUSAL_MEMORY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when runs in `teamId` should try streaming. */
  wants(teamId: string): boolean {
    if (this.mode === "off") return false;
    const until = this.#refusedUntil.get(teamId);
    if (until === undefined) return true;
    if (this.now() < until) return false;
    this.#refusedUntil.delete(teamId);
    return true;
  }

  /** Remembers that `teamId` refused streaming with Slack error `code` (logged once per refusal window). */
  refused(teamId: string, code: string): void {
    const known = this.#refusedUntil.has(teamId);
    this.#refusedUntil.set(teamId, this.now() + this.retryAfterMs);
    if (!known) this.onRefused(teamId, code);
  }
}

/** How long a refusal is remembered before streaming is tried again, ms. */
export const REFUSAL_MEMORY_MS = 60 * 60_000;

/** Slack errors meaning "this workspace/token/channel cannot stream", as opposed to a bad request. */
export const STREAM_REFUSALS = new Set([
  "unknown_method",
  "method_deprecated",
  "missing_scope",
  "not_allowed_token_type",
  "method_not_supported_for_channel_type",
  "feature_not_enabled",
  "not_allowed",
  "access_denied",
]);
