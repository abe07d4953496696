/**
 * How alike drafts are, cheaply: the Jaccard index of their word sets after normalising
 * (Unicode NFKC, lower case, anything but letters and digits is a separator). 1 = the same
 * words, 0 = none shared. Order and repetition are ignored, so it is a measure of "say the
 * same things", not of wording; O(total length), no model call.
 */
export function tokenSet(text: string): Set<string> {
  return new Set(
    text
      .normalize("NFKC")
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  );
}

/** Jaccard index |A ∩ B| / |A ∪ B| of two token sets (1 when both are empty). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}

/** The least similar pair's Jaccard index over all drafts (1 for fewer than two drafts). */
export function minPairwiseSimilarity(texts: readonly string[]): number {
  const sets = texts.map(tokenSet);
  let min = 1;
  for (let i = 0; i < sets.length; i++)
    for (let j = i + 1; j < sets.length; j++)
      min = Math.min(min, jaccard(sets[i] as Set<string>, sets[j] as Set<string>));
  return min;
}
