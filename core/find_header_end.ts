// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * The book's `\r\n\r\n` search, on bytes. (API contract; implementation pending.)
 *
 * @module
 */

/** Index of the first CRLFCRLF at or after `from`, or -1. */
export function findHeaderEnd(_bytes: Uint8Array, _from = 0): number {
  throw new Error("not implemented");
}

/** Finds the first CRLFCRLF across chunks; offsets count from the first byte pushed. */
export class HeaderEndFinder {
  /** Absolute offset of the first CRLFCRLF found so far, or -1. */
  get index(): number {
    throw new Error("not implemented");
  }
  /** Feeds a chunk; returns the absolute offset of the CRLFCRLF (its first byte) once found, else -1. */
  push(_chunk: Uint8Array): number {
    throw new Error("not implemented");
  }
}
