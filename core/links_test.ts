// Copyright netprog authors. MIT license.

import {
  BOOK_LINK_PATTERN,
  countParagraphs,
  describeAnchor,
  extractLinksDom,
  extractLinksRegex,
  formatAnchorDescription,
} from "./links.ts";
import type { DomAttr, DomElement, DomNode, DomParentNode } from "./dom_types.ts";
import { assertEquals } from "./_assert.ts";

Deno.test("extractLinksRegex finds the book's links in document order with duplicates", () => {
  const html = '<a href="http://www.dr-chuck.com/page2.htm">2</a>\n' +
    '<a href="https://www.py4e.com/">py4e</a>\n' +
    '<a href="http://www.dr-chuck.com/page2.htm">again</a>';
  assertEquals(extractLinksRegex(html), [
    "http://www.dr-chuck.com/page2.htm",
    "https://www.py4e.com/",
    "http://www.dr-chuck.com/page2.htm",
  ]);
});

Deno.test("extractLinksRegex misses relative, single-quoted and upper-case links as the book's does", () => {
  const html =
    `<a href="page1.htm">x</a><a href='http://a.org/'>y</a><a HREF="http://b.org/">z</a>` +
    `<a href="HTTP://c.org/">w</a><a href="ftp://d.org/">v</a><a href = "http://e.org/">u</a>`;
  assertEquals(extractLinksRegex(html), []);
});

Deno.test("extractLinksRegex lets . match \\r, U+2028 and U+2029 but not \\n, as Python does", () => {
  assertEquals(extractLinksRegex('href="http://a\rb"'), ["http://a\rb"]);
  assertEquals(extractLinksRegex('href="http://a\u2028b\u2029c"'), ["http://a\u2028b\u2029c"]);
  assertEquals(extractLinksRegex('href="http://a\nb"'), []);
  // The match that starts before the line feed cannot cross it; a later one is found.
  assertEquals(extractLinksRegex('href="http://a\nb" href="http://c"'), ["http://c"]);
});

Deno.test("extractLinksRegex is non-greedy and does not overlap matches", () => {
  assertEquals(extractLinksRegex('href="http://a" x="y" href="https://b"'), [
    "http://a",
    "https://b",
  ]);
  // The shortest match may run across markup up to the next quote.
  assertEquals(extractLinksRegex('href="http://a>text</a><b class="x">'), [
    "http://a>text</a><b class=",
  ]);
  assertEquals(extractLinksRegex('href="http://"'), ["http://"]);
  assertEquals(extractLinksRegex('href="https:/x"'), []);
  assertEquals(extractLinksRegex('href="href="http://a""'), ["http://a"]);
});

Deno.test("extractLinksRegex keeps the book's pattern text", () => {
  assertEquals(BOOK_LINK_PATTERN, 'href="(http[s]?://.*?)"');
  assertEquals(extractLinksRegex(""), []);
});

/** A minimal element for the DOM functions, built from plain data. */
function element(
  tag: string,
  attrs: [string, string][],
  children: DomNode[] = [],
  outer = `<${tag}>`,
): DomElement {
  const attributes: DomAttr[] = attrs.map(([name, value]) => ({ name, value }));
  return {
    nodeType: 1,
    textContent: children.map((c) => c.textContent ?? "").join(""),
    attributes,
    firstChild: children[0] ?? null,
    outerHTML: outer,
    getAttribute: (name) => attributes.find((a) => a.name === name)?.value ?? null,
  };
}

function root(anchors: DomElement[], paragraphs = 0): DomParentNode {
  return {
    querySelectorAll: (selectors) => {
      if (selectors === "a") return anchors;
      if (selectors === "p") return Array.from({ length: paragraphs }, () => element("p", []));
      throw new Error(`unexpected selector ${selectors}`);
    },
  };
}

Deno.test("extractLinksDom returns href values as written, null without href", () => {
  const doc = root([
    element("a", [["href", "page1.htm"]]),
    element("a", [["name", "top"]]),
    element("a", [["href", ""]]),
    element("a", [["href", " http://x/ "]]),
  ]);
  assertEquals(extractLinksDom(doc), ["page1.htm", null, "", " http://x/ "]);
});

