/**
 * "Did you mean …?" suggestions by edit distance, as BuildKit's util/suggest: the closest option
 * at a Levenshtein distance below 3 wins; an exact match means the value was fine and there is
 * nothing to suggest. BuildKit walks Go maps (random order) to break ties; lade keeps the order
 * of the options given, so its suggestions are stable.
 */

/** Levenshtein distance over code points, all edits costing 1. */
export function editDistance(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  let prev = Array.from({ length: t.length + 1 }, (_, i) => i);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[t.length]!;
}

function matchCase(option: string, original: string): string {
  if (original === original.toLowerCase()) return option.toLowerCase();
  if (original === original.toUpperCase()) return option.toUpperCase();
  return option;
}

/**
 * The closest option to `value`, or undefined. Case-insensitive search compares lower-cased
 * strings and returns the option in the case style of `value` (all lower or all upper).
 */
export function suggest(value: string, options: readonly string[], caseSensitive: boolean): string | undefined {
  const val = caseSensitive ? value : value.toLowerCase();
  let match = '';
  let best = 3;
  for (const raw of options) {
    const option = caseSensitive ? raw : raw.toLowerCase();
    if (option === val) return undefined;
    const distance = editDistance(val, option);
    if (distance < best) {
      match = caseSensitive ? option : matchCase(option, value);
      best = distance;
    }
  }
  return match === '' ? undefined : match;
}

/** `message (did you mean X?)` when there is a suggestion, else `message`. */
export function withSuggestion(message: string, value: string, options: readonly string[], caseSensitive: boolean): string {
  const match = suggest(value, options, caseSensitive);
  return match === undefined ? message : `${message} (did you mean ${match}?)`;
}
