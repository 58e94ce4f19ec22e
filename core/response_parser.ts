// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * An incremental HTTP/1.x response parser. (API contract; implementation pending.)
 *
 * @module
 */

import { HeaderTooLargeError, HttpSyntaxError } from "./errors.ts";

/** Header fields in the order received, duplicates kept, looked up case-insensitively. */
export class HeaderList {
  /** Raw `[name, value]` pairs in the order received (name as sent, value trimmed). */
  readonly entries: ReadonlyArray<readonly [string, string]>;
  /** @param entries Raw `[name, value]` pairs. */
  constructor(entries: ReadonlyArray<readonly [string, string]> = []) {
    this.entries = entries;
  }
  /** First value whose name matches case-insensitively... (all values joined by ", " per RFC 9110; null when absent). */
  get(_name: string): string | null {
    throw new Error("not implemented");
  }
  /** Every value whose name matches, in order. */
  getAll(_name: string): string[] {
    throw new Error("not implemented");
  }
  /** Whether a field with this name is present. */
  has(_name: string): boolean {
    throw new Error("not implemented");
  }
}

/** The status line and headers of a response. */
export interface ResponseHead {
  /** `"HTTP/1.1"` or `"HTTP/1.0"`. */
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

/** How the body is delimited. */
export type BodyFraming = "none" | "content-length" | "chunked" | "close";

/** Options for {@linkcode ResponseParser}. */
export interface ResponseParserOptions {
  /** Largest header block (and trailer block) accepted, in bytes. @default {65536} */
  maxHeaderSize?: number;
  /** The request method; `"HEAD"` means no body whatever the headers say. @default {"GET"} */
  method?: string;
  /** Called once the final (non-1xx) head is parsed. */
  onHead?: (head: ResponseHead) => void;
  /** Called with body bytes: views into the pushed chunk, valid only during the call. */
  onBody?: (chunk: Uint8Array) => void;
  /** Called with the trailer fields of a chunked body (possibly empty). */
  onTrailers?: (trailers: HeaderList) => void;
}

/** A whole parsed response, as {@linkcode parseResponse} returns it. */
export interface ParsedResponse extends ResponseHead {
  /** How the body was delimited. */
  framing: BodyFraming;
  /** The decoded body (chunked coding removed). */
  body: Uint8Array;
  /** Trailer fields of a chunked body; empty otherwise. */
  trailers: HeaderList;
}

/** Incremental parser: push bytes split anywhere, then `finish()` at end of input. */
export class ResponseParser {
  /** @param options See {@linkcode ResponseParserOptions}. */
  constructor(_options: ResponseParserOptions = {}) {
    void HeaderTooLargeError;
    void HttpSyntaxError;
  }
  /** The head once parsed, else null. */
  get head(): ResponseHead | null {
    throw new Error("not implemented");
  }
  /** The framing once the head is parsed, else null. */
  get framing(): BodyFraming | null {
    throw new Error("not implemented");
  }
  /** True once a complete message has been parsed. */
  get complete(): boolean {
    throw new Error("not implemented");
  }
  /** Total bytes consumed so far. */
  get offset(): number {
    throw new Error("not implemented");
  }
  /**
   * Feeds bytes. Returns how many bytes of `chunk` were consumed: fewer than
   * `chunk.length` only when the message completed inside it (the rest
   * belongs to the next response on a kept-alive connection).
   */
  push(_chunk: Uint8Array): number {
    throw new Error("not implemented");
  }
  /** Signals end of input: completes a close-delimited body, or throws if the message is truncated. */
  finish(): void {
    throw new Error("not implemented");
  }
}

/** One-shot: parse a whole response held in memory. */
export function parseResponse(
  _bytes: Uint8Array,
  _options?: ResponseParserOptions,
): ParsedResponse {
  throw new Error("not implemented");
}
