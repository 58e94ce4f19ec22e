// Copyright netprog authors. MIT license.

import { escapeTerminal, TerminalEscaper, TerminalEscaperStream } from "./terminal.ts";
import { assert, assertEquals } from "./_assert.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function shown(bytes: Uint8Array | number[]): string {
  return decoder.decode(
    escapeTerminal(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)),
  );
}

/** Pushes `bytes` cut at `cuts` (sorted offsets) and returns everything written. */
function pushSplit(bytes: Uint8Array, cuts: number[]): Uint8Array {
  const escaper = new TerminalEscaper();
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    parts.push(escaper.push(bytes.subarray(start, cut)).slice());
    start = cut;
  }
  parts.push(escaper.flush());
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}

/** A small seeded generator so that a failure can be replayed. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Checks the promise of the module: nothing in `bytes` can drive a terminal. */
function assertSafe(bytes: Uint8Array): void {
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0d) {
      assert(text.charCodeAt(i + 1) === 0x0a, `lone CR at ${i}`);
      continue;
    }
    assert(code >= 0x20 || code === 0x09 || code === 0x0a, `control 0x${code.toString(16)}`);
    assert(!(code >= 0x7f && code <= 0x9f), `DEL or C1 0x${code.toString(16)}`);
    assert(!(code >= 0x202a && code <= 0x202e) && !(code >= 0x2066 && code <= 0x2069), "bidi");
  }
}

Deno.test("TerminalEscaper passes plain text through as the same bytes", () => {
  const text = encoder.encode("But soft what light\tthrough yonder window breaks\n");
  const escaper = new TerminalEscaper();
  assert(escaper.push(text) === text);
  assertEquals(escaper.flush().length, 0);
});

Deno.test("TerminalEscaper keeps CRLF and well-formed UTF-8 unchanged", () => {
  const text = "HTTP/1.1 200 OK\r\nX: café ü 日本 😀 ₂\r\n\r\nbody\n";
  assertEquals(shown(encoder.encode(text)), text);
});

Deno.test("TerminalEscaper escapes every C0 control but tab and line feed, and DEL", () => {
  for (let byte = 0; byte < 0x20; byte++) {
    const out = shown([0x41, byte, 0x42]);
    if (byte === 0x09 || byte === 0x0a) {
      assertEquals(out, `A${String.fromCharCode(byte)}B`);
    } else {
      assertEquals(out, `A\\x${byte.toString(16).padStart(2, "0")}B`);
    }
  }
  assertEquals(shown([0x7f]), "\\x7f");
});

Deno.test("TerminalEscaper escapes the classic attacks: OSC title, screen clear, CSI, OSC 52", () => {
  assertEquals(
    shown(encoder.encode("\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b]52;c;Y2F0\x07")),
    "\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mred\\x1b]52;c;Y2F0\\x07",
  );
});

Deno.test("TerminalEscaper escapes C1 controls, raw or UTF-8 encoded, and bidi overrides", () => {
  assertEquals(shown([0x9b, 0x32, 0x4a]), "\\x9b2J");
  assertEquals(shown([0xc2, 0x9b, 0x32, 0x4a]), "\\u009b2J");
  assertEquals(shown(encoder.encode("a\u202eb\u2066c\u2069")), "a\\u202eb\\u2066c\\u2069");
  assertEquals(shown(encoder.encode("\u00a0\u2028")), "\u00a0\u2028");
});

Deno.test("TerminalEscaper escapes bytes that are not well-formed UTF-8", () => {
  assertEquals(shown([0xff, 0xfe]), "\\xff\\xfe");
  assertEquals(shown([0xc0, 0xaf]), "\\xc0\\xaf"); // overlong "/"
  assertEquals(shown([0xe0, 0x80, 0x80]), "\\xe0\\x80\\x80"); // overlong
  assertEquals(shown([0xed, 0xa0, 0x80]), "\\xed\\xa0\\x80"); // a surrogate
  assertEquals(shown([0xf4, 0x90, 0x80, 0x80]), "\\xf4\\x90\\x80\\x80"); // past U+10FFFF
  assertEquals(shown([0xe2, 0x82, 0x41]), "\\xe2\\x82A"); // cut short by ASCII
  assertEquals(shown([0xe2, 0x82, 0xe2, 0x82, 0xac]), "\\xe2\\x82€"); // cut short by a lead
  assertEquals(shown([0x63, 0x61, 0x66, 0xe9]), "caf\\xe9"); // latin1
});

