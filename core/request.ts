// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * The HTTP/1.x request a raw-socket client sends.
 *
 * @module
 */

import type { UrlTarget } from "./url_target.ts";

/**
 * Options of {@linkcode formatRequest}.
 *
 * @example An HTTP/1.0 request with one more header
 * ```ts
 * import type { RequestOptions } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const options: RequestOptions = { http10: true, headers: [["Accept", "text/html"]] };
 * assertEquals(options.headers?.length, 1);
 * ```
 */
export interface RequestOptions {
  /** Send `HTTP/1.0` instead of `HTTP/1.1`. @default {false} */
  http10?: boolean;
  /** Add `Connection: close`. @default {false} */
  close?: boolean;
  /**
   * Extra header fields: one replaces a default field of the same name (in
   * any case); one with an empty value removes it.
   */
  headers?: readonly (readonly [string, string])[];
}

/**
 * The text of a request for `target`: the request line in origin form, then
 * `Host`, `User-Agent: netprog/0.2`, `Accept: *\/*`, `Accept-Encoding:
 * identity` (no compression: the bytes saved are the bytes sent), and
 * `Connection: close` when asked, each line ending in CRLF, and the blank
 * line. Requests sent ahead on one connection are concatenated.
 *
 * @param method `GET` or `HEAD`.
 * @param target Where the request goes (its `host` and `path`).
 * @param options Version, `Connection: close`, extra headers.
 * @returns The request, ending with the blank line.
 *
 * @example The request curl2 sends
 * ```ts
 * import { formatRequest, parseUrlTarget } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const target = parseUrlTarget("http://data.pr4e.org/cover3.jpg");
 * assertEquals(
 *   formatRequest("GET", target, { close: true }),
 *   "GET /cover3.jpg HTTP/1.1\r\nHost: data.pr4e.org\r\nUser-Agent: netprog/0.2\r\n" +
 *     "Accept: *\/*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n",
 * );
 * ```
 *
 * @example A header replaced and one removed
 * ```ts
 * import { formatRequest, parseUrlTarget } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const target = parseUrlTarget("http://127.0.0.1:8000/");
 * const headers: [string, string][] = [["user-agent", "book/1"], ["Accept-Encoding", ""]];
 * assertEquals(
 *   formatRequest("HEAD", target, { http10: true, headers }),
 *   "HEAD / HTTP/1.0\r\nHost: 127.0.0.1:8000\r\nAccept: *\/*\r\nuser-agent: book/1\r\n\r\n",
 * );
 * ```
 */
export function formatRequest(
  method: string,
  target: Pick<UrlTarget, "host" | "path">,
  options: RequestOptions = {},
): string {
  const fields: (readonly [string, string])[] = [
    ["Host", target.host],
    ["User-Agent", "netprog/0.2"],
    ["Accept", "*/*"],
    ["Accept-Encoding", "identity"],
  ];
  if (options.close) fields.push(["Connection", "close"]);
  for (const [name, value] of options.headers ?? []) {
    const at = fields.findIndex(([key]) => key.toLowerCase() === name.toLowerCase());
    if (at >= 0) fields.splice(at, 1);
    if (value !== "") fields.push([name, value]);
  }
  let head = `${method} ${target.path} ${options.http10 ? "HTTP/1.0" : "HTTP/1.1"}\r\n`;
  for (const [name, value] of fields) head += `${name}: ${value}\r\n`;
  return head + "\r\n";
}
