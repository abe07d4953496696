const OPEN = "<think>";
const CLOSE = "</think>";

/**
 * Streaming remover of `<think>...</think>` blocks (DeepSeek-R1, Qwen3 and other
 * reasoning models). Tags may be split across deltas, so a possible tag prefix at
 * the end of a delta is held back until the next one decides it. Leading
 * whitespace of the visible text is dropped, because models put blank lines
 * after the block.
 */
export class ThinkFilter {
  /** Inside a think block. */
  private inside = false;
  /** Held-back tail that may be the start of a tag. */
  private pending = "";
  /** Nothing visible written yet (leading whitespace is still being dropped). */
  private atStart = true;

  /** Feeds one delta; returns the visible text it completes ("" when none). */
  push(delta: string): string {
    // Fast path: most deltas hold no tag at all and need no copy.
    if (!this.inside && this.pending === "" && delta.indexOf("<") === -1)
      return this.visible(delta);
    let buf = this.pending + delta;
    this.pending = "";
    let out = "";
    for (;;) {
      if (this.inside) {
        const end = buf.indexOf(CLOSE);
        if (end === -1) {
          this.pending = partialTagTail(buf, CLOSE);
          return this.visible(out);
        }
        this.inside = false;
        buf = buf.slice(end + CLOSE.length);
      } else {
        const start = buf.indexOf(OPEN);
        if (start === -1) {
          this.pending = partialTagTail(buf, OPEN);
          out += buf.slice(0, buf.length - this.pending.length);
          return this.visible(out);
        }
        out += buf.slice(0, start);
        this.inside = true;
        buf = buf.slice(start + OPEN.length);
      }
    }
  }

  /** Ends the stream: returns held-back text; an unterminated think block is dropped. */
  flush(): string {
    const rest = this.inside ? "" : this.pending;
    this.pending = "";
    return this.visible(rest);
  }

  private visible(text: string): string {
    if (!this.atStart || text === "") return text;
    const trimmed = text.trimStart();
    if (trimmed !== "") this.atStart = false;
    return trimmed;
  }
}

/** Removes every think block from a finished text (also a stray leading `...</think>`). */
export function stripThink(text: string): string {
  // Some providers put the opening tag in the prompt template, so the answer starts inside the block.
  const close = text.indexOf(CLOSE);
  const open = text.indexOf(OPEN);
  const body =
    close !== -1 && (open === -1 || close < open) ? text.slice(close + CLOSE.length) : text;
  const filter = new ThinkFilter();
  return (filter.push(body) + filter.flush()).trimEnd();
}

/** The longest suffix of `buf` that is a proper prefix of `tag` ("" when none). */
function partialTagTail(buf: string, tag: string): string {
  const from = Math.max(0, buf.length - tag.length + 1);
  for (let i = buf.indexOf("<", from); i !== -1; i = buf.indexOf("<", i + 1)) {
    if (tag.startsWith(buf.slice(i))) return buf.slice(i);
  }
  return "";
}
