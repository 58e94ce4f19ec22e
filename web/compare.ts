// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * What the page shows, computed without drawing anything: the body of a
 * pasted HTTP response, the links a parsed document has beside the links the
 * book's regex finds, why the two lists differ, the counts, and the word
 * table's order. Nothing here touches `document` or writes to a DOM; the
 * parsed document comes from the caller (the browser's `DOMParser` on the
 * page, the scripts' parser in the tests), so the module runs in Deno as
 * well as in a browser.
 *
 * @module
 */

import {
  countCodePoints,
  countParagraphs,
  countWords,
  type DomParentNode,
  extractLinksDom,
  extractLinksRegex,
  type ResponseHead,
  ResponseParser,
  topWords,
} from "../mod.ts";

/** Differences explained by searching the source; beyond this they get a short reason. */
const SEARCHED_REASONS = 500;

/**
 * The UTF-8 length of a string, without encoding it; a lone surrogate counts
 * 3 bytes, as `TextEncoder` writes U+FFFD for it.
 *
 * @param text Any string.
 * @returns The number of bytes `new TextEncoder().encode(text)` would give.
 *
 * @example Bytes of ASCII, accented and astral text
 * ```ts
 * import { utf8Length } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(utf8Length("abc"), 3);
 * assert.equal(utf8Length("é€😀"), 2 + 3 + 4);
 * ```
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

// ---------------------------------------------------------------------------
// A pasted HTTP response

/**
 * The pasted text read as the page reads it: a raw HTTP response's status
 * line, headers and body, or plain HTML as it is.
 *
 * @example Plain HTML has no head
 * ```ts
 * import { type HttpReading, readPastedText } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * const reading: HttpReading = readPastedText("<p>Hi</p>");
 * assert.deepEqual(reading, { head: null, body: "<p>Hi</p>", notes: [] });
 * ```
 */
export interface HttpReading {
  /** The status line and headers, or null when the text is not a response. */
  head: ResponseHead | null;
  /** The text to analyse: the body of a response, else the whole text. */
  body: string;
  /** One sentence each about what could not be read as sent. */
  notes: string[];
}

const HTTP_START = /^\s*HTTP\/\d/;

/** Reads a pasted raw response with the core's incremental parser. */
function readHttp(text: string): HttpReading {
  const bytes = new TextEncoder().encode(text.replace(/^\s+/, ""));
  const parts: Uint8Array[] = [];
  let head: ResponseHead | null = null;
  const notes: string[] = [];
  const parser = new ResponseParser({
    onHead: (parsed) => head = parsed,
    onBody: (chunk) => parts.push(chunk.slice()),
  });
  let failed = false;
  try {
    const used = parser.push(bytes);
    if (parser.complete && used < bytes.length) {
      notes.push(
        `The message ended after ${used} bytes; the ${bytes.length - used} bytes after it ` +
          `are not part of the body (check Content-Length).`,
      );
    }
    if (!parser.complete) parser.finish();
  } catch (error) {
    failed = true;
    notes.push(`Cannot read the response: ${error instanceof Error ? error.message : error}`);
  }
  const found = head as ResponseHead | null;
  if (found === null) return { head: null, body: text, notes };
  let body: Uint8Array;
  if (failed) {
    body = bytes.subarray(found.headerLength);
    notes.push("The body below is everything after the blank line, as pasted.");
  } else {
    body = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      body.set(part, at);
      at += part.length;
    }
  }
  const encoding = found.headers.get("content-encoding");
  if (encoding !== null && encoding.toLowerCase() !== "identity") {
    notes.push(`The body is ${encoding}-encoded: the page does not decompress it.`);
  }
  return { head: found, body: new TextDecoder().decode(body), notes };
}

