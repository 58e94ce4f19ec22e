// Copyright netprog authors. MIT license.

/**
 * The page's analysis (web/compare.ts) without a browser: pages are parsed
 * with the scripts' parser, which gives the same tree as Chromium's
 * `DOMParser` on the test corpus.
 */

import assert from "node:assert/strict";
import {
  compareLinks,
  countPage,
  decodePage,
  findLinks,
  readPastedText,
  sortWords,
  utf8Length,
  wordFrequencies,
  wordSummary,
} from "./compare.ts";
import { parseHtml } from "../scripts/lib/dom.ts";

const ROOT = new URL("..", import.meta.url);
const PAGE1 = await Deno.readTextFile(new URL("data/page1.htm", ROOT));

/** Parses, lists and compares, as the page does for one paste. */
function analyse(html: string, baseUrl = "") {
  const found = findLinks(parseHtml(html), html, baseUrl);
  const comparison = compareLinks(html, found.parser.map((link) => link.href), found.regex);
  return { ...found, ...comparison };
}

Deno.test("page1.htm: one link, found both ways, nothing differs", () => {
  const got = analyse(PAGE1, "http://data.pr4e.org/page1.htm");
  assert.deepEqual(got.parser, [{
    href: "http://data.pr4e.org/page2.htm",
    resolved: "http://data.pr4e.org/page2.htm",
  }]);
  assert.deepEqual(got.regex, ["http://data.pr4e.org/page2.htm"]);
  assert.deepEqual(got.onlyDom, []);
  assert.deepEqual(got.onlyRegex, []);
  assert.deepEqual(countPage(parseHtml(PAGE1), PAGE1), {
    paragraphs: 1,
    characters: PAGE1.length,
    bytes: PAGE1.length,
  });
});

Deno.test("findLinks resolves against the base URL and skips anchors without href", () => {
  const html = '<a href="../up.htm">u</a><a href="#top">t</a><a>no href</a>' +
    '<svg><a href="svg.htm"/></svg><template><a href="hidden.htm">h</a></template>';
  const base = "http://data.pr4e.org/dir/page.htm";
  assert.deepEqual(findLinks(parseHtml(html), html, base).parser, [
    { href: "../up.htm", resolved: "http://data.pr4e.org/up.htm" },
    { href: "#top", resolved: "http://data.pr4e.org/dir/page.htm#top" },
    { href: "svg.htm", resolved: "http://data.pr4e.org/dir/svg.htm" },
  ]);
  assert.deepEqual(findLinks(parseHtml(html), html, "").parser, [
    { href: "../up.htm", resolved: "../up.htm" },
    { href: "#top", resolved: "#top" },
    { href: "svg.htm", resolved: "svg.htm" },
  ]);
});

Deno.test("compareLinks: why the parser has links the regex misses", () => {
  const html = `<p><a href="">self</a> <a href="HTTP://CAPS.example/">c</a>
<a href=" http://space.example/">s</a> <a href="//host.example/x">h</a> <a href="#top">t</a>
<a href="mailto:me@example.com">m</a> <a href="/about">r</a>
<a href="http://line
break.example/">l</a> <a HREF="http://upper.example/">u</a> <a href = "http://eq.example/">e</a>
<a href='http://single.example/'>q</a> <a href=http://bare.example/>b</a>
<a href="http://x.example/?a=1&amp;b=2">amp</a> <a href="http://both.example/">b</a>`;
  const got = analyse(html);
  assert.deepEqual(got.regex, ["http://x.example/?a=1&amp;b=2", "http://both.example/"]);
  assert.deepEqual(got.onlyDom.map(({ href, reason }) => [href, reason]), [
    ["", "An empty href: a link to the page itself, not http… at all."],
    [
      "HTTP://CAPS.example/",
      "The scheme is in capitals (HTTP://): the regex is case-sensitive.",
    ],
    [
      " http://space.example/",
      "Starts with white space: the regex wants http right after the quote.",
    ],
    ["//host.example/x", "A scheme-relative link (//host/…): no http: to match."],
    ["#top", "A link within the page (#…): relative, so the regex skips it."],
    ["mailto:me@example.com", "A mailto: link, not http or https."],
    ["/about", "A relative link: the regex only matches absolute http and https addresses."],
    ["http://line\nbreak.example/", "A line break inside the URL: the regex's dot stops there."],
    ["http://upper.example/", "Written as HREF=: the regex looks for lower-case href only."],
    [
      "http://eq.example/",
      'White space around "=": the regex wants href=" with nothing between.',
    ],
    ["http://single.example/", "In single quotes: the regex wants double quotes."],
    ["http://bare.example/", "Unquoted: the regex wants double quotes."],
    [
      "http://x.example/?a=1&b=2",
      "Written with a character reference (&amp;, &#…;): the parser decodes it, " +
      "the regex sees the reference.",
    ],
  ]);
  assert.deepEqual(got.onlyRegex, [{
    href: "http://x.example/?a=1&amp;b=2",
    reason: "Holds a character reference such as &amp;: the parser decodes it, the regex does not.",
  }]);
});

