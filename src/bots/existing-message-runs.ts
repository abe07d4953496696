import type { Resumer } from "./admission/take-over-runs.js";
import type { ChatSink, PlatformProfile } from "./chat-sink.js";
import { type BotDeps, handleInvocation } from "./handle-invocation.js";
import { type RegeneratePress, regenerate } from "./regenerate.js";
import { INTERRUPTED_MESSAGE } from "./render-view.js";

/**
 * Both bots' runs into an answer message that already exists: the take-over of a crashed
 * instance's journaled run (`resume`) and the Regenerate button. The platform hands over
 * only how to reach a stored message (`deps.answerSink`, which throws when it cannot).
 */
export function existingMessageRuns(
  profile: PlatformProfile,
  deps: BotDeps & Required<Pick<BotDeps, "answerSink">>,
) {
  const log = deps.log.child({ platform: profile.name });
  const resume: Resumer = (inv, message, how) => {
    const takeOver = async () => {
      const sink = await deps.answerSink(message, inv);
      if (how === "interrupt") return sink.open(INTERRUPTED_MESSAGE);
      return handleInvocation(inv, sink, profile, deps, { resumed: true });
    };
    takeOver().catch((err: unknown) =>
      log.warn({ err, event: inv.eventKey }, "journaled run not taken over"),
    );
  };
  const startRegenerate = (press: RegeneratePress, sink: ChatSink): void => {
    // In the run registry like any run, so the bot's count and shutdown wait for it.
    const { remove } = deps.runs.add(press.runKey, press.userId);
    regenerate(press, sink, profile, deps).finally(remove);
  };
  return { resume, regenerate: startRegenerate };
}
