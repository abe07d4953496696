const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * Merges events pushed by concurrent tasks (proposers of a layer, the aggregator) into
 * one ordered stream for a single consumer. Pushing never waits for the consumer: a slow
 * chat client must not slow the models down. No timers and no per-event allocation
 * beyond the iterator result.
 */
export class EventChannel<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private head = 0;
  private waiter: ((result: IteratorResult<T>) => void) | undefined;
  private closed = false;

  /** Queues one event, or hands it straight to a waiting consumer; ignored once closed. */
  push(item: T): void {
    if (this.closed) return;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter({ value: item, done: false });
    } else {
      this.items.push(item);
    }
  }

  /** Ends the stream once the queued events are read. */
  close(): void {
    this.closed = true;
    const waiter = this.waiter;
    if (waiter && this.head >= this.items.length) {
      this.waiter = undefined;
      waiter(DONE);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++] as T;
      // Reset once drained, so the queue does not keep growing for a long run.
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.closed) return Promise.resolve(DONE);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** The consumer stopped early: drop what is queued and ignore later pushes. */
  return(): Promise<IteratorResult<T>> {
    this.closed = true;
    this.items.length = 0;
    this.head = 0;
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
