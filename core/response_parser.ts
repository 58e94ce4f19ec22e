// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * An incremental HTTP/1.x response parser: push bytes split anywhere, get
 * the head, the body as views into the pushed chunks, and the trailers.
 *
 * The parser is an explicit state machine that never looks back at what it
 * has consumed. CR and LF are separate states, so a chunk may end anywhere,
 * even between the two bytes of a line end; the result of any chunking
 * equals the result of pushing the whole input at once. A line that lies
 * whole inside one chunk is read in place, without being copied; a line
 * split across chunks is gathered byte by byte. Offsets in errors count
 * from the first byte ever pushed.
 *
 * Rules, in short:
 * - Status line `HTTP/1.x SP 3DIGIT [SP reason]`; the reason may be missing
 *   (`HTTP/1.1 200`) or empty.
 * - Lines end in CRLF or a bare LF (as curl and browsers accept). A bare CR
 *   or a NUL byte in the head, a chunk size line or a trailer line is an
 *   {@linkcode HttpSyntaxError}.
 * - Empty lines (CRLF or LF) before a status line are skipped: at the start,
 *   after an interim response, and so between kept-alive responses (where a
 *   new parser takes the bytes after a complete message), as browsers and
 *   llhttp do (RFC 9112 §2.2 asks this robustness of a server before a
 *   request line; clients do likewise). Their bytes count against
 *   `maxHeaderSize` with the head that follows, so an endless run of them
 *   ends in {@linkcode HeaderTooLargeError}; `headerLength` starts at the
 *   status line.
 * - Header names must be tokens, directly followed by a colon; values lose
 *   surrounding spaces and tabs.
 * - Obsolete line folding: a header or trailer line that starts with a
 *   space or tab continues the field before it, and the fold (the line end
 *   and the white space around it) becomes one space, as RFC 9112 §5.2 asks
 *   of a user agent: `A: b` then ` c` is the field `A: b c`. Such a line
 *   with no field before it (right after the status line, where RFC 9112
 *   §2.2 allows rejecting it, or first in the trailers) is rejected with
 *   code `"OBS_FOLD"` at its first byte.
 * - The header block (status line through the blank line) may hold at most
 *   `maxHeaderSize` bytes, and so may the trailer block of a chunked body;
 *   the byte past the limit throws {@linkcode HeaderTooLargeError}, so no
 *   more than the limit is ever held.
 * - Interim responses (1xx but 101) are skipped; the next head is parsed.
 * - Body framing: none for a `HEAD` request, 1xx, 204 and 304; else chunked
 *   when `chunked` is the last transfer coding (chunked wins over
 *   Content-Length, RFC 9112 §6.3); else close-delimited when another
 *   transfer coding is named; else Content-Length; else close-delimited.
 *
 * Checked against the response cases of llhttp's test suite (Node.js's
 * HTTP parser), kept as data in `tests/fixtures/llhttp/`: every case agrees
 * but for these deliberate differences, each as RFC 9112 lets a user agent
 * read a response:
 * - Status lines other than HTTP/1.x (`RTSP/1.1`, `ICE/1.1`, `HTTP/0.9`)
 *   are rejected; llhttp reads them. The status line of an HTTP/1.1
 *   response names `HTTP` and a 1.x version (RFC 9112 §2.3, §4); HTTP/0.9
 *   responses have no status line at all.
 * - Bare LF line ends are accepted; llhttp's strict mode rejects them. RFC
 *   9112 §2.2: a recipient MAY recognize a single LF as a line terminator.
 * - Bytes after a response that closes the connection are no error of that
 *   response: the parser stops at the end of the message and leaves them to
 *   the caller, and a client reads no further on a connection that is
 *   closing (RFC 9112 §9.3, §9.6); llhttp's strict mode reports them.
 * - White space after a chunk size is skipped even when no extension
 *   follows, as bad white space (RFC 9110 §5.6.3) and as curl and browsers
 *   do; llhttp rejects it.
 * - Chunk extensions are skipped unparsed: a recipient MUST ignore the
 *   extensions it does not recognize (RFC 9112 §7.1.1) and this parser
 *   recognizes none, so only control characters in them are refused;
 *   llhttp rejects an empty name or an unclosed quoted string.
 *
 * @module
 */

import { HeaderTooLargeError, HttpSyntaxError } from "./errors.ts";

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;

/** Longest chunk size line (size, extensions, line end) accepted. */
const MAX_CHUNK_LINE = 4096;

/**
 * Header fields in the order received, duplicates kept, looked up
 * case-insensitively.
 *
 * @example Looking up fields whatever their case
 * ```ts
 * import { HeaderList } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const headers = new HeaderList([["Vary", "Accept"], ["Server", "Apache"], ["vary", "Cookie"]]);
 * assertEquals(headers.get("VARY"), "Accept, Cookie");
 * assertEquals(headers.getAll("vary"), ["Accept", "Cookie"]);
 * assertEquals(headers.has("server"), true);
 * assertEquals(headers.get("Date"), null);
 * ```
 */
export class HeaderList {
  /**
   * Raw `[name, value]` pairs in the order received (name as sent, value
   * trimmed, each obsolete line fold replaced by one space).
   */
  readonly entries: ReadonlyArray<readonly [string, string]>;
  /** The names in lower case, made at the first look-up. */
  #lowerNames: string[] | undefined;

  /**
   * Constructs a new instance.
   *
   * @param entries Raw `[name, value]` pairs.
   */
  constructor(entries: ReadonlyArray<readonly [string, string]> = []) {
    this.entries = entries;
  }

