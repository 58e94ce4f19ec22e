// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * netprog: the "Networked programs" chapter of *Python for Everybody* as a
 * runtime-agnostic TypeScript core. An incremental HTTP/1.x response parser,
 * the book's `\r\n\r\n` search, URL to socket target, links by the book's
 * regex and by a standard DOM, anchor descriptions, paragraph and word
 * counts, a safe file name from a URL, and an escaper that keeps a
 * server's bytes from driving a terminal. No dependency, no `Deno` API:
 * the same code runs in Deno, in a browser and in any runtime with web
 * standard APIs.
 *
 * @example Parse a response the book's server sent
 * ```ts
 * import { parseResponse } from "@netprog/netprog";
 * import { assertEquals } from "./core/_assert.ts";
 *
 * const raw = new TextEncoder().encode(
 *   "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
 * );
 * const response = parseResponse(raw);
 * assertEquals(response.status, 200);
 * assertEquals(response.headers.get("content-type"), "text/plain");
 * assertEquals(new TextDecoder().decode(response.body), "hello");
 * ```
 *
 * @module
 */

export * from "./core/errors.ts";
export * from "./core/dom_types.ts";
export * from "./core/find_header_end.ts";
export * from "./core/response_parser.ts";
export * from "./core/url_target.ts";
export * from "./core/request.ts";
export * from "./core/links.ts";
export * from "./core/words.ts";
export * from "./core/lines.ts";
export * from "./core/file_name.ts";
export * from "./core/terminal.ts";
