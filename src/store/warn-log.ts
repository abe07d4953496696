/**
 * The one logging call stores and commands make: a structured warning. pino's
 * `logger.warn(obj, msg)` fits it, so the real logger can be passed as is.
 */
export interface WarnLog {
  /** Logs a recoverable problem (corrupt value, store down) with structured context. */
  warn(obj: object, msg: string): void;
}

/** Fallback until a real logger is passed in: one line on stderr. */
export const consoleWarnLog: WarnLog = {
  warn(obj, msg) {
    console.warn(msg, obj);
  },
};
