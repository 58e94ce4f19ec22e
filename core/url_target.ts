// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * Turns an absolute `http://` or `https://` URL into what a raw socket needs:
 * the host and port to connect to, the `Host` header value and the request
 * target. The book splits the URL on `/` and takes the third part as host;
 * that breaks on a URL without a scheme, with a port, with user name and
 * password, with an IPv6 address, and on a typo. This module says clearly
 * what is wrong instead.
 *
 * @module
 */

import { quote } from "./terminal.ts";
import { UrlTargetError } from "./errors.ts";

/**
 * Where a raw socket connects, and what it asks for.
 *
 * @example What socket1 connects to and sends
 * ```ts
 * import { parseUrlTarget, type UrlTarget } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const target: UrlTarget = parseUrlTarget("http://127.0.0.1:8000/romeo.txt");
 * assertEquals([target.hostname, target.port], ["127.0.0.1", 8000]);
 * assertEquals(`GET ${target.url} HTTP/1.0\r\n\r\n`, "GET http://127.0.0.1:8000/romeo.txt HTTP/1.0\r\n\r\n");
 * ```
 */
export interface UrlTarget {
  /** `"http"` or `"https"`. */
  scheme: "http" | "https";
  /** The host to connect to, lower case; an IPv6 address without its brackets. */
  hostname: string;
  /** The `Host` header value: hostname (IPv6 in brackets) plus `:port` when not the default. */
  host: string;
  /** The port: the URL's, else 80 for http and 443 for https. */
  port: number;
  /** Origin-form request target: path and query, `/` when empty; never the fragment. */
  path: string;
  /** The absolute URL as given (trimmed, fragment removed), used by the book's programs as request target. */
  url: string;
}

const DEFAULT_PORTS = { http: 80, https: 443 } as const;

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const WHITE_SPACE = /\s/;
/** White space or a control character: one test for the usual URL that has neither. */
// deno-lint-ignore no-control-regex
const SPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/;
const AUTHORITY_END = /[/?#\\]|$/;
const DIGITS = /^\d+$/;
/**
 * A path and query that the URL parser leaves as they are: characters it
 * never escapes, no dot segments (`.`, `..`, `%2e`), no empty query.
 */
const PLAIN_REST =
  /^(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@\/%]*)?(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@\/?%]+)?$/;
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:[/?]|$)/i;
/** The host of the last URL parsed, by its text up to the path: many URLs share one. */
let lastOrigin: { text: string; bracketed: string } | null = null;
const MAX_SHOWN = 200;

/** The URL as shown in a message: quoted, control characters escaped, long ones cut. */
function quoteUrl(url: string): string {
  return quote(url.length > MAX_SHOWN ? `${url.slice(0, MAX_SHOWN)}...` : url);
}

function fail(url: string, why: string, code: string): never {
  throw new UrlTargetError(`Cannot use URL ${quoteUrl(url)}: ${why}`, code);
}

/**
 * Parses an absolute http(s) URL into a socket target.
 *
 * Surrounding white space is removed first. Scheme and host are lower-cased
 * as the WHATWG URL parser does (a non-ASCII host name becomes its `xn--`
 * form). A fragment is dropped from `path` and from `url`, since it is never
 * sent to a server. A URL with a user name or password is refused: the book's
 * programs send the URL as written on the request line, so the credentials
 * would travel in clear text.
 *
 * Error codes of the {@linkcode UrlTargetError} thrown: `EMPTY`, `WHITE_SPACE`,
 * `CONTROL_CHARACTER`, `NO_SCHEME`, `UNSUPPORTED_SCHEME`, `NO_SLASHES`,
 * `NO_HOST`, `USERINFO`, `BAD_PORT`, `PORT_OUT_OF_RANGE`, `BAD_HOST`.
 *
 * @param url The URL, as typed or given on the command line.
 * @returns The target: scheme, hostname, host, port, path and the URL to send.
 * @throws {UrlTargetError} When the URL cannot be used for a raw-socket request.
 *
 * @example Parsing the book's URL
 * ```ts
 * import { parseUrlTarget } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * assertEquals(parseUrlTarget(" http://data.pr4e.org/romeo.txt "), {
 *   scheme: "http",
 *   hostname: "data.pr4e.org",
 *   host: "data.pr4e.org",
 *   port: 80,
 *   path: "/romeo.txt",
 *   url: "http://data.pr4e.org/romeo.txt",
 * });
 * ```
 *
 * @example An IPv6 address with a port
 * ```ts
 * import { parseUrlTarget } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const target = parseUrlTarget("http://[::1]:8080/x?q=1#top");
 * assertEquals([target.hostname, target.host, target.port], ["::1", "[::1]:8080", 8080]);
 * assertEquals([target.path, target.url], ["/x?q=1", "http://[::1]:8080/x?q=1"]);
 * ```
 *
 * @example What the book's `split('/')` gets wrong
 * ```ts
 * import { parseUrlTarget, UrlTargetError } from "@netprog/netprog";
 * import { assert, assertEquals, assertThrows } from "./_assert.ts";
 *
 * assertThrows(() => parseUrlTarget("data.pr4e.org/romeo.txt"), (error) => {
 *   assert(error instanceof UrlTargetError);
 *   assertEquals(error.code, "NO_SCHEME");
 *   assertEquals(
 *     error.message,
 *     'Cannot use URL "data.pr4e.org/romeo.txt": no scheme, expected http:// or https://',
 *   );
 *   return true;
 * });
 * ```
 */
