/** Gives back a run slot taken by `RunQueue.admit`; calling it twice is harmless. */
export type ReleaseRun = () => void;

interface Waiter {
  channel: string;
  resolve: (release: ReleaseRun) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
  onPosition: (position: number) => void;
  /** Last position reported (0 = none yet). */
  position: number;
}

interface ChannelState {
  /** Runs of this channel waiting, oldest first. */
  queue: Waiter[];
  /** Runs of this channel holding a slot. */
  running: number;
  /** Admission sequence number of its last admitted run (-1 = none while it was known). */
  lastServed: number;
}

/**
 * Global limit of concurrent runs with fair admission: each channel has its own FIFO,
 * and a free slot goes to the channel served least recently, so a channel with twenty
 * queued runs cannot starve one with a single run (round-robin over channels).
 */
export class RunQueue {
  private readonly channels = new Map<string, ChannelState>();
  private running = 0;
  private waiting = 0;
  private served = 0;

  /** `maxConcurrent`: runs at once across all channels (0 = unlimited). */
  constructor(private readonly maxConcurrent: number) {}

  /** Runs waiting for a slot. */
  get queued(): number {
    return this.waiting;
  }

  /** Runs holding a slot. */
  get active(): number {
    return this.running;
  }

  /**
   * Resolves with the release once the run may start. While it waits, `onPosition` is told
   * its 1-based place in line whenever that changes (never when admitted at once). Rejects
   * with `signal.reason` when the signal aborts first; the run then leaves the line at once.
   */
  admit(
    channelKey: string,
    signal: AbortSignal,
    onPosition: (position: number) => void = () => {},
  ): Promise<ReleaseRun> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const channel = this.channel(channelKey);
    if (this.hasRoom()) return Promise.resolve(this.start(channelKey, channel));
    return new Promise<ReleaseRun>((resolve, reject) => {
      const waiter: Waiter = {
        channel: channelKey,
        resolve,
        reject,
        signal,
        onPosition,
        position: 0,
        onAbort: () => {
          const at = channel.queue.indexOf(waiter);
          if (at < 0) return;
          channel.queue.splice(at, 1);
          this.waiting--;
          this.forget(channelKey, channel);
          reject(signal.reason);
          this.reportPositions();
        },
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
      channel.queue.push(waiter);
      this.waiting++;
      this.reportPositions();
    });
  }

  private hasRoom(): boolean {
    return this.maxConcurrent <= 0 || this.running < this.maxConcurrent;
  }

  private channel(key: string): ChannelState {
    let state = this.channels.get(key);
    if (!state) {
      state = { queue: [], running: 0, lastServed: -1 };
      this.channels.set(key, state);
    }
    return state;
  }

  /** Drops an idle channel so the map does not grow with every channel ever seen. */
  private forget(key: string, channel: ChannelState): void {
    if (channel.queue.length === 0 && channel.running === 0) this.channels.delete(key);
  }

  private start(key: string, channel: ChannelState): ReleaseRun {
    this.running++;
    channel.running++;
    channel.lastServed = this.served++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      channel.running--;
      this.forget(key, channel);
      this.admitNext();
    };
  }

  private admitNext(): void {
    let admitted = false;
    while (this.hasRoom()) {
      const [key, channel] = this.order()[0] ?? [];
      if (!key || !channel) break;
      const waiter = channel.queue.shift() as Waiter;
      this.waiting--;
      waiter.signal.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(this.start(key, channel));
      admitted = true;
    }
    if (admitted) this.reportPositions();
  }

  /** Channels with waiting runs, least recently served first (ties: first seen first). */
  private order(): Array<[string, ChannelState]> {
    return [...this.channels]
      .filter(([, c]) => c.queue.length > 0)
      .sort(([, a], [, b]) => a.lastServed - b.lastServed);
  }

  /** Walks the admission order (one run per channel per round) and reports changed places. */
  private reportPositions(): void {
    const order = this.order();
    let position = 0;
    for (let round = 0; position < this.waiting; round++) {
      for (const [, channel] of order) {
        const waiter = channel.queue[round];
        if (!waiter) continue;
        position++;
        if (waiter.position === position) continue;
        waiter.position = position;
        try {
          waiter.onPosition(position);
        } catch {
          // A failing status update must not break the queue for everyone else.
        }
      }
    }
  }
}
