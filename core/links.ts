// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * Links and paragraphs, the two ways the book finds them: the regular
 * expression of `urlregex.py` (Python semantics), and a parsed document
 * (`urllinks.py`, `urllink2.py`, exercise 4). The DOM functions take any
 * standard `Document` or `Element`: the browser's `DOMParser`, the scripts'
 * parser, deno_dom, jsdom or domino.
 *
 * @module
 */

import type { DomElement, DomParentNode } from "./dom_types.ts";

/**
 * The book's pattern, as written in the book (Python syntax). {@linkcode extractLinksRegex}
 * uses it with Python's meaning of `.`.
 *
 * @example The pattern as the book prints it
 * ```ts
 * import { BOOK_LINK_PATTERN } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * assertEquals(`re.findall('${BOOK_LINK_PATTERN}', html)`, `re.findall('href="(http[s]?://.*?)"', html)`);
 * ```
 */
export const BOOK_LINK_PATTERN = 'href="(http[s]?://.*?)"';

// Python's `.` matches every character but "\n"; JavaScript's `.` also stops
// at "\r", U+2028 and U+2029, so the class is spelled out.
const BOOK_LINK_REGEX = /href="(https?:\/\/[^\n]*?)"/g;

/**
 * Every match of the book's pattern `href="(http[s]?://.*?)"`, with Python's
 * `re.findall` semantics: `.` matches every character but `\n` (so `\r`,
 * U+2028 and U+2029 do match), the match is as short as possible, matches do
 * not overlap, and the case of `href` and `http` must be as written.
 * Relative links are not found: that is the book's lesson.
 *
 * @param html The page, as text.
 * @returns The captured URLs in document order, duplicates kept.
 *
 * @example Only absolute links in double quotes are found
 * ```ts
 * import { extractLinksRegex } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const html = '<a href="http://a.org/1">1</a> <a href="page2.htm">2</a> ' +
 *   '<a HREF="http://b.org">3</a> <a href="https://a.org/1">4</a>';
 * assertEquals(extractLinksRegex(html), ["http://a.org/1", "https://a.org/1"]);
 * ```
 */
export function extractLinksRegex(html: string): string[] {
  // Each match is `href="`, the captured URL, then `"`.
  return Array.from(html.matchAll(BOOK_LINK_REGEX), (match) => match[0].slice(6, -1));
}

/**
 * Options for {@linkcode extractLinksDom}.
 *
 * @example Resolving links against the page they came from
 * ```ts
 * import { type DomElement, extractLinksDom, type ExtractLinksDomOptions } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const options: ExtractLinksDomOptions = { baseUrl: "http://data.pr4e.org/page2.htm" };
 * const a = { getAttribute: () => "page1.htm" } as unknown as DomElement;
 * assertEquals(extractLinksDom({ querySelectorAll: () => [a] }, options), [
 *   "http://data.pr4e.org/page1.htm",
 * ]);
 * ```
 */
export interface ExtractLinksDomOptions {
  /**
   * Resolve each href against this URL; an href that cannot be resolved is
   * returned as written.
   *
   * @default {undefined}
   */
  baseUrl?: string;
}

/**
 * The `href` attribute of every `a` element (HTML or SVG) in document order,
 * as `querySelectorAll("a")` lists them: the value as written in the page,
 * entities decoded; `null` for an `a` without `href`.
 *
 * @param root A document or element (any standard DOM).
 * @param options With `baseUrl`, each href is resolved against it as the
 *   WHATWG URL parser does (`new URL(href, baseUrl).href`).
 * @returns One entry per `a` element.
 *
 * In a browser: `extractLinksDom(new DOMParser().parseFromString(html, "text/html"))`.
 *
 * @example Any object with querySelectorAll and getAttribute will do
 * ```ts
 * import { type DomElement, extractLinksDom } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const anchor = (href: string | null) =>
 *   ({ getAttribute: (name: string) => name === "href" ? href : null }) as DomElement;
 * const root = {
 *   querySelectorAll: (selectors: string) =>
 *     selectors === "a" ? [anchor("page1.htm"), anchor(null), anchor("http://[bad")] : [],
 * };
 * assertEquals(extractLinksDom(root), ["page1.htm", null, "http://[bad"]);
 * assertEquals(extractLinksDom(root, { baseUrl: "http://data.pr4e.org/page2.htm" }), [
 *   "http://data.pr4e.org/page1.htm",
 *   null,
 *   "http://[bad",
 * ]);
 * ```
 */
export function extractLinksDom(
  root: DomParentNode,
  options: ExtractLinksDomOptions = {},
): (string | null)[] {
  const { baseUrl } = options;
  return Array.from(root.querySelectorAll("a"), (anchor) => {
    const href = anchor.getAttribute("href");
    if (href === null || baseUrl === undefined) return href;
    try {
      return new URL(href, baseUrl).href;
    } catch {
      return href;
    }
  });
}

