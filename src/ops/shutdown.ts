/** The in-flight runs shutdown waits for and aborts (the bots' run registry). */
export interface InFlightRuns {
  /** Runs in flight now. */
  readonly size: number;
  /** Aborts every run with `reason`; returns how many there were. */
  abortAll(reason: unknown): number;
  /** Resolves true once nothing is in flight, false after `ms`. */
  idle(ms: number): Promise<boolean>;
}

/** What `shutdown` did. */
export interface ShutdownReport {
  /** Runs that finished on their own within the grace period. */
  finished: number;
  /** Runs aborted at the end of the grace period. */
  interrupted: number;
  /** Close hooks that failed; their errors went to `onError`. */
  failures: number;
}

/** Options of `Lifecycle`. */
export interface LifecycleOptions {
  /** Told about a failing close hook; must not throw. */
  onError?: (error: unknown, what: string) => void;
  /** Longest wait for aborted runs to write their last edit ("interrupted"), ms (default 5 000). */
  settleMs?: number;
}

/** Reply to a request that arrives while the bot drains. */
export const DRAINING_MESSAGE = "moa-bot is restarting, please retry in a minute.";

/** Reason given to runs aborted by a shutdown, so the presenter can say "interrupted", not "stopped". */
export class ShutdownAbort extends Error {
  constructor() {
    super("moa-bot is shutting down");
    this.name = "ShutdownAbort";
  }
}

/**
 * Graceful shutdown: stop taking runs (`draining`), let in-flight runs finish up to a
 * grace period, abort the rest with `ShutdownAbort` (each run's presenter then renders its
 * own "interrupted" end state: one writer per message), then close resources in reverse
 * order of registration (register the store before the bots: bots close first).
 */
export class Lifecycle {
  private readonly closers: Array<{ name: string; close: () => Promise<void> | void }> = [];
  private stopping: Promise<ShutdownReport> | undefined;

  constructor(
    private readonly runs: InFlightRuns,
    private readonly options: LifecycleOptions = {},
  ) {}

  /** True once shutdown began: answer new requests with `DRAINING_MESSAGE` and start nothing. */
  get draining(): boolean {
    return this.stopping !== undefined;
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
    await this.runs.idle(graceMs);
    const interrupted = this.runs.abortAll(new ShutdownAbort());
    const report: ShutdownReport = { finished: before - interrupted, interrupted, failures: 0 };
    // The aborted runs' presenters write "interrupted" as their final edit before clients close.
    if (interrupted > 0) await this.runs.idle(this.options.settleMs ?? 5_000);
    for (const { name, close } of [...this.closers].reverse()) {
      try {
        await close();
      } catch (error) {
        this.fail(report, error, `close ${name}`);
      }
    }
    return report;
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
  lifecycle: Pick<Lifecycle, "draining" | "shutdown">,
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
