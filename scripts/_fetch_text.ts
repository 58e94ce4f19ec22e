// Copyright netprog authors. MIT license.

/**
 * What the `fetch`-based programs of the chapter share (urllib1, urlwords,
 * urllinks, the crawler, exercises 3 and 4): the `--timeout` and
 * `--max-bytes` options, a `fetch` that raises on an HTTP error as the book's
 * `urllib` does, an idle timeout, a limit on the size of a page, the body
 * decoded as UTF-8 by one streaming decoder (a character split across two
 * reads stays whole), Python's line stripping, and printing without letting a
 * page drive the user's terminal. Deno only.
 *
 * @module
 */

import { TerminalEscaper } from "../core/terminal.ts";
import { integerOption, RunError, secondsOption, writeOut } from "./_cli.ts";

/**
 * How long the programs wait for the server to send something, in seconds.
 *
 * @example The default of `--timeout`
 * ```ts
 * import { DEFAULT_TIMEOUT_SECONDS, fetchOptions } from "./_fetch_text.ts";
 * import { assertEquals } from "../core/_assert.ts";
 *
 * assertEquals(fetchOptions({}).timeoutSeconds, DEFAULT_TIMEOUT_SECONDS);
 * assertEquals(DEFAULT_TIMEOUT_SECONDS, 30);
 * ```
 */
export const DEFAULT_TIMEOUT_SECONDS = 30;

/**
 * The largest page, in bytes, that the programs accept: 64 MiB.
 *
 * @example The default of `--max-bytes`
 * ```ts
 * import { DEFAULT_MAX_BYTES, fetchOptions } from "./_fetch_text.ts";
 * import { assertEquals } from "../core/_assert.ts";
 *
 * assertEquals(fetchOptions({}).maxBytes, DEFAULT_MAX_BYTES);
 * assertEquals(DEFAULT_MAX_BYTES, 67108864);
 * ```
 */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The `parseCommandLine` declarations of `--timeout` and `--max-bytes`.
 *
 * @example Declaring the options of a script that holds a page
 * ```ts
 * import { parseCommandLine } from "./_cli.ts";
 * import { FETCH_ARGS } from "./_fetch_text.ts";
 * import { assertEquals } from "../core/_assert.ts";
 *
 * const { values } = parseCommandLine("usage\n", FETCH_ARGS, 1, ["--max-bytes", "1000"]);
 * assertEquals(values["max-bytes"], "1000");
 * ```
 */
export const FETCH_ARGS = {
  timeout: { type: "string" },
  "max-bytes": { type: "string" },
} as const;

/**
 * The `--help` line that describes `--timeout`.
 *
 * @example It names the default
 * ```ts
 * import { TIMEOUT_USAGE } from "./_fetch_text.ts";
 * import { assert } from "../core/_assert.ts";
 *
 * assert(TIMEOUT_USAGE.startsWith("  --timeout SECONDS") && TIMEOUT_USAGE.includes("30"));
 * ```
 */
export const TIMEOUT_USAGE =
  `  --timeout SECONDS  give up when the server sends nothing for this long (default 30)
`;

/**
 * The `--help` line that describes `--max-bytes`.
 *
 * @example It names the default
 * ```ts
 * import { MAX_BYTES_USAGE } from "./_fetch_text.ts";
 * import { assert } from "../core/_assert.ts";
 *
 * assert(MAX_BYTES_USAGE.startsWith("  --max-bytes N") && MAX_BYTES_USAGE.includes("67108864"));
 * ```
 */
export const MAX_BYTES_USAGE =
  `  --max-bytes N      give up on a page larger than N bytes (default 67108864, 64 MiB)
`;

/**
 * Turns the values of `--timeout` and `--max-bytes` into
 * {@linkcode FetchBodyOptions}; a bad value is a usage error (exit status 2).
 *
 * @param values The parsed option values.
 * @returns The timeout in seconds and the size limit in bytes.
 *
 * @example A ten second timeout and the default size limit
 * ```ts
 * import { fetchOptions } from "./_fetch_text.ts";
 * import { assertEquals } from "../core/_assert.ts";
 *
 * assertEquals(fetchOptions({ timeout: "10" }), {
 *   timeoutSeconds: 10,
 *   maxBytes: 64 * 1024 * 1024,
 * });
 * ```
 */
