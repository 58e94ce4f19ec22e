// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * The book's `\r\n\r\n` search, on bytes: where the header block of a
 * response ends, in one buffer or across chunks as they arrive.
 *
 * @module
 */

const CR = 13;
const LF = 10;

/**
 * Returns the index of the first CRLFCRLF (`\r\n\r\n`) in `bytes` that
 * starts at or after `from`, or -1 when there is none. The index is that of
 * the first `\r`, so the header block is `bytes.subarray(0, index)` and the
 * body starts at `index + 4`, as in the book's `pos = data.find(b"\r\n\r\n")`.
 *
 * @example Finding where the body starts
 * ```ts
 * import { findHeaderEnd } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const bytes = new TextEncoder().encode("HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody");
 * assertEquals(findHeaderEnd(bytes), 21);
 * assertEquals(findHeaderEnd(bytes, 22), -1);
 * ```
 *
 * @param bytes The bytes to search.
 * @param from The first index a match may start at; negative counts from the end.
 * @returns The index of the first byte of the CRLFCRLF, or -1.
 */
export function findHeaderEnd(bytes: Uint8Array, from = 0): number {
  let i = from < 0 ? Math.max(0, bytes.length + from) : from;
  const last = bytes.length - 4;
  while (i <= last) {
    const cr = bytes.indexOf(CR, i);
    if (cr === -1 || cr > last) return -1;
    if (bytes[cr + 1] === LF && bytes[cr + 2] === CR && bytes[cr + 3] === LF) return cr;
    i = cr + 1;
  }
  return -1;
}

/**
 * Finds the first CRLFCRLF in a stream of chunks, however the four bytes
 * fall across chunk boundaries. Offsets count from the first byte ever
 * pushed. Each byte is looked at once (a 3-byte match state carries over
 * between chunks), so the work is linear in the input.
 *
 * @example Finding the header end split across reads
 * ```ts
 * import { HeaderEndFinder } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const finder = new HeaderEndFinder();
 * const encoder = new TextEncoder();
 * assertEquals(finder.push(encoder.encode("HTTP/1.0 200 OK\r\n\r")), -1);
 * assertEquals(finder.push(encoder.encode("\nbody")), 15);
 * assertEquals(finder.index, 15);
 * ```
 */
export class HeaderEndFinder {
  #index = -1;
  /** How many bytes of CRLFCRLF matched at the end of the input so far (0..3). */
  #matched = 0;
  #seen = 0;

  /**
   * The absolute offset of the first CRLFCRLF found so far, or -1.
   *
   * @example Before and after the header end arrives
   * ```ts
   * import { HeaderEndFinder } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const finder = new HeaderEndFinder();
   * assertEquals(finder.index, -1);
   * finder.push(new TextEncoder().encode("HTTP/1.0 200 OK\r\n\r\nhello"));
   * assertEquals(finder.index, 15);
   * ```
   *
   * @returns The offset of its first byte, or -1.
   */
  get index(): number {
    return this.#index;
  }

  /**
   * Feeds a chunk. Once the CRLFCRLF is found, later pushes only return the
   * same offset.
   *
   * @example Offsets count from the first byte ever pushed
   * ```ts
   * import { HeaderEndFinder } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const finder = new HeaderEndFinder();
   * const encoder = new TextEncoder();
   * assertEquals(finder.push(encoder.encode("HTTP/1.0 200 OK\r\n")), -1);
   * assertEquals(finder.push(encoder.encode("Server: x\r\n\r\n")), 26);
   * assertEquals(finder.push(encoder.encode("more body")), 26);
   * ```
   *
   * @param chunk The next bytes of the stream.
   * @returns The absolute offset of the CRLFCRLF (its first byte) once found, else -1.
   */
  push(chunk: Uint8Array): number {
    if (this.#index !== -1) return this.#index;
    let matched = this.#matched;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (matched === 0) {
        const cr = chunk.indexOf(CR, i);
        if (cr === -1) {
          i = n;
          break;
        }
        matched = 1;
        i = cr + 1;
        continue;
      }
      const byte = chunk[i];
      if (byte === (matched % 2 === 1 ? LF : CR)) {
        matched++;
        i++;
        if (matched === 4) {
          this.#index = this.#seen + i - 4;
          this.#seen += n;
          this.#matched = 4;
          return this.#index;
        }
      } else {
        matched = byte === CR ? 1 : 0;
        i++;
      }
    }
    this.#matched = matched;
    this.#seen += n;
    return -1;
  }
}
