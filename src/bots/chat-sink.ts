import type { RunView } from "../view/run-view.js";
import type { EditRate } from "./edit-budget.js";

/**
 * The only port through which shared bot code touches a platform. Each platform
 * implements it in `bots/<platform>/*-sink.ts` on top of SDK types; texts arrive
 * already formatted, neutralised and within `PlatformProfile.maxMessageChars`.
 */
export interface ChatSink {
  /** Posts the interim message where the answer will appear (Slack chat.postMessage; Discord interaction reply or message reply). */
  open(text: string, controls?: MessageControls): Promise<void>;
  /**
   * Replaces the interim message's text; must deliver even after a 429 (wait Retry-After).
   * The presenter throttles calls. Without `controls`, any Stop button is removed.
   */
  edit(text: string, controls?: MessageControls): Promise<void>;
  /** Posts one message in the thread under the interim message (created on first use where the platform needs it; `threadName` names it). */
  postInThread(text: string, threadName: string): Promise<void>;
  /** Reply only the asker sees where the platform allows it (Slack ephemeral / response_url, Discord ephemeral), else a plain reply. */
  replyPrivately(text: string): Promise<void>;
  /** Id of the thread where this run's follow-ups arrive (Slack root ts, Discord thread id); known after `open`. */
  threadId(): string | undefined;
  /** Platform ids of the run's message once it is up (channel, ts / message id), for the crash journal. */
  messageRef?(): Record<string, string> | undefined;
  /** Called once when the flow is over, whatever happened (e.g. answer a pending deferral). */
  close?(): Promise<void>;
  /**
   * After the final edit: the message size (chars, as `maxMessageChars`) the finished answer
   * was shown at when the sink had more room than the profile's limit (a Discord Components V2
   * final holds 4,000 chars); the presenter then posts only the rest in the thread. Undefined
   * (or absent) when the text it was given is what it showed.
   */
  finalRoom?(): number | undefined;
  /**
   * Optional native presentation (Slack streaming): called once before `open` (announcing
   * a run, not a plain reply), then with the live view after every event and once more with
   * the final view just before the final edit. After `open` it returns true while
   * the sink shows the view itself; the presenter then skips its throttled interim edits and
   * leaves the answer's overflow to the sink, whose final `edit` completes the answer from
   * the view. Returns false (or is absent) for the plain post-and-edit path.
   */
  progress?(view: RunView): boolean;
}

/** Interactive parts of a message: Stop while its run is in flight, 👍/👎 on the final answer. */
export interface MessageControls {
  /** Run key a Stop button press carries back (Slack action value, Discord custom id suffix). */
  stopKey?: string;
  /** Run key the 👍/👎 buttons carry back (`up:<key>` / `down:<key>`). */
  feedbackKey?: string;
  /** Run key a Regenerate button carries back (Slack value, Discord `moa_regen:<key>`). */
  regenerateKey?: string;
}

/** Action id (Slack) and custom id prefix (Discord) of the Stop button. */
export const STOP_ACTION_ID = "moa_stop";

/** Action id of Slack's 👍/👎 `feedback_buttons` element (values `up:<runKey>` / `down:<runKey>`). */
export const FEEDBACK_ACTION_ID = "moa_feedback";

/** Action id (Slack) and custom id prefix (Discord, `moa_regen:<runKey>`) of the Regenerate button. */
export const REGENERATE_ACTION_ID = "moa_regenerate";

/** Custom id prefix of Discord's Regenerate button. */
export const DISCORD_REGENERATE_PREFIX = "moa_regen";

/** Custom id prefix of Discord's 👍/👎 buttons (`moa_fb:up:<runKey>` / `moa_fb:down:<runKey>`). */
export const DISCORD_FEEDBACK_PREFIX = "moa_fb";

/** Platform differences the shared presenter needs, as data. */
export interface PlatformProfile {
  /** Name for logs. */
  name: string;
  /** Max characters of one message body the sink accepts. */
  maxMessageChars: number;
  /** Min milliseconds between two edits of one message. */
  editIntervalMs: number;
  /** Makes untrusted model text unable to notify anyone (mentions, @everyone, <!channel>...). */
  neutralize(text: string): string;
  /** Edit budget shared by all runs of one scope (absent: only `editIntervalMs` paces edits). */
  editRate?: EditRate;
}

/**
 * A sink call refused with HTTP 429 that the sink did not wait out (so one rate-limited
 * method does not hold every other call): the presenter skips or retries it after `retryAfterMs`.
 */
export class RateLimitedError extends Error {
  constructor(
    /** How long the platform asked to wait, ms. */
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(`rate limited; retry after ${retryAfterMs} ms`, options);
    this.name = "RateLimitedError";
  }
}
