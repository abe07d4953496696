import type { webApi } from "@slack/bolt";
import { LRUCache } from "lru-cache";
import PQueue from "p-queue";

type Chat = webApi.WebClient["chat"];
type PostArgs = Parameters<Chat["postMessage"]>[0];

/** Posts one channel may get per window: Slack allows about 1 a second, with short bursts. */
export const POSTS_PER_WINDOW = 5;
/**
 * The window of `POSTS_PER_WINDOW`, ms: 5 s and a second of slack, since Slack counts a
 * post when it arrives and network jitter can bring two posts closer together than we sent them.
 */
export const POST_WINDOW_MS = 6_000;
/** Channels whose pacing is remembered; an idle channel's window is long over anyway. */
const MAX_CHANNELS = 5_000;
/** A new run's first message goes ahead of other runs' drafts in a busy channel. */
const ROOT_PRIORITY = 1;

/**
 * The app's `chat` methods with `chat.postMessage` paced per channel (p-queue, a sliding
 * window of 5 posts per 6 s, FIFO, root messages first), so a run's drafts, posted together
 * into its thread, and other runs in the same channel do not draw 429s that the sink would
 * then wait out one by one. Slack: "chat.postMessage generally allows posting one message
 * per second per channel" with short bursts (docs.slack.dev/apis/web-api/rate-limits).
 * Every other method passes through; a 429 that still comes is the sink's to wait out.
 */
export function pacedPosts(chat: Chat): Chat {
  const channels = new LRUCache<string, PQueue>({ max: MAX_CHANNELS });
  const queueOf = (channel: string) => {
    let queue = channels.get(channel);
    if (!queue) {
      queue = new PQueue({ interval: POST_WINDOW_MS, intervalCap: POSTS_PER_WINDOW, strict: true });
      channels.set(channel, queue);
    }
    return queue;
  };
  const postMessage = (args: PostArgs) =>
    queueOf(String(args.channel)).add(() => chat.postMessage(args), {
      priority: args.thread_ts === undefined ? ROOT_PRIORITY : 0,
    });
  return { ...chat, postMessage } as Chat;
}
