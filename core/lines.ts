// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * Lines as the book's urllib programs print them: each line of a response
 * stripped of Python's white space, the text arriving in pieces.
 *
 * @module
 */

import { isPythonSpace } from "./words.ts";

/**
 * The lines of a text that arrives in pieces as the book's urllib1 prints
 * a response: `for line in fhand: print(line.decode().strip())`.
 * Lines end at `\n` only; each is stripped of Python's white space
 * (`str.isspace()`: also `\x1c`–`\x1f`, `\x85`, U+3000 and the like, not
 * U+FEFF); a last line without `\n` is printed too, a final `\n` adds no
 * empty line. A line is never held whole: what is surely not trailing white
 * space goes out as it arrives, so memory stays flat on an endless line and
 * time stays linear on any text.
 *
 * @example Stripping lines split across pieces
 * ```ts
 * import { PythonLineStripper } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
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
   * @example Text goes out as soon as it is surely not trailing white space
   * ```ts
   * import { PythonLineStripper } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const lines = new PythonLineStripper();
   * assertEquals(lines.push("  Who is "), "Who is");
   * assertEquals(lines.push(" already\t"), "  already");
   * assertEquals(lines.push(" \nsun"), "\nsun");
   * ```
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
   * @example A last line without a newline gets one
   * ```ts
   * import { PythonLineStripper } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const open = new PythonLineStripper();
   * assertEquals(open.push("Juliet "), "Juliet");
   * assertEquals(open.end(), "\n");
   *
   * const closed = new PythonLineStripper();
   * assertEquals(closed.push("Juliet\n"), "Juliet\n");
   * assertEquals(closed.end(), "");
   * ```
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
