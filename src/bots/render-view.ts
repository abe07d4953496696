import type { Draft, MoaEvent } from "../moa/events.js";
import type { PlatformProfile } from "./chat-sink.js";
import {
  count,
  FOOTER_RESERVE_CHARS,
  seconds,
  shortReason,
  splitForLimit,
} from "./render-policy.js";
import type { ProposerStatus, RunView } from "./run-view.js";

/** The interim/answer message and any answer text that did not fit in it. */
export interface Rendered {
  /** Body of the interim message, within the profile's limit. */
  main: string;
  /** Answer continuation, one thread message each (only once the run is over). */
  overflow: string[];
}

const ICON: Record<ProposerStatus["state"], string> = {
  waiting: "⏳",
  writing: "✍️",
  retrying: "🔁",
  done: "✅",
  failed: "❌",
  skipped: "⏭️",
};

/** One status line for a proposer, e.g. "✅ `model` — 3.2s · 412 tokens". */
export function progressLine(s: ProposerStatus): string {
  const head = `${ICON[s.state]} \`${s.model}\``;
  switch (s.state) {
    case "waiting":
      return `${head} — thinking`;
    case "writing":
      return `${head} — writing`;
    case "retrying":
      return `${head} — retrying (${shortReason(s.reason ?? "", 60)})`;
    case "done":
      return `${head} — ${seconds(s.latencyMs ?? 0)}s · ${count(s.outputTokens ?? 0)} tokens`;
    case "failed":
      return `${head} — failed: ${shortReason(s.reason ?? "unknown error")}`;
    case "skipped":
      return `${head} — skipped after ${seconds(s.latencyMs ?? 0)}s (layer deadline)`;
  }
}

/** Label of a draft posted in the thread. */
export function draftLabel(d: Draft): string {
  return `**${d.model}** · layer ${d.layer} · ${seconds(d.latencyMs)}s · ${count(d.usage.outputTokens)} tokens`;
}

/** Longest footer, chars: whatever the preset's model ids, the answer keeps its room. */
export const FOOTER_MAX_CHARS = 200;
/** A model id longer than this is cut in the footer (the full id is in the drafts thread). */
const FOOTER_ID_CHARS = 40;
/** Failed/dropped proposers named in the footer; more are counted. */
const FOOTER_NAMED_FAILURES = 2;

/** What the message says when a restart interrupts a run. */
export const INTERRUPTED_MESSAGE =
  "⚠️ Interrupted by a restart before the answer was finished; please ask again.";

const code = (id: string) => `\`${shortReason(id, FOOTER_ID_CHARS)}\``;

/**
 * Small bounded footer under a finished answer: preset, proposers ("6 proposers", or
 * "2 of 3 drafts · `p-beta` failed: HTTP 500" when some failed or were dropped), the
 * aggregator, time, tokens (and cost when known). At most `FOOTER_MAX_CHARS`.
 */
export function footer(view: RunView, neutralize: (t: string) => string = (t) => t): string {
  const stats = view.stats;
  if (!stats) return `_preset ${shortReason(view.preset, FOOTER_ID_CHARS)}_`;
  const proposerCalls = stats.calls.filter((c) => c.role === "proposer");
  const ok = proposerCalls.filter((c) => c.outcome === "ok").length;
  const models = new Set(proposerCalls.map((c) => c.model)).size;
  const aggregator = stats.calls.find((c) => c.role === "aggregator")?.model ?? view.aggregator;
  const failed = view.dropped.map(
    (d) => `${code(d.model)} ${d.skipped ? "dropped" : "failed"}: ${shortReason(d.reason, 40)}`,
  );
  const extra = failed.length - FOOTER_NAMED_FAILURES;
  const parts = [
    `preset ${shortReason(view.preset, FOOTER_ID_CHARS)}`,
    ...(view.resumed ? ["↻ resumed after a restart"] : []),
    ...(proposerCalls.length === 0
      ? []
      : ok < proposerCalls.length
        ? [`${ok} of ${proposerCalls.length} drafts`]
        : [`${models} proposer${models === 1 ? "" : "s"}`]),
    ...failed.slice(0, FOOTER_NAMED_FAILURES),
    ...(extra > 0 ? [`${extra} more failed (see thread)`] : []),
    ...(aggregator ? [`aggregator ${code(aggregator)}`] : []),
    `${seconds(stats.totalMs)}s`,
    `${count(stats.usage.inputTokens + stats.usage.outputTokens)} tokens`,
    ...(stats.costUsd === undefined ? [] : [`$${stats.costUsd.toFixed(4)}`]),
  ];
  const text = neutralize(parts.join(" · "));
  return `_${text.length > FOOTER_MAX_CHARS - 2 ? `${text.slice(0, FOOTER_MAX_CHARS - 3)}…` : text}_`;
}

