// Copyright netprog authors. MIT license.

// The page (web/) in headless Chromium: built with esbuild, served from loopback
// and opened from file://, driven over the DevTools protocol. Python's standard
// library (html.parser, str.split, re.findall) and Chromium's recorded answers
// for the corpus are the oracles.

import assert from "node:assert/strict";
import { BUILD_FLAGS } from "../web/build.ts";
import { Browser, hasChromium, type Tab } from "../scripts/lib/cdp.ts";
import { ROOT } from "./_helpers.ts";
import { corpusTest } from "./_corpus.ts";

const CHROMIUM = await hasChromium();
if (!CHROMIUM) {
  console.log(
    "\n*** SKIP: chromium not found (apt-get install -y chromium): the web page tests do not run ***\n",
  );
}

const DIST = `${ROOT}/web/dist`;
const SCREENSHOT = "/tmp/netprog-web-screenshot.png";
const BOOK_PATTERN = 'href="(http[s]?://.*?)"';

/** Builds web/dist/ the way `deno task build:web` does. */
async function buildPage(): Promise<void> {
  const { success, stderr } = await new Deno.Command("deno", {
    args: [
      "run",
      "--no-prompt",
      ...BUILD_FLAGS,
      "web/build.ts",
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.ok(success, `build failed: ${new TextDecoder().decode(stderr)}`);
}

const TYPES: Record<string, string> = {
  "/": "text/html; charset=utf-8",
  "/main.js": "text/javascript",
  "/style.css": "text/css",
};

/** Serves web/dist/ on loopback and records every path asked for. */
function servePage(requests: string[]): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = new URL(request.url).pathname;
    requests.push(path);
    const type = TYPES[path];
    if (type === undefined) return new Response("not found", { status: 404 });
    const file = path === "/" ? "index.html" : path.slice(1);
    return new Response(await Deno.readFile(`${DIST}/${file}`), {
      headers: { "content-type": type },
    });
  });
}

/**
 * Pastes text into the input box as a paste does and waits for the results to be painted;
 * returns the number of analyses it caused and the time from paste to painted results.
 */
async function paste(tab: Tab, text: string): Promise<{ runs: number; ms: number }> {
  return await tab.evaluate(`(async (text) => {
    const input = document.getElementById("html-input");
    const before = Number(document.body.dataset.generation ?? 0);
    const started = performance.now();
    input.focus();
    input.dispatchEvent(new ClipboardEvent("paste", { bubbles: true, cancelable: true }));
    input.value = text;
    input.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertFromPaste" }));
    // A big page is analysed one frame later, once the pasted text is painted.
    for (let frames = 0; frames < 600; frames++) {
      if (Number(document.body.dataset.generation) !== before) break;
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return {
      runs: Number(document.body.dataset.generation) - before,
      ms: performance.now() - started,
    };
  })(${JSON.stringify(text)})`);
}

interface Results {
  dom: string[];
  resolved: (string | null)[];
  regex: string[];
  onlyDom: string[];
  onlyDomReasons: string[];
  onlyRegex: string[];
  onlyRegexReasons: string[];
  paragraphs: number;
  chars: number;
  bytes: number;
  words: [string, number][];
  chart: [string, number][];
  httpShown: boolean;
  headers: [string, string][];
  generation: number;
}

/** Reads every result hook of the page. */
function results(tab: Tab): Promise<Results> {
  return tab.evaluate(`(() => {
    const items = (id) => Array.from(document.querySelectorAll("#" + id + " li"));
    const texts = (id) => items(id).map((li) => li.textContent);
    const number = (id) => Number(document.getElementById(id).textContent.replaceAll(",", ""));
    const cells = (selector) => Array.from(document.querySelectorAll(selector), (row) =>
      Array.from(row.cells, (cell) => cell.textContent));
    return {
      dom: texts("dom-links"),
      resolved: items("dom-links").map((li) => li.dataset.resolved ?? null),
      regex: texts("regex-links"),
      onlyDom: texts("only-dom"),
      onlyDomReasons: items("only-dom").map((li) => li.dataset.reason),
      onlyRegex: texts("only-regex"),
      onlyRegexReasons: items("only-regex").map((li) => li.dataset.reason),
      paragraphs: number("paragraph-count"),
      chars: number("char-count"),
      bytes: number("byte-count"),
      words: cells("#word-table tbody tr").map(([w, n]) => [w, Number(n)]),
      chart: Array.from(document.querySelectorAll("#word-chart li"), (li) =>
        [li.querySelector(".word").textContent, Number(li.querySelector(".number").textContent)]),
      httpShown: !document.getElementById("http-section").hidden,
      headers: cells("#http-headers tbody tr"),
      generation: Number(document.body.dataset.generation),
    };
  })()`);
}

