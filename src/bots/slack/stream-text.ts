import { openFence } from "../render-policy.js";

/**
 * The part of a neutralised answer that is safe to stream now. Streamed text cannot be
 * taken back, so a tail that later tokens could still turn into a mention is held back:
 * an unclosed `<` (`<@U1|bob` + `>`), an unfinished entity (`&lt` + `;`) or a trailing
 * `@word` (`@her` + `e`). Neutralising the whole answer again later leaves this prefix as is.
 */
export function streamablePrefix(neutralized: string): string {
  let cut = neutralized.length;
  const lt = neutralized.lastIndexOf("<");
  if (lt >= 0 && neutralized.indexOf(">", lt) < 0) cut = Math.min(cut, lt);
  const amp = neutralized.lastIndexOf("&");
  if (amp >= 0 && neutralized.indexOf(";", amp) < 0) cut = Math.min(cut, amp);
  const at = /@\w*$/.exec(neutralized);
  if (at) cut = Math.min(cut, at.index);
  return neutralized.slice(0, cut);
}

/** A delta cut so the current message stays within its budget: `head` goes in, `tail` starts the continuation. */
export interface RolloverCut {
  /** Text appended to the current message (with a closing fence when the cut is inside one). */
  head: string;
  /** Text that opens the continuation message (re-opening that fence). */
  tail: string;
}

/**
 * Cuts `delta` so that `current + head` fits `budget` chars, at a paragraph, line or space
 * break in the second half of the room when there is one. A code fence open at the cut is
 * closed in `head` and re-opened in `tail`, so both messages render alone; nothing is lost.
 */
export function rolloverCut(current: string, delta: string, budget: number): RolloverCut {
  const room = Math.max(0, budget - current.length - 8);
  let at = room;
  const window = delta.slice(0, room);
  for (const sep of ["\n\n", "\n", " "]) {
    const i = window.lastIndexOf(sep);
    if (i >= room / 2) {
      at = i + sep.length;
      break;
    }
  }
  const head = delta.slice(0, at);
  const tail = delta.slice(at);
  const fence = openFence(current + head);
  if (fence === undefined) return { head, tail };
  const marker = /^[`~]+/.exec(fence)?.[0] ?? "```";
  return { head: `${head}\n${marker}`, tail: `${fence}\n${tail}` };
}