/**
 * Reads the pasted text: when it starts with a status line (`HTTP/1.1 200
 * OK`), as a raw response, read with the core's `ResponseParser`; otherwise as
 * the HTML itself.
 *
 * @param text What was pasted.
 * @returns The head (if any), the text to analyse, and notes on anything unusual.
 *
 * @example A raw response: its body is what gets analysed
 * ```ts
 * import { readPastedText } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * const reading = readPastedText(
 *   "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\r\n<p>Hi</p>",
 * );
 * assert.equal(reading.head?.status, 200);
 * assert.equal(reading.head?.headers.get("content-type"), "text/html");
 * assert.equal(reading.body, "<p>Hi</p>");
 * assert.deepEqual(reading.notes, []);
 * ```
 */
export function readPastedText(text: string): HttpReading {
  if (HTTP_START.test(text.slice(0, 64))) return readHttp(text);
  return { head: null, body: text, notes: [] };
}

/**
 * Decodes a saved page: UTF-8 when it is valid UTF-8, else the charset its
 * `<meta>` names, else windows-1252 (what browsers assume for old pages).
 *
 * @param bytes The file's content.
 * @returns The page as text.
 *
 * @example A UTF-8 page and a Latin-1 page
 * ```ts
 * import { decodePage } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(decodePage(new TextEncoder().encode("<p>café")), "<p>café");
 * assert.equal(decodePage(new Uint8Array([0x3c, 0x70, 0x3e, 0x63, 0x61, 0x66, 0xe9])), "<p>café");
 * ```
 */
export function decodePage(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const head = new TextDecoder("windows-1252").decode(bytes.subarray(0, 1024));
    const label = /<meta[^>]*charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1] ?? "windows-1252";
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      return new TextDecoder("windows-1252").decode(bytes);
    }
  }
}

// ---------------------------------------------------------------------------
// The two lists

/**
 * A link of the parsed document: its `href` as written and, with a base URL,
 * the address it resolves to.
 *
 * @example The parser's list, resolved against a base URL
 * ```ts
 * import { findLinks, type ParserLink } from "./compare.ts";
 * import { parseHtml } from "../scripts/lib/dom.ts";
 * import assert from "node:assert/strict";
 *
 * const html = '<a href="page2.htm">2</a>';
 * const links: ParserLink[] = findLinks(parseHtml(html), html, "http://data.pr4e.org/").parser;
 * assert.deepEqual(links, [{ href: "page2.htm", resolved: "http://data.pr4e.org/page2.htm" }]);
 * ```
 */
export interface ParserLink {
  /** The attribute's value, entities decoded. */
  href: string;
  /**
   * The address the href resolves to against the base URL; the href itself
   * when there is no base URL or it does not resolve.
   */
  resolved?: string;
}

/**
 * The links found the two ways, each list in source order.
 *
 * @example Both lists of a small page
 * ```ts
 * import { type FoundLinks, findLinks } from "./compare.ts";
 * import { parseHtml } from "../scripts/lib/dom.ts";
 * import assert from "node:assert/strict";
 *
 * const html = '<a href="http://a.example/">a</a><a href="/b">b</a>';
 * const found: FoundLinks = findLinks(parseHtml(html), html, "");
 * assert.deepEqual(found.parser.map((link) => link.href), ["http://a.example/", "/b"]);
 * assert.deepEqual(found.regex, ["http://a.example/"]);
 * ```
 */
export interface FoundLinks {
  /** Every `a` element with an `href`, in document order. */
  parser: ParserLink[];
  /** Every match of the book's regex in the source text. */
  regex: string[];
}

/**
 * Lists the links of a page both ways: the `href` of every `a` element of
 * the parsed document (resolved against `baseUrl` when one is given), and the
 * matches of the book's regex in the source text.
 *
 * @param doc The page parsed by the caller: a browser `Document` or the scripts' parser.
 * @param source The text that was parsed.
 * @param baseUrl The base URL for relative links, or `""` for none.
 * @returns The two lists.
 *
 * @example An anchor without href is not a link; a base that is no URL resolves nothing
 * ```ts
 * import { findLinks } from "./compare.ts";
 * import { parseHtml } from "../scripts/lib/dom.ts";
 * import assert from "node:assert/strict";
 *
 * const html = '<a name="top"></a><a href="x.htm">x</a>';
 * const doc = parseHtml(html);
 * assert.deepEqual(findLinks(doc, html, "").parser, [{ href: "x.htm", resolved: "x.htm" }]);
 * assert.deepEqual(findLinks(doc, html, "not a url").parser, [{ href: "x.htm", resolved: "x.htm" }]);
 * ```
 */