export function fetchOptions(
  values: { timeout?: string; "max-bytes"?: string },
): { timeoutSeconds: number; maxBytes: number } {
  return {
    timeoutSeconds: secondsOption("timeout", values.timeout, DEFAULT_TIMEOUT_SECONDS),
    maxBytes: integerOption(
      "max-bytes",
      values["max-bytes"],
      DEFAULT_MAX_BYTES,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
  };
}

/** Is this UTF-16 unit white space for Python's `str.strip()` (`str.isspace()`)? */
function isPythonSpace(unit: number): boolean {
  return (unit >= 0x09 && unit <= 0x0d) || (unit >= 0x1c && unit <= 0x20) || unit === 0x85 ||
    unit === 0xa0 || unit === 0x1680 || (unit >= 0x2000 && unit <= 0x200a) || unit === 0x2028 ||
    unit === 0x2029 || unit === 0x202f || unit === 0x205f || unit === 0x3000;
}

/**
 * Prints the lines of a text that arrives in pieces as the book's urllib1
 * prints a response: `for line in fhand: print(line.decode().strip())`.
 * Lines end at `\n` only; each is stripped of Python's white space
 * (`str.isspace()`: also `\x1c`–`\x1f`, `\x85`, U+3000 and the like, not
 * U+FEFF); a last line without `\n` is printed too, a final `\n` adds no
 * empty line. A line is never held whole: what is surely not trailing white
 * space goes out as it arrives, so memory stays flat on an endless line and
 * time stays linear on any text.
 *
 * @example Stripping lines split across pieces
 * ```ts
 * import { PythonLineStripper } from "./_fetch_text.ts";
 * import { assertEquals } from "../core/_assert.ts";
 *
 * const lines = new PythonLineStripper();
 * const shown = lines.push("  But soft \r\nIt is the ea") + lines.push("st\u3000\n\x1c Who") +
 *   lines.end();
 * assertEquals(shown, "But soft\nIt is the east\nWho\n");
 * ```
 */
export class PythonLineStripper {
  /** Something of the current line has arrived. */
  #open = false;
  /** Still in the current line's leading white space. */
  #leading = true;
  /** White space after the last character shown: shown only if more text follows. */
  #held = "";

  /**
   * Takes the next piece of the text.
   *
   * @param text The next piece.
   * @returns What can be printed now.
   */
  push(text: string): string {
    let out = "";
    let start = 0;
    while (true) {
      const newline = text.indexOf("\n", start);
      out += this.#piece(text.slice(start, newline === -1 ? text.length : newline));
      if (newline === -1) return out;
      out += "\n";
      this.#open = false;
      this.#leading = true;
      this.#held = "";
      start = newline + 1;
    }
  }

  /**
   * Ends the text.
   *
   * @returns The newline that ends a last line without one, or "".
   */
  end(): string {
    const out = this.#open ? "\n" : "";
    this.#open = false;
    this.#leading = true;
    this.#held = "";
    return out;
  }

  #piece(piece: string): string {
    if (piece === "") return "";
    this.#open = true;
    let from = 0;
    if (this.#leading) {
      while (from < piece.length && isPythonSpace(piece.charCodeAt(from))) from++;
      if (from === piece.length) return "";
      this.#leading = false;
    }
    let to = piece.length;
    while (to > from && isPythonSpace(piece.charCodeAt(to - 1))) to--;
    if (to === from) {
      this.#held += piece.slice(from);
      return "";
    }
    const out = this.#held + piece.slice(from, to);
    this.#held = piece.slice(to);
    return out;
  }
}

let escaper: TerminalEscaper | null | undefined;

/**
 * Writes text that came from the network to stdout. Piped or redirected, it
 * is written unchanged, byte for byte as the book's programs print it. On a
 * terminal, anything that could drive the terminal (escape sequences, other
 * control characters, bidirectional overrides) is shown escaped, as `\x1b`
 * or `\u202e`, and never obeyed (the core's {@linkcode TerminalEscaper}).
 * Calls continue one stream: a carriage return at the end of one text and a
 * line feed at the start of the next are still a CRLF. End the output with a
 * newline, so that nothing is held back.
 *
 * @param text The text to show.
 * @returns When it is written.
 *
 * @example Printing a line
 * ```ts
 * import { showText } from "./_fetch_text.ts";
 * import { assertEquals } from "../core/_assert.ts";
 *
 * assertEquals(await showText(""), undefined);
 * ```
 */
