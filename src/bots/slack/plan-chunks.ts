import type { types } from "@slack/bolt";
import { count, seconds, shortReason } from "../../view/progress-line.js";
import type { ProposerStatus, RunView } from "../../view/run-view.js";

/** One chunk of a Slack stream (`markdown_text`, `task_update`, `plan_update`, `blocks`). */
export type StreamChunk = types.AnyChunk;

/** A `task_update` chunk (status `complete`, not `completed`: @slack/types chunk.ts). */
export type TaskChunk = types.TaskUpdateChunk;

/** What a stream already shows, so the next render sends only what changed. */
export interface PlanShown {
  /** Plan title last sent. */
  title?: string;
  /** Last status+details sent per task id. */
  tasks: Map<string, string>;
}

/** Nothing sent yet. */
export function nothingShown(): PlanShown {
  return { tasks: new Map() };
}

/** Slack's task states for ours: waiting -> pending, writing/retrying -> in_progress, done -> complete, failed/skipped -> error. */
const STATUS: Record<ProposerStatus["state"], TaskChunk["status"]> = {
  waiting: "pending",
  writing: "in_progress",
  retrying: "in_progress",
  done: "complete",
  failed: "error",
  skipped: "error",
};

/** Task details: model, seconds and tokens when done, the reason when not. */
function details(s: ProposerStatus): string {
  switch (s.state) {
    case "waiting":
      return `${s.model} · waiting`;
    case "writing":
      return `${s.model} · writing`;
    case "retrying":
      return `${s.model} · retrying (${shortReason(s.reason ?? "", 60)})`;
    case "done":
      return `${s.model} · ${seconds(s.latencyMs ?? 0)}s · ${count(s.outputTokens ?? 0)} tokens`;
    case "failed":
      return `${s.model} · failed: ${shortReason(s.reason ?? "unknown error")}`;
    case "skipped":
      return `${s.model} · skipped after ${seconds(s.latencyMs ?? 0)}s (layer deadline)`;
  }
}

/** Plan title, e.g. "Mixture-of-Agents · 3 proposers" (and the layer count when there are several). */
export function planTitle(view: RunView): string {
  const proposerLayers = Math.max(0, view.layers - 1);
  const n = view.proposers.length;
  const who = n === 0 ? `preset ${view.preset}` : `${n} proposer${n === 1 ? "" : "s"}`;
  return proposerLayers > 1
    ? `Mixture-of-Agents · ${who} · ${proposerLayers} layers`
    : `Mixture-of-Agents · ${who}`;
}

/** Every task the view implies: one per proposer of the layers seen, then the aggregator. */
export function planTasks(view: RunView): TaskChunk[] {
  const tasks: TaskChunk[] = view.proposers.map((s) => ({
    type: "task_update",
    id: `l${s.layer}p${s.index}`,
    title: `Layer ${s.layer} · proposer ${s.index + 1}`,
    status: STATUS[s.state],
    details: details(s),
  }));
  if (view.aggregator !== undefined) {
    const status: TaskChunk["status"] =
      view.phase === "done"
        ? "complete"
        : view.phase === "failed" || view.phase === "cancelled"
          ? "error"
          : "in_progress";
    const why =
      view.phase === "cancelled" ? " · stopped" : view.phase === "failed" ? " · failed" : "";
    tasks.push({
      type: "task_update",
      id: "aggregate",
      title: "Aggregate and synthesize",
      status,
      details: `${view.aggregator}${why}`,
    });
  }
  return tasks;
}

/**
 * The chunks that bring a stream from `shown` to `view` (plan title first, then each task
 * whose status or details changed, in task order), and records them in `shown`. Model text
 * never goes into these chunks: titles and details are ours (model ids come from presets).
 */
export function planChunks(view: RunView, shown: PlanShown): StreamChunk[] {
  const out: StreamChunk[] = [];
  const title = planTitle(view);
  if (title !== shown.title) {
    out.push({ type: "plan_update", title });
    shown.title = title;
  }
  for (const task of planTasks(view)) {
    const key = `${task.status}|${task.details ?? ""}`;
    if (shown.tasks.get(task.id) === key) continue;
    shown.tasks.set(task.id, key);
    out.push(task);
  }
  return out;
}