export function findLinks(doc: DomParentNode, source: string, baseUrl: string): FoundLinks {
  const raw = extractLinksDom(doc);
  const resolved = baseUrl === "" ? raw : extractLinksDom(doc, { baseUrl });
  const parser: ParserLink[] = [];
  raw.forEach((href, index) => {
    if (href !== null) parser.push({ href, resolved: resolved[index] ?? undefined });
  });
  return { parser, regex: extractLinksRegex(source) };
}

// ---------------------------------------------------------------------------
// Why the two lists differ

/**
 * A link found one way only, with a one-line reason the other way missed it.
 *
 * @example A relative link is the parser's only
 * ```ts
 * import { compareLinks, type Difference } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * const [difference]: Difference[] = compareLinks('<a href="/about">', ["/about"], []).onlyDom;
 * assert.equal(difference.href, "/about");
 * assert.match(difference.reason, /relative link/);
 * ```
 */
export interface Difference {
  /** The link as its list has it. */
  href: string;
  /** Why the other list does not have it. */
  reason: string;
}

/**
 * The differences between the two lists, each way.
 *
 * @example Nothing differs on the book's page
 * ```ts
 * import { compareLinks, type LinkComparison } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * const html = '<a href="http://www.dr-chuck.com/page2.htm">Second Page</a>';
 * const comparison: LinkComparison = compareLinks(html, ["http://www.dr-chuck.com/page2.htm"], [
 *   "http://www.dr-chuck.com/page2.htm",
 * ]);
 * assert.deepEqual(comparison, { onlyDom: [], onlyRegex: [] });
 * ```
 */
export interface LinkComparison {
  /** Links of the parsed document the regex did not match, in document order. */
  onlyDom: Difference[];
  /** Regex matches the parsed document has no link for, in the regex's order. */
  onlyRegex: Difference[];
}

/** Counts of each string, to compare two lists as multisets. */
function tally(list: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of list) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** Source ranges whose text the parser never turns into `a` elements. */
function hiddenRanges(source: string): [number, number, string][] {
  const ranges: [number, number, string][] = [];
  const pattern =
    /<!--[\s\S]*?(?:-->|$)|<(script|style|template|textarea|title|xmp|iframe|noembed|noframes)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/giy;
  const start = /<!--|<(?:script|style|template|textarea|title|xmp|iframe|noembed|noframes)\b/gi;
  let found: RegExpExecArray | null;
  while ((found = start.exec(source)) !== null) {
    pattern.lastIndex = found.index;
    const match = pattern.exec(source);
    if (match === null) continue;
    const kind = match[1] === undefined ? "comment" : match[1].toLowerCase();
    ranges.push([match.index, match.index + match[0].length, kind]);
    start.lastIndex = Math.max(start.lastIndex, match.index + match[0].length);
  }
  return ranges;
}

const HIDDEN_REASON: Record<string, string> = {
  comment: "Inside an HTML comment: the regex reads it, the parser skips it.",
  script: "Inside a <script>: text to the parser, not an element.",
  style: "Inside a <style>: text to the parser, not an element.",
  template: "Inside a <template>: its content is not part of the document tree.",
  textarea: "Inside a <textarea>: text to the parser, not markup.",
  title: "Inside the <title>: text to the parser, not markup.",
};