Deno.test("extractLinksDom resolves against baseUrl and keeps what cannot be resolved", () => {
  const doc = root([
    element("a", [["href", "page1.htm"]]),
    element("a", [["href", "../up.htm?q=1#f"]]),
    element("a", [["href", "//other.org/x"]]),
    element("a", [["href", "mailto:csev@umich.edu"]]),
    element("a", [["href", "http://[bad"]]),
    element("a", [["href", ""]]),
    element("a", []),
  ]);
  assertEquals(extractLinksDom(doc, { baseUrl: "http://data.pr4e.org/a/page2.htm" }), [
    "http://data.pr4e.org/a/page1.htm",
    "http://data.pr4e.org/up.htm?q=1#f",
    "http://other.org/x",
    "mailto:csev@umich.edu",
    "http://[bad",
    "http://data.pr4e.org/a/page2.htm",
    null,
  ]);
  // A base URL that is not absolute resolves nothing.
  assertEquals(extractLinksDom(doc, { baseUrl: "not a url" }).slice(0, 2), [
    "page1.htm",
    "../up.htm?q=1#f",
  ]);
});

Deno.test("describeAnchor and formatAnchorDescription print page2.htm's link as the book does", () => {
  const text: DomNode = { nodeType: 3, textContent: "\nFirst Page" };
  const anchor = element(
    "a",
    [["href", "page1.htm"]],
    [text],
    '<a href="page1.htm">\nFirst Page</a>',
  );
  const description = describeAnchor(anchor);
  assertEquals(description, {
    tag: '<a href="page1.htm">\nFirst Page</a>',
    url: "page1.htm",
    contents: "\nFirst Page",
    attrs: [["href", "page1.htm"]],
  });
  assertEquals(
    formatAnchorDescription(description),
    'TAG: <a href="page1.htm">\nFirst Page</a>\nURL: page1.htm\nContents: \nFirst Page\n' +
      'Attrs: {"href":"page1.htm"}',
  );
});

Deno.test("describeAnchor shows an element child as outer HTML, a comment as markup, nothing when empty", () => {
  const child = element("b", [], [{ nodeType: 3, textContent: "bold" }], "<b>bold</b>");
  assertEquals(describeAnchor(element("a", [], [child])).contents, "<b>bold</b>");
  const comment: DomNode = { nodeType: 8, textContent: " note " };
  assertEquals(describeAnchor(element("a", [], [comment])).contents, "<!-- note -->");
  assertEquals(describeAnchor(element("a", [])).contents, "");
  assertEquals(describeAnchor(element("a", [])).url, null);
});

Deno.test("formatAnchorDescription keeps attribute order, integer-like names and __proto__", () => {
  const line = formatAnchorDescription({
    tag: "<a>",
    url: null,
    contents: "",
    attrs: [["href", 'a"b\\c'], ["10", "x"], ["__proto__", "y"], ["data-é", "\u2028\n"], ["1", ""]],
  }).split("\n");
  assertEquals(line, [
    "TAG: <a>",
    "URL: null",
    "Contents: ",
    'Attrs: {"href":"a\\"b\\\\c","10":"x","__proto__":"y","data-é":"\u2028\\n","1":""}',
  ]);
  // The line is valid JSON with every attribute in it.
  const parsed = JSON.parse(line[3].slice("Attrs: ".length));
  assertEquals(Object.keys(parsed).length, 5);
  assertEquals(parsed.href, 'a"b\\c');
  assertEquals(
    formatAnchorDescription({ tag: "", url: "", contents: "", attrs: [] }).split("\n")[3],
    "Attrs: {}",
  );
});

Deno.test("countParagraphs counts what querySelectorAll('p') finds", () => {
  assertEquals(countParagraphs(root([], 0)), 0);
  assertEquals(countParagraphs(root([], 7)), 7);
});