  #lower(): string[] {
    if (this.#lowerNames === undefined) {
      this.#lowerNames = this.entries.map(([name]) => name.toLowerCase());
    }
    return this.#lowerNames;
  }

  /**
   * Returns every value whose name matches case-insensitively, joined by
   * `", "` (how RFC 9110 combines repeated fields), or null when absent.
   * For `Set-Cookie`, whose values may hold commas, use
   * {@linkcode HeaderList.prototype.getAll}.
   *
   * @example Joining a repeated field
   * ```ts
   * import { HeaderList } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const headers = new HeaderList([["Cache-Control", "no-cache"], ["cache-control", "no-store"]]);
   * assertEquals(headers.get("Cache-Control"), "no-cache, no-store");
   * ```
   *
   * @param name The field name, in any case.
   * @returns The joined values, or null.
   */
  get(name: string): string | null {
    const values = this.getAll(name);
    return values.length === 0 ? null : values.join(", ");
  }

  /**
   * Returns every value whose name matches case-insensitively, in order.
   *
   * @example Reading each cookie
   * ```ts
   * import { HeaderList } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const headers = new HeaderList([["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"]]);
   * assertEquals(headers.getAll("set-cookie"), ["a=1", "b=2"]);
   * assertEquals(headers.getAll("Date"), []);
   * ```
   *
   * @param name The field name, in any case.
   * @returns The values, possibly none.
   */
  getAll(name: string): string[] {
    const wanted = name.toLowerCase();
    const names = this.#lower();
    const values: string[] = [];
    this.entries.forEach(([, value], i) => {
      if (names[i] === wanted) values.push(value);
    });
    return values;
  }

  /**
   * Tells whether a field with this name is present.
   *
   * @example Checking for a field
   * ```ts
   * import { HeaderList } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const headers = new HeaderList([["Content-Type", "text/plain"]]);
   * assertEquals(headers.has("content-type"), true);
   * assertEquals(headers.has("Content-Length"), false);
   * ```
   *
   * @param name The field name, in any case.
   * @returns Whether it is present.
   */
  has(name: string): boolean {
    return this.#lower().includes(name.toLowerCase());
  }
}

/**
 * The status line and headers of a response.
 *
 * @example The head the parser hands to onHead
 * ```ts
 * import { type ResponseHead, ResponseParser } from "@netprog/netprog";
 * import { assert, assertEquals } from "./_assert.ts";
 *
 * let seen: ResponseHead | null = null;
 * const parser = new ResponseParser({ onHead: (head) => seen = head });
 * parser.push(new TextEncoder().encode("HTTP/1.1 404 Not Found\r\nServer: x\r\n\r\n"));
 * assert(seen !== null);
 * const head: ResponseHead = seen;
 * assertEquals(head.version, "HTTP/1.1");
 * assertEquals(head.status, 404);
 * assertEquals(head.reason, "Not Found");
 * assertEquals(head.headers.get("server"), "x");
 * assertEquals(head.headerLength, 37);
 * ```
 */
export interface ResponseHead {
  /** `"HTTP/1.1"` or `"HTTP/1.0"` (any `HTTP/1.x` is accepted). */
  version: string;
  /** The status code, 100..999. */
  status: number;
  /** The reason phrase, possibly empty. */
  reason: string;
  /** The header fields. */
  headers: HeaderList;
  /** Bytes from the first byte of the status line through the blank line. */
  headerLength: number;
}

/**
 * How the body is delimited.
 *
 * @example Each framing and the head that chooses it
 * ```ts
 * import { type BodyFraming, parseResponse } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const framingOf = (head: string): BodyFraming =>
 *   parseResponse(new TextEncoder().encode(`${head}\r\n\r\n`)).framing;
 * assertEquals(framingOf("HTTP/1.1 204 No Content"), "none");
 * assertEquals(framingOf("HTTP/1.1 200 OK\r\nContent-Length: 0"), "content-length");
 * assertEquals(framingOf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0"), "chunked");
 * assertEquals(framingOf("HTTP/1.0 200 OK"), "close");
 * ```
 */
export type BodyFraming = "none" | "content-length" | "chunked" | "close";

/**
 * Options for {@linkcode ResponseParser}.
 *
 * @example A HEAD request with a small header limit
 * ```ts
 * import { HeaderTooLargeError, ResponseParser, type ResponseParserOptions } from "@netprog/netprog";
 * import { assertEquals, assertThrows } from "./_assert.ts";
 *
 * const options: ResponseParserOptions = { method: "HEAD", maxHeaderSize: 64 };
 * const parser = new ResponseParser(options);
 * parser.push(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));
 * assertEquals(parser.complete, true);
 * assertEquals(parser.framing, "none");
 *
 * const tooLong = new TextEncoder().encode(`HTTP/1.1 200 OK\r\nX: ${"a".repeat(64)}\r\n\r\n`);
 * assertThrows(() => new ResponseParser(options).push(tooLong), HeaderTooLargeError);
 * ```
 */
export interface ResponseParserOptions {
  /**
   * Largest header block (status line through the blank line) accepted, in
   * bytes; the same limit holds for the trailer block of a chunked body.
   *
   * @default {65536}
   */
  maxHeaderSize?: number;
  /** The request method; `"HEAD"` means no body whatever the headers say. @default {"GET"} */
  method?: string;
  /** Called once the final (non-1xx) head is parsed. */
  onHead?: (head: ResponseHead) => void;
  /** Called with body bytes: views into the pushed chunk, valid only during the call. */
  onBody?: (chunk: Uint8Array) => void;
  /** Called with the trailer fields of a chunked body (possibly empty). */
  onTrailers?: (trailers: HeaderList) => void;
  /**
   * Called with each interim (1xx but 101) head, which the parser then
   * skips. An addition to the contract; optional.
   */
  onInformational?: (head: ResponseHead) => void;
}