/** Why the regex matched at `at` though the parser has no such link. */
function regexOnlyReason(
  source: string,
  at: number,
  href: string,
  hidden: string | undefined,
): string {
  if (hidden !== undefined) {
    return HIDDEN_REASON[hidden] ?? `Inside <${hidden}>: text to the parser, not markup.`;
  }
  const open = source.lastIndexOf("<", at);
  const tag = /^<([a-zA-Z][\w:-]*)/.exec(source.slice(open, open + 40))?.[1];
  if (tag === undefined) return "Not inside a tag at all: plain text that looks like an attribute.";
  if (tag.toLowerCase() !== "a") {
    return `On a <${tag}> element: the regex takes any href, the parser list has <a> only.`;
  }
  if (/[A-Za-z0-9:_.-]/.test(source[at - 1] ?? " ")) {
    return "Part of another attribute (such as data-href): the regex cannot tell.";
  }
  if (/\shref\s*=/i.test(source.slice(open, at - 'href="'.length))) {
    return "A second href on the same tag: the parser keeps the first one.";
  }
  if (/&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);?/i.test(href)) {
    return "Holds a character reference such as &amp;: the parser decodes it, the regex does not.";
  }
  if (/[<>]/.test(href)) return "The match runs past the end of the tag to the next quote.";
  return "The parser reads this markup differently (broken or misnested tags).";
}

