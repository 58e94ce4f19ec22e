// Copyright netprog authors. MIT license.

/**
 * The scripts' HTML parser (scripts/lib/dom.ts): the DOM it builds, its
 * selectors, and its serialization compared with headless Chromium's own
 * `DOMParser` on every anchor of the corpus.
 */

import assert from "node:assert/strict";
import { DOMParser, parseHtml } from "../scripts/lib/dom.ts";
import { describeAnchor, formatAnchorDescription } from "../core/links.ts";
import type { DomElement, DomParentNode } from "../core/dom_types.ts";
import { corpusDir, loadCorpus, skipWithoutCorpus } from "./_corpus.ts";
import { ROOT } from "./_helpers.ts";
import { CHROMIUM_FLAGS, hasChromium } from "../scripts/lib/cdp.ts";

const PAGE2 = await Deno.readTextFile(`${ROOT}/data/page2.htm`);

Deno.test("DOMParser: page2.htm's anchor is described exactly as urllink2 prints it", () => {
  const doc = new DOMParser().parseFromString(PAGE2, "text/html");
  const anchors = doc.querySelectorAll("a");
  assert.equal(anchors.length, 1);
  assert.equal(
    formatAnchorDescription(describeAnchor(anchors[0])),
    'TAG: <a href="page1.htm">\nFirst Page</a>\nURL: page1.htm\nContents: \nFirst Page\n' +
      'Attrs: {"href":"page1.htm"}',
  );
});

Deno.test("DOMParser: the document satisfies the core's DomParentNode and DomElement", () => {
  const doc: DomParentNode = parseHtml('<a href="x">t</a>');
  const anchor: DomElement = doc.querySelectorAll("a")[0];
  assert.equal(anchor.nodeType, 1);
  assert.equal(anchor.textContent, "t");
  assert.equal(anchor.firstChild?.nodeType, 3);
  assert.deepEqual(Array.from(anchor.attributes, (a) => [a.name, a.value]), [["href", "x"]]);
});

Deno.test("DOMParser: only text/html is accepted", () => {
  assert.throws(
    () => new DOMParser().parseFromString("<a/>", "text/xml" as "text/html"),
    TypeError,
  );
});

Deno.test("parseHtml builds html, head and body, with tag names as a browser reports them", () => {
  const doc = parseHtml(
    "<!DOCTYPE html><title> A  title </title><P ID=x>One<svg><foreignObject/></svg>",
  );
  assert.equal(doc.nodeType, 9);
  assert.equal(doc.textContent, null);
  assert.equal(doc.doctype?.name, "html");
  assert.equal(doc.mode, "no-quirks");
  assert.equal(doc.documentElement?.tagName, "HTML");
  assert.equal(doc.head?.localName, "head");
  assert.equal(doc.body?.tagName, "BODY");
  assert.equal(doc.title, "A title");
  const p = doc.querySelector("p")!;
  assert.equal(p.tagName, "P");
  assert.equal(p.getAttribute("id"), "x");
  assert.equal(p.getAttribute("ID"), "x");
  assert.equal(p.hasAttribute("class"), false);
  const foreign = doc.querySelector("foreignObject")!;
  assert.equal(foreign.tagName, "foreignObject");
  assert.equal(foreign.namespaceURI, "http://www.w3.org/2000/svg");
  assert.equal(doc.querySelector("foreignobject"), null);
  assert.equal(parseHtml("<p>x").mode, "quirks");
});

Deno.test("parseHtml parses <noscript> as markup and keeps <template> content out of the tree", () => {
  const doc = parseHtml(
    "<head><noscript><a href=h>h</a></noscript></head><noscript><p><a href=b>b</a></noscript>" +
      "<template><a href=t>t</a><p></template>",
  );
  assert.deepEqual(doc.querySelectorAll("a").map((a) => a.getAttribute("href")), ["h", "b"]);
  assert.equal(doc.querySelectorAll("p").length, 1);
  const template = doc.querySelector("template")!;
  assert.equal(template.childNodes.length, 0);
  assert.equal(template.content?.querySelectorAll("a").length, 1);
  assert.equal(template.innerHTML, '<a href="t">t</a><p></p>');
});

Deno.test("parseHtml: SVG <a> counts as a, xlink:href is not href", () => {
  const doc = parseHtml('<svg><a href="one"/><a xlink:href="two"/></svg>');
  const anchors = doc.querySelectorAll("a");
  assert.deepEqual(anchors.map((a) => a.getAttribute("href")), ["one", null]);
  assert.equal(anchors[1].getAttribute("xlink:href"), "two");
  assert.deepEqual(anchors[1].attributes.map((a) => [a.name, a.localName, a.prefix]), [
    ["xlink:href", "href", "xlink"],
  ]);
  assert.equal(anchors[1].outerHTML, '<a xlink:href="two"></a>');
});

