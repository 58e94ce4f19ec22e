// Copyright netprog authors. MIT license.

// Property tests of the core ResponseParser: random valid responses split anywhere parse as
// generated and as the whole input does; mutated ones parse or throw the parser's own typed
// errors, never anything else, never hang; memory stays bounded whatever the input size.
// The seed is fixed here; `deno task fuzz --cases N --seed S` runs longer.

import assert from "node:assert/strict";
import { HeaderTooLargeError, ResponseParser } from "../mod.ts";
import { feed, generateResponse, Random, runFuzzWatched } from "./fuzz.ts";

const SEED = 20_240_611;
const CASES = 3000;

Deno.test(`ResponseParser survives ${CASES} fuzz cases (seed ${SEED}): valid, split, mutated`, async () => {
  const report = await runFuzzWatched(SEED, CASES, 20_000);
  const shown = report.failures.slice(0, 5).map((failure) =>
    `case ${failure.index} [${failure.property}]: ${failure.detail}\n  ${failure.cutCount} cuts ${
      JSON.stringify(failure.cuts)
    }\n  input ${failure.hex.slice(0, 600)}`
  ).join("\n");
  assert.equal(report.failures.length, 0, `${report.failures.length} failures:\n${shown}`);
  assert.equal(report.cases, CASES);
  // The mutations must reach both outcomes, or the property says little.
  assert(report.mutantsParsed > CASES / 20, `only ${report.mutantsParsed} mutants parsed`);
  const rejected = Object.values(report.rejections).reduce((sum, n) => sum + n, 0);
  assert(rejected > CASES / 10, `only ${rejected} mutants rejected`);
});

Deno.test("fuzz generator replays a case exactly from its seed", () => {
  const a = generateResponse(new Random(42));
  const b = generateResponse(new Random(42));
  assert.deepEqual(a.bytes, b.bytes);
  assert.notDeepEqual(generateResponse(new Random(43)).bytes, a.bytes);
});

Deno.test("ResponseParser parses a valid response fed one byte at a time as in one piece", () => {
  const random = new Random(SEED);
  for (let i = 0; i < 40; i++) {
    const response = generateResponse(random);
    const cuts = Array.from({ length: response.bytes.length - 1 }, (_, k) => k + 1);
    assert.deepEqual(feed(response.bytes, cuts), feed(response.bytes, []));
  }
});

/** Heap in use after a collection, when the runtime offers one. */
function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Deno.memoryUsage().heapUsed;
}

Deno.test("ResponseParser streams a 256 MiB body with flat memory (Content-Length and chunked)", () => {
  const block = new Uint8Array(1 << 16).fill(0x61);
  const size = 256 * 1024 * 1024;
  for (const chunked of [false, true]) {
    let received = 0;
    const parser = new ResponseParser({ onBody: (chunk) => void (received += chunk.length) });
    const head = chunked
      ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      : `HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`;
    parser.push(new TextEncoder().encode(head));
    const before = heapUsed();
    let peak = before;
    const sizeLine = new TextEncoder().encode(`${block.length.toString(16)}\r\n`);
    const crlf = new TextEncoder().encode("\r\n");
    for (let sent = 0; sent < size; sent += block.length) {
      if (chunked) parser.push(sizeLine);
      parser.push(block);
      if (chunked) parser.push(crlf);
      if (sent % (32 << 20) === 0) peak = Math.max(peak, Deno.memoryUsage().heapUsed);
    }
    if (chunked) parser.push(new TextEncoder().encode("0\r\n\r\n"));
    parser.finish();
    assert(parser.complete);
    assert.equal(received, size);
    const grown = peak - before;
    assert(grown < 32 * 1024 * 1024, `heap grew by ${grown} bytes while streaming`);
  }
});

Deno.test("ResponseParser stops an endless header block at the limit, holding no more than it", () => {
  for (const line of ["X-Fill: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", "x".repeat(1000)]) {
    const parser = new ResponseParser();
    const bytes = new TextEncoder().encode(line);
    let pushed = 0;
    let error: unknown = null;
    try {
      parser.push(new TextEncoder().encode("HTTP/1.1 200 OK\r\n"));
      while (pushed < 16 * 1024 * 1024) {
        parser.push(bytes);
        pushed += bytes.length;
      }
    } catch (caught) {
      error = caught;
    }
    assert(error instanceof HeaderTooLargeError, `got ${error}`);
    assert(pushed <= 65536 + bytes.length, `accepted ${pushed} header bytes`);
  }
});

Deno.test("ResponseParser stops an endless trailer block at the limit", () => {
  const parser = new ResponseParser();
  const trailer = new TextEncoder().encode("X-Trailer: 0123456789\r\n");
  let pushed = 0;
  let error: unknown = null;
  try {
    parser.push(
      new TextEncoder().encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"),
    );
    while (pushed < 16 * 1024 * 1024) {
      parser.push(trailer);
      pushed += trailer.length;
    }
  } catch (caught) {
    error = caught;
  }
  assert(error instanceof HeaderTooLargeError, `got ${error}`);
  assert(pushed <= 65536 + trailer.length, `accepted ${pushed} trailer bytes`);
});