/** Why the parser has a link the regex missed; searches the source when the href alone cannot tell. */
function domOnlyReason(source: string, href: string, search: boolean): string {
  if (href === "") return "An empty href: a link to the page itself, not http… at all.";
  if (/^https?:\/\//i.test(href) && !/^https?:\/\//.test(href)) {
    return "The scheme is in capitals (HTTP://): the regex is case-sensitive.";
  }
  if (/^\s/.test(href)) {
    return "Starts with white space: the regex wants http right after the quote.";
  }
  if (!/^https?:\/\//.test(href)) {
    if (href.startsWith("//")) return "A scheme-relative link (//host/…): no http: to match.";
    if (href.startsWith("#")) {
      return "A link within the page (#…): relative, so the regex skips it.";
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) {
      return `A ${href.slice(0, href.indexOf(":") + 1)} link, not http or https.`;
    }
    return "A relative link: the regex only matches absolute http and https addresses.";
  }
  if (/[\r\n]/.test(href)) return "A line break inside the URL: the regex's dot stops there.";
  if (!search) return "Written in a way the regex does not expect.";
  const at = source.indexOf(href);
  if (at < 0) {
    return "Written with a character reference (&amp;, &#…;): the parser decodes it, the regex sees the reference.";
  }
  const before = /([A-Za-z][\w:-]*)(\s*)=(\s*)(["']?)$/.exec(
    source.slice(Math.max(0, at - 40), at),
  );
  if (before === null) return "Written in a way the regex does not expect.";
  const [, name, spaceBefore, spaceAfter, quote] = before;
  if (name !== "href" && name.toLowerCase() === "href") {
    return `Written as ${name}=: the regex looks for lower-case href only.`;
  }
  if (spaceBefore !== "" || spaceAfter !== "") {
    return 'White space around "=": the regex wants href=" with nothing between.';
  }
  if (quote === "'") return "In single quotes: the regex wants double quotes.";
  if (quote === "") return "Unquoted: the regex wants double quotes.";
  return "An earlier match ran on to this link's closing quote and swallowed it.";
}

/**
 * Compares the two lists as multisets (a link twice on the page must be
 * found twice) and gives each difference a one-line reason, read from the
 * href and from where it sits in the source: in a comment or a script, on
 * another tag, in single quotes, with `HREF` in capitals, and so on. The
 * first 500 links only the parser has are explained by searching the source;
 * later ones get a shorter reason.
 *
 * @param source The text that was parsed and searched.
 * @param domLinks The hrefs of the parsed document, in document order.
 * @param regexLinks The regex's matches, in source order.
 * @returns The links each way only, with reasons.
 *
 * @example A commented-out link and a single-quoted one
 * ```ts
 * import { compareLinks } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * const html = "<!-- <a href=\"http://old.example/\">old</a> -->" +
 *   "<a href='http://new.example/'>new</a>";
 * const { onlyDom, onlyRegex } = compareLinks(html, ["http://new.example/"], ["http://old.example/"]);
 * assert.deepEqual(onlyDom, [{
 *   href: "http://new.example/",
 *   reason: "In single quotes: the regex wants double quotes.",
 * }]);
 * assert.deepEqual(onlyRegex, [{
 *   href: "http://old.example/",
 *   reason: "Inside an HTML comment: the regex reads it, the parser skips it.",
 * }]);
 * ```
 */
export function compareLinks(
  source: string,
  domLinks: string[],
  regexLinks: string[],
): LinkComparison {
  const domCounts = tally(domLinks);
  const regexCounts = tally(regexLinks);

  const onlyDom: Difference[] = [];
  const extraDom = new Map<string, number>();
  for (const [href, count] of domCounts) {
    const extra = count - (regexCounts.get(href) ?? 0);
    if (extra > 0) extraDom.set(href, extra);
  }
  for (const href of domLinks) {
    const left = extraDom.get(href) ?? 0;
    if (left === 0) continue;
    extraDom.set(href, left - 1);
    onlyDom.push({ href, reason: domOnlyReason(source, href, onlyDom.length < SEARCHED_REASONS) });
  }

  // Each regex match is found again in the source (in order), and its place decides the reason.
  const extraRegex = new Map<string, number>();
  for (const [href, count] of regexCounts) {
    const extra = count - (domCounts.get(href) ?? 0);
    if (extra > 0) extraRegex.set(href, extra);
  }
  const candidates = new Map<string, Difference[]>();
  if (extraRegex.size > 0) {
    const ranges = hiddenRanges(source);
    let range = 0;
    let from = 0;
    for (const href of regexLinks) {
      const at = source.indexOf(`href="${href}"`, from) + 'href="'.length;
      from = at + href.length + 1;
      if (!extraRegex.has(href)) continue;
      while (range < ranges.length && ranges[range][1] <= at) range++;
      const hidden = range < ranges.length && ranges[range][0] <= at ? ranges[range][2] : undefined;
      const list = candidates.get(href) ?? [];
      list.push({ href, reason: regexOnlyReason(source, at, href, hidden) });
      candidates.set(href, list);
    }
  }
  // Occurrences the parser cannot have listed (comments, scripts, other tags) go first.
  const taken = new Map<string, Set<Difference>>();
  for (const [href, list] of candidates) {
    const extra = extraRegex.get(href) ?? 0;
    const specific = list.filter((d) => !d.reason.startsWith("The parser reads"));
    const chosen = [...specific, ...list.filter((d) => !specific.includes(d))].slice(0, extra);
    taken.set(href, new Set(chosen));
  }
  const onlyRegex: Difference[] = [];
  for (const list of candidates.values()) {
    for (const difference of list) {
      if (taken.get(difference.href)?.has(difference)) onlyRegex.push(difference);
    }
  }
  const order = new Map(regexLinks.map((href, index) => [href, index]));
  onlyRegex.sort((a, b) => (order.get(a.href) ?? 0) - (order.get(b.href) ?? 0));
  return { onlyDom, onlyRegex };
}

// ---------------------------------------------------------------------------
// Counts and words

/**
 * The sizes the page shows under the input box.
 *
 * @example The counts of a short page
 * ```ts
 * import { countPage, type PageCounts } from "./compare.ts";
 * import { parseHtml } from "../scripts/lib/dom.ts";
 * import assert from "node:assert/strict";
 *
 * const counts: PageCounts = countPage(parseHtml("<p>é"), "<p>é");
 * assert.deepEqual(counts, { paragraphs: 1, characters: 4, bytes: 5 });
 * ```
 */
export interface PageCounts {
  /** The `p` elements of the parsed document. */
  paragraphs: number;
  /** The code points of the pasted text. */
  characters: number;
  /** The pasted text's length in UTF-8. */
  bytes: number;
}

/**
 * Counts the paragraphs of the parsed document, and the code points and
 * UTF-8 bytes of the whole pasted text (headers included, for a response).
 *
 * @param doc The parsed page.
 * @param text The text as pasted.
 * @returns The counts.
 *
 * @example Paragraphs are elements, not blank lines
 * ```ts
 * import { countPage } from "./compare.ts";
 * import { parseHtml } from "../scripts/lib/dom.ts";
 * import assert from "node:assert/strict";
 *
 * const html = "<p>one<p>two\n\nthree<!-- <p> -->";
 * assert.equal(countPage(parseHtml(html), html).paragraphs, 2);
 * ```
 */
export function countPage(doc: DomParentNode, text: string): PageCounts {
  return {
    paragraphs: countParagraphs(doc),
    characters: countCodePoints(text),
    bytes: utf8Length(text),
  };
}

/**
 * The words of the analysed text, counted as the book's program counts them.
 *
 * @example The counts and the top ten
 * ```ts
 * import { wordFrequencies, type WordFrequencies } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * const words: WordFrequencies = wordFrequencies("a b a");
 * assert.deepEqual(words, { counts: [["a", 2], ["b", 1]], top: [["a", 2], ["b", 1]] });
 * ```
 */
export interface WordFrequencies {
  /** Every word with its count, in first-seen order. */
  counts: [string, number][];
  /** The ten most frequent, most frequent first; ties in first-seen order. */
  top: [string, number][];
}

/**
 * Counts the words of the analysed text (split at white space as Python's
 * `str.split()` splits, tags and all) and takes the ten most frequent.
 *
 * @param source The text to count: the body, for a pasted response.
 * @returns The counts and the top ten.
 *
 * @example Case and punctuation are kept
 * ```ts
 * import { wordFrequencies } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(wordFrequencies("<p>The the, the").counts, [
 *   ["<p>The", 1],
 *   ["the,", 1],
 *   ["the", 1],
 * ]);
 * ```
 */
export function wordFrequencies(source: string): WordFrequencies {
  const counts = countWords(source);
  return { counts: [...counts], top: topWords(counts, 10) };
}

/**
 * The word table's order: by word or by count, either way.
 *
 * @example The table's first order
 * ```ts
 * import type { WordSort } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * const sort: WordSort = { key: "count", descending: true };
 * assert.equal(sort.key, "count");
 * ```
 */
export interface WordSort {
  /** The column sorted on. */
  key: "word" | "count";
  /** Largest (or last in code-unit order) first. */
  descending: boolean;
}

/**
 * Sorts word counts for the table: by count, ties by word (always in
 * ascending code-unit order), or by word in code-unit order (`"B"` before
 * `"a"`).
 *
 * @param counts Pairs `[word, count]`; not changed.
 * @param sort The column and direction.
 * @returns A sorted copy.
 *
 * @example By count, then by word
 * ```ts
 * import { sortWords } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * const counts: [string, number][] = [["b", 1], ["a", 1], ["c", 2]];
 * assert.deepEqual(sortWords(counts, { key: "count", descending: true }), [["c", 2], ["a", 1], ["b", 1]]);
 * assert.deepEqual(sortWords(counts, { key: "word", descending: true }), [["c", 2], ["b", 1], ["a", 1]]);
 * ```
 */
export function sortWords(counts: [string, number][], sort: WordSort): [string, number][] {
  const sorted = [...counts];
  const { key, descending } = sort;
  const sign = descending ? -1 : 1;
  if (key === "count") {
    sorted.sort((a, b) => sign * (a[1] - b[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  } else {
    sorted.sort((a, b) => sign * (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
  return sorted;
}

/**
 * The line under the word table: how many words, how many different, and
 * whether the table shows only some of them.
 *
 * @param counts Every word with its count.
 * @param rows How many rows the table draws at most.
 * @returns One sentence.
 *
 * @example A short page and a long one
 * ```ts
 * import { wordSummary } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(wordSummary([["a", 1200], ["b", 1]], 500), "1,201 words, 2 different.");
 * assert.equal(
 *   wordSummary([["a", 1], ["b", 1], ["c", 1]], 2),
 *   "3 words, 3 different; the table shows 2 of them.",
 * );
 * ```
 */
export function wordSummary(counts: [string, number][], rows: number): string {
  const total = counts.reduce((sum, [, count]) => sum + count, 0);
  return `${total.toLocaleString("en-US")} words, ` +
    `${counts.length.toLocaleString("en-US")} different` +
    (counts.length > rows ? `; the table shows ${rows} of them.` : ".");
}
