// Copyright netprog authors. MIT license.
// This module is browser compatible.

/** (API contract; implementation pending.) @module */

import { UrlTargetError } from "./errors.ts";

/** Where a raw socket connects, and what it asks for. */
export interface UrlTarget {
  /** `"http"` or `"https"`. */
  scheme: "http" | "https";
  /** The host to connect to; an IPv6 address without its brackets. */
  hostname: string;
  /** The `Host` header value: hostname (IPv6 in brackets) plus `:port` when not the default. */
  host: string;
  /** The port: the URL's, else 80 for http and 443 for https. */
  port: number;
  /** Origin-form request target: path and query, `/` when empty; never the fragment. */
  path: string;
  /** The absolute URL as given (trimmed), used by the book's programs as request target. */
  url: string;
}

/** Parses an absolute http(s) URL into a socket target; throws {@linkcode UrlTargetError}. */
export function parseUrlTarget(_url: string): UrlTarget {
  void UrlTargetError;
  throw new Error("not implemented");
}
