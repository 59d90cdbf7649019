// "Did you mean" suggestions for unknown names, by edit distance.
import { distance } from 'fastest-levenshtein';

/** Up to `max` known names closest to `name`, nearest first; only reasonably close ones. */
export function closestNames(name: string, known: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.ceil(name.length / 2));
  return [...known]
    .map((k) => ({ k, d: k.startsWith(name) || name.startsWith(k) ? 1 : distance(name, k) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, max)
    .map((x) => x.k);
}

export function didYouMean(name: string, known: Iterable<string>): string {
  const c = closestNames(name, known);
  return c.length ? `did you mean ${c.map((s) => `'${s}'`).join(' or ')}?` : 'no similar name exists';
}
