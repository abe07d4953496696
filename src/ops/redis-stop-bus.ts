import { randomUUID } from "node:crypto";
import { connectRedis } from "./redis-connect.js";
import type { StopBus, StopBusWarn, StopHandler, StopResult } from "./stop-bus.js";

/** Default request channel; replies go to `<prefix>:reply:<replyId>`. */
export const DEFAULT_STOP_CHANNEL = "moa:stop";
/** Longest wait for the instances' answers, ms. */
export const DEFAULT_STOP_REPLY_TIMEOUT_MS = 1_500;

/** Options of `RedisStopBus.connect`. */
export interface RedisStopBusOptions {
  /** Request channel; replies go to `<channel>:reply:<replyId>` (tests use a unique one). */
  channel?: string;
  /** Longest wait for answers, ms (default 1,500). */
  replyTimeoutMs?: number;
  /** Longest wait for the first connection, ms (default 2,000). */
  connectTimeoutMs?: number;
  /** Where problems are logged (default console.warn). */
  warn?: StopBusWarn;
}

/** A pub/sub message listener. */
type Listener = (message: string, channel: string) => void;

/** The part of a node-redis v5 client the bus uses (commands or subscriber). */
export interface PubSubClient {
  publish(channel: string, message: string): Promise<number>;
  subscribe(channel: string, listener: Listener): Promise<void>;
  unsubscribe(channel: string, listener?: Listener): Promise<void>;
}

interface Press {
  runKey: string;
  userId: string;
  replyId: string;
}

const RESULTS: readonly string[] = ["stopped", "not-running", "not-allowed"];
const isResult = (value: unknown): value is StopResult =>
  typeof value === "string" && RESULTS.includes(value);

function parsePress(message: string): Press | undefined {
  try {
    const p = JSON.parse(message) as Partial<Press> | null;
    if (typeof p?.runKey === "string" && typeof p.userId === "string") {
      if (typeof p.replyId === "string" && /^[\w-]{1,64}$/.test(p.replyId)) return p as Press;
    }
  } catch {
    // not JSON: reported below
  }
  return undefined;
}

/**
 * Stop presses over Redis pub/sub. A request publishes `{ runKey, userId, replyId }` on the
 * channel; every serving instance asks its local handler and publishes the answer on
 * `<channel>:reply:<replyId>`. The requester takes the first `stopped` or `not-allowed`
 * (only the run's owner says those), `not-running` once every instance that received the
 * press said so (PUBLISH counts them), and `unknown` after `replyTimeoutMs`.
 */
export class RedisStopBus implements StopBus {
  private handler: StopHandler | undefined;
  private serving: Promise<void> | undefined;
  private closed = false;
  private readonly pending = new Set<() => void>();
  private readonly channel: string;
  private readonly replyTimeoutMs: number;
  private readonly warn: StopBusWarn;

  /**
   * `commands` publishes, `subscriber` is a client of its own (a subscribed connection
   * can do nothing else); `onClose` releases them (e.g. disconnect owned clients).
   */
  constructor(
    private readonly commands: PubSubClient,
    private readonly subscriber: PubSubClient,
    options: Omit<RedisStopBusOptions, "connectTimeoutMs"> = {},
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.channel = options.channel ?? DEFAULT_STOP_CHANNEL;
    this.replyTimeoutMs = options.replyTimeoutMs ?? DEFAULT_STOP_REPLY_TIMEOUT_MS;
    this.warn = options.warn ?? ((obj, msg) => console.warn(msg, obj));
  }

  /**
   * Connects two clients of its own to `url`. Rejects when Redis does not answer the first
   * connection (the caller falls back to local stops); once up, the clients reconnect in
   * the background, re-subscribing, and commands fail at once while Redis is down.
   */
  static async connect(url: string, options: RedisStopBusOptions = {}): Promise<RedisStopBus> {
    const warn = options.warn ?? ((obj, msg) => console.warn(msg, obj));
    const { clients, release } = await connectRedis(url, {
      ...(options.connectTimeoutMs === undefined
        ? {}
        : { connectTimeoutMs: options.connectTimeoutMs }),
      duplicates: 1,
      onOutage: (err) =>
        warn({ err }, "stop bus: Redis unreachable; presses on other instances wait for it"),
      onBack: () => warn({}, "stop bus: Redis reachable again"),
    });
    const [client, subscriber] = clients;
    return new RedisStopBus(
      client as unknown as PubSubClient,
      subscriber as unknown as PubSubClient,
      options,
      release,
    );
  }