/** Thread note for a proposer that failed or was dropped, so the drafts thread accounts for every model. */
export function droppedNote(e: Extract<MoaEvent, { type: "proposer-error" }>): string {
  const what = e.skipped
    ? `dropped after ${seconds(e.latencyMs)}s`
    : `failed after ${seconds(e.latencyMs)}s`;
  return `${e.skipped ? "⏭️" : "❌"} **${e.model}** · layer ${e.layer} · ${what}: ${shortReason(e.error.message, 300)}`;
}

function header(view: RunView): string {
  const proposerLayers = Math.max(0, view.layers - 1);
  const where =
    view.phase === "aggregating"
      ? "aggregating"
      : proposerLayers > 0 && view.layer > 0
        ? `layer ${view.layer}/${proposerLayers}`
        : "starting";
  const resumed = view.resumed ? " · ↻ resumed after a restart" : "";
  return `**Mixture-of-Agents** · preset \`${view.preset}\` · ${where}${resumed}`;
}

/** Longest quoted question, chars (it is context, not content). */
const QUESTION_QUOTE_CHARS = 300;

/** Renders the view for a platform: neutralised, split to its limit, the question quoted on top when asked. */
export function renderView(view: RunView, profile: PlatformProfile): Rendered {
  const body = renderBody(view, profile);
  if (view.question === undefined) return body;
  const quote = `> ${clip(profile.neutralize(shortReason(view.question, QUESTION_QUOTE_CHARS)), QUESTION_QUOTE_CHARS + 4)}\n\n`;
  return { main: quote + body.main, overflow: body.overflow };
}

function renderBody(view: RunView, profile: PlatformProfile): Rendered {
  const limit =
    profile.maxMessageChars -
    FOOTER_RESERVE_CHARS -
    (view.question === undefined ? 0 : QUESTION_QUOTE_CHARS + 8);
  const answer = profile.neutralize(view.answer);
  const lines = view.proposers.map(progressLine).map(profile.neutralize);
  const warnings = view.warnings.map((w) => `_${profile.neutralize(w)}_`);
  switch (view.phase) {
    case "queued":
      return {
        main: `**Mixture-of-Agents** · preset \`${view.preset}\` · ⏳ queued (position ${view.queuePosition ?? 1})`,
        overflow: [],
      };
    case "starting":
    case "proposing":
      return { main: clip([header(view), ...lines, ...warnings].join("\n"), limit), overflow: [] };
    case "aggregating": {
      const writer = `\`${shortReason(view.aggregator ?? "aggregator", 60)}\` is writing the answer…`;
      const first = answer ? splitForLimit(answer, limit)[0] : "";
      const main = first
        ? `${first}\n\n✍️ _${writer}_`
        : [header(view), ...lines, `✍️ ${writer}`].join("\n");
      return { main, overflow: [] };
    }
    case "done":
    case "cancelled": {
      const chunks = answer ? splitForLimit(answer, limit) : [];
      const stopped =
        view.phase !== "cancelled"
          ? ""
          : view.interrupted
            ? `${INTERRUPTED_MESSAGE}\n\n`
            : "⏹️ Stopped before the answer was finished.\n\n";
      const more = chunks.length > 1 ? "\n\n_(continued in the thread)_" : "";
      const body =
        chunks[0] ??
        (view.phase === "cancelled" ? "" : "_(the aggregator returned an empty answer)_");
      return {
        main: `${stopped}${body}${more}\n\n${footer(view, profile.neutralize)}`.trim(),
        overflow: chunks.slice(1),
      };
    }
    case "failed": {
      const reasons = view.failures.map((f) => `• \`${f.model}\`: ${shortReason(f.message, 160)}`);
      const drafts = view.drafts.length > 0 ? "\nThe proposers' drafts are in the thread." : "";
      const text = `⚠️ **The MoA run failed:** ${view.error?.message ?? "unknown error"}\n${reasons.join("\n")}${drafts}`;
      return { main: clip(profile.neutralize(text), limit), overflow: [] };
    }
  }
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
