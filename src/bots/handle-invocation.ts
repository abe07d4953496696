import type { CommandResult } from "../commands/dispatch.js";
import type { Invocation } from "../commands/invocation.js";
import { toMoaBotError } from "../errors.js";
import type { Logger } from "../log.js";
import type { MoaEvent } from "../moa/events.js";
import type { ChatMessage } from "../moa/messages.js";
import { type MoaDeps, runMoa } from "../moa/run-moa.js";
import type { RunDrafts } from "../store/run-drafts.js";
import type { RunJournal } from "../store/run-journal.js";
import type { WorkspaceScope } from "../store/store-keys.js";
import type { RunView } from "../view/run-view.js";
import { journaledSink } from "./admission/journaled-sink.js";
import type { RunGate } from "./admission/run-gate.js";
import type { RunEntry, RunRegistry } from "./admission/run-registry.js";
import type { ChatSink, PlatformProfile } from "./chat-sink.js";
import type { EditBudgets } from "./edit-budget.js";
import type { VoteFn } from "./feedback.js";
import { present } from "./presenter.js";
import { regenerateByCommand } from "./regenerate.js";

/** Collaborators of the shared bot flow, bound by the composition root (src/main.ts). */
export interface BotDeps {
  /** Parses and executes the invocation's command (commands/dispatch with its stores bound). */
  dispatch(inv: Invocation): Promise<CommandResult>;
  /** True only for the first delivery of an event key (dedup across retries and instances). */
  claim(eventKey: string): Promise<boolean>;
  /** Appends finished turns to the conversation of a thread. */
  remember(inv: Invocation, threadId: string, turns: ChatMessage[]): Promise<void>;
  /** Engine collaborators (model port, prices, clock). */
  engine: MoaDeps;
  /** Structured log. */
  log: Logger;
  /** The instance's in-flight invocations (bots count their work with it; Stop and shutdown abort through it). */
  runs: RunRegistry;
  /** Shutdown, quotas, fair queue, Stop and metrics; absent = no limits (tests). */
  gate?: RunGate;
  /** The store's journal of in-flight runs, so a crash loses no question; absent = none. */
  journal?: RunJournal;
  /** Edit budgets shared by the runs of a workspace/channel (per `profile.editRate`); absent = interval only. */
  budgets?: EditBudgets;
  /** Stores the finished run (feedback, stats) and its drafts (regenerate); when present, final answers carry 👍/👎. */
  recordRun?: (
    inv: Invocation,
    view: RunView,
    source: RunSource,
    place?: RunPlace,
  ) => Promise<void>;
  /** The stored drafts of a run, for regenerate; absent = no Regenerate button. */
  loadDrafts?: (scope: WorkspaceScope, runKey: string) => Promise<RunDrafts | undefined>;
  /** User ids that may regenerate anyone's answer (MOA_ADMIN_USERS); absent = only the asker. */
  admins?: readonly string[];
  /**
   * The sink of an answer message that already exists, from its stored ids (`messageRef`):
   * what a resumed run and a `regenerate` command write into. Throws when it cannot be reached.
   */
  answerSink?: (message: Record<string, string>, inv: Invocation) => ChatSink | Promise<ChatSink>;
  /** Records a 👍/👎 press (see `feedback.ts`); absent = presses are answered "not recorded". */
  vote?: VoteFn;
  /**
   * Sees every engine event of a run as the presenter folds it (the web playground draws live
   * drafts and a timeline from them); must not throw or block. Absent = nobody listens.
   */
  onEvent?: (inv: Invocation, event: MoaEvent) => void;
}

/** What taking over a crashed instance's run does: re-run it, or only say it was interrupted. */
export type ResumeMode = "rerun" | "interrupt";

/** How this invocation reaches the flow. */
export interface InvocationOptions {
  /** A re-run of a journaled run after a crash: already claimed, and its message says so. */
  resumed?: boolean;
}

/** What a run was asked, as stored for regenerate. */
export type RunSource = Pick<
  Extract<CommandResult, { kind: "run" }>,
  "preset" | "messages" | "question"
>;

/** Where a finished run's answer is, and whose it is: what a later `regenerate` needs. */
export interface RunPlace {
  /** The thread the answer's follow-ups arrive in (`ChatSink.threadId`). */
  threadId?: string | undefined;
  /** Platform ids of the answer message (`ChatSink.messageRef`). */
  message?: Record<string, string> | undefined;
  /** Hash of the asker when it is not the invoker's (a regenerate keeps the asker's). */
  askerHash?: string;
}

/**
 * platform event -> command -> MoA run events -> presenter -> sink. The one flow both
 * bots share; it never throws: every failure ends as a message to the user and a log line.
 */
