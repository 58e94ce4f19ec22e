// Copyright netprog authors. MIT license.

/**
 * The core's Python semantics checked against Python itself: `str.split()`,
 * `str.isspace()`, `len` and `re.findall` with the book's pattern, on inputs
 * built to hit the differences between JavaScript and Python.
 */

import assert from "node:assert/strict";
import { countCodePoints, PYTHON_WHITE_SPACE, splitWords } from "../core/words.ts";
import { BOOK_LINK_PATTERN, extractLinksRegex } from "../core/links.ts";

const PROGRAM = `
import json, re, sys
cases = json.loads(sys.stdin.read())
pattern = cases["pattern"]
print(json.dumps({
  "space": "".join(chr(c) for c in range(0x110000) if chr(c).isspace()),
  "split": [s.split() for s in cases["texts"]],
  "len": [len(s) for s in cases["texts"]],
  "findall": [re.findall(pattern, s) for s in cases["texts"]],
}))
`;

/** Runs the program above in python3 with `input` as JSON on stdin. */
async function python(input: unknown): Promise<{
  space: string;
  split: string[][];
  len: number[];
  findall: string[][];
}> {
  const child = new Deno.Command("python3", {
    args: ["-c", PROGRAM],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const output = await child.output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

const PIECES = [
  " ",
  "\t",
  "\n",
  "\r",
  "\r\n",
  "\x0b",
  "\x0c",
  "\x1c",
  "\x1d",
  "\x1e",
  "\x1f",
  "\x85",
  "\xa0",
  "\u1680",
  "\u2000",
  "\u2007",
  "\u200a",
  "\u200b",
  "\u2028",
  "\u2029",
  "\u202f",
  "\u205f",
  "\u3000",
  "\ufeff",
  "\u180e",
  "\x00",
  "\x1b",
  "\ud800",
  "\udc00",
  "\u{1F600}",
  "é",
  "e\u0301",
  "word",
  "10",
  "__proto__",
  'href="',
  'href="http://',
  'href="https://',
  "http://a",
  '"',
  ">",
  "HREF=",
  "x",
];

function generatedTexts(count: number): string[] {
  const next = random(20260709);
  return Array.from({ length: count }, () => {
    let text = "";
    const length = Math.floor(next() * 30);
    for (let i = 0; i < length; i++) text += PIECES[Math.floor(next() * PIECES.length)];
    return text;
  });
}

const HAND_WRITTEN = [
  "",
  "But soft what light through yonder window breaks\n",
  '<a href="http://a.org/x">x</a>\r\n<a href="https://b.org/\r">y</a>',
  'href="http://a\nb" href="http://c\u2028d" href="http://e\u2029f"',
  'href="http://x" href="http://x"',
  'href="http://a>b</a><a href="http://c"',
  "a\ufeffb c\u200bd e\u00a0f",
];

Deno.test("python semantics: splitWords, countCodePoints and extractLinksRegex agree with python3", async () => {
  const texts = [...HAND_WRITTEN, ...generatedTexts(400)];
  const expected = await python({ pattern: BOOK_LINK_PATTERN, texts });
  assert.equal(
    PYTHON_WHITE_SPACE,
    expected.space,
    "the white-space set differs from str.isspace()",
  );
  texts.forEach((text, i) => {
    const shown = JSON.stringify(text);
    assert.deepEqual(splitWords(text), expected.split[i], `split of ${shown}`);
    assert.equal(countCodePoints(text), expected.len[i], `len of ${shown}`);
    assert.deepEqual(extractLinksRegex(text), expected.findall[i], `findall on ${shown}`);
  });
});
