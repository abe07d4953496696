import { StoreUnavailableError } from "../errors.js";

/** How long one store call may take before it counts as "store down", ms. */
export const DEFAULT_STORE_TIMEOUT_MS = 2_000;

/**
 * Runs one store call with a deadline and turns every failure into
 * StoreUnavailableError, so callers handle exactly one error type and a
 * hanging backend cannot hold a command for long.
 */
export async function bounded<T>(
  what: string,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([call(), timeout]);
  } catch (error) {
    throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error);
  } finally {
    clearTimeout(timer);
  }
}
