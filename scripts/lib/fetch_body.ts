// Copyright netprog authors. MIT license.

/**
 * The page of a `fetch`-based program (urllib1, urlwords, urllinks, the
 * crawler, exercises 3 and 4): fetched as the book's `urllib` does (an HTTP
 * error status raises), with an idle time limit and a size limit, the body
 * decoded as UTF-8 by one streaming decoder (a character split across two
 * reads stays whole). Deno only.
 *
 * @module
 */

import { isPythonSpace } from "../../mod.ts";
import { endpoint, networkFailure, refusedHint } from "./conn.ts";
import { RunError } from "./errors.ts";
import { isPermissionError, requirePermission } from "./run.ts";
import { DEFAULT_TIME_LIMITS, IdleLimit, inSeconds } from "./time_limit.ts";

/** The statuses that redirect, as urllib follows them. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Most redirects followed, as Python's urllib. */
const MAX_REDIRECTS = 10;

/**
 * Options for {@linkcode fetchBody}.
 *
 * @example A page of at most 1000 bytes, given 5 seconds of silence
 * ```ts
 * import { fetchBody, type FetchBodyOptions } from "./fetch_body.ts";
 * import assert from "node:assert/strict";
 *
 * const options: FetchBodyOptions = { idleTimeoutMs: 5000, maxBytes: 1000 };
 * const body = await fetchBody("data:text/plain,hello", options);
 * assert.deepEqual(await body.text(), "hello");
 * ```
 */
export interface FetchBodyOptions {
  /**
   * Give up when the server sends nothing (no connection, no headers, no
   * body bytes) for this many milliseconds.
   *
   * @default {30000}
   */
  idleTimeoutMs?: number;
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
 * import { fetchBody } from "./fetch_body.ts";
 * import assert from "node:assert/strict";
 *
 * const body = await fetchBody("data:text/plain,But%20soft%0AIt%20is%0A");
 * assert.deepEqual(await body.text(), "But soft\nIt is\n");
 * ```
 */
export async function fetchBody(url: string, options: FetchBodyOptions = {}): Promise<FetchedBody> {
  const controller = new AbortController();
  const idle = new IdleLimit(options.idleTimeoutMs ?? DEFAULT_TIME_LIMITS.idleTimeoutMs, () => {
    const why = `no data for ${inSeconds(idle.ms)}`;
    controller.abort(new RunError("cannot retrieve URL", why));
  });
  let response: Response;
  // Redirects are followed here, not by fetch, so that each new host is
  // checked for permission first (Deno would stop and ask on a terminal).
  for (let hops = 0;; hops++) {
    const target = new URL(url);
    if (target.protocol === "http:" || target.protocol === "https:") {
      const port = target.port || (target.protocol === "https:" ? "443" : "80");
      await requirePermission({ name: "net", host: `${target.hostname}:${port}` });
    }
    idle.begin();
    try {
      response = await fetch(url, { signal: controller.signal, redirect: "manual" });
    } catch (error) {
      idle.stop();
      throw fetchFailure(url, error, controller.signal);
    } finally {
      idle.end();
    }
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || location === null) break;
    await response.body?.cancel().catch(() => {});
    if (hops === MAX_REDIRECTS) {
      idle.stop();
      throw new RunError("cannot retrieve URL", `more than ${MAX_REDIRECTS} redirects`);
    }
    url = new URL(location, url).href;
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
  return new Body(response, url, controller.signal, idle, maxBytes, !!options.keepByteOrderMark);
}

/**
 * The body of a fetched page, read once: as bytes, as text chunks, as chunks
 * cut between words, or as the whole text.
 *
 * @example Reading the body in pieces that do not cut words
 * ```ts
 * import { fetchBody } from "./fetch_body.ts";
 * import assert from "node:assert/strict";
 *
 * const body = await fetchBody("data:text/plain,But%20soft%20what%20light");
 * const pieces = [];
 * for await (const piece of body.wordChunks()) pieces.push(piece);
 * assert.deepEqual(pieces.join("").split(" "), ["But", "soft", "what", "light"]);
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
  #idle: IdleLimit;
  #maxBytes: number;
  #keepByteOrderMark: boolean;

  constructor(
    response: Response,
    url: string,
    signal: AbortSignal,
    idle: IdleLimit,
    maxBytes: number,
    keepByteOrderMark: boolean,
  ) {
    this.url = url;
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
        this.#idle.begin();
        try {
          next = await reader.read();
        } catch (error) {
          throw fetchFailure(this.url, error, this.#signal);
        } finally {
          this.#idle.end();
        }
        if (next.done) break;
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

function tooLarge(maxBytes: number): RunError {
  return new RunError(
    "cannot retrieve URL",
    `the page is larger than ${maxBytes} bytes (a larger --max-bytes may help)`,
  );
}

/** One clear error for what `fetch` or a body read threw. */
function fetchFailure(url: string, error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted && signal.reason instanceof RunError) return signal.reason;
  if (isPermissionError(error) || error instanceof RunError) return error;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
  const detail = cause || (error instanceof Error ? error.message : String(error));
  const why = networkFailure(detail);
  if (why === "connection refused" || why.startsWith("name not resolved")) {
    const parsed = new URL(url); // fetch took it, so it parses
    const port = Number(parsed.port || (parsed.protocol === "https:" ? "443" : "80"));
    const where = { hostname: parsed.hostname, port };
    return new RunError(`cannot connect to ${endpoint(where)}`, refusedHint(where, why));
  }
  const last = why.split(": ").pop()!.trim();
  return new RunError("cannot retrieve URL", lowerFirst(last) || "unknown error");
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