Deno.test("compareLinks: why the regex finds links the parser does not have", () => {
  const html = `<title>see href="http://title.example/"</title>
<a href="/first" href="http://second.example/">2</a>
<link href="http://css.example/s.css" rel=stylesheet>
<!-- <a href="http://comment.example/">old</a> -->
<script>x = '<a href="http://script.example/">'</script>
<style>/* href="http://style.example/" */</style>
<template><a href="http://template.example/">t</a></template>
<textarea><a href="http://textarea.example/"></a></textarea>
<xmp><a href="http://xmp.example/"></a></xmp>
<select><a href="http://select.example/">s</a></select>`;
  const got = analyse(html);
  assert.deepEqual(got.parser.map((link) => link.href), ["/first"]);
  assert.deepEqual(got.onlyRegex.map(({ href, reason }) => [href, reason]), [
    ["http://title.example/", "Inside the <title>: text to the parser, not markup."],
    ["http://second.example/", "A second href on the same tag: the parser keeps the first one."],
    [
      "http://css.example/s.css",
      "On a <link> element: the regex takes any href, the parser list has <a> only.",
    ],
    ["http://comment.example/", "Inside an HTML comment: the regex reads it, the parser skips it."],
    ["http://script.example/", "Inside a <script>: text to the parser, not an element."],
    ["http://style.example/", "Inside a <style>: text to the parser, not an element."],
    [
      "http://template.example/",
      "Inside a <template>: its content is not part of the document tree.",
    ],
    ["http://textarea.example/", "Inside a <textarea>: text to the parser, not markup."],
    ["http://xmp.example/", "Inside <xmp>: text to the parser, not markup."],
    [
      "http://select.example/",
      "The parser reads this markup differently (broken or misnested tags).",
    ],
  ]);
});

Deno.test("compareLinks: the match that runs past the end of its tag", () => {
  const html = `<a title='href="http://a.example/'>a</a> <a href="http://b.example/">b</a>`;
  const got = analyse(html);
  assert.deepEqual(got.regex, ["http://a.example/'>a</a> <a href="]);
  assert.deepEqual(got.onlyRegex.map((d) => d.reason), [
    "The match runs past the end of the tag to the next quote.",
  ]);
  assert.deepEqual(got.onlyDom.map((d) => [d.href, d.reason]), [[
    "http://b.example/",
    "An earlier match ran on to this link's closing quote and swallowed it.",
  ]]);
});

Deno.test("compareLinks counts each link: a link twice, once in a comment", () => {
  const html = '<!-- <a href="http://x.example/">old</a> --><a href="http://x.example/">new</a>';
  const got = analyse(html);
  assert.deepEqual(got.regex, ["http://x.example/", "http://x.example/"]);
  assert.deepEqual(got.parser.map((link) => link.href), ["http://x.example/"]);
  assert.deepEqual(got.onlyDom, []);
  assert.deepEqual(got.onlyRegex, [{
    href: "http://x.example/",
    reason: "Inside an HTML comment: the regex reads it, the parser skips it.",
  }]);
  // Lists alone, in any order: only the surplus counts.
  assert.deepEqual(compareLinks("", ["a", "b", "a"], ["b"]).onlyDom.map((d) => d.href), [
    "a",
    "a",
  ]);
  assert.deepEqual(compareLinks("", ["a", "b", "a"], ["a", "b"]).onlyDom.map((d) => d.href), [
    "a",
  ]);
});

Deno.test("compareLinks: the regex-only list keeps the regex's order", () => {
  const html = '<link href="http://c.example/"><!-- href="http://a.example/" -->' +
    '<a href="http://d.example/">d</a><script>href="http://b.example/"</script>';
  const got = analyse(html);
  assert.deepEqual(got.onlyRegex.map((d) => d.href), [
    "http://c.example/",
    "http://a.example/",
    "http://b.example/",
  ]);
});

Deno.test("compareLinks searches the source for the first 500 reasons only", () => {
  const html = Array.from({ length: 502 }, (_, i) => `<a href='http://h${i}.example/'>x</a>`)
    .join("");
  const got = analyse(html);
  assert.equal(got.onlyDom.length, 502);
  assert.equal(got.onlyDom[499].reason, "In single quotes: the regex wants double quotes.");
  assert.equal(got.onlyDom[500].reason, "Written in a way the regex does not expect.");
  assert.equal(got.onlyDom[501].reason, "Written in a way the regex does not expect.");
});

Deno.test("readPastedText reads a raw response and passes HTML through", () => {
  assert.deepEqual(readPastedText(PAGE1), { head: null, body: PAGE1, notes: [] });
  assert.deepEqual(readPastedText("<p>HTTP/1.1 200 OK</p>").head, null);

  const reading = readPastedText(
    "\n  HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>café</p>",
  );
  assert.equal(reading.head?.version, "HTTP/1.0");
  assert.equal(reading.head?.reason, "OK");
  assert.deepEqual(reading.head?.headers.entries, [["Content-Type", "text/html; charset=utf-8"]]);
  assert.equal(reading.body, "<p>café</p>");
  assert.deepEqual(reading.notes, []);

  const chunked = readPastedText(
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n<p>a\r\n0\r\n\r\n",
  );
  assert.equal(chunked.body, "<p>a");
  assert.deepEqual(chunked.notes, []);
});

