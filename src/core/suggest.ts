import { closest, distance } from 'fastest-levenshtein';

/** The known name a typo most likely meant, if it is close enough to be a typo. */
export function suggest(typed: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(typed, [...known]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return distance(typed.toLowerCase(), best.toLowerCase()) <= limit ? best : undefined;
}

/** `unknown field "x"; did you mean "y"?`, or the known names when nothing is close. */
export function unknownNameMessage(name: string, known: readonly string[], what = 'field'): string {
  const guess = suggest(name, known);
  return `unknown ${what} "${name}"${guess ? `; did you mean "${guess}"?` : ` (known: ${known.join(', ')})`}`;
}
