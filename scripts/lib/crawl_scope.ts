// Copyright netprog authors. MIT license.

/**
 * Which URLs a crawl follows, and under what name it keeps each: the key
 * a page is stored under (one spelling of a URL), the web a start URL
 * makes, and the scope a link must lie in (the book's webs, their hosts, or
 * their registrable domains by the public suffix list, with `tldts`).
 *
 * @module
 */

import { getDomain } from "tldts";

/**
 * Which links a crawl follows: `prefix`, the book's webs (URL prefixes);
 * `host`, any page of the webs' hosts, by http or https; `site`, any host
 * of the webs' registrable domains.
 */
export type Scope = "prefix" | "host" | "site";

/**
 * A URL with its percent-encoding normalized as RFC 3986 (6.2.2) allows:
 * an encoded unreserved character (`%7E`, `%61`) decoded, the hex digits of
 * the others in upper case (`%2f` → `%2F`); so that two spellings of one URL
 * are one page. Scheme and host are already in lower case, the default port
 * dropped (the WHATWG parser does that).
 *
 * @param url A parsed URL.
 * @returns The same URL, normalized.
 *
 * @example Two spellings, one URL
 * ```ts
 * import { normalizedUrl } from "./crawl_scope.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(normalizedUrl(new URL("HTTP://Host:80/%7Euser/a%2fb")).href, "http://host/~user/a%2Fb");
 * ```
 */
export function normalizedUrl(url: URL): URL {
  const rest = url.href.slice(url.origin.length).replace(/%([0-9a-fA-F]{2})/g, (_, hex) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return /^[A-Za-z0-9\-._~]$/.test(char) ? char : `%${hex.toUpperCase()}`;
  });
  return new URL(url.origin + rest);
}

/**
 * The longest URL the crawl keeps, in characters once normalized: the
 * sitemaps protocol's limit, under the 2,704 bytes that PostgreSQL's index on
 * `Pages.url` takes, so that no URL can stop a store on either database.
 *
 * @example A URL of the limit is kept
 * ```ts
 * import { crawlUrl, MAX_URL_LENGTH } from "./crawl_scope.ts";
 * import assert from "node:assert/strict";
 *
 * const url = "http://127.0.0.2/" + "a".repeat(MAX_URL_LENGTH - 17);
 * assert.equal(crawlUrl(url), url);
 * ```
 */
export const MAX_URL_LENGTH = 2048;

/**
 * A link's URL as the crawl stores it: absolute, normalized, no fragment;
 * null for what the crawl never follows (not http or https, not a URL, an
 * image by its extension, as the book skips them, or longer than
 * {@linkcode MAX_URL_LENGTH} characters once normalized; `spider.ts --why`
 * says so).
 *
 * @param href An absolute URL.
 * @returns Its key, or null.
 *
 * @example Keys
 * ```ts
 * import { crawlUrl } from "./crawl_scope.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(crawlUrl("http://127.0.0.2/a.htm#top"), "http://127.0.0.2/a.htm");
 * assert.equal(crawlUrl("http://127.0.0.2/logo.PNG"), null);
 * assert.equal(crawlUrl("mailto:someone@example.com"), null);
 * const long = "http://127.0.0.2/" + "a".repeat(2048 - 17);
 * assert.equal(crawlUrl(long), long);
 * assert.equal(crawlUrl(long + "a"), null);
 * ```
 */
export function crawlUrl(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  url.hash = "";
  url = normalizedUrl(url);
  const path = url.pathname.toLowerCase();
  if (path.endsWith(".png") || path.endsWith(".jpg") || path.endsWith(".gif")) return null;
  if (url.href.length > MAX_URL_LENGTH) return null;
  return url.href;
}

/**
 * The web of a start URL, as the book makes it: the URL's folder when it
 * names a `.htm` or `.html` page, the URL itself otherwise (its trailing
 * `/` kept).
 *
 * @param start The start URL, as {@linkcode crawlUrl} gives it.
 * @returns The web's prefix.
 *
 * @example A page's folder
 * ```ts
 * import { webOf } from "./crawl_scope.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(webOf("http://127.0.0.2/docs/index.html"), "http://127.0.0.2/docs/");
 * assert.equal(webOf("http://127.0.0.2/"), "http://127.0.0.2/");
 * ```
 */
export function webOf(start: string): string {
  const path = new URL(start).pathname;
  if (path.endsWith(".htm") || path.endsWith(".html")) {
    return start.slice(0, start.lastIndexOf("/") + 1);
  }
  return start;
}

/**
 * The registrable domain of a host by the public suffix list
 * (`www.example.co.uk` → `example.co.uk`); an address or a name with no
 * public suffix (`127.0.0.2`, `localhost`) as it is.
 *
 * @param hostname A URL's hostname.
 * @returns Its site.
 *
 * @example Sites
 * ```ts
 * import { siteOf } from "./crawl_scope.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(siteOf("shop.example.co.uk"), "example.co.uk");
 * assert.equal(siteOf("127.0.0.2"), "127.0.0.2");
 * ```
 */
export function siteOf(hostname: string): string {
  return getDomain(hostname) ?? hostname;
}

/**
 * Whether a URL lies in a crawl's scope.
 *
 * @param url A URL as {@linkcode crawlUrl} gives it.
 * @param webs The crawl's webs.
 * @param scope Which links the crawl follows.
 * @returns Whether the crawl follows it.
 *
 * @example The three scopes
 * ```ts
 * import { inScope } from "./crawl_scope.ts";
 * import assert from "node:assert/strict";
 *
 * const webs = ["http://www.example.co.uk/docs/"];
 * assert.equal(inScope("http://www.example.co.uk/blog/", webs, "prefix"), false);
 * assert.equal(inScope("https://www.example.co.uk/blog/", webs, "host"), true);
 * assert.equal(inScope("http://shop.example.co.uk/", webs, "host"), false);
 * assert.equal(inScope("http://shop.example.co.uk/", webs, "site"), true);
 * assert.equal(inScope("http://example.com/", webs, "site"), false);
 * ```
 */
export function inScope(url: string, webs: readonly string[], scope: Scope): boolean {
  if (scope === "prefix") return webs.some((web) => url.startsWith(web));
  const { hostname } = new URL(url);
  return webs.some((web) => {
    const other = new URL(web).hostname;
    return scope === "host" ? hostname === other : siteOf(hostname) === siteOf(other);
  });
}