Deno.test("readPastedText says what it could not read as sent", () => {
  const extra = readPastedText("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n<p>more");
  assert.equal(extra.body, "<p");
  assert.deepEqual(extra.notes, [
    "The message ended after 40 bytes; the 5 bytes after it are not part of the body " +
    "(check Content-Length).",
  ]);

  const short = readPastedText("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<p>cut");
  assert.equal(short.head?.status, 200);
  assert.equal(short.body, "<p>cut");
  assert.equal(short.notes.length, 2);
  assert.match(short.notes[0], /^Cannot read the response: /);
  assert.equal(short.notes[1], "The body below is everything after the blank line, as pasted.");

  const gzip = readPastedText("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\nxyz");
  assert.deepEqual(gzip.notes, ["The body is gzip-encoded: the page does not decompress it."]);

  const noHead = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n<p>no blank line";
  const broken = readPastedText(noHead);
  assert.equal(broken.head, null);
  assert.equal(broken.body, noHead);
  assert.equal(broken.notes.length, 1);
  assert.match(broken.notes[0], /^Cannot read the response: /);
});

Deno.test("utf8Length agrees with TextEncoder, lone surrogates included", () => {
  const samples = [
    "",
    "abc",
    "é",
    "€",
    "😀",
    "a😀b",
    "\ud800",
    "x\udc00y",
    "\ud800\ud800",
    "\u07ff",
  ];
  for (const text of samples) {
    assert.equal(utf8Length(text), new TextEncoder().encode(text).length, JSON.stringify(text));
  }
  let text = "";
  for (let i = 0; i < 2000; i++) text += String.fromCharCode((i * 7919) % 0x10000);
  assert.equal(utf8Length(text), new TextEncoder().encode(text).length);
});

Deno.test("countPage counts p elements, code points and UTF-8 bytes", () => {
  const html = "<p>😀<P>two<!-- <p> --><script>'<p>'</script><template><p></template>";
  assert.deepEqual(countPage(parseHtml(html), html), {
    paragraphs: 2,
    characters: html.length - 1,
    bytes: html.length - 2 + 4,
  });
});

Deno.test("wordFrequencies, sortWords and wordSummary: the word table", () => {
  const words = wordFrequencies("b a c a b d a");
  assert.deepEqual(words.counts, [["b", 2], ["a", 3], ["c", 1], ["d", 1]]);
  assert.deepEqual(words.top, [["a", 3], ["b", 2], ["c", 1], ["d", 1]]);
  assert.equal(
    wordFrequencies(Array.from({ length: 12 }, (_, i) => `w${i}`).join(" ")).top.length,
    10,
  );

  const counts: [string, number][] = [["b", 1], ["a", 1], ["B", 1], ["c", 2]];
  assert.deepEqual(sortWords(counts, { key: "count", descending: true }), [
    ["c", 2],
    ["B", 1],
    ["a", 1],
    ["b", 1],
  ]);
  assert.deepEqual(sortWords(counts, { key: "count", descending: false }), [
    ["B", 1],
    ["a", 1],
    ["b", 1],
    ["c", 2],
  ]);
  assert.deepEqual(sortWords(counts, { key: "word", descending: false }), [
    ["B", 1],
    ["a", 1],
    ["b", 1],
    ["c", 2],
  ]);
  assert.deepEqual(sortWords(counts, { key: "word", descending: true }), [
    ["c", 2],
    ["b", 1],
    ["a", 1],
    ["B", 1],
  ]);
  assert.deepEqual(counts, [["b", 1], ["a", 1], ["B", 1], ["c", 2]], "the input is not sorted");

  assert.equal(wordSummary([], 500), "0 words, 0 different.");
  const many = Array.from({ length: 1234 }, (_, i): [string, number] => [`w${i}`, 2]);
  assert.equal(
    wordSummary(many, 500),
    "2,468 words, 1,234 different; the table shows 500 of them.",
  );
});

Deno.test("decodePage: UTF-8, else the meta charset, else windows-1252", () => {
  const utf8 = new TextEncoder().encode('<meta charset="iso-8859-2"><p>żółw €');
  assert.equal(decodePage(utf8), '<meta charset="iso-8859-2"><p>żółw €');

  const latin2 = new Uint8Array([
    ...new TextEncoder().encode('<meta charset="iso-8859-2"><p>'),
    0xbf,
  ]);
  assert.equal(decodePage(latin2), '<meta charset="iso-8859-2"><p>ż');

  const unknown = new Uint8Array([...new TextEncoder().encode("<meta charset=nonsense><p>"), 0x80]);
  assert.equal(decodePage(unknown), "<meta charset=nonsense><p>€");

  assert.equal(decodePage(new Uint8Array([0x3c, 0x70, 0x3e, 0x93, 0x94])), "<p>\u201c\u201d");
});
