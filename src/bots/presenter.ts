import { toMoaBotError } from "../errors.js";
import type { MoaEvent } from "../moa/events.js";
import { ShutdownAbort } from "../ops/shutdown.js";
import type { ChatSink, PlatformProfile } from "./chat-sink.js";
import { editDelay, splitForLimit, threadName } from "./render-policy.js";
import { draftLabel, renderView } from "./render-view.js";
import { foldEvent, initialView, type RunView } from "./run-view.js";

/** What the presenter needs besides the events. */
export interface PresentOptions {
  /** The asker's question (names the drafts thread). */
  question: string;
  /** Quote the question at the top of the message (when the platform did not show it). */
  showQuestion?: boolean;
  /** Preset name shown before run-start arrives. */
  preset: string;
  /** Clock, ms. */
  now?: () => number;
  /**
   * Waits for the run's turn (fair run queue) after the interim message is up, reporting
   * the queue position as it changes; rejects when the run is stopped while queued.
   */
  waitTurn?: (onPosition: (position: number) => void) => Promise<void>;
  /** Run key for a Stop button on the interim message while the run is in flight (none when absent). */
  stopKey?: string;
  /** The run's abort signal: a rejection after it aborted is a stop, not a failure. */
  signal?: AbortSignal;
  /** Where sink failures after `open` are reported (the run goes on without that message). */
  onSinkError?: (error: unknown, what: string) => void;
}

/** Tries for the final edit before giving up (each after a growing pause). */
const FINAL_EDIT_ATTEMPTS = 4;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Folds a run's events into a view and drives one interim message: posts it at once,
 * edits it at most once per `profile.editIntervalMs` (coalescing everything in
 * between), posts each draft in the thread as it lands, and always delivers the
 * final edit and any answer overflow. An engine failure becomes a failed view. Throws
 * only if the interim message cannot be posted (the events are then never consumed, so
 * no model is called).
 */
export async function present(
  events: AsyncIterable<MoaEvent>,
  sink: ChatSink,
  profile: PlatformProfile,
  options: PresentOptions,
): Promise<RunView> {
  const now = options.now ?? Date.now;
  const report = options.onSinkError ?? (() => {});
  const view = initialView(options.preset);
  if (options.showQuestion) view.question = options.question;
  const name = threadName(options.question);
  const controls = options.stopKey === undefined ? undefined : { stopKey: options.stopKey };
  let shown = renderView(view, profile).main;
  sink.progress?.(view);
  await sink.open(shown, controls);
  let lastEditAt: number | undefined = now();
  // A sink presenting the view natively (Slack streaming) gets the view instead of edits.
  const native = sink.progress?.(view) ?? false;

  let dirty = false;
  let editing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const edit = (): void => {
    timer = undefined;
    if (!dirty || editing) return;
    dirty = false;
    const text = renderView(view, profile).main;
    if (text === shown) return;
    shown = text;
    lastEditAt = now();
    editing = sink
      .edit(text, controls)
      .catch((e) => report(e, "edit"))
      .finally(() => {
        editing = undefined;
        if (dirty) schedule();
      });
  };
  // Once the events end only the final edit may go out: an in-flight edit finishing later
  // must not schedule another one that would race it.
  let finished = false;
  const schedule = (): void => {
    if (!finished) sink.progress?.(view);
    if (native) return;
    dirty = true;
    if (finished || editing || timer) return;
    const wait = editDelay(lastEditAt, now(), profile.editIntervalMs);
    if (wait === 0) edit();
    else timer = setTimeout(edit, wait);
  };

  let thread = Promise.resolve();
  const postInThread = (texts: string[]): void => {
    for (const text of texts) {
      thread = thread.then(() =>
        sink.postInThread(text, name).catch((e) => report(e, "thread post")),
      );
    }
  };
  const threadLimit = profile.maxMessageChars;

  try {
    if (options.waitTurn) {
      await options.waitTurn((position) => {
        view.phase = "queued";
        view.queuePosition = position;
        schedule();
      });
      view.phase = "starting";
      delete view.queuePosition;
    }
    for await (const event of events) {
      foldEvent(view, event);
      if (event.type === "proposer-end") {
        const body = profile.neutralize(event.draft.text) || "_(empty draft)_";
        postInThread(splitForLimit(`${draftLabel(event.draft)}\n\n${body}`, threadLimit));
      }
      // Cheap: at most one render per interval, and an unchanged render is not sent.
      schedule();
    }
  } catch (error) {
    if (options.signal?.aborted) {
      view.phase = "cancelled";
    } else {
      // The single place an unexpected engine failure becomes a user-facing message.
      const failure = toMoaBotError(error);
      report(error, "engine");
      view.phase = "failed";
      view.error = { code: failure.code, message: failure.userMessage };
    }
  } finally {
    finished = true;
    // One writer: a shutdown's "interrupted" is this presenter's own final edit.
    if (view.phase === "cancelled" && options.signal?.reason instanceof ShutdownAbort)
      view.interrupted = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
  }
  await editing;
  const final = renderView(view, profile);
  sink.progress?.(view);
  if (native) {
    // The sink streamed the answer itself (no edit interval to wait out) and owns its overflow.
    await deliverFinal(sink, final.main, profile.editIntervalMs, report);
    await thread;
    return view;
  }
  await sleep(editDelay(lastEditAt, now(), profile.editIntervalMs));
  // Always sent when there were controls: the final edit is what removes the Stop button.
  if (final.main !== shown || controls)
    await deliverFinal(sink, final.main, profile.editIntervalMs, report);
  postInThread(final.overflow);
  await thread;
  return view;
}

/** The final edit carries the answer, so it is retried (the SDKs already wait out 429s). */
async function deliverFinal(
  sink: ChatSink,
  text: string,
  intervalMs: number,
  report: (error: unknown, what: string) => void,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sink.edit(text);
      return;
    } catch (error) {
      report(error, `final edit (attempt ${attempt})`);
      if (attempt >= FINAL_EDIT_ATTEMPTS) return;
      await sleep(intervalMs * 2 ** attempt);
    }
  }
}