/**
 * A whole parsed response, as {@linkcode parseResponse} returns it.
 *
 * @example A chunked response with a trailer
 * ```ts
 * import { type ParsedResponse, parseResponse } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const response: ParsedResponse = parseResponse(new TextEncoder().encode(
 *   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
 *     "3\r\nabc\r\n0\r\nChecksum: 42\r\n\r\n",
 * ));
 * assertEquals(response.status, 200);
 * assertEquals(response.framing, "chunked");
 * assertEquals(new TextDecoder().decode(response.body), "abc");
 * assertEquals(response.trailers.get("checksum"), "42");
 * ```
 */
export interface ParsedResponse extends ResponseHead {
  /** How the body was delimited. */
  framing: BodyFraming;
  /** The decoded body (chunked coding removed). */
  body: Uint8Array;
  /** Trailer fields of a chunked body; empty otherwise. */
  trailers: HeaderList;
}

// Parser states.
const S_LINE = 0; // inside a line of the head, a chunk size line or a trailer line
const S_LINE_LF = 1; // saw CR, a LF must follow
const S_BODY_LENGTH = 2; // Content-Length body
const S_BODY_CLOSE = 3; // body delimited by the end of input
const S_CHUNK_DATA = 4; // inside chunk data
const S_CHUNK_DATA_END = 5; // after chunk data: CRLF or LF must follow
const S_CHUNK_DATA_LF = 6; // after chunk data and CR: LF must follow
const S_COMPLETE = 7;
const S_FAILED = 8;

// What the current line is.
const L_STATUS = 0;
const L_HEADER = 1;
const L_CHUNK_SIZE = 2;
const L_TRAILER = 3;

const LINE_NAMES = ["status line", "header line", "chunk size line", "trailer line"];

const STATUS_LINE = /^HTTP\/1\.[0-9] ([0-9]{3})(?: ([^]*))?$/;
const STATUS_PREFIX = [72, 84, 84, 80, 47, 49, 46]; // "HTTP/1."
const NO_BYTES = new Uint8Array(0);
const DIGITS = /^[0-9]+$/;
const ASCII = new TextDecoder();

/** Token characters of RFC 9110 (field names), as a lookup table. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TOKEN[c.charCodeAt(0)] = 1;
}

/** Decodes bytes as ISO-8859-1 (each byte one code point), in slices to bound argument counts. */
function latin1(bytes: Uint8Array): string {
  if (bytes.length <= 8192) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return text;
}

/** A short, escaped excerpt of a line for an error message, in double quotes. */
function excerpt(text: string, max = 40): string {
  const cut = text.length > max;
  let out = "";
  for (const char of cut ? text.slice(0, max) : text) {
    const code = char.charCodeAt(0);
    if (char === '"' || char === "\\") out += `\\${char}`;
    else if (code === 9) out += "\\t";
    else if (code < 32 || code > 126) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += char;
  }
  return `"${out}${cut ? "..." : ""}"`;
}

function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === SP || text.charCodeAt(start) === HTAB)) start++;
  while (end > start && (text.charCodeAt(end - 1) === SP || text.charCodeAt(end - 1) === HTAB)) {
    end--;
  }
  return text.slice(start, end);
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  if (byte >= 97 && byte <= 102) return byte - 87;
  if (byte >= 65 && byte <= 70) return byte - 55;
  return -1;
}

/**
 * Incremental parser: push bytes split anywhere, then `finish()` at end of
 * input. Body bytes go to `onBody` as views into the pushed chunk (never
 * copied, never decoded); with the chunked coding the views skip the chunk
 * framing.
 *
 * After the message is complete, `push` consumes nothing and returns 0
 * (the bytes belong to the next response on a kept-alive connection), and
 * `finish` does nothing. After an error, `push` and `finish` throw the same
 * error again.
 *
 * @example Streaming a chunked response pushed in pieces
 * ```ts
 * import { ResponseParser } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const parts: string[] = [];
 * const parser = new ResponseParser({
 *   onBody: (chunk) => parts.push(new TextDecoder().decode(chunk)),
 * });
 * const encoder = new TextEncoder();
 * parser.push(encoder.encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r"));
 * parser.push(encoder.encode("\n\r\n5\r\nhel"));
 * parser.push(encoder.encode("lo\r\n0\r\n\r\n"));
 * assertEquals(parser.complete, true);
 * assertEquals(parser.framing, "chunked");
 * assertEquals(parts.join(""), "hello");
 * ```
 *
 * @example Stopping at the end of a message on a kept-alive connection
 * ```ts
 * import { ResponseParser } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const parser = new ResponseParser();
 * const bytes = new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1");
 * assertEquals(parser.push(bytes), 40);
 * assertEquals(parser.complete, true);
 * assertEquals(parser.offset, 40);
 * ```
 */
export class ResponseParser {
  #maxHeaderSize: number;
  #isHead: boolean;
  #onHead: ((head: ResponseHead) => void) | undefined;
  #onBody: ((chunk: Uint8Array) => void) | undefined;
  #onTrailers: ((trailers: HeaderList) => void) | undefined;
  #onInformational: ((head: ResponseHead) => void) | undefined;