Deno.test("TerminalEscaper holds a final CR and an unfinished character until flush", () => {
  const escaper = new TerminalEscaper();
  assertEquals(decoder.decode(escaper.push(encoder.encode("a\r"))), "a");
  assertEquals(decoder.decode(escaper.push(encoder.encode("\nb\r"))), "\r\nb");
  assertEquals(decoder.decode(escaper.push(encoder.encode("c"))), "\\x0dc");
  assertEquals(decoder.decode(escaper.push(new Uint8Array([0xf0, 0x9f, 0x98]))), "");
  assertEquals(decoder.decode(escaper.flush()), "\\xf0\\x9f\\x98");
  assertEquals(escaper.flush().length, 0);
});

Deno.test("TerminalEscaper output is the same for every split of the input", () => {
  const sample = new Uint8Array([
    ...encoder.encode("A\r\n\x1b[2Jé😀"),
    0xc2,
    0x9b,
    0xe2,
    0x80,
    0xae,
    0xff,
    0x0d,
    0xf0,
    0x9f,
    0x98,
    0x80,
    0x0d,
  ]);
  const whole = escapeTerminal(sample);
  for (let a = 0; a <= sample.length; a++) {
    for (let b = a; b <= sample.length; b++) {
      assertEquals(pushSplit(sample, [a, b]), whole);
    }
  }
});

Deno.test("TerminalEscaper output of random bytes is safe, split anywhere", () => {
  const random = lcg(20240611);
  for (let round = 0; round < 400; round++) {
    const length = Math.floor(random() * 64);
    const bytes = new Uint8Array(length);
    // Bias towards the interesting bytes: controls, ESC, CR, LF, UTF-8 leads and continuations.
    const pool = [0x0d, 0x0a, 0x1b, 0x9b, 0xc2, 0xe2, 0xf0, 0x80, 0xbf, 0x41, 0x7f];
    for (let i = 0; i < length; i++) {
      bytes[i] = random() < 0.5 ? pool[Math.floor(random() * pool.length)] : random() * 256;
    }
    const whole = escapeTerminal(bytes);
    assertSafe(whole);
    const cuts = [Math.floor(random() * (length + 1)), Math.floor(random() * (length + 1))]
      .sort((x, y) => x - y);
    assertEquals(pushSplit(bytes, cuts), whole);
  }
});

Deno.test("TerminalEscaper leaves safe text byte-exact", () => {
  const random = lcg(7);
  const alphabet = ["a", " ", "\t", "\n", "\r\n", "é", "€", "😀", "\u00a0", "ß"];
  for (let round = 0; round < 200; round++) {
    let text = "";
    for (let i = random() * 40; i > 0; i--) text += alphabet[Math.floor(random() * 10)];
    const bytes = encoder.encode(text);
    assertEquals(decoder.decode(escapeTerminal(bytes)), text);
  }
});

Deno.test("TerminalEscaperStream escapes across chunks and flushes at the end", async () => {
  const source = ReadableStream.from([
    encoder.encode("ok\r"),
    new Uint8Array([0x0a, 0x1b, 0xe2]),
    new Uint8Array([0x80, 0xae, 0xc3]),
  ]);
  const parts: string[] = [];
  const streamDecoder = new TextDecoder();
  for await (const part of source.pipeThrough(new TerminalEscaperStream())) {
    parts.push(streamDecoder.decode(part, { stream: true }));
  }
  assertEquals(parts.join(""), "ok\r\n\\x1b\\u202e\\xc3");
});