/**
 * What urllink2 prints of an anchor; {@linkcode formatAnchorDescription} writes it out.
 *
 * @example A description written by hand
 * ```ts
 * import { type AnchorDescription, formatAnchorDescription } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const description: AnchorDescription = {
 *   tag: "<a>x</a>",
 *   url: null,
 *   contents: "x",
 *   attrs: [],
 * };
 * assertEquals(formatAnchorDescription(description), "TAG: <a>x</a>\nURL: null\nContents: x\nAttrs: {}");
 * ```
 */
export interface AnchorDescription {
  /** The element's outer HTML. */
  tag: string;
  /** The href, or null. */
  url: string | null;
  /** The first child: text as is, an element as its outer HTML, a comment as `<!--data-->`, "" when none. */
  contents: string;
  /** The attributes in source order, as `[name, value]` pairs. */
  attrs: [string, string][];
}

const ELEMENT_NODE = 1;
const COMMENT_NODE = 8;

/**
 * Describes an anchor as urllink2 prints it: its outer HTML, its href, its
 * first child node and its attributes in source order.
 *
 * The first child is shown as the browser would serialize it, except that a
 * text node is shown as its text, as is (entities decoded): an element as its
 * outer HTML, a comment as `<!--data-->`, and nothing when the anchor is empty.
 *
 * @param anchor An `a` element (any standard DOM).
 * @returns The description; format it with {@linkcode formatAnchorDescription}.
 *
 * @example Describing an anchor
 * ```ts
 * import { describeAnchor, type DomElement, type DomNode } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const text: DomNode = { nodeType: 3, textContent: "\nFirst Page" };
 * const anchor: DomElement = {
 *   nodeType: 1,
 *   textContent: "\nFirst Page",
 *   outerHTML: '<a href="page1.htm">\nFirst Page</a>',
 *   firstChild: text,
 *   attributes: [{ name: "href", value: "page1.htm" }],
 *   getAttribute: (name) => name === "href" ? "page1.htm" : null,
 * };
 * assertEquals(describeAnchor(anchor), {
 *   tag: '<a href="page1.htm">\nFirst Page</a>',
 *   url: "page1.htm",
 *   contents: "\nFirst Page",
 *   attrs: [["href", "page1.htm"]],
 * });
 * ```
 */
export function describeAnchor(anchor: DomElement): AnchorDescription {
  const first = anchor.firstChild;
  let contents = "";
  if (first !== null) {
    if (first.nodeType === ELEMENT_NODE) {
      contents = (first as DomElement).outerHTML;
    } else if (first.nodeType === COMMENT_NODE) {
      contents = `<!--${first.textContent ?? ""}-->`;
    } else {
      contents = first.textContent ?? "";
    }
  }
  return {
    tag: anchor.outerHTML,
    url: anchor.getAttribute("href"),
    contents,
    attrs: Array.from(anchor.attributes, (attr): [string, string] => [attr.name, attr.value]),
  };
}

/**
 * The four lines urllink2 prints: `TAG: ` and the outer HTML, `URL: ` and
 * the href (`null` when absent), `Contents: ` and the first child, `Attrs: `
 * and the attributes as a one-line JSON object in source order, written as
 * `JSON.stringify` writes it. The object is built from the pairs by hand, so
 * that an attribute named `0` or `__proto__` keeps its place and its value.
 *
 * @param description From {@linkcode describeAnchor}.
 * @returns The lines joined by `"\n"`, with no final newline.
 *
 * @example The book's page2.htm
 * ```ts
 * import { formatAnchorDescription } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const text = formatAnchorDescription({
 *   tag: '<a href="page1.htm">\nFirst Page</a>',
 *   url: "page1.htm",
 *   contents: "\nFirst Page",
 *   attrs: [["href", "page1.htm"], ["2", "x"]],
 * });
 * assertEquals(
 *   text,
 *   'TAG: <a href="page1.htm">\nFirst Page</a>\nURL: page1.htm\n' +
 *     'Contents: \nFirst Page\nAttrs: {"href":"page1.htm","2":"x"}',
 * );
 * ```
 */
export function formatAnchorDescription(description: AnchorDescription): string {
  const attrs = description.attrs
    .map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`)
    .join(",");
  return `TAG: ${description.tag}\nURL: ${description.url ?? "null"}\n` +
    `Contents: ${description.contents}\nAttrs: {${attrs}}`;
}

/**
 * The number of `p` elements under `root` (exercise 4), as
 * `querySelectorAll("p")` counts them: a stray `</p>` makes an empty `p`.
 *
 * @param root A document or element (any standard DOM).
 * @returns How many `p` elements there are.
 *
 * @example Counting paragraphs
 * ```ts
 * import { countParagraphs, type DomElement } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const root = {
 *   querySelectorAll: (selectors: string): DomElement[] =>
 *     selectors === "p" ? new Array<DomElement>(3) : [],
 * };
 * assertEquals(countParagraphs(root), 3);
 * ```
 */
export function countParagraphs(root: DomParentNode): number {
  return root.querySelectorAll("p").length;
}
