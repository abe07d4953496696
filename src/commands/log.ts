/**
 * The logging port of commands: `{ warn(obj, msg) }`, which a pino logger already
 * satisfies. Defined once in the store layer (it logs the same way) and re-exported.
 */
export { consoleWarnLog as consoleLog, type WarnLog as CommandLog } from "../store/warn-log.js";
