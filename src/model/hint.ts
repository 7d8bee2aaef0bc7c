import { closest, distance } from 'fastest-levenshtein';

/** "did you mean `x`?" when a candidate is close enough to be a likely typo. */
export function didYouMean(given: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  if (list.length === 0 || given.length === 0) return undefined;
  const best = closest(given, list);
  const allowed = Math.max(1, Math.floor(Math.max(given.length, best.length) / 3));
  return distance(given, best) <= allowed ? `did you mean \`${best}\`?` : undefined;
}