Deno.test("parseHtml: the first of two duplicate attributes wins, source order is kept", () => {
  const a = parseHtml("<a href=1 HREF=2 title=t data-0=z 10=y>x</a>").querySelector("a")!;
  assert.equal(a.getAttribute("href"), "1");
  assert.deepEqual(a.attributes.map((attr) => attr.name), ["href", "title", "data-0", "10"]);
  assert.equal(
    formatAnchorDescription(describeAnchor(a)).split("\n")[3],
    'Attrs: {"href":"1","title":"t","data-0":"z","10":"y"}',
  );
});

Deno.test("querySelectorAll supports type selectors, *, [attribute] and comma lists in document order", () => {
  const doc = parseHtml("<p id=1><a href=x id=2></a><b id=3></b></p><a id=4><p id=5></p></a>");
  const ids = (selectors: string) =>
    doc.querySelectorAll(selectors).map((e) => e.getAttribute("id"));
  assert.deepEqual(ids("a"), ["2", "4"]);
  assert.deepEqual(ids("A"), ["2", "4"]);
  assert.deepEqual(ids("a[href]"), ["2"]);
  assert.deepEqual(ids("[href]"), ["2"]);
  assert.deepEqual(ids("p, a"), ["1", "2", "4", "5"]);
  assert.deepEqual(ids(" a ,b "), ["2", "3", "4"]);
  assert.equal(doc.querySelectorAll("*").length, 8);
  assert.deepEqual(doc.querySelector("p")!.querySelectorAll("*").map((e) => e.localName), [
    "a",
    "b",
  ]);
  assert.deepEqual(doc.getElementsByTagName("P").length, 2);
});

Deno.test("querySelectorAll throws a SyntaxError for selectors it does not support", () => {
  const doc = parseHtml("<a></a>");
  for (const selectors of ["div a", "a > b", "a.x", "#id", "a:hover", "", "a,", "a[href=x]"]) {
    assert.throws(() => doc.querySelectorAll(selectors), (error: unknown) => {
      assert.ok(error instanceof DOMException);
      assert.equal(error.name, "SyntaxError");
      assert.match(error.message, /^Cannot use selector /);
      return true;
    }, selectors);
  }
});

Deno.test("parseHtml: serialization escapes as a browser does", () => {
  const doc = parseHtml(
    `<a title='"&<>\u00a0' href="?a=1&amp;b=2">&lt;b&gt; &amp; \u00a0"'</a>` +
      "<script>if (a < b && c) {}</script><style>p > a {}</style><textarea>&lt;x&gt;</textarea>" +
      "<br><img src=i><!-- c --><noscript><b>&amp;</b></noscript>",
  );
  assert.equal(
    doc.querySelector("a")!.outerHTML,
    `<a title="&quot;&amp;&lt;&gt;&nbsp;" href="?a=1&amp;b=2">&lt;b&gt; &amp; &nbsp;"'</a>`,
  );
  assert.equal(doc.head!.innerHTML, "");
  assert.equal(
    doc.body!.innerHTML,
    `<a title="&quot;&amp;&lt;&gt;&nbsp;" href="?a=1&amp;b=2">&lt;b&gt; &amp; &nbsp;"'</a>` +
      "<script>if (a < b && c) {}</script><style>p > a {}</style><textarea>&lt;x&gt;</textarea>" +
      '<br><img src="i"><!-- c --><noscript><b>&amp;</b></noscript>',
  );
  assert.equal(doc.querySelector("br")!.innerHTML, "");
});

Deno.test("parseHtml handles a very deep tree without running out of stack", () => {
  const depth = 20_000;
  const doc = parseHtml(`${"<span>".repeat(depth)}<a href=deep>x</a>`);
  assert.deepEqual(doc.querySelectorAll("a").map((a) => a.getAttribute("href")), ["deep"]);
  assert.equal(doc.body!.textContent, "x");
  assert.ok(doc.body!.outerHTML.endsWith(`<a href="deep">x</a>${"</span>".repeat(depth)}</body>`));
});