export async function showText(text: string): Promise<void> {
  escaper ??= Deno.stdout.isTerminal() ? new TerminalEscaper() : null;
  const bytes = new TextEncoder().encode(text);
  await writeOut(escaper === null ? bytes : escaper.push(bytes));
}

/**
 * Options for {@linkcode fetchBody}.
 *
 * @example A page of at most 1000 bytes, given 5 seconds of silence
 * ```ts
 * import { fetchBody, type FetchBodyOptions } from "./_fetch_text.ts";
 * import { assertEquals } from "../core/_assert.ts";
 *
 * const options: FetchBodyOptions = { timeoutSeconds: 5, maxBytes: 1000 };
 * const body = await fetchBody("data:text/plain,hello", options);
 * assertEquals(await body.text(), "hello");
 * ```
 */
export interface FetchBodyOptions {
  /**
   * Give up when the server sends nothing (no connection, no headers, no
   * body bytes) for this many seconds.
   *
   * @default {30}
   */
  timeoutSeconds?: number;
  /**
   * Give up when the body is larger than this many bytes.
   *
   * @default {Infinity}
   */
  maxBytes?: number;
  /**
   * Keep a leading byte order mark as the character U+FEFF, as Python's
   * `bytes.decode()` does; when false it is dropped, as a browser does.
   *
   * @default {false}
   */
  keepByteOrderMark?: boolean;
}

/**
 * Fetches `url` as the book's `urllib.request.urlopen()` does: redirects
 * followed, an HTTP error status (4xx, 5xx) is an error. The body is then
 * read once, as text, chunk by chunk or line by line.
 *
 * Errors are {@linkcode RunError}s: `cannot retrieve URL: 404 Not Found`,
 * `cannot connect to HOST:PORT: connection refused`, a timeout or a body over
 * the limit. A missing network permission is rethrown as is, so that the
 * script names the flag to add.
 *
 * @param url The absolute URL.
 * @param options Timeout, size limit, byte order mark.
 * @returns The body, ready to read.
 *
 * @example Reading a body (a `data:` URL needs no permission)
 * ```ts
 * import { fetchBody } from "./_fetch_text.ts";
 * import { assertEquals } from "../core/_assert.ts";
 *
 * const body = await fetchBody("data:text/plain,But%20soft%0AIt%20is%0A");
 * assertEquals(await body.text(), "But soft\nIt is\n");
 * ```
 */
export async function fetchBody(url: string, options: FetchBodyOptions = {}): Promise<FetchedBody> {
  const seconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const controller = new AbortController();
  const idle = new IdleTimer(controller, seconds);
  let response: Response;
  try {
    response = await fetch(url, { signal: controller.signal });
  } catch (error) {
    idle.stop();
    throw fetchFailure(url, error, controller.signal);
  }
  if (!response.ok) {
    idle.stop();
    await response.body?.cancel().catch(() => {});
    const why = `${response.status} ${response.statusText}`.trim();
    throw new RunError("cannot retrieve URL", why);
  }
  const maxBytes = options.maxBytes ?? Infinity;
  const length = Number(response.headers.get("content-length") ?? NaN);
  if (length > maxBytes) {
    idle.stop();
    await response.body?.cancel().catch(() => {});
    throw tooLarge(maxBytes);
  }
  return new Body(response, controller.signal, idle, maxBytes, !!options.keepByteOrderMark);
}

/**
 * The body of a fetched page, read once: as bytes, as text chunks, as chunks
 * cut between words, or as the whole text.
 *
 * @example Reading the body in pieces that do not cut words
 * ```ts
 * import { fetchBody } from "./_fetch_text.ts";
 * import { assertEquals } from "../core/_assert.ts";
 *
 * const body = await fetchBody("data:text/plain,But%20soft%20what%20light");
 * const pieces = [];
 * for await (const piece of body.wordChunks()) pieces.push(piece);
 * assertEquals(pieces.join("").split(" "), ["But", "soft", "what", "light"]);
 * ```
 */
