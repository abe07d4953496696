/**
 * Characters that draw nothing: white space, control and format characters (zero-width
 * spaces and joiners, bidi marks and isolates, the BOM, soft hyphens), and the fillers
 * that some fonts render blank (Hangul fillers, the braille blank).
 */
// Tag characters (Cf) are left alone: they end subdivision flags such as England's.
const INVISIBLE =
  "(?![\\u{E0020}-\\u{E007F}])[\\s\\p{Cc}\\p{Cf}\\p{Z}\\u115F\\u1160\\u3164\\uFFA0\\u2800]";
const EDGES = new RegExp(`^${INVISIBLE}+|${INVISIBLE}+$`, "gu");

/**
 * `text` without invisible characters at either end, so a question of zero-width or
 * right-to-left marks only is empty like a blank one (help, no model call), while the
 * inside of a real question is left exactly as typed.
 */
export function trimInvisible(text: string): string {
  return text.replace(EDGES, "");
}
