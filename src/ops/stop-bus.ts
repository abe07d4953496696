/** What a Stop press did (the run gate's answer, here so ops need not import bots). */
export type StopResult = "stopped" | "not-running" | "not-allowed";

/** Decides a Stop press against this process's runs (the run gate's local stop). */
export type StopHandler = (runKey: string, userId: string) => StopResult;

/** Where the bus writes what went wrong; pino's `logger.warn(obj, msg)` fits. */
export type StopBusWarn = (obj: object, msg: string) => void;

/**
 * Relays Stop presses between instances sharing one store, so a press that lands on an
 * instance without the run still stops it where it runs.
 */
export interface StopBus {
  /**
   * Asks the other instances to stop `runKey` for `userId`. Resolves with the owner's answer,
   * `not-running` when every instance that heard the press said it has no such run, or
   * `unknown` when no answer came in time (or the bus is down). Never rejects.
   */
  request(runKey: string, userId: string): Promise<StopResult | "unknown">;
  /** Answers other instances' presses with `handler` (the last call wins). */
  serve(handler: StopHandler): void;
  /** Stops serving and requesting; pending requests resolve `unknown`. Idempotent. */
  close(): Promise<void>;
}

/** One process, nobody to ask: every request is `unknown` at once (SQLite setups). */
export class MemoryStopBus implements StopBus {
  async request(): Promise<"unknown"> {
    return "unknown";
  }
  serve(): void {}
  async close(): Promise<void> {}
}
