import { toMoaBotError } from "../errors.js";
import type { MoaEvent } from "../moa/events.js";
import { ShutdownAbort } from "../ops/shutdown.js";
import { foldEvent, initialView, type RunView } from "../view/run-view.js";
import {
  type ChatSink,
  type MessageControls,
  type PlatformProfile,
  RateLimitedError,
} from "./chat-sink.js";
import type { EditBudget } from "./edit-budget.js";
import { deliverFinal, type FinalDelivery } from "./final-delivery.js";
import { editDelay, splitForLimit, threadName } from "./render-policy.js";
import { draftLabel, droppedNote, renderView } from "./render-view.js";

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
  /** The run is a re-run after a crash: the message says so. */
  resumed?: boolean;
  /**
   * Waits for the run's turn (fair run queue) after the interim message is up, reporting
   * the queue position as it changes; rejects when the run is stopped while queued.
   */
  waitTurn?: (onPosition: (position: number) => void) => Promise<void>;
  /** Called once the run itself is over (events ended), before the final edit is delivered: frees its run slot. */
  onRunEnd?: () => void;
  /** Run key for a Stop button on the interim message while the run is in flight (none when absent). */
  stopKey?: string;
  /** Put 👍/👎 buttons (keyed by the engine's run id) on a finished answer. */
  feedback?: boolean;
  /** Put a Regenerate button on a finished answer that has drafts. */
  regenerate?: boolean;
  /** This run re-aggregates stored drafts: the footer says so. */
  regenerated?: boolean;
  /**
   * The run's abort signal: a rejection after it aborted is a stop, not a failure; aborted
   * with a `ShutdownAbort` reason the run ends as "interrupted by a restart".
   */
  signal?: AbortSignal;
  /** Edit budget shared with the other runs of this workspace/channel (absent: interval only). */
  budget?: EditBudget;
  /** Where sink failures after `open` are reported (the run goes on without that message). */
  onSinkError?: (error: unknown, what: string) => void;
  /** Tee of every engine event, after it is folded (BotDeps.onEvent); must not throw. */
  onEvent?: (event: MoaEvent) => void;
}

/** What the presenter returns: the final view and how its last text got out. */
export type PresentedView = RunView & {
  /** `edited` (normal), `posted` (final edit failed; sent as a new message) or `lost`. */
  delivery?: FinalDelivery;
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Folds a run's events into a view and drives one interim message: posts it at once, then
 * a loop (`while running: wait the interval; if the text changed and the budget allows:
 * edit`), posts each draft (and each failed or dropped proposer) in the thread as it lands,
 * and always delivers the final edit and any answer overflow. An engine failure becomes a
 * failed view. Throws only if the interim message cannot be posted (the events are then
 * never consumed, so no model is called).
 */
export async function present(
  events: AsyncIterable<MoaEvent>,
  sink: ChatSink,
  profile: PlatformProfile,
  options: PresentOptions,
): Promise<PresentedView> {
  const now = options.now ?? Date.now;
  const report = options.onSinkError ?? (() => {});
  const view: PresentedView = initialView(options.preset);
  if (options.showQuestion) view.question = options.question;
  if (options.resumed) view.resumed = true;
  if (options.regenerated) view.regenerated = true;
  const name = threadName(options.question);
  const controls = options.stopKey === undefined ? undefined : { stopKey: options.stopKey };
  const interval = profile.editIntervalMs;
  let shown = renderView(view, profile).main;
  // Announces a run to a sink that can present it natively (Slack streaming).
  sink.progress?.(view);
  await sink.open(shown, controls);
  let lastEditAt = now();
  // A native sink gets the view after every event instead of throttled edits.
  const native = sink.progress?.(view) ?? false;

  // The one writer of interim edits: no flags, one loop that ends when the run does.
  let running = !native;
  let wake = () => {};
  const ticks = (async () => {
    while (running) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, interval);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (!running) break;
      const text = renderView(view, profile).main;
      if (text === shown || !(options.budget?.tryInterim() ?? true)) continue;
      shown = text;
      lastEditAt = now();
      await sink.edit(text, controls).catch((e) => {
        if (e instanceof RateLimitedError) options.budget?.pause(e.retryAfterMs);
        report(e, "edit");
      });
      // Counted from when the edit settled: a call the SDK held in its queue still gets its gap.
      lastEditAt = now();
    }
  })();

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
      });
      view.phase = "starting";
      delete view.queuePosition;
    }
    for await (const event of events) {
      foldEvent(view, event);
      sink.progress?.(view);
      options.onEvent?.(event);
      if (event.type === "proposer-end") {
        const body = profile.neutralize(event.draft.text) || "_(empty draft)_";
        postInThread(splitForLimit(`${draftLabel(event.draft)}\n\n${body}`, threadLimit));
      } else if (event.type === "proposer-error") {
        postInThread(splitForLimit(profile.neutralize(droppedNote(event)), threadLimit));
      }
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
  }
  if (view.phase === "cancelled" && options.signal?.reason instanceof ShutdownAbort)
    view.interrupted = true;
  running = false;
  wake();
  await ticks;
  options.onRunEnd?.();

  const final = renderView(view, profile);
  sink.progress?.(view);
  const answerControls = finalControls(view, options);
  const deliver = () =>
    deliverFinal(sink, final.main, {
      budget: options.budget,
      backoffMs: interval,
      maxChars: profile.maxMessageChars,
      threadName: name,
      report,
      controls: answerControls,
    });
  if (native) {
    // The sink streamed the answer itself (no edit interval to wait out) and owns its overflow.
    view.delivery = await deliver();
    await thread;
    return view;
  }
  // Keep the gap to the last interim edit (one message is still edited at most once per interval).
  await sleep(editDelay(lastEditAt, now(), interval));
  // Always sent when there were controls: the final edit is what removes the Stop button.
  if (final.main !== shown || controls || answerControls) view.delivery = await deliver();
  postInThread(overflowAfter(view, final.overflow, sink, profile));
  await thread;
  return view;
}

/**
 * The answer's continuation for the thread: what the final message did not show. A sink
 * that showed the answer with more room (`finalRoom`) showed exactly what `renderView` puts
 * in a message of that size, so the thread gets the rest, cut to the thread's own limit.
 */
function overflowAfter(
  view: PresentedView,
  overflow: string[],
  sink: ChatSink,
  profile: PlatformProfile,
): string[] {
  const room = view.delivery === "edited" ? sink.finalRoom?.() : undefined;
  if (room === undefined || room <= profile.maxMessageChars) return overflow;
  return renderView(view, { ...profile, maxMessageChars: room }).overflow.flatMap((part) =>
    splitForLimit(part, profile.maxMessageChars),
  );
}

/** 👍/👎 and Regenerate on a finished answer, keyed by the engine's run id; none otherwise. */
function finalControls(view: RunView, options: PresentOptions): MessageControls | undefined {
  if (view.phase !== "done" || view.runId === undefined) return undefined;
  const controls: MessageControls = {
    ...(options.feedback && { feedbackKey: view.runId }),
    ...(options.regenerate && view.drafts.length > 0 && { regenerateKey: view.runId }),
  };
  return Object.keys(controls).length > 0 ? controls : undefined;
}
