/**
 * Runs read-modify-write steps one after another per key in this process (calls on
 * different keys run side by side). `run(key, fn)` starts `fn` once every earlier call on
 * `key` settled, whether it succeeded or failed.
 */
export function keyedSerial(): <T>(key: string, fn: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return (key, fn) => {
    const next = (tails.get(key) ?? Promise.resolve()).then(fn, fn);
    const tail = next.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return next;
  };
}
