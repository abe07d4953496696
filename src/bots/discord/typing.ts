/** Discord shows "is typing…" for about 10 s after each POST /channels/{id}/typing. */
export const TYPING_REFRESH_MS = 8_000;

/** The slice of a channel typing needs (discord.js `sendTyping`). */
export interface TypingChannel {
  sendTyping(): Promise<void>;
}

/**
 * Keeps the typing indicator up while proposers run: sends at once, then refreshes every
 * TYPING_REFRESH_MS (before Discord's ~10 s expiry) until stopped. Failures are reported, never thrown.
 */
export class TypingIndicator {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channel: () => Partial<TypingChannel> | null | undefined,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts typing (idempotent). */
  start(): void {
    if (this.#timer) return;
    this.send();
    this.#timer = setInterval(() => this.send(), TYPING_REFRESH_MS);
    this.#timer.unref();
  }

  /** Stops refreshing (Discord clears the indicator when the bot's message changes or ~10 s pass). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  private send(): void {
    const channel = this.channel();
    if (typeof channel?.sendTyping !== "function") return;
    channel.sendTyping().catch(this.onError);
  }
}
