// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * Typed errors thrown by the core. Every error carries a machine-readable
 * `code`; parser errors also carry the byte `offset` where the problem was
 * found, counted from the first byte ever pushed into the parser.
 *
 * @module
 */

/**
 * Malformed HTTP message bytes: a bad status line, header line, chunk size,
 * or a message that ended too early.
 *
 * @example Catching a parse error
 * ```ts
 * import { HttpSyntaxError } from "@netprog/netprog";
 * import { assert } from "./_assert.ts";
 *
 * const error = new HttpSyntaxError("Cannot parse status line: \"HTTP/x 2\"", "BAD_STATUS_LINE", 0);
 * assert(error instanceof SyntaxError);
 * assert(error.code === "BAD_STATUS_LINE" && error.offset === 0);
 * ```
 */
export class HttpSyntaxError extends SyntaxError {
  /** A stable identifier of what went wrong, such as `"BAD_STATUS_LINE"`. */
  readonly code: string;
  /** The byte offset in the whole input where the problem was found. */
  readonly offset: number;

  /**
   * Constructs a new instance.
   *
   * @param message A sentence-case description, action first, no trailing period.
   * @param code A stable identifier of what went wrong.
   * @param offset The byte offset in the whole input.
   */
  constructor(message: string, code: string, offset: number) {
    super(message);
    this.name = "HttpSyntaxError";
    this.code = code;
    this.offset = offset;
  }
}

/**
 * The header block (status line, header lines, or chunk trailers) grew past
 * the configured limit before it ended.
 *
 * @example Checking the limit that was exceeded
 * ```ts
 * import { HeaderTooLargeError } from "@netprog/netprog";
 * import { assert } from "./_assert.ts";
 *
 * const error = new HeaderTooLargeError(65536, 65536);
 * assert(error instanceof RangeError);
 * assert(error.limit === 65536 && error.code === "HEADER_TOO_LARGE");
 * ```
 */
export class HeaderTooLargeError extends RangeError {
  /** Always `"HEADER_TOO_LARGE"`. */
  readonly code = "HEADER_TOO_LARGE";
  /** The limit in bytes. */
  readonly limit: number;
  /** The byte offset at which the limit was passed. */
  readonly offset: number;

  /**
   * Constructs a new instance.
   *
   * @param limit The limit in bytes.
   * @param offset The byte offset at which the limit was passed.
   */
  constructor(limit: number, offset: number) {
    super(`Cannot accept header: larger than the limit of ${limit} bytes`);
    this.name = "HeaderTooLargeError";
    this.limit = limit;
    this.offset = offset;
  }
}

/**
 * A URL that cannot be turned into a socket target: no scheme, an unsupported
 * scheme, no host, a port out of range, white space, and the like.
 *
 * @example Reading the code of a URL error
 * ```ts
 * import { UrlTargetError } from "@netprog/netprog";
 * import { assert } from "./_assert.ts";
 *
 * const error = new UrlTargetError("Cannot use URL \"data.pr4e.org\": no scheme", "NO_SCHEME");
 * assert(error instanceof TypeError && error.code === "NO_SCHEME");
 * ```
 */
export class UrlTargetError extends TypeError {
  /** A stable identifier of what went wrong, such as `"NO_SCHEME"`. */
  readonly code: string;

  /**
   * Constructs a new instance.
   *
   * @param message A sentence-case description, action first, no trailing period.
   * @param code A stable identifier of what went wrong.
   */
  constructor(message: string, code: string) {
    super(message);
    this.name = "UrlTargetError";
    this.code = code;
  }
}

/**
 * A file name taken from a URL that would be unsafe or impossible to write:
 * empty, `.`, `..`, a path separator, a NUL, a name reserved on Windows, or
 * an over-long name.
 *
 * @example Reading the code of a file name error
 * ```ts
 * import { UnsafeFileNameError } from "@netprog/netprog";
 * import { assert } from "./_assert.ts";
 *
 * const error = new UnsafeFileNameError("Cannot take a file name from \"http://h/\": the name is empty", "EMPTY");
 * assert(error instanceof TypeError && error.code === "EMPTY");
 * ```
 */
export class UnsafeFileNameError extends TypeError {
  /** A stable identifier of what went wrong, such as `"EMPTY"`. */
  readonly code: string;

  /**
   * Constructs a new instance.
   *
   * @param message A sentence-case description, action first, no trailing period.
   * @param code A stable identifier of what went wrong.
   */
  constructor(message: string, code: string) {
    super(message);
    this.name = "UnsafeFileNameError";
    this.code = code;
  }
}