export interface FetchedBody {
  /** The page's URL after redirects: the base for its relative links. */
  readonly url: string;
  /** The body's bytes as they arrive, counted against the size limit. */
  bytes(): AsyncGenerator<Uint8Array>;
  /**
   * The body decoded as UTF-8 by one streaming decoder (invalid bytes become
   * U+FFFD), one string per chunk received.
   */
  textChunks(): AsyncGenerator<string>;
  /**
   * The decoded body in pieces cut after Python white space, so that no word
   * (as Python's `str.split()` finds words) is split across two pieces.
   */
  wordChunks(): AsyncGenerator<string>;
  /** The whole body as one string. */
  text(): Promise<string>;
}

class Body implements FetchedBody {
  readonly url: string;
  #response: Response;
  #signal: AbortSignal;
  #idle: IdleTimer;
  #maxBytes: number;
  #keepByteOrderMark: boolean;

  constructor(
    response: Response,
    signal: AbortSignal,
    idle: IdleTimer,
    maxBytes: number,
    keepByteOrderMark: boolean,
  ) {
    this.url = response.url;
    this.#response = response;
    this.#signal = signal;
    this.#idle = idle;
    this.#maxBytes = maxBytes;
    this.#keepByteOrderMark = keepByteOrderMark;
  }

  async *bytes(): AsyncGenerator<Uint8Array> {
    const body = this.#response.body;
    if (body === null) {
      this.#idle.stop();
      return;
    }
    const reader = body.getReader();
    let total = 0;
    try {
      while (true) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          throw fetchFailure(this.url, error, this.#signal);
        }
        if (next.done) break;
        this.#idle.restart();
        total += next.value.byteLength;
        if (total > this.#maxBytes) throw tooLarge(this.#maxBytes);
        yield next.value;
      }
    } finally {
      this.#idle.stop();
      await reader.cancel().catch(() => {});
    }
  }

  async *textChunks(): AsyncGenerator<string> {
    const decoder = new TextDecoder("utf-8", { ignoreBOM: this.#keepByteOrderMark });
    for await (const chunk of this.bytes()) {
      const text = decoder.decode(chunk, { stream: true });
      if (text !== "") yield text;
    }
    const rest = decoder.decode();
    if (rest !== "") yield rest;
  }

  async *wordChunks(): AsyncGenerator<string> {
    let partial = "";
    for await (const text of this.textChunks()) {
      let cut = text.length;
      while (cut > 0 && !isPythonSpace(text.charCodeAt(cut - 1))) cut--;
      if (cut === 0) {
        partial += text;
        continue;
      }
      yield partial + text.slice(0, cut);
      partial = text.slice(cut);
    }
    if (partial !== "") yield partial;
  }

  async text(): Promise<string> {
    const parts: string[] = [];
    for await (const text of this.textChunks()) parts.push(text);
    return parts.join("");
  }
}

/** Aborts a request when nothing arrives for a while; restarted on every chunk. */
class IdleTimer {
  #controller: AbortController;
  #seconds: number;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(controller: AbortController, seconds: number) {
    this.#controller = controller;
    this.#seconds = seconds;
    this.restart();
  }

  restart(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      const why = `no data for ${this.#seconds} seconds (a longer --timeout may help)`;
      this.#controller.abort(new RunError("cannot retrieve URL", why));
    }, Math.min(this.#seconds * 1000, 2 ** 31 - 1));
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

function tooLarge(maxBytes: number): RunError {
  return new RunError(
    "cannot retrieve URL",
    `the page is larger than ${maxBytes} bytes (a larger --max-bytes may help)`,
  );
}

/** One clear error for what `fetch` or a body read threw. */
function fetchFailure(url: string, error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted && signal.reason instanceof RunError) return signal.reason;
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return error;
  }
  if (error instanceof RunError) return error;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
  const message = error instanceof Error ? error.message : String(error);
  let where = "URL";
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
    where = `${parsed.hostname}:${port}`;
  } catch { /* not a URL: keep "URL" */ }
  const detail = cause || message;
  if (/dns error|failed to lookup/i.test(detail)) {
    return new RunError(`cannot connect to ${where}`, "name not resolved");
  }
  if (/connection refused/i.test(detail)) {
    return new RunError(`cannot connect to ${where}`, "connection refused");
  }
  const last = detail.split(": ").pop()!.replace(/\s*\(os error \d+\)$/, "").trim();
  const why = last.charAt(0).toLowerCase() + last.slice(1);
  return new RunError("cannot retrieve URL", why.split("\n")[0] || "unknown error");
}
