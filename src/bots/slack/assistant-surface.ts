import type { webApi } from "@slack/bolt";
import type { RunView } from "../../view/run-view.js";
import type { ChatSink, MessageControls } from "../chat-sink.js";

/** The two AI-app methods used in DMs (narrow port over Bolt's WebClient). */
export type AssistantPort = Pick<
  webApi.WebClient["assistant"]["threads"],
  "setStatus" | "setSuggestedPrompts"
>;

/** Starters offered in the app's Messages tab (setSuggestedPrompts takes up to four). */
export const SUGGESTED_PROMPTS = [
  {
    title: "Compare approaches",
    message: "Compare three ways to cache API responses, with trade-offs.",
  },
  { title: "Explain a concept", message: "Explain Mixture-of-Agents as if I were new to LLMs." },
  { title: "Review my plan", message: "Here is my plan; what would several experts criticise?" },
  { title: "What can you do?", message: "help" },
];

/** How long prompts set for a DM are not set again, ms (app_home_opened fires on every visit). */
const PROMPTS_TTL_MS = 6 * 60 * 60_000;

/**
 * Sets the suggested prompts of a DM when its Messages tab opens, at most once per
 * `PROMPTS_TTL_MS` per channel. No `thread_ts`: with the `agent_view` experience (the
 * default for new apps) a call with it silently fails (docs.slack.dev setSuggestedPrompts).
 */
export function promptSetter(
  assistant: AssistantPort,
  onError: (error: unknown) => void,
  now: () => number = Date.now,
): (channelId: string) => void {
  const setAt = new Map<string, number>();
  return (channelId) => {
    const last = setAt.get(channelId);
    if (last !== undefined && now() - last < PROMPTS_TTL_MS) return;
    setAt.set(channelId, now());
    if (setAt.size > 10_000) setAt.delete(setAt.keys().next().value as string);
    assistant
      .setSuggestedPrompts({
        channel_id: channelId,
        title: "Ask several models at once",
        prompts: SUGGESTED_PROMPTS,
      })
      .catch((e: unknown) => {
        setAt.delete(channelId);
        onError(e);
      });
  };
}

/** Rotating loading messages while proposers run. */
const LOADING_MESSAGES = ["Asking the proposers…", "Reading the drafts…", "Writing one answer…"];

/**
 * A DM run's sink with Slack's loading status (assistant.threads.setStatus, `chat:write`)
 * on the reply thread while proposers run; cleared when the answer starts or the run ends.
 * Status failures are reported, never fatal: the message itself shows progress too.
 */
export class LoadingStatusSink implements ChatSink {
  #shown = false;

  constructor(
    private readonly inner: ChatSink,
    private readonly assistant: AssistantPort,
    private readonly where: { channel: string; threadTs: string },
    private readonly onError: (error: unknown) => void,
  ) {}

  async open(text: string, controls?: MessageControls): Promise<void> {
    await this.inner.open(text, controls);
  }

  edit(text: string, controls?: MessageControls): Promise<void> {
    return this.inner.edit(text, controls);
  }

  postInThread(text: string, threadName: string): Promise<void> {
    return this.inner.postInThread(text, threadName);
  }

  replyPrivately(text: string): Promise<void> {
    return this.inner.replyPrivately(text);
  }

  threadId(): string | undefined {
    return this.inner.threadId();
  }

  messageRef(): Record<string, string> | undefined {
    return this.inner.messageRef?.();
  }

  progress(view: RunView): boolean {
    const native = this.inner.progress?.(view) ?? false;
    const thinking = ["starting", "proposing"].includes(view.phase) && view.answer === "";
    if (thinking && !this.#shown) this.status("is consulting several models…", true);
    else if (!thinking && this.#shown) this.status("", false);
    return native;
  }

  private status(status: string, shown: boolean): void {
    this.#shown = shown;
    this.assistant
      .setStatus({
        channel_id: this.where.channel,
        thread_ts: this.where.threadTs,
        status,
        ...(shown ? { loading_messages: LOADING_MESSAGES } : {}),
      })
      .catch(this.onError);
  }
}