Deno.test("parseHtml: node navigation and text content", () => {
  const doc = parseHtml("<p>a<!--c--><b>b</b>c</p>");
  const p = doc.querySelector("p")!;
  assert.equal(p.textContent, "abc");
  assert.deepEqual(p.childNodes.map((n) => n.nodeType), [3, 8, 1, 3]);
  assert.equal(p.firstChild?.nextSibling?.textContent, "c");
  assert.equal(p.lastChild?.previousSibling?.nodeName, "B");
  assert.equal(p.children.length, 1);
  assert.equal(p.firstChild?.parentNode, p);
  assert.equal(p.firstChild?.previousSibling, null);
});

/**
 * What Chromium's `DOMParser` gives for each anchor: outer HTML, first child
 * (type and its text or outer HTML), attributes.
 */
type ChromiumAnchor = [string, number, string, [string, string][]];

const BROWSER_PROGRAM = `
const results = {};
for (const c of CASES) {
  const doc = new DOMParser().parseFromString(c.html, "text/html");
  results[c.id] = Array.from(doc.querySelectorAll("a"), (a) => {
    const first = a.firstChild;
    const contents = first === null ? "" : first.nodeType === 1 ? first.outerHTML : first.data;
    return [a.outerHTML, first === null ? 0 : first.nodeType, contents,
      Array.from(a.attributes, (attr) => [attr.name, attr.value])];
  });
}
document.getElementById("out").textContent = JSON.stringify(results)
  .replace(/[\\u007f-\\uffff]/g, (c) => "\\\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
`;

/** JSON that is safe inside a script element: only ASCII, no "<". */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

async function chromiumAnchors(
  cases: { id: string; html: string }[],
): Promise<Record<string, ChromiumAnchor[]>> {
  const dir = await Deno.makeTempDir({ prefix: "netprog_dom_" });
  try {
    const page = `${dir}/anchors.html`;
    await Deno.writeTextFile(
      page,
      `<!DOCTYPE html><pre id="out"></pre><script>const CASES = ${
        scriptSafeJson(cases)
      };${BROWSER_PROGRAM}</script>`,
    );
    const output = await new Deno.Command("chromium", {
      args: [
        ...CHROMIUM_FLAGS,
        `--user-data-dir=${dir}/profile`,
        "--dump-dom",
        `file://${page}`,
      ],
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const dom = new TextDecoder().decode(output.stdout);
    const match = /<pre id="out">([^<]*)<\/pre>/.exec(dom);
    assert.ok(match, `no result from Chromium: ${dom.slice(0, 300)}`);
    const json = match[1].replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
    return JSON.parse(json);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const noChromium = !(await hasChromium());
if (noChromium) {
  console.error("SKIP dom_test: chromium not installed, anchors not compared with Chromium");
}

const ANCHORS_TEST =
  "parseHtml serializes and describes every anchor of the corpus as Chromium does";
Deno.test({
  name: ANCHORS_TEST,
  ignore: skipWithoutCorpus(ANCHORS_TEST) || noChromium,
  async fn() {
    const corpus = await loadCorpus(corpusDir()!);
    const cases = [...corpus.pages, ...corpus.snippets, ...corpus.probes]
      // The select probes and snippets follow newer parsing rules than parse5 8.1.1 knows.
      .filter((c) =>
        !["select", "tests10:17", "tests10:18", "tests9:18", "tests9:19"].includes(c.id)
      )
      .map(({ id, html }) => ({ id, html }));
    const expected = await chromiumAnchors(cases);
    let anchors = 0;
    const differences: string[] = [];
    for (const { id, html } of cases) {
      const ours = parseHtml(html).querySelectorAll("a").map((a): ChromiumAnchor => {
        const first = a.firstChild;
        const contents = describeAnchor(a).contents;
        return [
          a.outerHTML,
          first === null ? 0 : first.nodeType,
          first?.nodeType === 8 ? first.textContent ?? "" : contents,
          describeAnchor(a).attrs,
        ];
      });
      anchors += ours.length;
      const theirs = expected[id];
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        const at = ours.findIndex((a, i) => JSON.stringify(a) !== JSON.stringify(theirs[i]));
        differences.push(
          `${id}: anchor ${at} of ${theirs.length}: ours ${
            JSON.stringify(ours[at])?.slice(0, 300)
          }, ` +
            `Chromium ${JSON.stringify(theirs[at])?.slice(0, 300)}`,
        );
      }
    }
    console.log(`${anchors} anchors in ${cases.length} documents compared with Chromium`);
    assert.ok(anchors > 8000, `only ${anchors} anchors compared`);
    assert.deepEqual(differences, []);
  },
});
