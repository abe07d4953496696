import { UsageError } from "../errors.js";

/** Typographic quotes that chat clients substitute for `"` while typing. */
const QUOTES = new Set(['"', "\u201C", "\u201D", "\u201E"]);

/**
 * Splits command arguments on whitespace; "double quotes" keep spaces in a value
 * and may sit inside a word (`aggregator="my model"` is one token). Inside quotes
 * `\"` is a literal quote. An unclosed quote is a UsageError pointing at it.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = "";
  let inToken = false;
  let openedAt = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (openedAt >= 0) {
      if (ch === "\\" && i + 1 < text.length && QUOTES.has(text[i + 1] as string)) {
        current += text[++i];
      } else if (QUOTES.has(ch)) {
        openedAt = -1;
      } else {
        current += ch;
      }
    } else if (QUOTES.has(ch)) {
      openedAt = i;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = "";
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (openedAt >= 0) {
    const fragment = text.slice(Math.max(0, openedAt - 20), openedAt + 21).trim();
    throw new UsageError(
      `The quote at character ${openedAt + 1} is never closed (near \`${fragment}\`). ` +
        'Close it after the value, e.g. `aggregator="my model"`.',
    );
  }
  if (inToken) tokens.push(current);
  return tokens;
}

/** The first whitespace-separated word and the rest, both trimmed (no quote handling). */
export function splitWord(text: string): [word: string, rest: string] {
  const trimmed = text.trim();
  const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  return m ? [m[1] as string, m[2] as string] : ["", ""];
}

/** The single argument of `rest` (quotes allowed); otherwise a UsageError with `message`. */
export function oneArgument(rest: string, message: string): string {
  const tokens = tokenize(rest);
  if (tokens.length !== 1) throw new UsageError(message);
  return tokens[0] as string;
}
