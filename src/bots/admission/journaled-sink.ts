import type { Invocation } from "../../commands/invocation.js";
import type { RunJournal } from "../../store/run-journal.js";
import type { ChatSink, MessageControls } from "../chat-sink.js";

/**
 * The sink of a journaled run: once its message is up, the run goes into the store's
 * journal with that message's ids, so a crash leaves enough to re-run it into the same
 * message (the flow removes the entry when the run ends). Journal failures are reported,
 * never thrown: the run goes on unjournaled.
 */
export function journaledSink(
  sink: ChatSink,
  inv: Invocation,
  journal: RunJournal,
  onError: (error: unknown) => void,
  now: () => number = Date.now,
): ChatSink {
  return {
    async open(text: string, controls?: MessageControls) {
      await sink.open(text, controls);
      const message = sink.messageRef?.();
      if (!message) return;
      const entry = { runKey: inv.eventKey, inv: { ...inv }, message, startedAt: now() };
      journal.add(entry).catch(onError);
    },
    edit: (text, controls) => sink.edit(text, controls),
    postInThread: (text, name) => sink.postInThread(text, name),
    replyPrivately: (text) => sink.replyPrivately(text),
    threadId: () => sink.threadId(),
    messageRef: () => sink.messageRef?.(),
    // A native sink (Slack streaming) must keep getting the view through the journal.
    ...(sink.progress && { progress: (view) => sink.progress?.(view) ?? false }),
    ...(sink.close && { close: () => sink.close?.() ?? Promise.resolve() }),
    ...(sink.finalRoom && { finalRoom: () => sink.finalRoom?.() }),
  };
}