  #state = S_LINE;
  #error: Error | null = null;
  /** Absolute offset of the next byte to be pushed. */
  #offset = 0;

  // The current line.
  #lineKind = L_STATUS;
  /** A line split across chunks, gathered (allocated on first use). */
  #line: Uint8Array = NO_BYTES;
  #lineLength = 0;
  #lineStart = 0;
  /** Where the last failed block scan (`#wholeBlock`) stopped. */
  #scanStop = 0;

  // The current head or trailer block.
  #blockStart = 0;
  #blockBytes = 0;
  #version = "";
  #status = 0;
  #reason = "";
  #entries: [string, string][] = [];

  #head: ResponseHead | null = null;
  #framing: BodyFraming | null = null;
  /** Body bytes still expected (Content-Length) or left in the current chunk. */
  #remaining = 0;
  /** Body bytes received (for truncation messages). */
  #received = 0;

  /**
   * Constructs a new instance.
   *
   * @param options See {@linkcode ResponseParserOptions}.
   */
  constructor(options: ResponseParserOptions = {}) {
    const max = options.maxHeaderSize ?? 65536;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(`Cannot use maxHeaderSize ${max}: not a positive whole number`);
    }
    this.#maxHeaderSize = max;
    this.#isHead = (options.method ?? "GET").toUpperCase() === "HEAD";
    this.#onHead = options.onHead;
    this.#onBody = options.onBody;
    this.#onTrailers = options.onTrailers;
    this.#onInformational = options.onInformational;
  }

  /**
   * The final head once parsed, else null.
   *
   * @example An interim 100 Continue is not the head
   * ```ts
   * import { ResponseParser } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const parser = new ResponseParser();
   * const encoder = new TextEncoder();
   * const seen: (number | null)[] = [];
   * parser.push(encoder.encode("HTTP/1.1 100 Continue\r\n\r\n"));
   * seen.push(parser.head?.status ?? null);
   * parser.push(encoder.encode("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
   * seen.push(parser.head?.status ?? null);
   * assertEquals(seen, [null, 200]);
   * ```
   *
   * @returns The head, or null.
   */
  get head(): ResponseHead | null {
    return this.#head;
  }

  /**
   * The framing once the final head is parsed, else null.
   *
   * @example Known as soon as the head ends
   * ```ts
   * import { ResponseParser } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const parser = new ResponseParser();
   * assertEquals(parser.framing, null);
   * parser.push(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"));
   * assertEquals(parser.framing, "content-length");
   * assertEquals(parser.complete, false);
   * ```
   *
   * @returns The framing, or null.
   */
  get framing(): BodyFraming | null {
    return this.#framing;
  }

  /**
   * True once a complete message has been parsed.
   *
   * @example A close-delimited body completes at the end of input
   * ```ts
   * import { ResponseParser } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const parser = new ResponseParser();
   * parser.push(new TextEncoder().encode("HTTP/1.0 200 OK\r\n\r\nbody"));
   * assertEquals(parser.complete, false);
   * parser.finish();
   * assertEquals(parser.complete, true);
   * ```
   *
   * @returns Whether the message is complete.
   */
  get complete(): boolean {
    return this.#state === S_COMPLETE;
  }

  /**
   * Total bytes consumed so far, counted from the first byte ever pushed.
   *
   * @example Counting across pushes
   * ```ts
   * import { ResponseParser } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const parser = new ResponseParser();
   * const encoder = new TextEncoder();
   * parser.push(encoder.encode("HTTP/1.1 200 OK\r\n"));
   * assertEquals(parser.offset, 17);
   * parser.push(encoder.encode("Content-Length: 2\r\n\r\nok"));
   * assertEquals(parser.offset, 40);
   * ```
   *
   * @returns The number of bytes consumed.
   */
  get offset(): number {
    return this.#offset;
  }

  /**
   * Feeds bytes. Returns how many bytes of `chunk` were consumed: fewer than
   * `chunk.length` only when the message completed inside it (the rest
   * belongs to the next response on a kept-alive connection); 0 once the
   * message is complete.
   *
   * @example Bytes after the message are left for the next one
   * ```ts
   * import { ResponseParser } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const parser = new ResponseParser();
   * const encoder = new TextEncoder();
   * assertEquals(parser.push(encoder.encode("HTTP/1.1 204 No Content\r\n\r\nHTTP")), 27);
   * assertEquals(parser.push(encoder.encode("/1.1 200 OK\r\n")), 0);
   * ```
   *
   * @param chunk The next bytes of the response, split anywhere.
   * @returns How many bytes of `chunk` belong to this message.
   * @throws {HttpSyntaxError} When the bytes are not a valid response.
   * @throws {HeaderTooLargeError} When the head or trailers pass `maxHeaderSize`.
   */
  push(chunk: Uint8Array): number {
    if (this.#error !== null) throw this.#error;
    if (this.#state === S_COMPLETE) return 0;
    const base = this.#offset;
    let i = 0;
    try {
      i = this.#run(chunk);
    } catch (error) {
      this.#state = S_FAILED;
      this.#error = error as Error;
      throw error;
    }
    this.#offset = base + i;
    return i;
  }

  /**
   * Signals the end of input: completes a close-delimited body, does nothing
   * on a complete message, throws when the message is truncated.
   *
   * @example A body shorter than its Content-Length
   * ```ts
   * import { HttpSyntaxError, ResponseParser } from "@netprog/netprog";
   * import { assert, assertEquals, assertThrows } from "./_assert.ts";
   *
   * const parser = new ResponseParser();
   * parser.push(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"));
   * assertThrows(() => parser.finish(), (error) => {
   *   assert(error instanceof HttpSyntaxError);
   *   assertEquals(error.code, "TRUNCATED_BODY");
   *   return true;
   * });
   * ```
   *
   * @throws {HttpSyntaxError} With code `"TRUNCATED_HEAD"` when the input
   * ended in the head, `"TRUNCATED_BODY"` when it ended in the body.
   */
  finish(): void {
    if (this.#error !== null) throw this.#error;
    const state = this.#state;
    if (state === S_COMPLETE) return;
    if (state === S_BODY_CLOSE) {
      this.#state = S_COMPLETE;
      return;
    }
    let error: HttpSyntaxError;
    if (this.#head === null) {
      error = new HttpSyntaxError(
        `Cannot parse response: input ended in the head after ${this.#offset} bytes`,
        "TRUNCATED_HEAD",
        this.#offset,
      );
    } else if (state === S_BODY_LENGTH) {
      error = new HttpSyntaxError(
        `Cannot parse response: input ended after ${this.#received} of ${
          this.#received + this.#remaining
        } body bytes`,
        "TRUNCATED_BODY",
        this.#offset,
      );
    } else {
      const where = this.#lineKind === L_TRAILER && state !== S_CHUNK_DATA
        ? "in the trailers"
        : "in a chunk";
      error = new HttpSyntaxError(
        `Cannot parse response: input ended ${where}`,
        "TRUNCATED_BODY",
        this.#offset,
      );
    }
    this.#state = S_FAILED;
    this.#error = error;
    throw error;
  }

  /** Runs the state machine over `chunk`; returns how many bytes were consumed. */
  #run(chunk: Uint8Array): number {
    const n = chunk.length;
    const base = this.#offset;
    let i = 0;
    let scanned = 0;
    while (i < n) {
      switch (this.#state) {
        case S_LINE: {
          if (this.#lineLength === 0) {
            // Fast paths: a head or trailer block that ends inside this chunk
            // is decoded at once; a chunk size line that does is read in
            // place. What breaks a rule takes the byte-by-byte way below,
            // which gives the same result and the exact error.
            let next = -1;
            if (this.#lineKind === L_CHUNK_SIZE) next = this.#wholeChunkSizeLine(chunk, i, base);
            else if (i >= scanned) {
              next = this.#wholeBlock(chunk, i, base);
              // Not again before the place this scan stopped: each byte is scanned once.
              if (next === -1) scanned = this.#scanStop;
            }
            if (next !== -1) {
              i = next;
              break;
            }
          }
          // Take bytes up to a CR, LF or NUL, within the limit of the block or line.
          const limited = this.#lineKind !== L_CHUNK_SIZE;
          const budget = limited
            ? this.#maxHeaderSize - this.#blockBytes
            : MAX_CHUNK_LINE - this.#lineLength;
          const end = Math.min(n, i + budget);
          let j = i;
          while (j < end) {
            const byte = chunk[j];
            if (byte === LF || byte === CR || byte === 0) break;
            j++;
          }
          if (j > i) {
            this.#append(chunk, i, j, base);
            if (limited) this.#blockBytes += j - i;
            i = j;
          }
          if (i === n) break;
          this.#count(base + i);
          const byte = chunk[i];
          i++;
          if (byte === LF) this.#endLine(this.#line.subarray(0, this.#lineLength), base + i);
          else if (byte === CR) this.#state = S_LINE_LF;
          else if (byte === 0) {
            throw new HttpSyntaxError(
              `Cannot accept NUL byte in ${LINE_NAMES[this.#lineKind]}`,
              "NUL_BYTE",
              base + i - 1,
            );
          } else {
            // Over the limit of a chunk size line (the budget ran out).
            throw this.#chunkLineTooLong(base + i - 1);
          }
          break;
        }
        case S_LINE_LF: {
          this.#count(base + i);
          if (chunk[i] !== LF) {
            throw new HttpSyntaxError(
              `Cannot accept CR not followed by LF in ${LINE_NAMES[this.#lineKind]}`,
              "BARE_CR",
              base + i - 1,
            );
          }
          i++;
          this.#state = S_LINE;
          this.#endLine(this.#line.subarray(0, this.#lineLength), base + i);
          break;
        }
        case S_BODY_LENGTH: {
          const take = Math.min(n - i, this.#remaining);
          this.#onBody?.(take === n ? chunk : chunk.subarray(i, i + take));
          i += take;
          this.#remaining -= take;
          this.#received += take;
          if (this.#remaining === 0) {
            this.#state = S_COMPLETE;
            return i;
          }
          break;
        }
        case S_BODY_CLOSE: {
          this.#onBody?.(i === 0 ? chunk : chunk.subarray(i));
          this.#received += n - i;
          i = n;
          break;
        }
        case S_CHUNK_DATA: {
          const take = Math.min(n - i, this.#remaining);
          this.#onBody?.(take === n ? chunk : chunk.subarray(i, i + take));
          i += take;
          this.#remaining -= take;
          this.#received += take;
          if (this.#remaining === 0) this.#state = S_CHUNK_DATA_END;
          break;
        }
        case S_CHUNK_DATA_END:
        case S_CHUNK_DATA_LF: {
          // i < n = chunk.length: the loop's condition.
          const byte = chunk[i]!;
          if (byte === CR && this.#state === S_CHUNK_DATA_END) {
            this.#state = S_CHUNK_DATA_LF;
          } else if (byte === LF) {
            this.#startLine(L_CHUNK_SIZE, base + i + 1);
          } else if (this.#state === S_CHUNK_DATA_LF) {
            throw new HttpSyntaxError(
              "Cannot accept CR not followed by LF after chunk data",
              "BARE_CR",
              base + i - 1,
            );
          } else {
            throw new HttpSyntaxError(
              `Cannot parse chunk: data not followed by a line end (found ${
                excerpt(String.fromCharCode(byte))
              })`,
              "BAD_CHUNK_END",
              base + i,
            );
          }
          i++;
          break;
        }
        default:
          // S_COMPLETE: the rest belongs to the next message.
          return i;
      }
      if (this.#state === S_COMPLETE) return i;
    }
    return i;
  }

  /**
   * Reads the rest of a head or trailer block at once when it ends inside
   * this chunk and is clean: every CR followed by LF, no NUL, within the
   * block limit, a status line that starts with `HTTP/1.`. The block is
   * decoded in one call and its lines are handled as the byte-by-byte way
   * would handle them. Returns the index after the block, or -1 (nothing
   * consumed, `#scanStop` set to where the scan stopped) otherwise.
   */
  #wholeBlock(chunk: Uint8Array, i: number, base: number): number {
    const limit = Math.min(chunk.length, i + this.#maxHeaderSize - this.#blockBytes);
    let bits = 0;
    let lineStart = i;
    let end = -1;
    let k = i;
    for (; k < limit; k++) {
      // k < limit <= chunk.length; a bounds check here would slow the hot loop.
      const byte = chunk[k]!;
      if (byte === LF) {
        if (k === lineStart || (k === lineStart + 1 && chunk[lineStart] === CR)) {
          end = k + 1;
          break;
        }
        lineStart = k + 1;
      } else if (byte === CR) {
        if (chunk[k + 1] !== LF) break;
      } else if (byte === 0) break;
      bits |= byte;
    }
    if (end === -1) {
      this.#scanStop = k;
      return -1;
    }
    if (this.#lineKind === L_STATUS) {
      for (let m = 0; m < STATUS_PREFIX.length; m++) {
        if (chunk[i + m] !== STATUS_PREFIX[m]) {
          this.#scanStop = end;
          return -1;
        }
      }
    }
    const block = chunk.subarray(i, end);
    // ASCII decodes the same as UTF-8 and as ISO-8859-1; the native decoder is the fastest.
    const text = bits < 0x80 ? ASCII.decode(block) : latin1(block);
    for (let at = 0; at < text.length;) {
      const lf = text.indexOf("\n", at);
      const lineEnd = lf > at && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
      this.#blockBytes += lf + 1 - at;
      this.#endTextLine(text.slice(at, lineEnd), base + i + lf + 1);
      at = lf + 1;
    }
    return end;
  }

  /**
   * Reads the chunk size line that starts at `chunk[i]` in place when it
   * ends inside the chunk, within its length limit, with no CR but the one
   * before its LF and no NUL. Returns the index after its LF, or -1
   * (nothing consumed) otherwise.
   */
  #wholeChunkSizeLine(chunk: Uint8Array, i: number, base: number): number {
    const lf = chunk.indexOf(LF, i);
    if (lf === -1) return -1;
    const end = lf > i && chunk[lf - 1] === CR ? lf - 1 : lf;
    if (end - i >= MAX_CHUNK_LINE) return -1;
    for (let k = i; k < end; k++) {
      const byte = chunk[k];
      if (byte === CR || byte === 0) return -1;
    }
    this.#parseChunkSize(chunk.subarray(i, end), this.#lineStart, base + lf + 1);
    return lf + 1;
  }

  /** Counts one line-end byte at absolute offset `at` against the block or line limit. */
  #count(at: number): void {
    if (this.#lineKind === L_CHUNK_SIZE) {
      if (this.#lineLength >= MAX_CHUNK_LINE) throw this.#chunkLineTooLong(at);
      return;
    }
    if (this.#blockBytes >= this.#maxHeaderSize) {
      throw new HeaderTooLargeError(this.#maxHeaderSize, at);
    }
    this.#blockBytes++;
  }

  #chunkLineTooLong(at: number): HttpSyntaxError {
    return new HttpSyntaxError(
      `Cannot parse chunk size line: longer than ${MAX_CHUNK_LINE} bytes`,
      "BAD_CHUNK_SIZE",
      at,
    );
  }

  /** Appends `chunk[from..to)` to the current line. */
  #append(chunk: Uint8Array, from: number, to: number, base: number): void {
    const length = this.#lineLength + to - from;
    if (length > this.#line.length) {
      const grown = new Uint8Array(Math.max(length, 256, this.#line.length * 2));
      grown.set(this.#line.subarray(0, this.#lineLength));
      this.#line = grown;
    }
    if (to - from < 16) {
      // k < to <= chunk.length: the caller's range.
      for (let k = from, at = this.#lineLength; k < to; k++, at++) this.#line[at] = chunk[k]!;
    } else {
      this.#line.set(chunk.subarray(from, to), this.#lineLength);
    }
    if (
      this.#lineLength === 0 && (chunk[from] === SP || chunk[from] === HTAB) &&
      (this.#lineKind === L_HEADER || this.#lineKind === L_TRAILER) && this.#entries.length === 0
    ) {
      // A first header or trailer line that starts with white space: rejected at once, with
      // the error the whole line would get.
      throw this.#foldWithoutField(this.#lineStart);
    }
    if (this.#lineKind === L_STATUS && this.#lineLength < STATUS_PREFIX.length) {
      // Reject a response that is not HTTP/1.x at once, without waiting for a line end.
      for (let k = this.#lineLength; k < Math.min(length, STATUS_PREFIX.length); k++) {
        if (this.#line[k] !== STATUS_PREFIX[k]) {
          throw new HttpSyntaxError(
            `Cannot parse status line: ${
              excerpt(latin1(this.#line.subarray(0, k + 1)))
            } is not HTTP/1.x`,
            "BAD_STATUS_LINE",
            base + from + k - this.#lineLength,
          );
        }
      }
    }
    this.#lineLength = length;
  }

  #startLine(kind: number, at: number): void {
    this.#lineKind = kind;
    this.#lineLength = 0;
    this.#lineStart = at;
    this.#state = S_LINE;
  }

  /**
   * Handles the line just ended, `line` without its line end; `next` is the
   * absolute offset after the line end.
   */
  #endLine(line: Uint8Array, next: number): void {
    if (this.#lineKind === L_CHUNK_SIZE) this.#parseChunkSize(line, this.#lineStart, next);
    else this.#endTextLine(latin1(line), next);
  }

  /**
   * Handles the status, header or trailer line just ended, as text without
   * its line end (one character a byte); `next` is the absolute offset after
   * the line end.
   */
  #endTextLine(text: string, next: number): void {
    const start = this.#lineStart;
    switch (this.#lineKind) {
      case L_STATUS:
        if (text.length === 0) {
          // An empty line before the status line: skipped, its bytes counted in the block.
          this.#blockStart = next;
          this.#startLine(L_STATUS, next);
          return;
        }
        this.#parseStatusLine(text, start);
        this.#startLine(L_HEADER, next);
        return;
      case L_HEADER:
        if (text.length === 0) return this.#endHead(next);
        this.#addField(text, start, "header");
        this.#startLine(L_HEADER, next);
        return;
      default:
        if (text.length === 0) {
          const trailers = new HeaderList(this.#entries);
          this.#entries = [];
          this.#onTrailers?.(trailers);
          this.#state = S_COMPLETE;
          return;
        }
        this.#addField(text, start, "trailer");
        this.#startLine(L_TRAILER, next);
    }
  }

  /**
   * Adds the field of a header or trailer line; a line starting with a space
   * or tab (obsolete line folding) continues the field before it, the fold
   * replaced by one space (RFC 9112 §5.2).
   */
  #addField(text: string, start: number, what: string): void {
    const first = text.charCodeAt(0);
    if (first !== SP && first !== HTAB) {
      this.#entries.push(this.#parseField(text, start, what));
      return;
    }
    const field = this.#entries.at(-1);
    if (field === undefined) throw this.#foldWithoutField(start);
    const more = trimOws(text);
    if (more !== "") field[1] = field[1] === "" ? more : `${field[1]} ${more}`;
  }

  /** The error for a line starting with white space where no field comes before it. */
  #foldWithoutField(start: number): HttpSyntaxError {
    const where = this.#lineKind === L_HEADER
      ? "the first header line (right after the status line)"
      : "the first trailer line";
    return new HttpSyntaxError(
      `Cannot accept white space at the start of ${where}: there is no field to continue`,
      "OBS_FOLD",
      start,
    );
  }

  #parseStatusLine(text: string, start: number): void {
    const match = STATUS_LINE.exec(text);
    const status = match === null ? 0 : Number(match[1]);
    if (match === null || status < 100) {
      throw new HttpSyntaxError(
        `Cannot parse status line: ${excerpt(text)}`,
        "BAD_STATUS_LINE",
        start,
      );
    }
    this.#version = text.slice(0, 8);
    this.#status = status;
    this.#reason = match[2] ?? "";
    this.#entries = [];
  }

  #parseField(text: string, start: number, what: string): [string, string] {
    const colon = text.indexOf(":");
    if (colon === -1) {
      throw new HttpSyntaxError(
        `Cannot parse ${what} line without a colon: ${excerpt(text)}`,
        "MISSING_COLON",
        start,
      );
    }
    for (let k = 0; k < colon; k++) {
      if (TOKEN[text.charCodeAt(k)] !== 1) {
        throw new HttpSyntaxError(
          `Cannot parse ${what} name: ${excerpt(text.slice(0, colon))}`,
          "BAD_HEADER_NAME",
          start + k,
        );
      }
    }
    if (colon === 0) {
      throw new HttpSyntaxError(
        `Cannot parse ${what} name: empty in ${excerpt(text)}`,
        "BAD_HEADER_NAME",
        start,
      );
    }
    return [text.slice(0, colon), trimOws(text.slice(colon + 1))];
  }

  /** The blank line after the headers: decide what follows. */
  #endHead(next: number): void {
    const head: ResponseHead = {
      version: this.#version,
      status: this.#status,
      reason: this.#reason,
      headers: new HeaderList(this.#entries),
      headerLength: next - this.#blockStart,
    };
    this.#entries = [];
    const status = this.#status;
    if (status < 200 && status !== 101) {
      // An interim response: skip it and parse the next head.
      this.#onInformational?.(head);
      this.#blockStart = next;
      this.#blockBytes = 0;
      this.#startLine(L_STATUS, next);
      return;
    }
    const framing = this.#decideFraming(head, next);
    this.#head = head;
    this.#framing = framing;
    this.#onHead?.(head);
    switch (framing) {
      case "none":
        this.#state = S_COMPLETE;
        return;
      case "close":
        this.#state = S_BODY_CLOSE;
        return;
      case "content-length":
        this.#state = this.#remaining === 0 ? S_COMPLETE : S_BODY_LENGTH;
        return;
      default:
        this.#startLine(L_CHUNK_SIZE, next);
    }
  }

  #decideFraming(head: ResponseHead, next: number): BodyFraming {
    const headers = head.headers;
    const codings = headers.getAll("transfer-encoding");
    let length = -1;
    if (codings.length === 0) {
      const lengths = headers.getAll("content-length");
      if (lengths.length > 0) length = this.#parseContentLength(lengths, next);
    }
    const status = head.status;
    if (this.#isHead || status < 200 || status === 204 || status === 304) return "none";
    if (codings.length > 0) {
      const list = codings.join(",").split(",").map((coding) => trimOws(coding)).filter((c) =>
        c !== ""
      );
      const last = list[list.length - 1] ?? "";
      return last.toLowerCase() === "chunked" ? "chunked" : "close";
    }
    if (length >= 0) {
      this.#remaining = length;
      return "content-length";
    }
    return "close";
  }

  #parseContentLength(values: string[], next: number): number {
    let length = -1;
    const joined = values.join(", ");
    for (const part of joined.split(",")) {
      const text = trimOws(part);
      if (!DIGITS.test(text) || !Number.isSafeInteger(Number(text))) {
        throw new HttpSyntaxError(
          `Cannot parse Content-Length: ${excerpt(joined)}`,
          "BAD_CONTENT_LENGTH",
          next - 1,
        );
      }
      const value = Number(text);
      if (length !== -1 && value !== length) {
        throw new HttpSyntaxError(
          `Cannot accept different Content-Length values: ${excerpt(joined)}`,
          "BAD_CONTENT_LENGTH",
          next - 1,
        );
      }
      length = value;
    }
    return length;
  }

  #parseChunkSize(line: Uint8Array, start: number, next: number): void {
    let size = 0;
    let k = 0;
    for (const byte of line) {
      const digit = hexValue(byte);
      if (digit === -1) break;
      size = size * 16 + digit;
      if (size > Number.MAX_SAFE_INTEGER) {
        throw new HttpSyntaxError(
          `Cannot parse chunk size: ${excerpt(latin1(line), 20)} is too large`,
          "BAD_CHUNK_SIZE",
          start + k,
        );
      }
      k++;
    }
    let valid = k > 0;
    // Then optional spaces and extensions (";name[=value]..."), checked loosely.
    let j = k;
    while (valid && j < line.length && (line[j] === SP || line[j] === HTAB)) j++;
    if (valid && j < line.length) {
      valid = line[j] === 59; // ";"
      if (valid) {
        for (const byte of line.subarray(j + 1)) {
          if ((byte < 32 && byte !== HTAB) || byte === 127) {
            valid = false;
            break;
          }
        }
      }
    }
    if (!valid) {
      throw new HttpSyntaxError(
        `Cannot parse chunk size: ${excerpt(latin1(line), 20)}`,
        "BAD_CHUNK_SIZE",
        start + k,
      );
    }
    if (size === 0) {
      // The last chunk: the trailer block follows, under the header size limit.
      this.#blockStart = next;
      this.#blockBytes = 0;
      this.#entries = [];
      this.#startLine(L_TRAILER, next);
      return;
    }
    this.#remaining = size;
    this.#state = S_CHUNK_DATA;
  }
}

/**
 * Parses a whole response held in memory and collects its body into one
 * `Uint8Array`. Bytes after a complete message are ignored (as a browser
 * ignores them); a close-delimited body runs to the end of `bytes`.
 *
 * @example Parsing the book's romeo.txt response
 * ```ts
 * import { parseResponse } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const raw = new TextEncoder().encode(
 *   "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nBut s",
 * );
 * const response = parseResponse(raw);
 * assertEquals(response.status, 200);
 * assertEquals(response.reason, "OK");
 * assertEquals(response.framing, "content-length");
 * assertEquals(response.headers.get("content-type"), "text/plain");
 * assertEquals(new TextDecoder().decode(response.body), "But s");
 * ```
 *
 * @example An empty line before the status line, and a folded header field
 * ```ts
 * import { parseResponse } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const raw = new TextEncoder().encode(
 *   "\r\nHTTP/1.0 200 OK\r\nX-Note: folded\r\n  onto two lines\r\nContent-Length: 0\r\n\r\n",
 * );
 * const response = parseResponse(raw);
 * assertEquals(response.headers.get("x-note"), "folded onto two lines");
 * assertEquals(response.headerLength, raw.length - 2);
 * ```
 *
 * @param bytes The whole response.
 * @param options Limits and method; callbacks, if given, are called too.
 * @returns The head, framing, body and trailers.
 * @throws {HttpSyntaxError} When the bytes are not a valid, complete response.
 * @throws {HeaderTooLargeError} When the head or trailers pass `maxHeaderSize`.
 */
export function parseResponse(
  bytes: Uint8Array,
  options: ResponseParserOptions = {},
): ParsedResponse {
  const parts: Uint8Array[] = [];
  let size = 0;
  let trailers = new HeaderList();
  const parser = new ResponseParser({
    ...options,
    onBody: (chunk) => {
      parts.push(chunk);
      size += chunk.length;
      options.onBody?.(chunk);
    },
    onTrailers: (list) => {
      trailers = list;
      options.onTrailers?.(list);
    },
  });
  parser.push(bytes);
  parser.finish();
  const body = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += part.length;
  }
  return { ...parser.head!, framing: parser.framing!, body, trailers };
}