export function parseUrlTarget(url: string): UrlTarget {
  const given = url.trim();
  if (given === "") fail(given, "the URL is empty", "EMPTY");
  if (SPACE_OR_CONTROL.test(given)) {
    if (WHITE_SPACE.test(given)) {
      fail(given, "contains white space, encode a space as %20", "WHITE_SPACE");
    }
    fail(given, "contains a control character", "CONTROL_CHARACTER");
  }

  const schemeMatch = SCHEME.exec(given);
  if (schemeMatch === null) fail(given, "no scheme, expected http:// or https://", "NO_SCHEME");
  // The match is the scheme and its colon.
  const scheme = schemeMatch[0].slice(0, -1).toLowerCase();
  const afterScheme = given.slice(schemeMatch[0].length);
  if (scheme !== "http" && scheme !== "https") {
    // "localhost:8000/x" and "data.pr4e.org:80/x" look like a scheme to a URL parser.
    if (/^\d*(?:[/?#]|$)/.test(afterScheme) && !afterScheme.startsWith("//")) {
      fail(given, "no scheme, expected http:// or https://", "NO_SCHEME");
    }
    fail(
      given,
      `unsupported scheme "${scheme}:", expected http:// or https://`,
      "UNSUPPORTED_SCHEME",
    );
  }
  if (!afterScheme.startsWith("//") || afterScheme.startsWith("///")) {
    if (afterScheme.startsWith("///")) fail(given, "no host after //", "NO_HOST");
    fail(given, `expected // after "${scheme}:"`, "NO_SLASHES");
  }

  const hash = given.indexOf("#");
  const withoutFragment = hash === -1 ? given : given.slice(0, hash);
  const rest = afterScheme.slice(2);
  const authority = rest.slice(0, rest.search(AUTHORITY_END));
  if (authority.includes("@")) {
    fail(
      given,
      "contains a user name or password, which would be sent in clear text",
      "USERINFO",
    );
  }

  let hostPart = authority;
  let portText: string | undefined;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close === -1) fail(given, "an IPv6 address is missing its closing ]", "BAD_HOST");
    hostPart = authority.slice(0, close + 1);
    const after = authority.slice(close + 1);
    if (after !== "") {
      if (!after.startsWith(":")) {
        fail(given, `unexpected ${quote(after)} after ]`, "BAD_HOST");
      }
      portText = after.slice(1);
    }
  } else {
    const colon = authority.lastIndexOf(":");
    if (colon !== -1) {
      hostPart = authority.slice(0, colon);
      portText = authority.slice(colon + 1);
    }
  }
  if (hostPart === "") fail(given, "no host", "NO_HOST");

  let port: number = DEFAULT_PORTS[scheme];
  if (portText !== undefined && portText !== "") {
    if (!DIGITS.test(portText)) {
      fail(given, `port ${quote(portText)} is not a number`, "BAD_PORT");
    }
    port = Number(portText);
    if (port < 1 || port > 65535) {
      fail(given, `port ${portText} is out of range, expected 1 to 65535`, "PORT_OUT_OF_RANGE");
    }
  }

  // The URL parser decides the host (IDNA, IPv4 forms, escapes) and the path
  // (dot segments, escapes). Its host answer is kept for the next URL with
  // the same text up to the path, and a plain path is its own answer.
  const originText = withoutFragment.slice(0, schemeMatch[0].length + 2 + authority.length);
  const restText = withoutFragment.slice(originText.length);
  let bracketed: string;
  let path: string;
  if (
    lastOrigin?.text === originText && PLAIN_REST.test(restText) && !DOT_SEGMENT.test(restText)
  ) {
    bracketed = lastOrigin.bracketed;
    path = restText === "" || restText.startsWith("?") ? `/${restText}` : restText;
  } else {
    let parsed: URL;
    try {
      parsed = new URL(withoutFragment);
    } catch {
      fail(given, `cannot parse host ${quote(hostPart)}`, "BAD_HOST");
    }
    if (parsed.hostname === "") fail(given, "no host", "NO_HOST");
    bracketed = parsed.hostname;
    path = (parsed.pathname || "/") + parsed.search;
    lastOrigin = { text: originText, bracketed };
  }
  const hostname = bracketed.startsWith("[") ? bracketed.slice(1, -1) : bracketed;
  const host = port === DEFAULT_PORTS[scheme] ? bracketed : `${bracketed}:${port}`;
  return { scheme, hostname, host, port, path, url: withoutFragment };
}
