/** A run the lifecycle can wait for, cancel and report as interrupted. */
export interface InFlightRun {
  /** Aborting it cancels the run's model calls. */
  controller: AbortController;
  /** Edits the run's interim message to say it was interrupted by a restart; may reject. */
  onInterrupt: () => Promise<void>;
}

/** What `shutdown` did. */
export interface ShutdownReport {
  /** Runs that finished on their own within the grace period. */
  finished: number;
  /** Runs aborted at the end of the grace period. */
  interrupted: number;
  /** Close hooks (and interrupt notices) that failed; their errors went to `onError`. */
  failures: number;
}

/** Options of `Lifecycle`. */
export interface LifecycleOptions {
  /** Told about a failing close hook or interrupt notice; must not throw. */
  onError?: (error: unknown, what: string) => void;
  /** Longest wait for aborted runs to unwind before their interrupt notices, ms (default 5 000). */
  settleMs?: number;
}

/** Reply to a request that arrives while the bot drains. */
export const DRAINING_MESSAGE = "moa-bot is restarting, please retry in a minute.";

/** Reason given to runs aborted by a shutdown, so the run's code can tell it from a Stop. */
export class ShutdownAbort extends Error {
  constructor() {
    super("moa-bot is shutting down");
    this.name = "ShutdownAbort";
  }
}

/**
 * Graceful shutdown: stop taking runs (`draining`), let in-flight runs finish up to a
 * grace period, abort the rest and tell their askers, then close resources in reverse
 * order of registration (register the store before the bots: bots close first).
 */
export class Lifecycle {
  private readonly runs = new Map<string, InFlightRun>();
  private readonly closers: Array<{ name: string; close: () => Promise<void> | void }> = [];
  private idle: (() => void) | undefined;
  private stopping: Promise<ShutdownReport> | undefined;

  constructor(private readonly options: LifecycleOptions = {}) {}

  /** True once shutdown began: answer new requests with `DRAINING_MESSAGE` and start nothing. */
  get draining(): boolean {
    return this.stopping !== undefined;
  }

  /** Runs in flight now. */
  get inFlight(): number {
    return this.runs.size;
  }

  /** Registers a run under a unique key; returns its unregister (call it in `finally`). */
  track(key: string, run: InFlightRun): () => void {
    this.runs.set(key, run);
    return () => {
      if (this.runs.get(key) !== run) return;
      this.runs.delete(key);
      if (this.runs.size === 0) this.idle?.();
    };
  }

  /** Aborts one run, e.g. from a Stop button; false when no such run is in flight. */
  abort(key: string, reason?: unknown): boolean {
    const run = this.runs.get(key);
    run?.controller.abort(reason);
    return run !== undefined;
  }

  /** Adds a resource to close at the end of shutdown (store, bot clients, HTTP server). */
  onClose(name: string, close: () => Promise<void> | void): void {
    this.closers.push({ name, close });
  }

  /** Drains, interrupts what is left after `graceMs`, closes; later calls get the same promise. */
  shutdown(graceMs: number): Promise<ShutdownReport> {
    this.stopping ??= this.stop(graceMs);
    return this.stopping;
  }

  private async stop(graceMs: number): Promise<ShutdownReport> {
    const before = this.runs.size;
    await this.untilIdle(graceMs);
    const left = [...this.runs.values()];
    const report: ShutdownReport = {
      finished: before - left.length,
      interrupted: left.length,
      failures: 0,
    };
    for (const run of left) run.controller.abort(new ShutdownAbort());
    // Let the aborted runs write their own last edit first, so the notice is the final word.
    if (left.length > 0) await this.untilIdle(this.options.settleMs ?? 5_000);
    const notices = await Promise.allSettled(left.map((run) => run.onInterrupt()));
    for (const n of notices) if (n.status === "rejected") this.fail(report, n.reason, "interrupt");
    for (const { name, close } of [...this.closers].reverse()) {
      try {
        await close();
      } catch (error) {
        this.fail(report, error, `close ${name}`);
      }
    }
    return report;
  }

  /** Resolves when no run is in flight or after `ms`, whichever comes first. */
  private untilIdle(ms: number): Promise<void> {
    if (this.runs.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idle = undefined;
        resolve();
      };
      // Not unref'd: the close hooks must still run if nothing else holds the process open.
      const timer = setTimeout(done, ms);
      this.idle = done;
    });
  }

  private fail(report: ShutdownReport, error: unknown, what: string): void {
    report.failures++;
    try {
      this.options.onError?.(error, what);
    } catch {
      // A broken reporter must not stop the shutdown.
    }
  }
}

/** The part of `process` the signal handlers use (tests pass an EventEmitter). */
export interface SignalSource {
  on(event: "SIGTERM" | "SIGINT", listener: () => void): unknown;
  off(event: "SIGTERM" | "SIGINT", listener: () => void): unknown;
}

/** Options of `installSignalHandlers`. */
export interface SignalOptions {
  /** Passed to `lifecycle.shutdown` (MOA_SHUTDOWN_GRACE_MS). */
  graceMs: number;
  /** Ends the process (`process.exit`). */
  exit: (code: number) => void;
  /** Told of every signal received (for a log line). */
  onSignal?: (signal: string, alreadyDraining: boolean) => void;
}

/**
 * SIGTERM or SIGINT -> `lifecycle.shutdown(graceMs)` -> `exit(0)` (`exit(1)` if shutdown
 * throws). Repeated signals are ignored: Ctrl-C under `npm start` delivers SIGINT twice
 * (terminal and npm), and the grace period already bounds the wait. Returns an uninstall.
 */
export function installSignalHandlers(
  proc: SignalSource,
  lifecycle: Lifecycle,
  options: SignalOptions,
): () => void {
  const handlers = (["SIGTERM", "SIGINT"] as const).map((signal) => {
    const handler = () => {
      const again = lifecycle.draining;
      options.onSignal?.(signal, again);
      if (again) return;
      lifecycle.shutdown(options.graceMs).then(
        () => options.exit(0),
        () => options.exit(1),
      );
    };
    proc.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) proc.off(signal, handler);
  };
}
