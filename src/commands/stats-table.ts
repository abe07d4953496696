import type { Platform } from "./invocation.js";
import { type ModelStats, pct, recommendation, type StatsSummary } from "./stats-compute.js";

/**
 * How each platform shows a table, as data: Slack's markdown block renders Markdown tables;
 * Discord message content does not, so there it is a fixed-width table in a code block.
 */
export const TABLE_STYLE: Record<Platform, "markdown" | "code"> = {
  slack: "markdown",
  discord: "code",
  // The playground renders Markdown, tables included.
  web: "markdown",
};

/** Model ids longer than this are cut in the table (Discord's 2,000 characters hold about 12 rows). */
const MODEL_CHARS = 28;

/** Most model rows shown; the rest are summed up in one line. */
const MAX_MODEL_ROWS = 12;

type Align = "l" | "r";

/** A table in the given style: Markdown with alignment row, or padded columns in a code block. */
export function table(
  style: "markdown" | "code",
  header: readonly string[],
  align: readonly Align[],
  rows: readonly (readonly string[])[],
): string {
  if (style === "markdown") {
    const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
    const rule = `|${align.map((a) => (a === "r" ? "---:" : "---")).join("|")}|`;
    return [line(header), rule, ...rows.map(line)].join("\n");
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const pad = (cells: readonly string[]) =>
    cells
      .map((c, i) => (align[i] === "r" ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [
    "```",
    pad(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(pad),
    "```",
  ].join("\n");
}

const secs = (ms: number | undefined) => (ms === undefined ? "—" : `${(ms / 1000).toFixed(1)}s`);

/** Token counts at a glance: 950, 12.3k, 4.1M. */
export function tokens(n: number): string {
  if (n < 1_000) return String(n);
  if (n < 1_000_000) return `${(n / 1_000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

const clipModel = (m: string) => (m.length > MODEL_CHARS ? `${m.slice(0, MODEL_CHARS - 1)}…` : m);

function modelRow(m: ModelStats): string[] {
  return [
    clipModel(m.model),
    String(m.runs),
    m.calls > 0 ? pct(m.failed / m.calls) : "—",
    secs(m.p50Ms),
    secs(m.p95Ms),
    tokens(m.tokens),
    m.costUsd === undefined ? "—" : `$${m.costUsd.toFixed(4)}`,
    m.raced > 0 ? pct(m.slowest / m.raced) : "—",
  ];
}

/** Where the stats were taken from, for the heading. */
export interface StatsScope {
  /** `this channel` or `this workspace`. */
  label: string;
  /** Days looked back. */
  days: number;
}

/** The `/moa stats` reply: heading, preset table, model table, and advice when there is some. */
export function renderStats(
  summary: StatsSummary,
  scope: StatsScope,
  style: "markdown" | "code",
): string {
  const head = `**MoA stats** · ${scope.label} · last ${scope.days} day${scope.days === 1 ? "" : "s"} · ${summary.runs} run${summary.runs === 1 ? "" : "s"}`;
  if (summary.runs === 0)
    return `${head}\nNo runs recorded yet. Ask something and rate the answer with 👍/👎.`;
  const presets = table(
    style,
    ["Preset", "Runs", "👍 rate", "Votes"],
    ["l", "r", "r", "r"],
    summary.presets.map((p) => [
      p.preset,
      String(p.runs),
      p.up + p.down > 0 ? pct(p.up / (p.up + p.down)) : "—",
      String(p.up + p.down),
    ]),
  );
  const shown = summary.models.slice(0, MAX_MODEL_ROWS);
  const models = table(
    style,
    ["Model", "Runs", "Failed", "p50", "p95", "Tokens", "Cost", "Slowest"],
    ["l", "r", "r", "r", "r", "r", "r", "r"],
    shown.map(modelRow),
  );
  const hidden = summary.models.length - shown.length;
  const more = hidden > 0 ? `\n_${hidden} more model${hidden === 1 ? "" : "s"} not shown._` : "";
  const advice = recommendation(summary);
  const legend =
    "_Failed: share of its calls that errored. p50/p95: latency of successful calls. Slowest: share of its runs where the answer waited for it._";
  return [head, presets, models + more, legend, ...(advice ? [`💡 ${advice}`] : [])].join("\n\n");
}