/** Runs a Python program with the text on stdin and returns its JSON answer. */
async function python<T>(program: string, stdin: string): Promise<T> {
  const child = new Deno.Command("python3", {
    args: ["-c", program],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const { success, stdout, stderr } = await child.output();
  assert.ok(success, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** Counts of each item, to compare lists as multisets. */
function tally(list: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of list) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** `a` minus `b` as multisets, sorted. */
function minus(a: string[], b: string[]): string[] {
  const left = tally(b);
  const out: string[] = [];
  for (const item of a) {
    const n = left.get(item) ?? 0;
    if (n > 0) left.set(item, n - 1);
    else out.push(item);
  }
  return out.sort();
}

Deno.test({
  name: "web page works in headless Chromium",
  ignore: !CHROMIUM,
  async fn(t) {
    await buildPage();
    const requests: string[] = [];
    const server = servePage(requests);
    const origin = `http://127.0.0.1:${server.addr.port}`;
    await using browser = await Browser.launch();
    try {
      await t.step("the start screen loads the book's page1.htm, built in", async () => {
        const text = await Deno.readTextFile(`${ROOT}/data/page1.htm`);
        const want = await python<{ links: string[]; p: number }>(
          `import sys, json, html.parser
class Tags(html.parser.HTMLParser):
  links, p = [], 0
  def handle_starttag(self, tag, attrs):
    attrs = dict(attrs)
    if tag == "a" and attrs.get("href") is not None: self.links.append(attrs["href"])
    if tag == "p": self.p += 1
tags = Tags()
tags.feed(sys.stdin.read())
tags.close()
print(json.dumps({"links": tags.links, "p": tags.p}))`,
          text,
        );
        const sample = await browser.newTab();
        // Every request the tab makes, to any address, as Chromium's network layer sees it, and
        // every error it logs: a request the page's policy refused is logged, never sent.
        const asked: string[] = [];
        const logged: string[] = [];
        const stop = browser.listen((event) => {
          if (event.sessionId !== sample.sessionId) return;
          if (event.method === "Network.requestWillBeSent") {
            asked.push(String((event.params.request as { url: unknown }).url));
          } else if (event.method === "Log.entryAdded") {
            const entry = event.params.entry as { level: string; text: string };
            if (entry.level === "error") logged.push(entry.text);
          }
        });
        try {
          await sample.send("Network.enable");
          await sample.send("Log.enable");
          await sample.goto(`${origin}/`);
          const shown = () =>
            sample.evaluate<boolean>(`(() => {
              const button = document.getElementById("load-sample");
              return !button.closest("[hidden]") && button.getClientRects().length > 0;
            })()`);
          assert.deepStrictEqual(await shown(), true, "offered on the empty start screen");
          const before = (await results(sample)).generation;

          // By keyboard: Tab from the empty box reaches the button, Enter presses it.
          await sample.evaluate(`document.getElementById("html-input").focus()`);
          const key = (key: string, code: number, text?: string) =>
            ["keyDown", "keyUp"].map((type) =>
              sample.send("Input.dispatchKeyEvent", {
                type,
                key,
                code: key,
                windowsVirtualKeyCode: code,
                ...(type === "keyDown" && text !== undefined ? { text } : {}),
              })
            );
          await Promise.all(key("Tab", 9));
          assert.deepStrictEqual(
            await sample.evaluate(`document.activeElement.id`),
            "load-sample",
          );
          await Promise.all(key("Enter", 13, "\r"));
          let got = await results(sample);
          for (let i = 0; i < 50 && got.generation === before; i++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            got = await results(sample);
          }
          assert.deepStrictEqual(got.generation, before + 1, "analysed once");
          const boxes = await sample.evaluate<{ html: string; base: string; focus: string }>(`({
            html: document.getElementById("html-input").value,
            base: document.getElementById("base-url").value,
            focus: document.activeElement.id,
          })`);
          assert.deepStrictEqual(boxes, {
            html: text,
            base: "http://data.pr4e.org/page1.htm",
            focus: "html-input",
          });
          assert.ok(got.dom.includes("http://data.pr4e.org/page2.htm"), String(got.dom));
          assert.deepStrictEqual(got.dom, want.links);
          assert.deepStrictEqual(got.regex, want.links);
          assert.deepStrictEqual(got.paragraphs, want.p);
          assert.deepStrictEqual(got.bytes, new TextEncoder().encode(text).length);
          assert.deepStrictEqual(await shown(), false, "gone once there is a page");

          // Emptying the box offers it again.
          await paste(sample, "");
          assert.deepStrictEqual(await shown(), true);
          assert.deepStrictEqual(sample.exceptions, []);
          assert.deepStrictEqual(logged, []);
          const own = ["/", "/main.js", "/style.css"].map((path) => `${origin}${path}`);
          assert.ok(own.every((url) => asked.includes(url)), `recorded: ${asked}`);
          assert.deepStrictEqual(asked.filter((url) => !own.includes(url)), [], String(asked));
          assert.deepStrictEqual(requests.filter((path) => !(path in TYPES)), []);
        } finally {
          stop();
        }
      });

      const tab = await browser.newTab();
      await tab.goto(`${origin}/`);

      await t.step("page1.htm: every hook agrees with Python", async () => {
        const text = await Deno.readTextFile(`${ROOT}/data/page1.htm`);
        await tab.evaluate(
          `document.getElementById("base-url").value = "http://data.pr4e.org/page1.htm"`,
        );
        const { runs } = await paste(tab, text);
        assert.deepStrictEqual(runs, 1, "a paste is analysed at once");
        const got = await results(tab);
        const want = await python<{
          links: string[];
          p: number;
          regex: string[];
          words: [string, number][];
          top: [string, number][];
          chars: number;
          bytes: number;
        }>(
          `import sys, json, re, collections, html.parser
text = sys.stdin.read()
class Tags(html.parser.HTMLParser):
  links, p = [], 0
  def handle_starttag(self, tag, attrs):
    attrs = dict(attrs)
    if tag == "a" and attrs.get("href") is not None: self.links.append(attrs["href"])
    if tag == "p": self.p += 1
tags = Tags()
tags.feed(text)
tags.close()
counts = collections.Counter(text.split())
print(json.dumps({
  "links": tags.links,
  "p": tags.p,
  "regex": re.findall(${JSON.stringify(BOOK_PATTERN)}, text),
  "words": sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])),
  "top": counts.most_common(10),
  "chars": len(text),
  "bytes": len(text.encode("utf-8")),
}))`,
          text,
        );
        assert.deepStrictEqual(got.dom, want.links);
        assert.deepStrictEqual(
          got.resolved,
          want.links.map(() => null),
          "absolute links need no arrow",
        );
        assert.deepStrictEqual(got.regex, want.regex);
        assert.deepStrictEqual(got.onlyDom, []);
        assert.deepStrictEqual(got.onlyRegex, []);
        assert.deepStrictEqual(got.paragraphs, want.p);
        assert.deepStrictEqual(got.words, want.words);
        assert.deepStrictEqual(got.chart, want.top);
        assert.deepStrictEqual(got.chars, want.chars);
        assert.deepStrictEqual(got.bytes, want.bytes);
        assert.deepStrictEqual(got.httpShown, false);
      });

      await t.step("a relative link is resolved against the base URL", async () => {
        const base = "http://data.pr4e.org/dir/page.htm";
        await tab.evaluate(`document.getElementById("base-url").value = ${JSON.stringify(base)}`);
        await paste(tab, '<a href="../up.htm">u</a><a href="#top">t</a><a>no href</a>');
        const got = await results(tab);
        assert.deepStrictEqual(got.dom, ["../up.htm", "#top"]);
        assert.deepStrictEqual(got.resolved, [
          new URL("../up.htm", base).href,
          new URL("#top", base).href,
        ]);
        await tab.evaluate(`document.getElementById("base-url").value = ""`);
      });

      await t.step("each difference gets its reason", async () => {
        await tab.evaluate(`document.getElementById("base-url").value = "http://data.pr4e.org/"`);
        await paste(
          tab,
          `<p><a href="/relative">r</a>
<a href='http://single.example/'>s</a>
<A HREF="http://upper.example/">u</A>
<a href=http://unquoted.example/>q</a>
<a href="http://entity.example/?a=1&amp;b=2">e</a>
<!-- <a href="http://comment.example/">c</a> -->
<script>var s = '<a href="http://script.example/">';</script>
<link href="http://style.example/x.css" rel="stylesheet">
<a href="http://both.example/">b</a></p>`,
        );
        const got = await results(tab);
        assert.deepStrictEqual(got.onlyDom, [
          "/relative",
          "http://single.example/",
          "http://upper.example/",
          "http://unquoted.example/",
          "http://entity.example/?a=1&b=2",
        ]);
        const domReasons = [/relative/i, /single quotes/, /HREF/, /Unquoted/, /reference/];
        got.onlyDomReasons.forEach((reason, i) => assert.match(reason, domReasons[i]));
        assert.deepStrictEqual(got.onlyRegex, [
          "http://entity.example/?a=1&amp;b=2",
          "http://comment.example/",
          "http://script.example/",
          "http://style.example/x.css",
        ]);
        const regexReasons = [/reference/, /comment/, /<script>/, /<link>/];
        got.onlyRegexReasons.forEach((reason, i) => assert.match(reason, regexReasons[i]));
        assert.deepStrictEqual(minus(got.dom, got.regex), [...got.onlyDom].sort());
        assert.deepStrictEqual(minus(got.regex, got.dom), [...got.onlyRegex].sort());
        await Deno.writeFile(SCREENSHOT, await tab.screenshot(1200, 1700));
        const png = await Deno.readFile(SCREENSHOT);
        assert.deepStrictEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG file");
        await tab.evaluate(`document.getElementById("base-url").value = ""`);
      });

      await t.step("phone width: nothing wider than the screen; dark scheme", async () => {
        const light = await tab.evaluate(`getComputedStyle(document.body).backgroundColor`);
        await tab.send("Emulation.setDeviceMetricsOverride", {
          width: 360,
          height: 740,
          deviceScaleFactor: 1,
          mobile: true,
        });
        await tab.send("Emulation.setEmulatedMedia", {
          features: [{ name: "prefers-color-scheme", value: "dark" }],
        });
        try {
          const page = await tab.evaluate<{ scroll: number; client: number; dark: string }>(
            `({
              scroll: document.documentElement.scrollWidth,
              client: document.documentElement.clientWidth,
              dark: getComputedStyle(document.body).backgroundColor,
            })`,
          );
          assert.ok(
            page.scroll <= page.client,
            `${page.scroll} px wide on a ${page.client} px screen`,
          );
          assert.notStrictEqual(page.dark, light);
        } finally {
          await tab.send("Emulation.setEmulatedMedia", { features: [] });
          await tab.send("Emulation.clearDeviceMetricsOverride");
        }
      });

      await t.step("typing is analysed after a pause", async () => {
        const before = (await results(tab)).generation;
        await tab.evaluate(`(() => {
          const input = document.getElementById("html-input");
          input.value = "";
          input.focus();
        })()`);
        await tab.send("Input.insertText", { text: '<a href="http://typed.example/">' });
        let got = await results(tab);
        for (let i = 0; i < 50 && got.generation === before; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          got = await results(tab);
        }
        assert.deepStrictEqual(got.dom, ["http://typed.example/"]);
        assert.deepStrictEqual(got.regex, ["http://typed.example/"]);
      });

      await t.step("the word table sorts by word and by count", async () => {
        await paste(tab, "b a c a b a");
        const click = (key: string) =>
          tab.evaluate(`document.querySelector('#word-table button[data-sort="${key}"]').click()`);
        assert.deepStrictEqual((await results(tab)).words, [["a", 3], ["b", 2], ["c", 1]]);
        await click("word");
        assert.deepStrictEqual((await results(tab)).words, [["a", 3], ["b", 2], ["c", 1]]);
        await click("word");
        assert.deepStrictEqual((await results(tab)).words, [["c", 1], ["b", 2], ["a", 3]]);
        await click("count");
        assert.deepStrictEqual((await results(tab)).words, [["a", 3], ["b", 2], ["c", 1]]);
        await click("count");
        assert.deepStrictEqual((await results(tab)).words, [["c", 1], ["b", 2], ["a", 3]]);
        const sort = await tab.evaluate(
          `document.querySelector('#word-table th:nth-child(2)').getAttribute("aria-sort")`,
        );
        assert.deepStrictEqual(sort, "ascending");
        await click("count");
      });

      await t.step("pasted markup never runs and loads nothing", async () => {
        await tab.evaluate(`delete window.__pwned`);
        const before = requests.length;
        await paste(
          tab,
          `<p>hello</p><img src="/pwned-img.png" onerror="window.__pwned='img';alert('img')">
<script>window.__pwned = "script"; alert("script");</script>
<svg onload="window.__pwned='svg'"><a href="http://svg.example/">s</a></svg>
<iframe src="/pwned-frame.html" onload="window.__pwned='frame'"></iframe>
<body onload="window.__pwned='body'">
<a href="javascript:window.__pwned='js'">js</a>
<link rel="stylesheet" href="/pwned-style.css">
<style>@import url(/pwned-import.css);</style>
<object data="/pwned-object"></object>
<meta http-equiv="refresh" content="0;url=/pwned-refresh">`,
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
        const got = await results(tab);
        assert.deepStrictEqual(await tab.evaluate(`typeof window.__pwned`), "undefined");
        assert.deepStrictEqual(tab.dialogs, []);
        assert.deepStrictEqual(tab.exceptions, []);
        assert.deepStrictEqual(requests.slice(before), [], "no request from the pasted page");
        assert.deepStrictEqual(await tab.evaluate(`location.href`), `${origin}/`);
        assert.deepStrictEqual(got.dom, ["http://svg.example/", "javascript:window.__pwned='js'"]);
        assert.deepStrictEqual(got.paragraphs, 1);
      });

      await t.step("a raw chunked response fills the header table", async () => {
        const body = ['<p>One <a href="http://one.example/">', "link</a></p><p>two</p>"];
        const chunked = body.map((part) =>
          `${new TextEncoder().encode(part).length.toString(16)}\r\n${part}\r\n`
        ).join("") + "0\r\n\r\n";
        await paste(
          tab,
          "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" +
            "Transfer-Encoding: chunked\r\nX-Test: yes\r\n\r\n" + chunked,
        );
        const got = await results(tab);
        assert.deepStrictEqual(got.httpShown, true);
        assert.deepStrictEqual(got.headers, [
          ["Status line", "HTTP/1.1 200 OK"],
          ["Content-Type", "text/html; charset=utf-8"],
          ["Transfer-Encoding", "chunked"],
          ["X-Test", "yes"],
        ]);
        assert.deepStrictEqual(got.dom, ["http://one.example/"]);
        assert.deepStrictEqual(got.paragraphs, 2);
        assert.deepStrictEqual(
          got.words.find(([word]) => word === "0"),
          undefined,
          "chunk sizes removed",
        );
        await paste(tab, "<p>plain again</p>");
        assert.deepStrictEqual((await results(tab)).httpShown, false);
      });

      await t.step("a response cut short by Content-Length says so", async () => {
        // A textarea keeps line breaks as LF only, so the byte counts use LF.
        const head = "HTTP/1.0 200 OK\nContent-Length: 12\n\n";
        const body = "<p>one</p><p>two</p>";
        await paste(tab, head + body);
        const got = await results(tab);
        assert.deepStrictEqual(got.headers, [["Status line", "HTTP/1.0 200 OK"], [
          "Content-Length",
          "12",
        ]]);
        assert.deepStrictEqual(got.paragraphs, 1, "only <p>one</p>< is the body");
        const note = await tab.evaluate<string>(`document.getElementById("http-note").textContent`);
        assert.ok(
          note.includes(`ended after ${head.length + 12} bytes; the ${body.length - 12} bytes`),
          note,
        );
      });

      await t.step("a saved page opens from the file picker and by drag and drop", async () => {
        const page2 = `${ROOT}/data/page2.htm`;
        const text = await Deno.readTextFile(page2);
        const want = await python<string[]>(
          `import sys, json, html.parser
class Links(html.parser.HTMLParser):
  found = []
  def handle_starttag(self, tag, attrs):
    if tag == "a": self.found += [v for k, v in attrs if k == "href"][:1]
links = Links()
links.feed(sys.stdin.read())
print(json.dumps(links.found))`,
          text,
        );
        assert.ok(want.length > 0);
        const { root } = await tab.send<{ root: { nodeId: number } }>("DOM.getDocument");
        const { nodeId } = await tab.send<{ nodeId: number }>("DOM.querySelector", {
          nodeId: root.nodeId,
          selector: "#file-input",
        });
        const waitFor = async (before: number) => {
          let got = await results(tab);
          for (let i = 0; i < 50 && got.generation === before; i++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            got = await results(tab);
          }
          return got;
        };
        await paste(tab, "");
        let before = (await results(tab)).generation;
        await tab.send("DOM.setFileInputFiles", { nodeId, files: [page2] });
        let got = await waitFor(before);
        assert.deepStrictEqual(
          await tab.evaluate(`document.getElementById("html-input").value`),
          text,
        );
        assert.deepStrictEqual(got.dom, want);

        await paste(tab, "");
        before = (await results(tab)).generation;
        const box = await tab.evaluate<{ x: number; y: number }>(`(() => {
          const r = document.getElementById("html-input").getBoundingClientRect();
          return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
        })()`);
        const data = { items: [], files: [page2], dragOperationsMask: 1 };
        for (const type of ["dragEnter", "dragOver", "drop"]) {
          await tab.send("Input.dispatchDragEvent", { type, ...box, data });
        }
        got = await waitFor(before);
        assert.deepStrictEqual(got.dom, want);

        // A page saved in Latin-1 says so in its meta tag; it is not valid UTF-8.
        const latin1Page = await Deno.makeTempFile({ prefix: "netprog-page-", suffix: ".html" });
        try {
          const page = '<meta charset="iso-8859-1"><p>caf\u00e9 na\u00efve caf\u00e9</p>';
          await Deno.writeFile(latin1Page, Uint8Array.from(page, (c) => c.charCodeAt(0)));
          await paste(tab, "");
          before = (await results(tab)).generation;
          await tab.send("DOM.setFileInputFiles", { nodeId, files: [latin1Page] });
          got = await waitFor(before);
          assert.deepStrictEqual(got.chart.find(([word]) => word === "na\u00efve"), [
            "na\u00efve",
            1,
          ]);
          assert.deepStrictEqual(got.chars, page.length);
          assert.deepStrictEqual(got.bytes, new TextEncoder().encode(page).length);
        } finally {
          await Deno.remove(latin1Page);
        }
      });

      const corpusStep = "every corpus page: the links Chromium recorded, in order";
      await t.step(corpusTest(corpusStep, async (corpus) => {
        const expected: Record<string, { hrefs: string[]; p: number }> = JSON.parse(
          await Deno.readTextFile(`${corpus}/expected.json`),
        );
        const names = Object.keys(expected).sort();
        const texts = new Map<string, string>();
        for (const name of names) {
          texts.set(name, await Deno.readTextFile(`${corpus}/pages/${name}.html`));
        }
        const regex = await python<Record<string, string[]>>(
          `import sys, json, re
pages = json.load(sys.stdin)
print(json.dumps({name: re.findall(${
            JSON.stringify(BOOK_PATTERN)
          }, text) for name, text in pages.items()}))`,
          JSON.stringify(Object.fromEntries(texts)),
        );
        let largest = { name: "", size: 0, ms: 0 };
        for (const name of names) {
          const text = texts.get(name)!;
          const { runs, ms } = await paste(tab, text);
          assert.deepStrictEqual(runs, 1, name);
          const got = await results(tab);
          assert.deepStrictEqual(got.dom, expected[name].hrefs, name);
          assert.deepStrictEqual(got.paragraphs, expected[name].p, name);
          assert.deepStrictEqual(got.regex, regex[name], name);
          assert.deepStrictEqual(minus(got.dom, got.regex), [...got.onlyDom].sort(), name);
          assert.deepStrictEqual(minus(got.regex, got.dom), [...got.onlyRegex].sort(), name);
          assert.deepStrictEqual(got.onlyDomReasons.filter((r) => !r).length, 0, name);
          assert.deepStrictEqual(got.onlyRegexReasons.filter((r) => !r).length, 0, name);
          if (text.length > largest.size) largest = { name, size: text.length, ms };
        }
        assert.deepStrictEqual(tab.exceptions, []);
        console.log(
          `  largest corpus page ${largest.name} (${largest.size} characters): ` +
            `paste to results ${Math.round(largest.ms)} ms`,
        );
      }));

      await t.step("the built page works from file://", async () => {
        const local = await browser.newTab();
        await local.goto(`file://${DIST}/index.html`);
        const { runs } = await paste(local, '<p><a href="http://file.example/">f</a> <a href=x>');
        assert.deepStrictEqual(runs, 1);
        const got = await results(local);
        assert.deepStrictEqual(got.dom, ["http://file.example/", "x"]);
        assert.deepStrictEqual(got.onlyDom, ["x"]);
        assert.deepStrictEqual(local.exceptions, []);
      });
    } finally {
      await server.shutdown();
    }
  },
});