  serve(handler: StopHandler): void {
    this.handler = handler;
    if (this.serving || this.closed) return;
    this.serving = this.subscriber
      .subscribe(this.channel, (message) => this.answer(message))
      .catch((err: unknown) => {
        this.serving = undefined;
        this.warn({ err }, "stop bus: cannot subscribe; other instances cannot stop runs here");
      });
  }

  async request(runKey: string, userId: string): Promise<StopResult | "unknown"> {
    if (this.closed) return "unknown";
    const replyId = randomUUID();
    const replyChannel = `${this.channel}:reply:${replyId}`;
    let settle: (result: StopResult | "unknown") => void = () => {};
    const answer = new Promise<StopResult | "unknown">((resolve) => {
      settle = resolve;
    });
    const cancel = () => settle("unknown");
    this.pending.add(cancel);
    const timer = setTimeout(cancel, this.replyTimeoutMs);
    let expected: number | undefined;
    let notRunning = 0;
    const settleIfAllSaidNo = () => {
      if (expected !== undefined && notRunning >= expected) settle("not-running");
    };
    const listener = (message: string) => {
      let result: unknown;
      try {
        result = (JSON.parse(message) as { result?: unknown } | null)?.result;
      } catch {
        result = undefined;
      }
      if (!isResult(result)) {
        this.warn({ event: runKey }, "stop bus: malformed reply ignored");
      } else if (result === "not-running") {
        notRunning += 1;
        settleIfAllSaidNo();
      } else {
        settle(result);
      }
    };
    let subscribed = false;
    let done = false;
    const unsubscribe = () => {
      if (this.closed) return;
      this.subscriber.unsubscribe(replyChannel, listener).catch(() => undefined);
    };
    const ask = async () => {
      await this.subscriber.subscribe(replyChannel, listener);
      subscribed = true;
      // Answered (timed out, closed) while subscribing: nothing left to hear.
      if (done) return unsubscribe();
      const press: Press = { runKey, userId, replyId };
      // How many subscribers heard it (this instance included when it serves).
      expected = await this.commands.publish(this.channel, JSON.stringify(press));
      if (expected === 0) settle("unknown");
      else settleIfAllSaidNo();
    };
    ask().catch((err: unknown) => {
      if (!this.closed) this.warn({ err, event: runKey }, "stop bus: press not relayed");
      settle("unknown");
    });
    try {
      return await answer;
    } finally {
      done = true;
      clearTimeout(timer);
      this.pending.delete(cancel);
      if (subscribed) unsubscribe();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handler = undefined;
    for (const cancel of [...this.pending]) cancel();
    try {
      await this.onClose();
    } catch (err) {
      this.warn({ err }, "stop bus: close failed");
    }
  }

  /** Another instance's press: asks the local handler and publishes its answer. */
  private answer(message: string): void {
    const handler = this.handler;
    if (!handler || this.closed) return;
    const press = parsePress(message);
    if (!press) {
      this.warn({}, "stop bus: malformed press ignored");
      return;
    }
    let result: StopResult;
    try {
      result = handler(press.runKey, press.userId);
    } catch (err) {
      this.warn({ err, event: press.runKey }, "stop bus: local stop failed");
      return;
    }
    this.commands
      .publish(`${this.channel}:reply:${press.replyId}`, JSON.stringify({ result }))
      .catch((err: unknown) => {
        // Closing cuts answers still in flight; that is no problem to report.
        if (!this.closed)
          this.warn({ err, event: press.runKey, result }, "stop bus: answer not sent");
      });
  }
}
