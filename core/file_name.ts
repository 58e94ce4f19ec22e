// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * curl3's file name rule, `url.split('/')[-1]`, made safe: the last part of
 * the URL's path, percent-decoded, refused when writing it could leave the
 * current folder, fail on some system, or surprise the user.
 *
 * @module
 */

import { quote } from "./terminal.ts";
import { UnsafeFileNameError } from "./errors.ts";

/**
 * The longest name most file systems accept, in UTF-8 bytes.
 *
 * @example The longest name accepted
 * ```ts
 * import { fileNameFromUrl, MAX_FILE_NAME_BYTES } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const name = "a".repeat(MAX_FILE_NAME_BYTES);
 * assertEquals(fileNameFromUrl(`http://h/${name}`), name);
 * ```
 */
export const MAX_FILE_NAME_BYTES = 255;

const RESERVED =
  /^(?:CON|PRN|AUX|NUL|COM[1-9\u00b9\u00b2\u00b3]|LPT[1-9\u00b9\u00b2\u00b3])(?:\..*)?$/i;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

function fail(url: string, why: string, code: string): never {
  const shown = url.length > 200 ? `${url.slice(0, 200)}...` : url;
  throw new UnsafeFileNameError(
    `Cannot take a file name from ${quote(shown)}: ${why}`,
    code,
  );
}

/** Decodes each run of %XX escapes as UTF-8; a run that is not UTF-8 is an error. */
function percentDecode(url: string, segment: string): string {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  return segment.replace(PERCENT_RUN, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    try {
      return decoder.decode(bytes);
    } catch {
      return fail(url, `the escapes ${run} are not UTF-8`, "BAD_ENCODING");
    }
  });
}

/**
 * The file name curl3 writes to: the last `/`-separated part of the URL's
 * path (query and fragment ignored), percent-decoded, after the URL parser
 * has resolved `.` and `..` segments.
 *
 * Error codes of the {@linkcode UnsafeFileNameError} thrown: `INVALID_URL`
 * (the URL does not parse), `EMPTY` (the path ends with `/`), `DOT_NAME`
 * (`.` or `..`), `PATH_SEPARATOR` (`/` or `\` after decoding, as from
 * `%2F`), `CONTROL_CHARACTER` (NUL and other controls), `RESERVED_NAME`
 * (a device name on Windows, such as `CON`, `nul.txt` or `COM1`),
 * `TRAILING_DOT_OR_SPACE`, `TOO_LONG` (over {@linkcode MAX_FILE_NAME_BYTES}
 * UTF-8 bytes) and `BAD_ENCODING` (escapes that are not UTF-8).
 *
 * @param url The URL, as typed (surrounding white space is ignored).
 * @returns A name that is safe to create in the current folder.
 * @throws {UnsafeFileNameError} When no safe name can be taken.
 *
 * @example The book's URL
 * ```ts
 * import { fileNameFromUrl } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * assertEquals(fileNameFromUrl("http://data.pr4e.org/cover3.jpg"), "cover3.jpg");
 * assertEquals(fileNameFromUrl("http://h/a/caf%C3%A9%20menu.txt?x=1#top"), "café menu.txt");
 * ```
 *
 * @example Names that are refused
 * ```ts
 * import { fileNameFromUrl, UnsafeFileNameError } from "@netprog/netprog";
 * import { assertThrows } from "./_assert.ts";
 *
 * for (const url of ["http://h/", "http://h/a/..%2Fsecret", "http://h/con.txt"]) {
 *   assertThrows(() => fileNameFromUrl(url), UnsafeFileNameError, `${url} was accepted`);
 * }
 * ```
 */
export function fileNameFromUrl(url: string): string {
  const given = url.trim();
  let pathname: string;
  try {
    pathname = new URL(given).pathname;
  } catch {
    return fail(given, "the URL does not parse", "INVALID_URL");
  }
  const last = pathname.slice(pathname.lastIndexOf("/") + 1);
  const name = percentDecode(given, last);
  if (name === "") {
    fail(given, "the name is empty, the path ends with / once . and .. are resolved", "EMPTY");
  }
  if (name === "." || name === "..") {
    fail(given, `the name ${quote(name)} is a folder, not a file`, "DOT_NAME");
  }
  if (name.includes("/") || name.includes("\\")) {
    fail(given, `the name ${quote(name)} contains a path separator`, "PATH_SEPARATOR");
  }
  if (CONTROL.test(name)) {
    fail(
      given,
      `the name ${quote(name)} contains a control character`,
      "CONTROL_CHARACTER",
    );
  }
  if (RESERVED.test(name)) {
    fail(given, `the name ${quote(name)} is reserved on Windows`, "RESERVED_NAME");
  }
  if (name.endsWith(".") || name.endsWith(" ")) {
    fail(
      given,
      `the name ${quote(name)} ends with a dot or a space`,
      "TRAILING_DOT_OR_SPACE",
    );
  }
  const bytes = new TextEncoder().encode(name).length;
  if (bytes > MAX_FILE_NAME_BYTES) {
    fail(
      given,
      `the name is ${bytes} bytes long, longer than ${MAX_FILE_NAME_BYTES}`,
      "TOO_LONG",
    );
  }
  return name;
}
