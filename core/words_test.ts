// Copyright netprog authors. MIT license.

import {
  countCodePoints,
  countWords,
  formatWordCounts,
  PYTHON_WHITE_SPACE,
  splitWords,
  topWords,
} from "./words.ts";
import { assert, assertEquals } from "./_assert.ts";

const ROMEO = "But soft what light through yonder window breaks\n" +
  "It is the east and Juliet is the sun\n" +
  "Arise fair sun and kill the envious moon\n" +
  "Who is already sick and pale with grief\n";

Deno.test("splitWords splits on runs of white space and drops empty strings", () => {
  assertEquals(splitWords(""), []);
  assertEquals(splitWords(" \t\r\n "), []);
  assertEquals(splitWords("  a  b\r\nc\n"), ["a", "b", "c"]);
  assertEquals(splitWords("word"), ["word"]);
  assertEquals(splitWords("It's, punctuation-kept!"), ["It's,", "punctuation-kept!"]);
});

Deno.test("splitWords splits on every character of Python's white space", () => {
  for (const space of PYTHON_WHITE_SPACE) {
    const hex = space.codePointAt(0)!.toString(16);
    assertEquals([hex, splitWords(`a${space}b${space}${space}c`)], [hex, ["a", "b", "c"]]);
  }
  assertEquals(PYTHON_WHITE_SPACE.length, 29);
});

Deno.test("splitWords does not split where Python does not", () => {
  // JavaScript's \s includes U+FEFF; Python's isspace() does not. U+200B is a format character.
  for (
    const notSpace of [
      "\ufeff",
      "\u200b",
      "\u180e",
      "\u200c",
      "\u200d",
      "\u2060",
      "\u0000",
      "\u001b",
    ]
  ) {
    assertEquals(splitWords(`a${notSpace}b`), [`a${notSpace}b`]);
  }
});

Deno.test("splitWords keeps astral characters and lone surrogates inside words", () => {
  assertEquals(splitWords("\u{1F600} x\ud800y \udc00"), ["\u{1F600}", "x\ud800y", "\udc00"]);
});

Deno.test("countWords counts romeo.txt in first-seen order, case-sensitive", () => {
  const counts = countWords(ROMEO);
  assertEquals(counts.size, 26);
  assertEquals(counts.get("the"), 3);
  assertEquals(counts.get("is"), 3);
  assertEquals(counts.get("and"), 3);
  assertEquals(counts.get("sun"), 2);
  assertEquals([...counts.keys()].slice(0, 4), ["But", "soft", "what", "light"]);
  assertEquals(countWords("A a A").get("A"), 2);
  assertEquals(countWords("A a A").get("a"), 1);
});

Deno.test("countWords treats constructor, __proto__ and integer-like words as plain words", () => {
  const counts = countWords("__proto__ constructor 10 2 __proto__ toString");
  assertEquals([...counts], [["__proto__", 2], ["constructor", 1], ["10", 1], ["2", 1], [
    "toString",
    1,
  ]]);
});

Deno.test("formatWordCounts writes one line of JSON in first-seen order", () => {
  assertEquals(formatWordCounts(new Map()), "{}");
  assertEquals(
    formatWordCounts(countWords('b 10 "q" __proto__ b \\ \u00e9x')),
    '{"b":2,"10":1,"\\"q\\"":1,"__proto__":1,"\\\\":1,"\u00e9x":1}',
  );
  const romeo = formatWordCounts(countWords(ROMEO));
  assert(romeo.startsWith('{"But":1,"soft":1,"what":1,"light":1,"through":1,'), romeo);
  assert(!romeo.includes(" ") && !romeo.includes("\n"));
  // The line parses back to the same counts.
  const parsed = JSON.parse(romeo) as Record<string, number>;
  assertEquals(Object.keys(parsed).length, 26);
  assertEquals(parsed.the, 3);
});

Deno.test("topWords orders by count, ties in first-seen order", () => {
  const counts = countWords(ROMEO);
  assertEquals(topWords(counts, 5), [["is", 3], ["the", 3], ["and", 3], ["sun", 2], ["But", 1]]);
  assertEquals(topWords(counts, 0), []);
  assertEquals(topWords(counts, 1000).length, 26);
  assertEquals(topWords(counts, Infinity).length, 26);
  assertEquals(topWords(new Map(), 3), []);
});

Deno.test("topWords refuses a count that is negative or not whole", () => {
  for (const n of [-1, 1.5, NaN, -Infinity]) {
    let error: unknown;
    try {
      topWords(new Map([["a", 1]]), n);
    } catch (caught) {
      error = caught;
    }
    assert(error instanceof RangeError, `topWords(${n}) did not throw a RangeError`);
  }
});

Deno.test("countCodePoints counts as Python's len does", () => {
  assertEquals(countCodePoints(""), 0);
  assertEquals(countCodePoints("abc"), 3);
  assertEquals(countCodePoints("caf\u00e9"), 4);
  assertEquals(countCodePoints("cafe\u0301"), 5);
  assertEquals(countCodePoints("\u{1F600}\u{1F600}"), 2);
  assertEquals(countCodePoints("\ud800"), 1);
  assertEquals(countCodePoints("\udc00\ud800"), 2);
  assertEquals(countCodePoints("\ud800\ud800\udc00"), 2);
  assertEquals(countCodePoints("x\ud83d"), 2);
});
