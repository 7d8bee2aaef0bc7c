import { closest, distance } from 'fastest-levenshtein';

/** "did you mean `x`?" when a candidate is close enough to be a likely typo. */
export function didYouMean(given: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  if (list.length === 0 || given.length === 0) return undefined;
  const best = closest(given, list);
  // Short words tolerate one slip; longer ones a transposition (two edits) or a third of their length.
  const allowed = given.length <= 3 ? 1 : Math.max(2, Math.floor(Math.max(given.length, best.length) / 3));
  return distance(given, best) <= allowed ? `did you mean \`${best}\`?` : undefined;
}