export async function handleInvocation(
  inv: Invocation,
  sink: ChatSink,
  profile: PlatformProfile,
  deps: BotDeps,
  options: InvocationOptions = {},
): Promise<void> {
  const log = deps.log.child({
    platform: inv.platform,
    workspace: inv.workspaceId,
    channel: inv.channelId,
    event: inv.eventKey,
  });
  // Registered before the first await, so a bot's `running` and shutdown see it at once.
  const { entry, remove } = deps.runs.add(inv.eventKey, inv.userId);
  try {
    const result = await deps.dispatch(inv);
    if (result.kind === "ignore") {
      log.debug({ reason: result.reason }, "ignored");
      return;
    }
    // Claimed after dispatch so the many thread messages that are not ours cost no store
    // write; dispatch itself only reads (and setting a preset twice is harmless).
    if (!options.resumed && !(await firstDelivery(inv, deps, log))) return;
    if (result.kind === "reply") {
      await (result.ephemeral ? sink.replyPrivately(result.text) : sink.open(result.text));
      return;
    }
    if (result.kind === "regenerate") {
      await regenerateByCommand(inv, result, sink, profile, deps);
      return;
    }
    await run(inv, result, entry, sink, profile, deps, log, options);
  } catch (error) {
    const failure = toMoaBotError(error);
    log.error({ err: error, code: failure.code }, "invocation failed");
    await sink
      .replyPrivately(failure.userMessage)
      .catch((e) => log.warn({ err: e }, "could not tell the user"));
  } finally {
    await sink.close?.().catch((e) => log.warn({ err: e }, "sink not cleaned up"));
    remove();
  }
}

async function firstDelivery(inv: Invocation, deps: BotDeps, log: Logger): Promise<boolean> {
  try {
    const first = await deps.claim(inv.eventKey);
    if (!first) log.info("duplicate delivery ignored");
    return first;
  } catch (error) {
    // Answering twice beats never answering when the dedup store is down.
    log.warn({ err: error }, "dedup store unavailable; handling the event anyway");
    return true;
  }
}

async function run(
  inv: Invocation,
  result: Extract<CommandResult, { kind: "run" }>,
  entry: RunEntry,
  sink: ChatSink,
  profile: PlatformProfile,
  deps: BotDeps,
  log: Logger,
  options: InvocationOptions,
): Promise<void> {
  const gate = deps.gate;
  const refusal = gate?.refusal() ?? (await gate?.checkQuota(inv));
  if (refusal) {
    log.info({ refusal }, "run refused");
    gate?.finished(inv, "refused");
    await sink.replyPrivately(refusal);
    return;
  }
  if (result.notice)
    await sink.replyPrivately(result.notice).catch((e) => log.warn({ err: e }, "notice lost"));
  // Message text is personal data: only at debug level.
  log.debug({ question: result.question, turns: result.messages.length }, "run requested");
  const controller = entry.controller;
  const untrack = gate?.track(inv, entry) ?? (() => {});
  const journal = deps.journal;
  const out = journal
    ? journaledSink(sink, inv, journal, (e) => log.warn({ err: e }, "run journal unavailable"))
    : sink;
  let release = () => {};
  // Idempotent: the slot goes back when the run ends (onRunEnd), before its last edit lands.
  const releaseOnce = () => {
    const r = release;
    release = () => {};
    r();
  };
  const rate = profile.editRate;
  const budget =
    rate &&
    deps.budgets?.get(
      `${profile.name}:${rate.scope === "workspace" ? inv.workspaceId : inv.channelId}`,
      rate,
    );
  try {
    const events = runMoa(
      { messages: result.messages, preset: result.preset, signal: controller.signal },
      deps.engine,
    );
    const view = await present(events, out, profile, {
      question: result.question,
      // A slash command's text is not echoed by the platform: quote it so the answer has context.
      showQuestion: inv.source === "command",
      ...(options.resumed && { resumed: true }),
      preset: result.preset.name,
      feedback: deps.recordRun !== undefined,
      regenerate: deps.loadDrafts !== undefined,
      signal: controller.signal,
      ...(budget && { budget }),
      onRunEnd: releaseOnce,
      ...(gate && {
        stopKey: inv.eventKey,
        waitTurn: async (onPosition: (n: number) => void) => {
          release = await gate.admit(inv, controller.signal, onPosition);
        },
      }),
      onSinkError: (err, what) => log.warn({ err, what }, "platform call failed"),
      ...(deps.onEvent && { onEvent: (e: MoaEvent) => deps.onEvent?.(inv, e) }),
    });
    logRun(log, result.preset.name, view);
    const threadId = sink.threadId();
    await deps
      .recordRun?.(inv, view, result, { threadId, message: out.messageRef?.() })
      .catch((e) => log.warn({ err: e }, "run record not saved"));
    gate?.finished(inv, view, controller.signal);
    if (view.phase === "done" && view.answer && threadId) {
      const turns: ChatMessage[] = [
        { role: "user", content: result.question },
        { role: "assistant", content: view.answer },
      ];
      await deps
        .remember(inv, threadId, turns)
        .catch((e) => log.warn({ err: e }, "conversation not saved"));
    }
  } finally {
    releaseOnce();
    untrack();
    await journal?.remove(inv.eventKey).catch((e) => log.warn({ err: e }, "run not unjournaled"));
  }
}

function logRun(log: Logger, preset: string, view: RunView & { delivery?: string }): void {
  const stats = view.stats;
  log.info(
    {
      runId: view.runId,
      preset,
      outcome: view.phase,
      // "posted" means the final edit failed and the answer went out as a new message.
      delivery: view.delivery,
      error: view.error?.code,
      totalMs: stats?.totalMs,
      costUsd: stats?.costUsd,
      calls: stats?.calls.map((c) => ({
        model: c.model,
        role: c.role,
        layer: c.layer,
        outcome: c.outcome,
        ms: c.latencyMs,
        in: c.usage.inputTokens,
        out: c.usage.outputTokens,
      })),
    },
    "run finished",
  );
}
