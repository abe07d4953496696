/**
 * How many edits a platform lets one scope (a Slack workspace, a Discord channel) make: at
 * most `limit` in any `windowMs` (the literal reading of "50 per minute" and "5 per 5 s").
 */
export interface EditRate {
  /** Which calls share one budget: every run of a workspace (Slack chat.update) or of a channel (Discord). */
  scope: "workspace" | "channel";
  /** Edits allowed in any window, for the whole scope. */
  limit: number;
  /** Window length, ms. */
  windowMs: number;
  /** Edits of each window interim edits leave to final edits, so many runs ending together find room at once. */
  reserveForFinal: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One scope's edit budget, shared by all its runs. Interim edits only go out while fewer than
 * `limit - reserveForFinal` edits are in the window (else the run skips that tick: its next
 * edit carries the newer text anyway), so with many runs each run's edit rate drops on its
 * own and a final edit is never starved by progress edits. Final edits wait for room, first
 * come first served.
 *
 * Hand-written rather than p-queue or bottleneck: p-queue counts fixed windows and has no
 * non-blocking "take only above a reserve", bottleneck has had no release since 2019; this
 * is one sliding-window log with a try and a wait.
 */
export class EditBudget {
  private readonly sent: number[] = [];
  private pausedUntil = 0;
  private finals: Promise<void> = Promise.resolve();

  constructor(
    private readonly rate: EditRate,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes room for an interim edit when there is some to spare; false means "skip this edit". */
  tryInterim(): boolean {
    const t = this.now();
    if (t < this.pausedUntil || this.inWindow(t) >= this.rate.limit - this.rate.reserveForFinal)
      return false;
    this.sent.push(t);
    return true;
  }

  /** Resolves once a final edit may go out (in arrival order among finals). */
  final(): Promise<void> {
    const turn = this.finals.then(() => this.takeWaiting());
    this.finals = turn;
    return turn;
  }

  /** The platform answered 429: no edit of this scope until `ms` from now. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  private async takeWaiting(): Promise<void> {
    for (;;) {
      const t = this.now();
      const paused = this.pausedUntil - t;
      const full = this.inWindow(t) >= this.rate.limit;
      if (paused <= 0 && !full) {
        this.sent.push(t);
        return;
      }
      const slides = full ? (this.sent[0] ?? t) + this.rate.windowMs - t : 0;
      await sleep(Math.max(paused, slides, 5));
    }
  }

  private inWindow(t: number): number {
    while (this.sent.length > 0 && (this.sent[0] as number) <= t - this.rate.windowMs)
      this.sent.shift();
    return this.sent.length;
  }
}

/** Edit budgets by scope key, created on first use (one registry per bot process). */
export class EditBudgets {
  private readonly byKey = new Map<string, EditBudget>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The budget of `key` (e.g. `slack:T123` or `discord:channel-id`) at `rate`. */
  get(key: string, rate: EditRate): EditBudget {
    let budget = this.byKey.get(key);
    if (!budget) {
      budget = new EditBudget(rate, this.now);
      this.byKey.set(key, budget);
    }
    return budget;
  }
}
