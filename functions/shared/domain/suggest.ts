/**
 * "Did you mean …?" for unknown field names and application names.
 */
import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `word` by edit distance, if it is close enough to
 * be a typo (at most a third of the word's length, and at least 1 edit
 * allowed), else `undefined`. Case differences count as one edit in total so
 * `Replication` suggests `replication`.
 */
export function suggest(
  word: string,
  candidates: Iterable<string>,
): string | undefined {
  const budget = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d =
      candidate.toLowerCase() === word.toLowerCase()
        ? 1
        : distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= budget ? best : undefined;
}

/** `; did you mean \`x\`?` for a near miss, else an empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const s = suggest(word, candidates);
  return s === undefined ? '' : `; did you mean \`${s}\`?`;
}
