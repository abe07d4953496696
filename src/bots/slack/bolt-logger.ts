import { type Logger as BoltLogger, LogLevel } from "@slack/bolt";
import type { Logger } from "../../log.js";

const PINO_LEVEL: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: "debug",
  [LogLevel.INFO]: "info",
  [LogLevel.WARN]: "warn",
  [LogLevel.ERROR]: "error",
};

/**
 * Bolt and its WebClient log through this, so their lines land in our JSON log (and its
 * secret scrubbing) instead of on the console. Bolt's level follows the pino level.
 */
export function boltLogger(log: Logger): BoltLogger {
  let child = log.child({ component: "bolt" });
  const write =
    (level: "debug" | "info" | "warn" | "error") =>
    (...msg: unknown[]): void => {
      // Bolt logs every request at debug; skip the formatting unless the line is kept.
      if (!child.isLevelEnabled(level)) return;
      const err = msg.find((m): m is Error => m instanceof Error);
      const text = msg
        .filter((m) => m !== err)
        .map((m) => (typeof m === "string" ? m : JSON.stringify(m)))
        .join(" ");
      if (err) child[level]({ err }, text || err.message);
      else child[level](text);
    };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    setLevel: () => {
      // The pino level set by LOG_LEVEL wins over Bolt's own defaults.
    },
    getLevel: () =>
      (Object.keys(PINO_LEVEL) as LogLevel[]).find((l) => PINO_LEVEL[l] === log.level) ??
      (log.level === "trace" ? LogLevel.DEBUG : LogLevel.ERROR),
    setName: (name: string) => {
      child = log.child({ component: name });
    },
  };
}
