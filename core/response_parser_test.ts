// Copyright netprog authors. MIT license.

import { HeaderList, parseResponse, ResponseParser } from "./response_parser.ts";
import type { ResponseHead, ResponseParserOptions } from "./response_parser.ts";
import { HeaderTooLargeError, HttpSyntaxError } from "./errors.ts";
import { assert, assertEquals } from "./_assert.ts";
import {
  expectedOutcome,
  feedSplit,
  fixtureOptions,
  loadHttpFixtures,
  scanSplits,
} from "../tests/_scan.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytesOf = (text: string) => encoder.encode(text);

/** Latin-1 bytes of `text` (each char one byte), so tests can hold any byte. */
function raw(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/** Runs `body`, which must throw an HttpSyntaxError; returns it. */
function syntaxError(body: () => unknown): HttpSyntaxError {
  try {
    body();
  } catch (error) {
    if (error instanceof HttpSyntaxError) return error;
    throw error;
  }
  throw new Error("Expected an HttpSyntaxError, nothing was thrown");
}

function parseError(text: string, options?: ResponseParserOptions): HttpSyntaxError {
  return syntaxError(() => parseResponse(raw(text), options));
}

function bodyText(text: string, options?: ResponseParserOptions): string {
  return decoder.decode(parseResponse(raw(text), options).body);
}

const OK = "HTTP/1.1 200 OK\r\n";

// Status line

Deno.test("parseResponse reads version, status and reason", () => {
  const response = parseResponse(raw("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
  assertEquals(response.version, "HTTP/1.0");
  assertEquals(response.status, 404);
  assertEquals(response.reason, "Not Found");
  assertEquals(response.headerLength, 45);
});

Deno.test("parseResponse accepts a missing and an empty reason", () => {
  assertEquals(parseResponse(raw("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n")).reason, "");
  assertEquals(parseResponse(raw("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n")).reason, "");
});

Deno.test("parseResponse rejects a bad status line with code, offset and an escaped excerpt", () => {
  const error = parseError("HTTP/x 2\r\n\r\n");
  assertEquals(error.code, "BAD_STATUS_LINE");
  assertEquals(error.offset, 5);
  assertEquals(error.message, 'Cannot parse status line: "HTTP/x" is not HTTP/1.x');
  const full = parseError("HTTP/1.1 2000\r\n\r\n");
  assertEquals([full.code, full.offset], ["BAD_STATUS_LINE", 0]);
  assertEquals(full.message, 'Cannot parse status line: "HTTP/1.1 2000"');
  assertEquals(parseError("HTTP/1.1 099 Low\r\n\r\n").code, "BAD_STATUS_LINE");
  assertEquals(parseError("HTTP/2 200 OK\r\n\r\n").code, "BAD_STATUS_LINE");
  assertEquals(parseError("HTTP/1.1 200OK\r\n\r\n").code, "BAD_STATUS_LINE");
  // A line of white space is not an empty line: it is not skipped.
  assertEquals(parseError(" \r\nHTTP/1.1 200 OK\r\n\r\n").code, "BAD_STATUS_LINE");
  const escaped = parseError(`HTTP/1.1 20\x01 "x"\r\n\r\n`);
  assertEquals(escaped.message, 'Cannot parse status line: "HTTP/1.1 20\\x01 \\"x\\""');
});

Deno.test("ResponseParser rejects a response that is not HTTP at its first wrong byte", () => {
  const parser = new ResponseParser();
  const error = syntaxError(() => parser.push(bytesOf("<html>")));
  assertEquals([error.code, error.offset], ["BAD_STATUS_LINE", 0]);
});

Deno.test("parseResponse shortens a long excerpt in an error message", () => {
  const error = parseError(`HTTP/1.1 200 OK\r\nNo colon ${"x".repeat(100)}\r\n\r\n`);
  assertEquals(
    error.message,
    `Cannot parse header line without a colon: "No colon ${"x".repeat(31)}..."`,
  );
});

// Headers

Deno.test("parseResponse keeps header names as sent, order and duplicates, trims values", () => {
  const response = parseResponse(
    raw(`${OK}X-A:  one \r\nx-a:\ttwo\t\r\nSet-Cookie: s=1\r\nContent-Length: 0\r\n\r\n`),
  );
  assertEquals(response.headers.entries, [
    ["X-A", "one"],
    ["x-a", "two"],
    ["Set-Cookie", "s=1"],
    ["Content-Length", "0"],
  ]);
  assertEquals(response.headers.get("X-a"), "one, two");
  assertEquals(response.headers.getAll("X-A"), ["one", "two"]);
  assert(response.headers.has("SET-COOKIE"));
  assert(!response.headers.has("X-B"));
  assertEquals(response.headers.get("X-B"), null);
});

Deno.test("HeaderList works on entries given directly", () => {
  const list = new HeaderList([["A", "1"]]);
  assertEquals(list.get("a"), "1");
  assertEquals(new HeaderList().getAll("a"), []);
});

Deno.test("parseResponse decodes header values as latin1, body bytes untouched", () => {
  const response = parseResponse(raw(`${OK}Server: caf\xe9\r\nContent-Length: 2\r\n\r\n\xe9\xff`));
  assertEquals(response.headers.get("server"), "caf\u00e9");
  assertEquals(Array.from(response.body), [0xe9, 0xff]);
});

// Obsolete line folding was rejected until RFC 9112 §5.2 was followed: a user agent that
// receives it in a response must replace each fold with spaces before reading the value (the
// option to reject is the server's and the proxy's), so a fold now joins the field before it.

Deno.test("parseResponse replaces each obsolete line fold with one space", () => {
  const text =
    `${OK}A: b\r\n c\r\n\t \td \t\r\nB:\r\n  e\r\nC: f\r\n \r\nContent-Length: 0\r\n\r\n`;
  const response = parseResponse(raw(text));
  assertEquals(response.headers.entries, [
    ["A", "b c d"],
    ["B", "e"],
    ["C", "f"],
    ["Content-Length", "0"],
  ]);
  assertEquals(response.headerLength, text.length);
  // Bare LF line ends fold the same way.
  assertEquals(parseResponse(raw(`${OK}A: b\n c\nContent-Length: 0\n\n`)).headers.get("a"), "b c");
});

Deno.test("parseResponse reads framing from folded fields and folds trailers", () => {
  const chunked =
    `${OK}Transfer-Encoding: gzip,\r\n chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\t2\r\n\r\n`;
  const response = parseResponse(raw(chunked));
  assertEquals([response.framing, decoder.decode(response.body)], ["chunked", "abc"]);
  assertEquals(response.trailers.entries, [["T", "1 2"]]);
  assertEquals(bodyText(`${OK}Content-Length:\r\n 3\r\n\r\nabcdef`), "abc");
  assertEquals(parseError(`${OK}Content-Length: 1\r\n 2\r\n\r\nabc`).code, "BAD_CONTENT_LENGTH");
});

Deno.test("ResponseParser rejects white space at the start of the first field line at once", () => {
  // RFC 9112 §2.2: white space between the start line and the first field may be rejected;
  // there is no field for it to continue. The same holds for the first trailer line.
  const head = `${OK} Host: foo\r\n\r\n`;
  const error = parseError(head);
  assertEquals([error.code, error.offset], ["OBS_FOLD", OK.length]);
  assertEquals(
    error.message,
    "Cannot accept white space at the start of the first header line (right after the status " +
      "line): there is no field to continue",
  );
  const parser = new ResponseParser();
  const early = syntaxError(() => parser.push(raw(`${OK}\t`)));
  assertEquals([early.code, early.offset, early.message], [
    error.code,
    error.offset,
    error.message,
  ]);
  const trailer = `${OK}Transfer-Encoding: chunked\r\n\r\n0\r\n T: 1\r\n\r\n`;
  const late = parseError(trailer);
  assertEquals([late.code, late.offset], ["OBS_FOLD", trailer.indexOf(" T")]);
  const interim = `HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${OK} X: 1\r\n\r\n`;
  assertEquals(parseError(interim).offset, interim.indexOf(" X"));
});

// Empty lines before a status line were rejected until the parser followed llhttp and the
// browsers (RFC 9112 §2.2 asks the same robustness of a server reading a request line): they
// are skipped, counted against maxHeaderSize so that they cannot run forever.

Deno.test("parseResponse skips empty lines before the status line", () => {
  for (const lead of ["\r\n", "\n", "\r\n\n\r\n"]) {
    const head = `${OK}Content-Length: 2\r\n\r\n`;
    const response = parseResponse(raw(`${lead}${head}hi`));
    assertEquals([response.status, decoder.decode(response.body)], [200, "hi"]);
    assertEquals(response.headerLength, head.length);
  }
  const bad = parseError("\r\nHTTP/x 200\r\n\r\n");
  assertEquals([bad.code, bad.offset], ["BAD_STATUS_LINE", 7]);
  assertEquals(parseError("\r\r\nHTTP/1.1 200 OK\r\n\r\n").code, "BARE_CR");
  const cut = parseError("\r\n\r\n");
  assertEquals([cut.code, cut.offset], ["TRUNCATED_HEAD", 4]);
});

Deno.test("ResponseParser skips empty lines after an interim response and between responses", () => {
  const interim: number[] = [];
  const parser = new ResponseParser({ onInformational: (head) => void interim.push(head.status) });
  const text = "HTTP/1.1 100 Continue\r\n\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n\r\nHTTP/1.1";
  const first = text.indexOf("\r\nHTTP/1.1", 30);
  assertEquals(parser.push(raw(text)), first);
  assertEquals([interim, parser.head?.status, parser.head?.headerLength], [[100], 304, 29]);
  // The next response on the connection starts after the empty line.
  const next = new ResponseParser();
  assertEquals(next.push(raw(text.slice(first))), text.length - first);
  next.push(raw(" 200 OK\r\nContent-Length: 0\r\n\r\n"));
  assertEquals([next.complete, next.head?.status], [true, 200]);
});

Deno.test("ResponseParser counts skipped empty lines against maxHeaderSize", () => {
  const head = `${OK}Content-Length: 0\r\n\r\n`;
  const limit = { maxHeaderSize: head.length + 2 };
  assertEquals(parseResponse(raw(`\r\n${head}`), limit).status, 200);
  assertEquals(syntaxOrLimit(() => parseResponse(raw(`\r\n\n${head}`), limit)), {
    name: "HeaderTooLargeError",
    offset: head.length + 2,
  });
  // An endless stream of empty lines ends at the limit, one byte at a time or in one piece.
  const endless = raw("\r\n".repeat(40000));
  const parser = new ResponseParser();
  let caught: unknown = null;
  try {
    for (let i = 0; i < endless.length; i += 1000) parser.push(endless.subarray(i, i + 1000));
  } catch (error) {
    caught = error;
  }
  assert(caught instanceof HeaderTooLargeError, `got ${caught}`);
  assertEquals(caught.offset, 65536);
  assertEquals(syntaxOrLimit(() => parseResponse(endless)), {
    name: "HeaderTooLargeError",
    offset: 65536,
  });
});

Deno.test("folds and empty lines parse the same at every split point", () => {
  const texts = [
    `\r\n\n${OK}A: b\r\n c\r\n\td\r\nContent-Length: 1\r\n\r\nx`,
    `HTTP/1.1 100 Continue\r\n\r\n\n\r\n${OK}Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nT: 1\r\n 2\r\n\r\n`,
    `\n${OK} A: b\r\n\r\n`,
    `${OK}Transfer-Encoding: chunked\r\n\r\n0\r\n\tT: 1\r\n\r\n`,
  ];
  for (const text of texts) scanSplits(raw(text));
  for (const size of [10, 30, 60]) scanSplits(raw(texts[0]), { maxHeaderSize: size });
});

Deno.test("parseResponse rejects invalid header names at the bad byte", () => {
  for (const name of ["Bad Name", "Name ", "N(a)me", "N\x7fme", "N\xe9me", 'Na"me']) {
    const text = `${OK}${name}: x\r\n\r\n`;
    const error = parseError(text);
    assertEquals(error.code, "BAD_HEADER_NAME");
    const bad = [...name].findIndex((char) => !/[A-Za-z]/.test(char));
    assertEquals(error.offset, OK.length + bad);
  }
  assertEquals(parseError(`${OK}: empty name\r\n\r\n`).code, "BAD_HEADER_NAME");
});

Deno.test("parseResponse rejects a header line without a colon", () => {
  const error = parseError(`${OK}Nothing here\r\n\r\n`);
  assertEquals([error.code, error.offset], ["MISSING_COLON", OK.length]);
});

Deno.test("parseResponse rejects a NUL and a bare CR in the head", () => {
  const nul = `${OK}A: b\x00\r\n\r\n`;
  assertEquals([parseError(nul).code, parseError(nul).offset], ["NUL_BYTE", nul.indexOf("\x00")]);
  const cr = `${OK}A: b\rc: d\r\n\r\n`;
  assertEquals([parseError(cr).code, parseError(cr).offset], ["BARE_CR", cr.indexOf("\rc")]);
  assertEquals(parseError("HTTP/1.1 200 OK\r\r\n\r\n").code, "BARE_CR");
  assertEquals(parseError("HTTP/1.1 200\x00OK\r\n\r\n").code, "NUL_BYTE");
});

Deno.test("parseResponse accepts bare LF line ends and mixed line ends", () => {
  const response = parseResponse(raw("HTTP/1.1 200 OK\nA: 1\r\nContent-Length: 2\n\r\nhi"));
  assertEquals(response.headers.entries, [["A", "1"], ["Content-Length", "2"]]);
  assertEquals(response.headerLength, 42);
  assertEquals(decoder.decode(response.body), "hi");
});

// Size limit

Deno.test("ResponseParser accepts a 64 KiB head fed one byte at a time", () => {
  const start = `${OK}X-Fill: `;
  const end = "\r\nContent-Length: 1\r\n\r\n";
  const head = bytesOf(start + "a".repeat(65536 - start.length - end.length) + end);
  assertEquals(head.length, 65536);
  const parts: number[] = [];
  const parser = new ResponseParser({ onBody: (chunk) => parts.push(...chunk) });
  const whole = new Uint8Array([...head, 0x21]);
  for (let i = 0; i < whole.length; i++) assertEquals(parser.push(whole.subarray(i, i + 1)), 1);
  assert(parser.complete);
  assertEquals(parser.head?.headerLength, 65536);
  assertEquals(parser.head?.headers.get("x-fill")?.length, 65536 - start.length - end.length);
  assertEquals(parts, [0x21]);
});

Deno.test("ResponseParser throws HeaderTooLargeError at byte 65536 of a 64 KiB + 1 head", () => {
  const start = `${OK}X-Fill: `;
  const end = "\r\nContent-Length: 1\r\n\r\n";
  const head = bytesOf(start + "a".repeat(65537 - start.length - end.length) + end);
  const parser = new ResponseParser();
  let caught: unknown = null;
  let fed = 0;
  try {
    for (; fed < head.length; fed++) parser.push(head.subarray(fed, fed + 1));
  } catch (error) {
    caught = error;
  }
  assert(caught instanceof HeaderTooLargeError, `got ${caught}`);
  assert(caught instanceof RangeError);
  assertEquals([caught.offset, caught.limit, fed], [65536, 65536, 65536]);
  // One push of the whole head stops at the same byte.
  const once = syntaxOrLimit(() => parseResponse(head));
  assertEquals(once, { name: "HeaderTooLargeError", offset: 65536 });
});

function syntaxOrLimit(body: () => unknown): { name: string; offset: number } | null {
  try {
    body();
  } catch (error) {
    if (error instanceof HeaderTooLargeError || error instanceof HttpSyntaxError) {
      return { name: error.name, offset: error.offset };
    }
    throw error;
  }
  return null;
}

Deno.test("ResponseParser applies maxHeaderSize to the head, each interim head, and trailers", () => {
  const head = `${OK}Content-Length: 0\r\n\r\n`;
  assertEquals(parseResponse(raw(head), { maxHeaderSize: head.length }).status, 200);
  assertEquals(syntaxOrLimit(() => parseResponse(raw(head), { maxHeaderSize: head.length - 1 })), {
    name: "HeaderTooLargeError",
    offset: head.length - 1,
  });
  const interim = "HTTP/1.1 100 Continue\r\n\r\n";
  const both = raw(interim + head);
  assertEquals(parseResponse(both, { maxHeaderSize: head.length }).status, 200);
  const chunkedHead = `${OK}Transfer-Encoding: chunked\r\n\r\n`;
  const trailers = `A: ${"1".repeat(100)}\r\n\r\n`;
  const message = raw(`${chunkedHead}0\r\n${trailers}`);
  const fits = parseResponse(message, { maxHeaderSize: trailers.length });
  assertEquals(fits.trailers.get("a"), "1".repeat(100));
  assertEquals(
    syntaxOrLimit(() => parseResponse(message, { maxHeaderSize: trailers.length - 1 })),
    { name: "HeaderTooLargeError", offset: chunkedHead.length + 3 + trailers.length - 1 },
  );
});

Deno.test("ResponseParser rejects a maxHeaderSize that is not a positive whole number", () => {
  for (const bad of [0, -1, 1.5, NaN]) {
    let caught: unknown = null;
    try {
      new ResponseParser({ maxHeaderSize: bad });
    } catch (error) {
      caught = error;
    }
    assert(caught instanceof RangeError, `accepted ${bad}`);
  }
});

// Framing

Deno.test("ResponseParser sends no body for HEAD, 204 and 304 whatever the headers say", () => {
  const withLength = `${OK}Content-Length: 5\r\n\r\n`;
  const head = new ResponseParser({ method: "HEAD" });
  assertEquals(head.push(raw(withLength + "hello")), withLength.length);
  assertEquals([head.complete, head.framing], [true, "none"]);
  assertEquals(parseResponse(raw(withLength), { method: "head" }).framing, "none");
  for (const status of ["204 No Content", "304 Not Modified"]) {
    const text = `HTTP/1.1 ${status}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const parser = new ResponseParser();
    assertEquals(parser.push(raw(text + "5\r\nhello\r\n0\r\n\r\n")), text.length);
    assertEquals([parser.complete, parser.framing], [true, "none"]);
  }
});

Deno.test("ResponseParser skips interim 1xx heads and reports the final one once", () => {
  const heads: ResponseHead[] = [];
  const interim: number[] = [];
  const text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n" +
    "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + `${OK}Content-Length: 1\r\n\r\nx`;
  const parser = new ResponseParser({
    onHead: (head) => heads.push(head),
    onInformational: (head) => interim.push(head.status),
  });
  assertEquals(parser.push(raw(text)), text.length);
  assertEquals(heads.map((head) => head.status), [200]);
  assertEquals(interim, [100, 102, 103]);
  assertEquals(parser.head?.headerLength, OK.length + 19 + 2);
});

Deno.test("ResponseParser treats 101 as final with no body and leaves the rest", () => {
  const text = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
  const parser = new ResponseParser();
  assertEquals(parser.push(raw(text + "\x81\x00")), text.length);
  assertEquals([parser.complete, parser.framing, parser.head?.status], [true, "none", 101]);
});

Deno.test("parseResponse reads a Content-Length body and ignores bytes after it", () => {
  const response = parseResponse(raw(`${OK}Content-Length: 3\r\n\r\nabcdef`));
  assertEquals([response.framing, decoder.decode(response.body)], ["content-length", "abc"]);
  assertEquals(parseResponse(raw(`${OK}Content-Length: 0\r\n\r\n`)).body.length, 0);
  assertEquals(bodyText(`${OK}Content-Length: 007\r\n\r\n1234567`), "1234567");
});

Deno.test("parseResponse accepts identical duplicate Content-Length values", () => {
  assertEquals(bodyText(`${OK}Content-Length: 5, 5\r\n\r\nhello`), "hello");
  assertEquals(bodyText(`${OK}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`), "hello");
});

Deno.test("parseResponse rejects invalid, negative, huge and conflicting Content-Length", () => {
  for (const value of ["abc", "-1", "+5", "5.0", "0x10", "", "5 5", "5,", "9007199254740992"]) {
    const error = parseError(`${OK}Content-Length: ${value}\r\n\r\nhello`);
    assertEquals(error.code, "BAD_CONTENT_LENGTH");
  }
  const error = parseError(`${OK}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`);
  assertEquals(error.code, "BAD_CONTENT_LENGTH");
  assertEquals(error.message, 'Cannot accept different Content-Length values: "5, 6"');
  assertEquals(parseError(`${OK}Content-Length: 5, 6\r\n\r\nhello!`).code, "BAD_CONTENT_LENGTH");
});

Deno.test("parseResponse decodes chunked bodies with extensions and trailers", () => {
  const text = `${OK}Transfer-Encoding: chunked\r\n\r\n` +
    '4;a=b;c="d e"\r\nBut \r\n9\t;x\r\nsoft what\r\n00\r\nX-Check: 1 \r\nx-check: 2\r\n\r\n';
  const response = parseResponse(raw(text));
  assertEquals(response.framing, "chunked");
  assertEquals(decoder.decode(response.body), "But soft what");
  assertEquals(response.trailers.entries, [["X-Check", "1"], ["x-check", "2"]]);
  assertEquals(response.trailers.get("X-CHECK"), "1, 2");
});

Deno.test("ResponseParser calls onTrailers once with an empty list when there are none", () => {
  const calls: HeaderList[] = [];
  const parser = new ResponseParser({ onTrailers: (list) => calls.push(list) });
  parser.push(raw(`${OK}Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n`));
  assertEquals(calls.length, 1);
  assertEquals(calls[0].entries, []);
  assertEquals(parseResponse(raw(`${OK}Content-Length: 0\r\n\r\n`)).trailers.entries, []);
});

Deno.test("parseResponse accepts bare LF inside the chunked coding", () => {
  const text = `${OK}Transfer-Encoding: chunked\n\n3\nabc\n0\n\n`;
  assertEquals(bodyText(text), "abc");
});

Deno.test("parseResponse uses chunked when it is the last coding, even with Content-Length", () => {
  const chunkedBody = "3\r\nabc\r\n0\r\n\r\n";
  const both = `${OK}Content-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedBody}`;
  assertEquals(parseResponse(raw(both)).framing, "chunked");
  assertEquals(bodyText(both), "abc");
  const listed = `${OK}Transfer-Encoding: gzip\r\ntransfer-encoding: CHUNKED\r\n\r\n${chunkedBody}`;
  assertEquals(parseResponse(raw(listed)).framing, "chunked");
});

Deno.test("parseResponse reads to the end when chunked is not the last coding", () => {
  const text = `${OK}Transfer-Encoding: chunked, gzip\r\nContent-Length: 2\r\n\r\nrest of it`;
  const response = parseResponse(raw(text));
  assertEquals([response.framing, decoder.decode(response.body)], ["close", "rest of it"]);
});

Deno.test("parseResponse rejects bad chunk sizes and chunk data without a line end", () => {
  const head = `${OK}Transfer-Encoding: chunked\r\n\r\n`;
  for (const line of ["zz", "", " 5", "5 x", "-5", "5\x01"]) {
    const error = parseError(`${head}${line}\r\nhello\r\n0\r\n\r\n`);
    assert(error.code === "BAD_CHUNK_SIZE", JSON.stringify(line));
  }
  const end = parseError(`${head}3\r\nabcX\r\n0\r\n\r\n`);
  assertEquals([end.code, end.offset], ["BAD_CHUNK_END", head.length + 6]);
  assertEquals(parseError(`${head}3\r\nabc\rX0\r\n\r\n`).code, "BARE_CR");
  assertEquals(parseError(`${head}3\r\nabc\r\n0\r\nbad trailer\r\n\r\n`).code, "MISSING_COLON");
});

Deno.test("parseResponse rejects a chunk size past 2^53 and an over-long chunk size line", () => {
  const head = `${OK}Transfer-Encoding: chunked\r\n\r\n`;
  assertEquals(parseError(`${head}${"f".repeat(13)}\r\n`).code, "TRUNCATED_BODY");
  const big = parseError(`${head}${"f".repeat(14)}\r\n`);
  assertEquals([big.code, big.offset], ["BAD_CHUNK_SIZE", head.length + 13]);
  const zeros = parseError(`${head}${"0".repeat(5000)}1\r\nx\r\n0\r\n\r\n`);
  assertEquals([zeros.code, zeros.offset], ["BAD_CHUNK_SIZE", head.length + 4096]);
  const extension = parseError(`${head}1;${"e".repeat(5000)}\r\nx\r\n0\r\n\r\n`);
  assertEquals(extension.code, "BAD_CHUNK_SIZE");
  assertEquals(bodyText(`${head}${"0".repeat(4000)}1\r\nx\r\n0\r\n\r\n`), "x");
});

Deno.test("parseResponse completes a close-delimited body at the end of input", () => {
  const response = parseResponse(raw("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of\r\nthis"));
  assertEquals([response.framing, decoder.decode(response.body)], ["close", "all of\r\nthis"]);
  const empty = parseResponse(raw("HTTP/1.0 200 OK\r\n\r\n"));
  assertEquals([empty.framing, empty.body.length], ["close", 0]);
});

// Truncation and end of input

Deno.test("finish() throws TRUNCATED_HEAD and TRUNCATED_BODY with the end offset", () => {
  for (const text of ["", "HTTP/1.1 200", `${OK}A: b\r\n`, `${OK}A: b\r\n\r`]) {
    const error = parseError(text);
    assertEquals([error.code, error.offset], ["TRUNCATED_HEAD", text.length]);
  }
  const length = `${OK}Content-Length: 10\r\n\r\nhello`;
  const error = parseError(length);
  assertEquals([error.code, error.offset], ["TRUNCATED_BODY", length.length]);
  assertEquals(error.message, "Cannot parse response: input ended after 5 of 10 body bytes");
  const chunked = `${OK}Transfer-Encoding: chunked\r\n\r\n`;
  for (
    const rest of ["", "5", "5\r\nhel", "5\r\nhello", "5\r\nhello\r\n", "0\r\n", "0\r\nA: b\r\n"]
  ) {
    assert(parseError(chunked + rest).code === "TRUNCATED_BODY", JSON.stringify(rest));
  }
});

Deno.test("ResponseParser returns 0 for pushes after completion and finish() does nothing", () => {
  const parser = new ResponseParser();
  const first = `${OK}Content-Length: 2\r\n\r\nhi`;
  assertEquals(parser.push(raw(first + "HTTP")), first.length);
  assertEquals(parser.push(raw("more")), 0);
  parser.finish();
  assertEquals([parser.complete, parser.offset], [true, first.length]);
});

Deno.test("ResponseParser throws the same error again after a failure", () => {
  const parser = new ResponseParser();
  const first = syntaxError(() => parser.push(raw("HTTP/1.1 200 OK\r\nbad line\r\n")));
  assertEquals(syntaxError(() => parser.push(raw("\r\n"))), first);
  assertEquals(syntaxError(() => parser.finish()), first);
});

Deno.test("ResponseParser counts offset from the first byte pushed", () => {
  const parser = new ResponseParser();
  assertEquals([parser.offset, parser.head, parser.framing], [0, null, null]);
  parser.push(raw("HTTP/1.1 200 OK\r"));
  assertEquals(parser.offset, 16);
  parser.push(raw("\nContent-Length: 4\r\n\r\nab"));
  assertEquals([parser.offset, parser.complete, parser.framing], [40, false, "content-length"]);
  const error = syntaxError(() => parser.finish());
  assertEquals(error.offset, 40);
});

// Zero-copy body

Deno.test("onBody gets views into the pushed chunk, also with the chunked coding", () => {
  const chunk = raw(`${OK}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n`);
  const views: Uint8Array[] = [];
  new ResponseParser({ onBody: (view) => views.push(view) }).push(chunk);
  assertEquals(views.map((view) => decoder.decode(view)), ["abc", "de"]);
  for (const view of views) assert(view.buffer === chunk.buffer, "onBody got a copy");
  const plain = raw(`${OK}Content-Length: 3\r\n\r\nxyz`);
  let seen: Uint8Array | null = null;
  new ResponseParser({ onBody: (view) => void (seen = view) }).push(plain);
  assert(seen !== null && (seen as Uint8Array).buffer === plain.buffer);
  assertEquals((seen as unknown as Uint8Array).byteOffset, plain.length - 3);
});

// Split equivalence

Deno.test("ResponseParser handles CRLF split across chunks", () => {
  const text = raw(`${OK}A: b\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nT: u\r\n\r\n`);
  for (let k = 1; k < text.length; k++) {
    const outcome = feedSplit(text, [k]);
    assert(outcome.kind === "parsed" && outcome.body === btoa("x"), `split at ${k}`);
  }
});

Deno.test("every fixture parses as its JSON says, at every split point", async () => {
  const fixtures = await loadHttpFixtures();
  assert(fixtures.length >= 30, `only ${fixtures.length} fixtures`);
  let feeds = 0;
  for (const fixture of fixtures) {
    const options = fixtureOptions(fixture.expected);
    const report = scanSplits(fixture.bytes, options);
    const actual = report.whole;
    const message = `fixture ${fixture.name}: ${JSON.stringify(actual)}`;
    const wanted = JSON.stringify(expectedOutcome(fixture.expected, actual));
    assert(JSON.stringify(actual) === wanted, `${message}\n  wanted: ${wanted}`);
    assert(report.feeds >= fixture.bytes.length - 1, message);
    feeds += report.feeds;
  }
  assert(feeds > 10000, `only ${feeds} feeds`);
});
