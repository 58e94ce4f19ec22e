// Copyright netprog authors. MIT license.

import { findHeaderEnd, HeaderEndFinder } from "./find_header_end.ts";
import { assertEquals } from "./_assert.ts";

const encoder = new TextEncoder();

/** The answer by the book's definition, computed on a string, to compare with. */
function expectedIndex(text: string, from = 0): number {
  return text.indexOf("\r\n\r\n", from);
}

const SAMPLES = [
  "",
  "\r\n\r",
  "\r\n\r\n",
  "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody\r\n\r\n",
  "\r\r\n\r\n",
  "\r\n\r\r\n\r\n",
  "\n\r\n\r\n\r\n",
  "HTTP/1.0 200 OK\n\nbare LF only\r\n",
  "x\r\n\rx\r\n\r\n",
  "\r\n\r\n\r\n\r\n",
];

Deno.test("findHeaderEnd returns the index of the first CRLFCRLF or -1", () => {
  for (const text of SAMPLES) {
    assertEquals(findHeaderEnd(encoder.encode(text)), expectedIndex(text));
  }
});

Deno.test("findHeaderEnd starts looking at from", () => {
  const text = "a\r\n\r\nb\r\n\r\nc";
  const bytes = encoder.encode(text);
  for (let from = 0; from <= text.length + 2; from++) {
    assertEquals(findHeaderEnd(bytes, from), expectedIndex(text, from));
  }
  assertEquals(findHeaderEnd(bytes, -6), 6);
});

Deno.test("HeaderEndFinder finds CRLFCRLF straddling every pair of chunk boundaries", () => {
  for (const text of SAMPLES) {
    const bytes = encoder.encode(text);
    const wanted = expectedIndex(text);
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b++) {
        const finder = new HeaderEndFinder();
        let found = -1;
        for (const piece of [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]) {
          const result = finder.push(piece);
          if (found === -1) found = result;
        }
        assertEquals([found, finder.index], [wanted, wanted]);
      }
    }
  }
});

Deno.test("HeaderEndFinder returns -1 until found, then the same offset", () => {
  const finder = new HeaderEndFinder();
  assertEquals(finder.index, -1);
  assertEquals(finder.push(encoder.encode("HTTP/1.1 200 OK\r\n")), -1);
  assertEquals(finder.push(encoder.encode("\r")), -1);
  assertEquals(finder.push(encoder.encode("\nbody\r\n\r\n")), 15);
  assertEquals(finder.push(encoder.encode("\r\n\r\n")), 15);
  assertEquals(finder.index, 15);
});

Deno.test("HeaderEndFinder finds the end of a 64 KiB header fed one byte at a time", () => {
  const text = `HTTP/1.1 200 OK\r\nX: ${"\r\n\r".repeat(20000)}${"a".repeat(5000)}\r\n\r\n`;
  const bytes = encoder.encode(text);
  const finder = new HeaderEndFinder();
  let found = -1;
  for (let i = 0; i < bytes.length && found === -1; i++) {
    found = finder.push(bytes.subarray(i, i + 1));
  }
  assertEquals(found, expectedIndex(text));
  assertEquals(found, bytes.length - 4);
});
