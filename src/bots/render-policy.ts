/** Default minimum gap between two edits of one message, ms (Slack chat.update and Discord edits both tolerate ~1/s). */
export const EDIT_INTERVAL_MS = 1_000;

/** Room kept free in a message for the status/footer lines around the answer. */
export const FOOTER_RESERVE_CHARS = 300;

/** True when a message last edited at `lastEditAt` may be edited again at `now`. */
export function shouldEdit(
  lastEditAt: number | undefined,
  now: number,
  intervalMs: number,
): boolean {
  return lastEditAt === undefined || now - lastEditAt >= intervalMs;
}

/** Milliseconds until the next edit is allowed (0 when allowed now). */
export function editDelay(lastEditAt: number | undefined, now: number, intervalMs: number): number {
  return lastEditAt === undefined ? 0 : Math.max(0, lastEditAt + intervalMs - now);
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})(.*)$/;

/** Where a text is cut: the best break at or before `limit`, preferring paragraph, then line, then space. */
function breakPoint(text: string, limit: number): number {
  if (text.length <= limit) return text.length;
  const window = text.slice(0, limit);
  const floor = Math.floor(limit / 2);
  for (const sep of ["\n\n", "\n", " "]) {
    const at = window.lastIndexOf(sep);
    if (at >= floor) return at + sep.length;
  }
  return limit;
}

/** The code fence still open at the end of `text`, e.g. "```ts", or undefined. */
export function openFence(text: string): string | undefined {
  let open: string | undefined;
  for (const line of text.split("\n")) {
    const m = FENCE.exec(line);
    if (!m) continue;
    const marker = m[1] as string;
    if (open === undefined) open = `${marker}${(m[2] ?? "").trim()}`;
    else if (
      marker[0] === open[0] &&
      marker.length >= openMarkerLength(open) &&
      (m[2] ?? "").trim() === ""
    )
      open = undefined;
  }
  return open;
}

function openMarkerLength(open: string): number {
  let n = 0;
  while (open[n] === open[0]) n++;
  return n;
}

/**
 * Splits text into chunks of at most `limit` chars, on paragraph or line boundaries
 * where possible. A code fence cut by a split is closed at the end of its chunk and
 * re-opened (same language) at the start of the next, so each chunk renders alone.
 * Nothing is lost: removing the added fence lines gives back the input.
 */
export function splitForLimit(text: string, limit: number): string[] {
  if (limit < 40) throw new RangeError("limit too small to split with fences");
  const chunks: string[] = [];
  let rest = text;
  let reopen = "";
  while (rest.length > 0) {
    const prefix = reopen ? `${reopen}\n` : "";
    // Reserve room for a closing fence in case this chunk ends inside one.
    const budget = Math.max(
      20,
      limit - prefix.length - 4 - (reopen ? openMarkerLength(reopen) : 3),
    );
    const cut = rest.length + prefix.length <= limit ? rest.length : breakPoint(rest, budget);
    let body = prefix + rest.slice(0, cut);
    rest = rest.slice(cut);
    const fence = openFence(body);
    if (fence !== undefined && rest.length > 0) {
      const closer = fence.slice(0, openMarkerLength(fence));
      body = `${body.endsWith("\n") ? body : `${body}\n`}${closer}`;
      reopen = fence;
    } else {
      reopen = "";
    }
    chunks.push(body);
  }
  return chunks.length > 0 ? chunks : [""];
}

/** Thread name from a question: one line, 1..100 chars. */
export function threadName(question: string): string {
  const line = question.replace(/\s+/g, " ").trim() || "MoA drafts";
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
