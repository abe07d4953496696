import {
  type APIComponentInContainer,
  type APIMessageTopLevelComponent,
  type APITextDisplayComponent,
  ComponentType,
  MessageFlags,
  SeparatorSpacingSize,
} from "discord.js";
import { count, seconds } from "../../view/progress-line.js";
import type { RunView } from "../../view/run-view.js";
import type { MessageControls } from "../chat-sink.js";
import { feedbackRows } from "./feedback-buttons.js";
import type { ButtonRows } from "./stop-button.js";

/** Components V2 flag (1 << 15): content/embeds stop working; cannot be removed once set. */
export const CV2_FLAG = MessageFlags.IsComponentsV2;

/** Characters across all Text Displays of one message (docs.discord.food components; discord-api-docs #8562). */
export const CV2_MAX_TEXT_CHARS = 4_000;

/**
 * Undocumented server limit (discord-api-docs #8554): UTF-8 bytes of all Text Display
 * contents + 12 per display above 10,170 gives HTTP 500. We stay 500 bytes below it.
 */
export const CV2_MAX_TEXT_BYTES = 10_170;
const CV2_BYTE_BUDGET = CV2_MAX_TEXT_BYTES - 500;
/** Per-display overhead in the byte rule. */
export const CV2_BYTES_PER_DISPLAY = 12;

/** Accent colours by outcome: done, partial (some proposer failed), failed, stopped. */
export const ACCENT = { done: 0x57f287, partial: 0xfee75c, failed: 0xed4245, stopped: 0x99aab5 };

/** A final CV2 message and any answer text that did not fit (posted in the thread). */
export interface Cv2Final {
  /** Body of the edit: `flags`, `components`, and null content/embeds (required to switch). */
  body: {
    flags: number;
    content: null;
    embeds: [];
    components: APIMessageTopLevelComponent[];
  };
  /** Text cut off to respect the char and byte limits. */
  rest: string;
}

/** UTF-8 bytes the server counts for these Text Display contents. */
export function textBytes(contents: string[]): number {
  return contents.reduce((n, c) => n + Buffer.byteLength(c, "utf8") + CV2_BYTES_PER_DISPLAY, 0);
}

/** The accent of a finished view. */
export function accentFor(view: RunView): number {
  if (view.phase === "failed") return ACCENT.failed;
  if (view.phase === "cancelled") return ACCENT.stopped;
  const partial = view.proposers.some((p) => p.state === "failed" || p.state === "skipped");
  return partial ? ACCENT.partial : ACCENT.done;
}

/** Small footer line (Discord `-#` subtext): preset, models, time, tokens, cost, failures. */
export function cv2Footer(view: RunView): string {
  const s = view.stats;
  const parts = [
    ...(view.regenerated ? ["regenerated from the stored drafts"] : []),
    `preset ${view.preset}`,
  ];
  if (s) {
    const models = [...new Set(s.calls.map((c) => c.model))];
    if (models.length > 0) parts.push(models.join(", "));
    parts.push(
      `${seconds(s.totalMs)}s`,
      `${count(s.usage.inputTokens + s.usage.outputTokens)} tokens`,
    );
    if (s.costUsd !== undefined) parts.push(`$${s.costUsd.toFixed(4)}`);
  }
  const failed = view.proposers.filter((p) => p.state === "failed" || p.state === "skipped");
  if (failed.length > 0) parts.push(`failed: ${failed.map((p) => p.model).join(", ")}`);
  return `-# ${parts.join(" · ")}`;
}

/** Cuts `text` to at most `chars` characters and `bytes` UTF-8 bytes, never inside a surrogate pair. */
function clipTo(text: string, chars: number, bytes: number): [string, string] {
  let end = Math.min(text.length, chars);
  while (end > 0 && Buffer.byteLength(text.slice(0, end), "utf8") > bytes) {
    const over = Buffer.byteLength(text.slice(0, end), "utf8") - bytes;
    end -= Math.max(1, Math.floor(over / 4));
  }
  const code = text.charCodeAt(end - 1);
  if (end > 0 && end < text.length && code >= 0xd800 && code <= 0xdbff) end -= 1;
  return [text.slice(0, end), text.slice(end)];
}

/**
 * The final answer as a Components V2 message: one Container (accent by outcome) with the
 * answer in a Text Display, a separator, the footer and the same button row the edit path
 * puts under a finished answer (👍/👎 with a feedback key, Regenerate with a regenerate key;
 * an Action Row of at most 5 buttons is a valid Container child). `answer` is already
 * neutralised; what exceeds 4,000 chars (with the footer) or the byte budget comes back in `rest`.
 */
export function cv2Final(view: RunView, answer: string, controls?: MessageControls): Cv2Final {
  const foot = cv2Footer(view);
  const room = CV2_MAX_TEXT_CHARS - foot.length;
  const byteRoom = CV2_BYTE_BUDGET - textBytes([foot]) - CV2_BYTES_PER_DISPLAY;
  const [shown, rest] = clipTo(answer.trim() === "" ? " " : answer, room, byteRoom);
  const text = (content: string): APITextDisplayComponent => ({
    type: ComponentType.TextDisplay,
    content,
  });
  const inside: APIComponentInContainer[] = [
    text(shown),
    { type: ComponentType.Separator, divider: true, spacing: SeparatorSpacingSize.Small },
    text(foot),
  ];
  inside.push(...feedbackRows(controls));
  return {
    body: {
      flags: CV2_FLAG,
      content: null,
      embeds: [],
      components: [
        { type: ComponentType.Container, accent_color: accentFor(view), components: inside },
      ],
    },
    rest,
  };
}

/**
 * A message that is already Components V2 can only be edited as one (the flag cannot be
 * removed, `content` is refused): `text` as a Text Display, then the button rows, top level.
 */
export function cv2Text(text: string, rows: ButtonRows = []): Cv2Final["body"] {
  return {
    flags: CV2_FLAG,
    content: null,
    embeds: [],
    components: [
      { type: ComponentType.TextDisplay, content: text.trim() === "" ? "…" : text },
      ...rows,
    ],
  };
}

/** Why a final view is not shown as CV2 (a queued or running view has no final). */
export function isFinal(view: RunView | undefined): view is RunView {
  return view !== undefined && ["done", "failed", "cancelled"].includes(view.phase);
}
