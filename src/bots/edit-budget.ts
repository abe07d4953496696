/**
 * How many edits a platform lets one scope (a Slack workspace, a Discord channel) make:
 * a token bucket that refills `perMinute` evenly and holds at most `burst` tokens.
 */
export interface EditRate {
  /** Which calls share one budget: every run of a workspace (Slack chat.update) or of a channel (Discord). */
  scope: "workspace" | "channel";
  /** Sustained edits per minute for the whole scope. */
  perMinute: number;
  /** Most edits allowed back to back (bucket size). */
  burst: number;
  /** Tokens interim edits leave untouched, so final edits of other runs find one at once. */
  reserveForFinal: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One scope's edit budget, shared by all its runs. Interim edits only take a token when more
 * than `reserveForFinal` are left (else the run skips that tick: its next edit carries the
 * newer text anyway), so with many runs each run's edit rate drops on its own and a final edit
 * is never starved. Final edits wait for a token, first come first served.
 *
 * Hand-written rather than p-queue/bottleneck: p-queue counts fixed windows (no burst bucket,
 * no "take only above a reserve" without waiting), bottleneck has had no release since 2019;
 * what is needed here is one bucket with a non-blocking try, about forty lines.
 */
export class EditBudget {
  private tokens: number;
  private at: number;
  private pausedUntil = 0;
  private finals: Promise<void> = Promise.resolve();

  constructor(
    private readonly rate: EditRate,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = rate.burst;
    this.at = now();
  }

  /** Takes a token for an interim edit when one is spare; false means "skip this edit". */
  tryInterim(): boolean {
    this.refill();
    if (this.now() < this.pausedUntil || this.tokens < this.rate.reserveForFinal + 1) return false;
    this.tokens -= 1;
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
    this.tokens = 0;
  }

  private async takeWaiting(): Promise<void> {
    for (;;) {
      this.refill();
      const paused = this.pausedUntil - this.now();
      if (paused <= 0 && this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const refill = ((1 - this.tokens) * 60_000) / this.rate.perMinute;
      await sleep(Math.max(paused, refill, 5));
    }
  }

  private refill(): void {
    const t = this.now();
    if (t < this.pausedUntil) {
      this.at = t;
      return;
    }
    this.tokens = Math.min(
      this.rate.burst,
      this.tokens + ((t - this.at) * this.rate.perMinute) / 60_000,
    );
    this.at = t;
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
