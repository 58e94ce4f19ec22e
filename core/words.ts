// Copyright netprog authors. MIT license.
// This module is browser compatible.

/** (API contract; implementation pending.) @module */

/** Splits as Python's `str.split()` with no argument (Python's white-space set). */
export function splitWords(_text: string): string[] {
  throw new Error("not implemented");
}

/** Counts words (Python `str.split()` rule), keys in first-seen order. */
export function countWords(_text: string): Map<string, number> {
  throw new Error("not implemented");
}

/** The `n` most frequent as `[word, count]`, ties in first-seen order. */
export function topWords(_counts: Map<string, number>, _n: number): [string, number][] {
  throw new Error("not implemented");
}

/** The counts as one line of JSON, keys in first-seen order (`{"But":1,...}`). */
export function formatWordCounts(_counts: Map<string, number>): string {
  throw new Error("not implemented");
}

/** Characters as Python's `len` counts them: code points. */
export function countCodePoints(_text: string): number {
  throw new Error("not implemented");
}
