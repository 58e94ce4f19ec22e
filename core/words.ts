// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * Words as the book counts them: Python's `str.split()` with no argument,
 * which splits on runs of Unicode white space as Python defines it, keeps
 * punctuation and case, and drops empty strings; and characters as Python's
 * `len` counts them.
 *
 * @module
 */

/**
 * The characters for which Python's `str.isspace()` is true: tab, line feed,
 * vertical tab, form feed, carriage return, the four information separators
 * U+001C to U+001F, space, U+0085, U+00A0, U+1680, U+2000 to U+200A, U+2028,
 * U+2029, U+202F, U+205F and U+3000. Not U+FEFF nor U+200B, which
 * JavaScript's `\s` includes or Unicode calls format characters.
 *
 * @example No-break space splits, zero-width space does not
 * ```ts
 * import { PYTHON_WHITE_SPACE } from "@netprog/netprog";
 * import { assert } from "./_assert.ts";
 *
 * assert(PYTHON_WHITE_SPACE.includes("\u00a0"));
 * assert(!PYTHON_WHITE_SPACE.includes("\u200b") && !PYTHON_WHITE_SPACE.includes("\ufeff"));
 * ```
 */
export const PYTHON_WHITE_SPACE: string =
  "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005" +
  "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

/**
 * Whether a UTF-16 unit is white space for Python's `str.isspace()`: one of
 * {@linkcode PYTHON_WHITE_SPACE}.
 *
 * @param unit A UTF-16 code unit, as `charCodeAt` gives it.
 * @returns True for Python's white space.
 *
 * @example The information separators are white space, U+FEFF is not
 * ```ts
 * import { isPythonSpace } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * assertEquals(["\x1c", "\u3000", "\ufeff", "a"].map((c) => isPythonSpace(c.charCodeAt(0))), [
 *   true,
 *   true,
 *   false,
 *   false,
 * ]);
 * ```
 */
export function isPythonSpace(unit: number): boolean {
  return unit < SPACE_TABLE.length && SPACE_TABLE[unit] === 1;
}

/** {@linkcode PYTHON_WHITE_SPACE} as a table by UTF-16 unit (U+3000 is the highest). */
const SPACE_TABLE = new Uint8Array(0x3001);
for (const space of PYTHON_WHITE_SPACE) SPACE_TABLE[space.charCodeAt(0)] = 1;

/** A run of characters that are not {@linkcode PYTHON_WHITE_SPACE}. */
// None of the white space is special inside a character class.
const WORD = new RegExp(`[^${PYTHON_WHITE_SPACE}]+`, "g");

/**
 * Splits as Python's `str.split()` with no argument: on runs of Python's
 * white space ({@linkcode PYTHON_WHITE_SPACE}), with no empty strings.
 *
 * @param text The text to split.
 * @returns The words in order.
 *
 * @example Splitting the book's first line
 * ```ts
 * import { splitWords } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * assertEquals(splitWords("  But soft what light\u00a0through\r\n"), [
 *   "But",
 *   "soft",
 *   "what",
 *   "light",
 *   "through",
 * ]);
 * assertEquals(splitWords("a\ufeffb c\u200bd"), ["a\ufeffb", "c\u200bd"]);
 * ```
 */
export function splitWords(text: string): string[] {
  return text.match(WORD) ?? [];
}

/**
 * Counts words (split as {@linkcode splitWords} splits), case-sensitive,
 * punctuation kept.
 *
 * @param text The text to count.
 * @returns Each word with its count, keys in first-seen order.
 *
 * @example Counting words
 * ```ts
 * import { countWords } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * assertEquals(
 *   countWords("the cat the Cat 10 __proto__"),
 *   new Map([["the", 2], ["cat", 1], ["Cat", 1], ["10", 1], ["__proto__", 1]]),
 * );
 * ```
 */
export function countWords(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of splitWords(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/**
 * The `n` most frequent words, most frequent first; words with the same
 * count stay in first-seen order.
 *
 * @param counts From {@linkcode countWords}.
 * @param n How many to keep: a whole number from 0 (`Infinity` keeps all).
 * @returns Up to `n` pairs `[word, count]`.
 * @throws {RangeError} When `n` is negative or not a whole number.
 *
 * @example Ties keep their first-seen order
 * ```ts
 * import { countWords, topWords } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const counts = countWords("b a c a b d");
 * assertEquals(topWords(counts, 3), [["b", 2], ["a", 2], ["c", 1]]);
 * ```
 */
export function topWords(counts: Map<string, number>, n: number): [string, number][] {
  if (!(n >= 0) || (!Number.isInteger(n) && n !== Infinity)) {
    throw new RangeError(`Cannot take the top ${n} words: expected a whole number from 0`);
  }
  // Array.prototype.sort is stable, and a Map iterates in insertion order.
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n);
}

/**
 * The counts as one line of JSON, keys in first-seen order, written exactly
 * as `JSON.stringify` writes an object (no spaces). The line is built from
 * the map by hand, because a plain object would put integer-like keys such as
 * `"10"` first and treat `"__proto__"` specially.
 *
 * @param counts From {@linkcode countWords}.
 * @returns The JSON object, without a newline.
 *
 * @example Integer-like words keep their place
 * ```ts
 * import { countWords, formatWordCounts } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * assertEquals(formatWordCounts(countWords('But 10 "soft" But')), '{"But":2,"10":1,"\\"soft\\"":1}');
 * ```
 */
export function formatWordCounts(counts: Map<string, number>): string {
  const parts: string[] = [];
  for (const [word, count] of counts) {
    parts.push(`${JSON.stringify(word)}:${JSON.stringify(count)}`);
  }
  return `{${parts.join(",")}}`;
}

/**
 * Characters as Python's `len` counts them: code points, so a character
 * outside the Basic Multilingual Plane (a surrogate pair) counts 1, and a
 * lone surrogate counts 1 too.
 *
 * @param text The text to measure.
 * @returns The number of code points.
 *
 * @example Counting an emoji as one character
 * ```ts
 * import { countCodePoints } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * assertEquals("h\u00e9\u{1F600}".length, 4);
 * assertEquals(countCodePoints("h\u00e9\u{1F600}"), 3);
 * assertEquals(countCodePoints("\ud800x\udc00"), 3);
 * ```
 */
export function countCodePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}
