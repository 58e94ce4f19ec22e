// Copyright netprog authors. MIT license.

/**
 * The `fetch` programs of the chapter (urllib1, urllib2, urlwords, urlregex,
 * urllinks, urllink2, urllink3, exercise3, exercise4), each spawned with its
 * real flags narrowed to the loopback server it talks to: the mirror of the
 * book's server for the book's files, a `Deno.serve` server for the HTML
 * corpus, a small site to crawl and made-up texts, a raw server for the
 * misbehaving cases. Expected outputs come from the book's known outputs,
 * from Chromium (the corpus) or from Python itself.
 */

import assert from "node:assert/strict";
import {
  ROOT,
  runScript,
  type ScriptResult,
  startMirror,
  startRawServer,
  writeAll,
} from "./_helpers.ts";
import { PythonLineStripper } from "../mod.ts";
import { corpusDir, corpusTest } from "./_corpus.ts";
import { onTerminal } from "./_pty.ts";

const DATA = `${ROOT}/data`;
/** The pages of the corpus NETPROG_CORPUS names, or null: the corpus tests are then ignored. */
const CORPUS = corpusDir();
const PAGES = CORPUS === null ? null : `${CORPUS}/pages`;
const encoder = new TextEncoder();

/** The flag that lets a script reach the server at `origin` and nothing else. */
function netFlag(origin: string): string {
  return `--allow-net=${new URL(origin).host}`;
}

/** Runs python3 with `code` and `args`, `input` on its stdin; returns its stdout. */
async function python(
  code: string,
  input: Uint8Array | string = "",
  args: string[] = [],
): Promise<string> {
  const child = new Deno.Command("python3", {
    args: ["-c", code, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONIOENCODING: "utf-8" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(typeof input === "string" ? encoder.encode(input) : input);
  await writer.close();
  const output = await child.output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return exact(output.stdout);
}

/** Bytes decoded as UTF-8 with a leading byte order mark kept, as Python keeps it. */
function exact(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
}

/** Asserts a failure: `code`, nothing on stdout but `stdout`, one line on stderr matching `line`. */
function assertFailure(result: ScriptResult, code: number, line: RegExp, stdout = ""): void {
  assert.equal(result.code, code, `exit status; stderr: ${result.stderr}`);
  assert.equal(result.stdout, stdout);
  assert.match(result.stderr, /^[^\n]+\n$/, `one line: ${JSON.stringify(result.stderr)}`);
  assert.match(result.stderr, line);
}

/** Pages of the small site the crawler walks: a cycle, a broken link, another host, fragments. */
const SITE: Record<string, string> = {
  "/site/index.htm": `<h1>Home</h1>
<p><a href="a.htm">A</a> <a href="b.htm#top">B</a> <a href="missing.htm">Broken</a>
<a href="mailto:someone@example.com">Mail</a> <a href="#top">Top</a> <a>No link</a>
<a href="http://example.com/">Elsewhere</a></p>
`,
  "/site/a.htm": `<p><a href="index.htm">Home</a> <a href="/site/b.htm">B</a></p>\n`,
  "/site/b.htm": `<p><a href="a.htm">A</a> <a href="sub/c.htm">C</a></p>\n`,
  "/site/sub/c.htm": `<p><a href="../index.htm">Home</a> <a href="../a.htm">A</a></p>\n`,
  // Where the crawler starts: the book skips facebook and linkedin links without a word.
  "/site/social.htm": `<p><a href="index.htm">Home</a>
<a href="https://www.facebook.com/py4e">Like</a> <a href="https://www.linkedin.com/in/py4e">Follow</a></p>
`,
};

/** Texts served as `/text/NAME`, `text/plain; charset=utf-8`. */
const TEXTS: Record<string, Uint8Array<ArrayBuffer>> = {};

/** A `Deno.serve` server for the corpus pages, the site, the texts, a redirect and a stream. */
function startFixtureServer(): Deno.HttpServer<Deno.NetAddr> & { origin: string } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/corpus/")) {
      const name = decodeURIComponent(path.slice("/corpus/".length));
      if (PAGES === null || !/^[\w.-]+\.html$/.test(name)) {
        return new Response("no", { status: 404 });
      }
      const bytes = await Deno.readFile(`${PAGES}/${name}`);
      return new Response(bytes, { headers: { "content-type": "text/html" } });
    }
    if (path in SITE) return new Response(SITE[path], { headers: { "content-type": "text/html" } });
    if (path.startsWith("/text/") && path.slice(6) in TEXTS) {
      return new Response(TEXTS[path.slice(6)], {
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    if (path === "/moved") {
      return new Response(null, { status: 302, headers: { location: "/site/sub/c.htm" } });
    }
    if (path === "/stream") {
      // No Content-Length: the size limit must count the bytes as they come.
      const chunk = encoder.encode("word ".repeat(200));
      let left = 20;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (left-- > 0) controller.enqueue(chunk);
          else controller.close();
        },
      });
      return new Response(body, { headers: { "content-type": "text/plain" } });
    }
    return new Response("Not here\n", { status: 404, statusText: "Not Found" });
  });
  return Object.assign(server, { origin: `http://127.0.0.1:${server.addr.port}` });
}

// The book's files on the mirror (data/): known outputs and Python's own answers.

Deno.test("urllib1 and urllib2 print the book's files line by line as Python strips them", async () => {
  await using mirror = await startMirror();
  const flags = [netFlag(mirror.origin)];
  const expected = (name: string) => pythonLines(`${DATA}/${name}`);

  const romeo = await runScript("urllib1", [`${mirror.origin}/romeo.txt`], { flags });
  assert.equal(romeo.code, 0, romeo.stderr);
  assert.equal(romeo.stdout, await Deno.readTextFile(`${DATA}/romeo.txt`));
  assert.equal(romeo.stdout, await expected("romeo.txt"));

  const intro = await runScript("urllib1", [`${mirror.origin}/intro-short.txt`], { flags });
  assert.equal(intro.code, 0, intro.stderr);
  assert.equal(intro.stdout, await expected("intro-short.txt"));
  assert.notEqual(intro.stdout, await Deno.readTextFile(`${DATA}/intro-short.txt`));

  const page1 = await runScript("urllib2", [`${mirror.origin}/page1.htm`], { flags });
  assert.equal(page1.code, 0, page1.stderr);
  assert.equal(page1.stdout, await expected("page1.htm"));
  assert.match(page1.stdout, /^If you like, you can switch to the\n/m);
});

/** What the book's urllib1 prints for a file: its lines, Python-stripped. */
function pythonLines(path: string): Promise<string> {
  return Deno.readFile(path).then((bytes) =>
    python("import sys\nfor line in sys.stdin.buffer: print(line.decode().strip())", bytes)
  );
}

Deno.test("urlwords counts romeo.txt's words as the book does, in first-seen order", async () => {
  await using mirror = await startMirror();
  const flags = [netFlag(mirror.origin)];
  const result = await runScript("urlwords", [`${mirror.origin}/romeo.txt`], { flags });
  assert.equal(result.code, 0, result.stderr);
  const counts = JSON.parse(result.stdout);
  assert.equal(Object.keys(counts).length, 26);
  assert.deepEqual(Object.keys(counts).slice(0, 4), ["But", "soft", "what", "light"]);
  assert.deepEqual([counts.is, counts.the, counts.and, counts.sun, counts.grief], [3, 3, 3, 2, 1]);
  const romeo = await Deno.readFile(`${DATA}/romeo.txt`);
  assert.equal(result.stdout, await python(PYTHON_COUNTS, romeo));

  const top = await runScript("urlwords", [`${mirror.origin}/romeo.txt`, "--top", "5"], { flags });
  assert.equal(top.code, 0, top.stderr);
  assert.equal(top.stdout, "3 is\n3 the\n3 and\n2 sun\n1 But\n");
});

/** The book's urlwords in Python, printing the dictionary as compact JSON. */
const PYTHON_COUNTS = `import sys, json
counts = dict()
for line in sys.stdin.buffer:
    for word in line.decode().split():
        counts[word] = counts.get(word, 0) + 1
print(json.dumps(counts, ensure_ascii=False, separators=(",", ":")))`;

/** The N most frequent words, ties in first-seen order (Python's sort is stable). */
const PYTHON_TOP = `import sys
counts = dict()
for word in sys.stdin.buffer.read().decode().split():
    counts[word] = counts.get(word, 0) + 1
for word, count in sorted(counts.items(), key=lambda kv: -kv[1])[:int(sys.argv[1])]:
    print(count, word)`;

Deno.test("urlwords splits on Python's white space and keeps keys like 10 and __proto__ in order", async () => {
  await using server = startFixtureServer();
  const text = "\ufeffword 10 __proto__ 2\u00a0constructor\u3000toString\r\n" +
    "b\u2003a\u2028a\x1cb\x1dc\x1e d\x1f e\x85f\u200bg\ufeffh\u180ei\u202fj\u205fk\u1680l\n" +
    "\x0b\x0c 10 10 __proto__ hasOwnProperty \u00e9t\u00e9 caf\u00e9 \u{1f600} \x01x\x7f 2 a\n" +
    "Word word WORD 2 10 last-line-no-newline";
  TEXTS["words.txt"] = encoder.encode(text);
  const url = `${server.origin}/text/words.txt`;
  const flags = [netFlag(server.origin)];

  const result = await runScript("urlwords", [url], { flags });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, await python(PYTHON_COUNTS, TEXTS["words.txt"]));
  assert.ok(
    result.stdout.startsWith('{"\ufeffword":1,"10":4,"__proto__":2,"2":3,"constructor":1,'),
  );
  const counts = JSON.parse(result.stdout);
  assert.equal(counts["f\u200bg\ufeffh\u180ei"], 1);
  assert.equal(counts["e\x85f"], undefined);

  for (const n of ["1", "3", "4", "7", "1000"]) {
    const top = await runScript("urlwords", [url, "--top", n], { flags });
    assert.equal(top.code, 0, top.stderr);
    assert.equal(top.stdout, await python(PYTHON_TOP, text, [n]));
  }
  const ties = await runScript("urlwords", [url, "--top", "4"], { flags });
  assert.equal(ties.stdout, "4 10\n3 2\n3 a\n2 __proto__\n");

  // The same bytes in writes of 1 to 7 bytes: words and characters split across reads.
  const bytes = TEXTS["words.txt"];
  await using raw = startRawServer(async (conn) => {
    await writeAll(conn, `HTTP/1.1 200 OK\r\nContent-Length: ${bytes.length}\r\n\r\n`);
    for (let i = 0, size = 1; i < bytes.length; i += size, size = size % 7 + 1) {
      await writeAll(conn, bytes.subarray(i, i + size));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  });
  const split = await runScript("urlwords", [`${raw.origin}/words.txt`], {
    flags: [netFlag(raw.origin)],
  });
  assert.equal(split.code, 0, split.stderr);
  assert.equal(split.stdout, result.stdout);
});

Deno.test("urlregex finds the book's pattern only: page1's absolute link, none in page2", async () => {
  await using mirror = await startMirror();
  const flags = [netFlag(mirror.origin)];
  const page1 = await runScript("urlregex", [`${mirror.origin}/page1.htm`], { flags });
  assert.equal(page1.code, 0, page1.stderr);
  assert.equal(page1.stdout, "http://data.pr4e.org/page2.htm\n");
  const page2 = await runScript("urlregex", [], { flags, stdin: `${mirror.origin}/page2.htm\n` });
  assert.equal(page2.code, 0, page2.stderr);
  assert.equal(page2.stdout, "Enter - ");
});

const URLREGEX_CORPUS = "urlregex agrees with Python's re.findall on every corpus page";
Deno.test(corpusTest(URLREGEX_CORPUS, async (corpus) => {
  const names = Object.keys(JSON.parse(await Deno.readTextFile(`${corpus}/expected.json`)));
  const expected: Record<string, string> = JSON.parse(
    await python(
      `import sys, re, json
found = dict()
for name in sys.argv[2:]:
    html = open(sys.argv[1] + "/" + name + ".html", "rb").read()
    links = re.findall(b'href="(http[s]?://.*?)"', html)
    found[name] = "".join(link.decode() + "\\n" for link in links)
print(json.dumps(found))`,
      "",
      [`${corpus}/pages`, ...names],
    ),
  );
  await using server = startFixtureServer();
  const flags = [netFlag(server.origin)];
  const mismatches: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++];
      const result = await runScript("urlregex", [`${server.origin}/corpus/${name}.html`], {
        flags,
      });
      assert.equal(result.code, 0, `${name}: ${result.stderr}`);
      if (result.stdout !== expected[name]) mismatches.push(name);
    }
  };
  await Promise.all([worker(), worker()]);
  assert.deepEqual(mismatches, []);
  assert.ok(Object.values(expected).join("").split("\n").length > 1000);
}));

Deno.test("urllinks, urllink2 and exercise4 print the book's known outputs for page1 and page2", async () => {
  await using mirror = await startMirror();
  const flags = [netFlag(mirror.origin)];
  const links1 = await runScript("urllinks", [`${mirror.origin}/page1.htm`], { flags });
  assert.equal(links1.code, 0, links1.stderr);
  assert.equal(links1.stdout, "http://data.pr4e.org/page2.htm\n");
  const links2 = await runScript("urllinks", [], { flags, stdin: `${mirror.origin}/page2.htm\n` });
  assert.equal(links2.code, 0, links2.stderr);
  assert.equal(links2.stdout, "Enter - page1.htm\n");
  const absolute = await runScript("urllinks", [`${mirror.origin}/page2.htm`, "--absolute"], {
    flags,
  });
  assert.equal(absolute.stdout, `${mirror.origin}/page1.htm\n`);

  const described = await runScript("urllink2", [`${mirror.origin}/page2.htm`], { flags });
  assert.equal(described.code, 0, described.stderr);
  assert.equal(
    described.stdout,
    'TAG: <a href="page1.htm">\nFirst Page</a>\nURL: page1.htm\nContents: \nFirst Page\n' +
      'Attrs: {"href":"page1.htm"}\n',
  );
  const prompted = await runScript("urllink2", [], {
    flags,
    stdin: `  ${mirror.origin}/page1.htm  \n`,
  });
  assert.equal(
    prompted.stdout,
    'Enter - TAG: <a href="http://data.pr4e.org/page2.htm">\nSecond Page</a>\n' +
      "URL: http://data.pr4e.org/page2.htm\nContents: \nSecond Page\n" +
      'Attrs: {"href":"http://data.pr4e.org/page2.htm"}\n',
  );

  const paragraphs = await runScript("exercise4", [`${mirror.origin}/page1.htm`], { flags });
  assert.equal(paragraphs.code, 0, paragraphs.stderr);
  assert.equal(paragraphs.stdout, "1\n");
});

const LINKS_CORPUS = "urllinks and exercise4 agree with Chromium on every corpus page";
Deno.test(corpusTest(LINKS_CORPUS, async (corpus) => {
  const expected: Record<string, { hrefs: string[]; p: number }> = JSON.parse(
    await Deno.readTextFile(`${corpus}/expected.json`),
  );
  const names = Object.keys(expected);
  assert.equal(names.length, 77);
  await using server = startFixtureServer();
  const flags = [netFlag(server.origin)];
  const mismatches: string[] = [];
  // Two processes at a time: urllinks and exercise4 on the same page.
  for (const name of names) {
    const url = `${server.origin}/corpus/${name}.html`;
    const [links, count] = await Promise.all([
      runScript("urllinks", [url], { flags }),
      runScript("exercise4", [url], { flags }),
    ]);
    assert.equal(links.code, 0, `${name}: ${links.stderr}`);
    assert.equal(count.code, 0, `${name}: ${count.stderr}`);
    const hrefs = links.stdout.split("\n");
    assert.equal(hrefs.pop(), "", `${name}: output ends in a newline`);
    const found = hrefs.filter((line) => line !== "null");
    if (JSON.stringify(found) !== JSON.stringify(expected[name].hrefs)) {
      mismatches.push(`${name}: hrefs`);
    }
    if (count.stdout !== `${expected[name].p}\n`) {
      mismatches.push(`${name}: p ${count.stdout.trim()} != ${expected[name].p}`);
    }
  }
  assert.deepEqual(mismatches, []);
}));

Deno.test("urllinks --absolute resolves against the final URL after a redirect", async () => {
  await using server = startFixtureServer();
  const flags = [netFlag(server.origin)];
  const result = await runScript("urllinks", [`${server.origin}/moved`, "--absolute"], { flags });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `${server.origin}/site/index.htm\n${server.origin}/site/a.htm\n`);
  const written = await runScript("urllinks", [`${server.origin}/moved`], { flags });
  assert.equal(written.stdout, "../index.htm\n../a.htm\n");
  const index = await runScript("urllinks", [`${server.origin}/site/index.htm`], { flags });
  assert.equal(
    index.stdout,
    "a.htm\nb.htm#top\nmissing.htm\nmailto:someone@example.com\n#top\nnull\nhttp://example.com/\n",
  );
});

Deno.test("exercise3 shows 3000 characters and counts code points as Python's len", async () => {
  await using mirror = await startMirror();
  const romeo = await runScript("exercise3", [`${mirror.origin}/romeo.txt`], {
    flags: [netFlag(mirror.origin)],
  });
  assert.equal(romeo.code, 0, romeo.stderr);
  const text = await Deno.readTextFile(`${DATA}/romeo.txt`);
  assert.equal(romeo.stdout, `${text}\nTotal characters: 167\n`);

  // Multi-byte characters, sent in pieces that split them, around the 3000th character.
  const long = "\ufeff" + "é😀a€".repeat(1000) + "\n" + "ж".repeat(5000);
  const bytes = encoder.encode(long);
  await using raw = startRawServer(async (conn) => {
    await writeAll(
      conn,
      `HTTP/1.1 200 OK\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`,
    );
    for (let i = 0; i < bytes.length; i += 4093) await writeAll(conn, bytes.subarray(i, i + 4093));
  });
  const result = await runScript("exercise3", [`${raw.origin}/long.txt`], {
    flags: [netFlag(raw.origin)],
  });
  assert.equal(result.code, 0, result.stderr);
  const expected = await python(
    "import sys\ntext = sys.stdin.buffer.read().decode()\n" +
      "print(text[:3000])\nprint('Total characters:', len(text))",
    bytes,
  );
  assert.equal(exact(result.stdoutBytes), expected);
  assert.ok(expected.startsWith("\ufeff") && expected.endsWith("\nTotal characters: 9002\n"));
});

/** Whether python3 can be run here. */
async function havePython(): Promise<boolean> {
  try {
    await new Deno.Command("python3", { args: ["-c", ""], stdout: "null", stderr: "null" })
      .output();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * The book's crawler in Python, written for this test, on pages given as JSON
 * (`{"url": "html"}`) on stdin instead of a network: a URL not there (its
 * fragment aside, as a server ignores it) fails to retrieve. The stdlib's
 * HTMLParser stands for BeautifulSoup; hrefs are joined to the page's URL
 * before they are pushed, as urllink3 resolves them.
 */
const PYTHON_CRAWL = `import json, sys
from html.parser import HTMLParser
from urllib.parse import urljoin

class Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []
    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))

site = json.load(sys.stdin)
todo = [sys.argv[1]]
visited = []
count = int(sys.argv[2])
while len(todo) > 0 and count > 0:
    print("====== To Retrieve:", count, "Queue Length:", len(todo))
    url = todo.pop()
    count = count - 1
    if not url.startswith("http"):
        print("Skipping", url)
        continue
    if url.find("facebook") > 0 or url.find("linkedin") > 0:
        continue
    if url in visited:
        print("Visited", url)
        continue
    print("===== Retrieving ", url)
    html = site.get(url.split("#")[0])
    if html is None:
        print("*** Error in retrieval")
        continue
    visited.append(url)
    anchors = Anchors()
    anchors.feed(html)
    for href in anchors.hrefs:
        if href is not None:
            todo.append(urljoin(url, href))`;

Deno.test("the crawler is the book's: last URL first, every round counted, skips, visits, errors", async () => {
  await using server = startFixtureServer();
  const o = server.origin;
  const flags = [netFlag(o)];
  const result = await runScript("urllink3", [], { flags, stdin: `${o}/site/social.htm\n30\n` });
  assert.equal(result.code, 0, result.stderr);
  // social.htm pushes index.htm, then the facebook and linkedin links: popped first, skipped
  // without a word, each a round. index.htm#top and b.htm#top are other URLs than index.htm and
  // b.htm, retrieved once each; a failing URL is tried each time it comes off the list. The list
  // runs out with 7 rounds left, and nothing is printed after.
  const crawl = `====== To Retrieve: 30 Queue Length: 1
===== Retrieving  ${o}/site/social.htm
====== To Retrieve: 29 Queue Length: 3
====== To Retrieve: 28 Queue Length: 2
====== To Retrieve: 27 Queue Length: 1
===== Retrieving  ${o}/site/index.htm
====== To Retrieve: 26 Queue Length: 6
===== Retrieving  http://example.com/
*** Error in retrieval
====== To Retrieve: 25 Queue Length: 5
===== Retrieving  ${o}/site/index.htm#top
====== To Retrieve: 24 Queue Length: 10
===== Retrieving  http://example.com/
*** Error in retrieval
====== To Retrieve: 23 Queue Length: 9
Visited ${o}/site/index.htm#top
====== To Retrieve: 22 Queue Length: 8
Skipping mailto:someone@example.com
====== To Retrieve: 21 Queue Length: 7
===== Retrieving  ${o}/site/missing.htm
*** Error in retrieval
====== To Retrieve: 20 Queue Length: 6
===== Retrieving  ${o}/site/b.htm#top
====== To Retrieve: 19 Queue Length: 7
===== Retrieving  ${o}/site/sub/c.htm
====== To Retrieve: 18 Queue Length: 8
===== Retrieving  ${o}/site/a.htm
====== To Retrieve: 17 Queue Length: 9
===== Retrieving  ${o}/site/b.htm
====== To Retrieve: 16 Queue Length: 10
Visited ${o}/site/sub/c.htm
====== To Retrieve: 15 Queue Length: 9
Visited ${o}/site/a.htm
====== To Retrieve: 14 Queue Length: 8
Visited ${o}/site/index.htm
====== To Retrieve: 13 Queue Length: 7
Visited ${o}/site/index.htm
====== To Retrieve: 12 Queue Length: 6
Visited ${o}/site/a.htm
====== To Retrieve: 11 Queue Length: 5
Visited ${o}/site/a.htm
====== To Retrieve: 10 Queue Length: 4
Skipping mailto:someone@example.com
====== To Retrieve: 9 Queue Length: 3
===== Retrieving  ${o}/site/missing.htm
*** Error in retrieval
====== To Retrieve: 8 Queue Length: 2
Visited ${o}/site/b.htm#top
====== To Retrieve: 7 Queue Length: 1
Visited ${o}/site/a.htm
`;
  assert.equal(result.stdout, `Enter - How many to retrieve - ${crawl}`);
  const elsewhere = "urllink3: http://example.com/: no network permission for example.com:80: " +
    "run with --allow-net=example.com:80\n";
  const missing = `urllink3: ${o}/site/missing.htm: cannot retrieve URL: 404 Not Found\n`;
  assert.equal(result.stderr, elsewhere + elsewhere + missing + missing);

  if (await havePython()) {
    const pages = Object.fromEntries(Object.entries(SITE).map(([path, html]) => [o + path, html]));
    const book = await python(PYTHON_CRAWL, JSON.stringify(pages), [`${o}/site/social.htm`, "30"]);
    assert.equal(book, crawl);
  } else console.log("urllink3: python3 is not here; the crawl is checked against the text only");

  // Out of rounds: the loop ends after the round that used the last one, and says nothing.
  const short = await runScript("urllink3", [`${o}/site/social.htm`, "--count", "4"], { flags });
  assert.equal(short.code, 0, short.stderr);
  assert.equal(
    short.stdout,
    `====== To Retrieve: 4 Queue Length: 1
===== Retrieving  ${o}/site/social.htm
====== To Retrieve: 3 Queue Length: 3
====== To Retrieve: 2 Queue Length: 2
====== To Retrieve: 1 Queue Length: 1
===== Retrieving  ${o}/site/index.htm
`,
  );
  assert.equal(short.stderr, "");

  // A start URL with facebook in it is skipped as any other: one round, nothing retrieved.
  const social = await runScript("urllink3", [`${o}/facebook.htm`, "--count", "2"], { flags });
  assert.equal(social.code, 0, social.stderr);
  assert.equal(social.stdout, "====== To Retrieve: 2 Queue Length: 1\n");
  assert.equal(social.stderr, "");
});

Deno.test("the crawler's start page failing prints the book's line, then is the program's error", async () => {
  await using server = startFixtureServer();
  const o = server.origin;
  const dead = await runScript("urllink3", [`${o}/site/missing.htm`, "--count", "3"], {
    flags: [netFlag(o)],
  });
  assertFailure(
    dead,
    1,
    /^urllink3: cannot retrieve URL: 404 Not Found\n$/,
    `====== To Retrieve: 3 Queue Length: 1\n===== Retrieving  ${o}/site/missing.htm\n` +
      "*** Error in retrieval\n",
  );
  const denied = await runScript("urllink3", [`${o}/site/social.htm`, "--count", "3"], {
    flags: ["--allow-net=127.0.0.1:9"],
  });
  assertFailure(
    denied,
    1,
    new RegExp(
      `^urllink3: no network permission for ${o.slice(7)}: run with --allow-net=${o.slice(7)}\n$`,
    ),
    `====== To Retrieve: 3 Queue Length: 1\n===== Retrieving  ${o}/site/social.htm\n` +
      "*** Error in retrieval\n",
  );
});

// Failures: one line on stderr, the right exit status, nothing half printed.

Deno.test("a 404 is an error, as urllib's HTTPError is", async () => {
  await using mirror = await startMirror();
  const flags = [netFlag(mirror.origin)];
  for (const name of ["urllib1", "urlwords", "urlregex", "urllinks", "exercise3", "exercise4"]) {
    const result = await runScript(name, [`${mirror.origin}/nosuch.txt`], { flags });
    assertFailure(result, 1, new RegExp(`^${name}: cannot retrieve URL: 404 Not Found\n$`));
  }
});

Deno.test("a prompt with stdin closed or empty is a one-line error", async () => {
  for (const name of ["urlregex", "urllinks", "urllink2", "urllink3", "exercise3", "exercise4"]) {
    const closed = await runScript(name, [], { flags: ["--allow-net=127.0.0.1:9"] });
    const line = new RegExp(`^${name}: cannot read a URL: standard input is closed\n$`);
    assertFailure(closed, 2, line, "Enter - ");
  }
  const empty = await runScript("urllinks", [], { flags: [], stdin: "\n" });
  assertFailure(empty, 2, /^urllinks: cannot read a URL: the answer is empty\n$/, "Enter - ");
  const count = await runScript("urllink3", ["http://127.0.0.1:9/"], { flags: [], stdin: "" });
  assertFailure(
    count,
    2,
    /^urllink3: cannot read how many to retrieve: /,
    "How many to retrieve - ",
  );
  const word = await runScript("urllink3", ["http://127.0.0.1:9/"], { flags: [], stdin: "ten\n" });
  assertFailure(word, 2, /^urllink3: cannot use "ten" as how many/, "How many to retrieve - ");
});

Deno.test("without --allow-net the error names the flag to add", async () => {
  const defaults = await runScript("urllib1", [], { flags: [] });
  assertFailure(
    defaults,
    1,
    /^urllib1: no network permission for data\.pr4e\.org:80: run with --allow-net=data\.pr4e\.org:80\n$/,
  );
  const page = await runScript("urllib2", [], { flags: [] });
  assertFailure(page, 1, /^urllib2: no network permission for www\.dr-chuck\.com:80: /);
  for (const name of ["urlwords", "urlregex", "urllinks", "urllink2", "exercise3", "exercise4"]) {
    const result = await runScript(name, ["http://127.0.0.1:8765/page1.htm"], {
      flags: ["--allow-net=127.0.0.1:8766"],
    });
    assertFailure(
      result,
      1,
      new RegExp(
        `^${name}: no network permission for 127\\.0\\.0\\.1:8765: ` +
          "run with --allow-net=127\\.0\\.0\\.1:8765\n$",
      ),
    );
  }
});

Deno.test("a malformed URL or a bad option exits 2 with one line", async () => {
  for (const name of ["urllib1", "urlwords", "urllinks", "urllink3", "exercise3"]) {
    for (const url of ["data.pr4e.org/romeo.txt", "ftp://data.pr4e.org/romeo.txt", "http://"]) {
      const result = await runScript(name, [url], { flags: [], stdin: "" });
      assertFailure(result, 2, new RegExp(`^${name}: `));
    }
  }
  const prompted = await runScript("urlregex", [], { flags: [], stdin: "romeo.txt\n" });
  assertFailure(prompted, 2, /^urlregex: /, "Enter - ");
  for (const n of ["many", "0", "1.5", ""]) {
    const top = await runScript("urlwords", ["--top", n], { flags: [] });
    assertFailure(top, 2, new RegExp(`^urlwords: cannot use --top "${n}": `));
  }
  const count = await runScript("urllink3", ["--count", "0"], { flags: [] });
  assertFailure(count, 2, /^urllink3: cannot use --count "0": /);
  const unknown = await runScript("urllinks", ["--relative"], { flags: [] });
  assertFailure(unknown, 2, /^urllinks: cannot parse the command line: /);
  const extra = await runScript("urllib1", ["http://a/", "http://b/"], { flags: [] });
  assertFailure(
    extra,
    2,
    /^urllib1: cannot parse the command line: unexpected argument "http:\/\/b\/"/,
  );
  const timeout = await runScript("exercise3", ["--timeout", "0"], { flags: [] });
  assertFailure(timeout, 2, /^exercise3: cannot use --timeout "0": /);
});

Deno.test("a refused connection, a silent server and a page over --max-bytes fail in one line", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const refused = await runScript("urllib1", [`http://127.0.0.1:${closedPort}/romeo.txt`], {
    flags: [`--allow-net=127.0.0.1:${closedPort}`],
  });
  assertFailure(refused, 1, /^urllib1: cannot connect to 127\.0\.0\.1:\d+: connection refused\n$/);

  // Servers that go quiet until the client gives up and closes the connection.
  await using silent = startRawServer(async (conn) => {
    await conn.read(new Uint8Array(1)).catch(() => null);
  });
  const slow = await runScript("urlwords", [`${silent.origin}/romeo.txt`, "--timeout", "0.5"], {
    flags: [netFlag(silent.origin)],
  });
  assertFailure(slow, 1, /^urlwords: cannot retrieve URL: no data for 0\.5 seconds/);

  await using stalled = startRawServer(async (conn) => {
    await writeAll(conn, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nBut soft\n");
    await conn.read(new Uint8Array(1)).catch(() => null);
  });
  const partial = await runScript("urllib1", [`${stalled.origin}/`, "--timeout", "0.5"], {
    flags: [netFlag(stalled.origin)],
  });
  assertFailure(
    partial,
    1,
    /^urllib1: cannot retrieve URL: no data for 0\.5 seconds/,
    "But soft\n",
  );

  await using mirror = await startMirror();
  const flags = [netFlag(mirror.origin)];
  const big = await runScript("urlwords", [`${mirror.origin}/romeo.txt`, "--max-bytes", "166"], {
    flags,
  });
  assertFailure(big, 1, /^urlwords: cannot retrieve URL: the page is larger than 166 bytes/);
  const fits = await runScript("urlwords", [`${mirror.origin}/romeo.txt`, "--max-bytes", "167"], {
    flags,
  });
  assert.equal(fits.code, 0, fits.stderr);

  await using server = startFixtureServer();
  const streamed = await runScript("urllinks", [`${server.origin}/stream`, "--max-bytes", "5000"], {
    flags: [netFlag(server.origin)],
  });
  assertFailure(streamed, 1, /^urllinks: cannot retrieve URL: the page is larger than 5000 bytes/);
  const whole = await runScript("urlwords", [`${server.origin}/stream`, "--top", "1"], {
    flags: [netFlag(server.origin)],
  });
  assert.equal(whole.stdout, "4000 word\n");
});

Deno.test("urllib1 matches Python on CRLF, Unicode white space and a missing final newline", async () => {
  await using server = startFixtureServer();
  const text = "\ufeff  first\r\n\t\x0bsecond\x1c\x1d\n\n\u00a0\u3000third\u2028x\u2029 \x85\n" +
    "   \n\x85fourth\u200b\nlast, no newline \u205f";
  TEXTS["lines.txt"] = encoder.encode(text);
  const result = await runScript("urllib1", [`${server.origin}/text/lines.txt`], {
    flags: [netFlag(server.origin)],
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    exact(result.stdoutBytes),
    await python(
      "import sys\nfor line in sys.stdin.buffer: print(line.decode().strip())",
      TEXTS["lines.txt"],
    ),
  );
  assert.equal(result.stdout.split("\n").length, 8);
});

Deno.test("PythonLineStripper prints Python's stripped lines however the text is split", async () => {
  const text = "\ufeff  a b \r\n\t\x0bsecond\x1c\x1d\n\n\u00a0\u3000 third\u2028x\u2029 \x85\n" +
    "   \n\x85fourth\u200b \u3000 \u3000 end\n\n\u2003last, no newline \u205f";
  const expected = await python(
    "import sys\nfor line in sys.stdin.buffer: print(line.decode().strip())",
    text,
  );
  assert.equal(expected.split("\n").length, 9);
  for (let size = 1; size <= text.length; size++) {
    const lines = new PythonLineStripper();
    let shown = "";
    for (let i = 0; i < text.length; i += size) shown += lines.push(text.slice(i, i + size));
    assert.equal(shown + lines.end(), expected, `pieces of ${size}`);
  }
  for (let cut = 0; cut <= text.length; cut++) {
    const lines = new PythonLineStripper();
    const shown = lines.push(text.slice(0, cut)) + lines.push("") + lines.push(text.slice(cut));
    assert.equal(shown + lines.end(), expected, `cut at ${cut}`);
  }
  const empty = new PythonLineStripper();
  assert.equal(empty.push("") + empty.end(), "");
});

Deno.test("every script's shebang, header and --help give the same exact deno run line", async () => {
  const scripts: Record<string, string> = {
    urllib1: "data.pr4e.org:80",
    urllib2: "www.dr-chuck.com:80",
    urlwords: "data.pr4e.org:80",
    urlregex: "data.pr4e.org:80",
    urllinks: "data.pr4e.org:80",
    urllink2: "data.pr4e.org:80",
    urllink3: "data.pr4e.org:80",
    exercise3: "data.pr4e.org:80",
    exercise4: "data.pr4e.org:80",
  };
  for (const [name, host] of Object.entries(scripts)) {
    const source = await Deno.readTextFile(`${ROOT}/scripts/${name}.ts`);
    assert.equal(source.split("\n")[0], `#!/usr/bin/env -S deno run --allow-net=${host}`);
    const line = `deno run --allow-net=${host} scripts/${name}.ts`;
    assert.ok(source.includes(` *     ${line}`), `${name}: header comment`);
    const help = await runScript(name, ["--help"], { flags: [] });
    assert.equal(help.code, 0, help.stderr);
    assert.ok(help.stdout.startsWith(`Usage: ${line}`), `${name}: ${help.stdout}`);
    assert.equal(help.stderr, "");
  }
});

Deno.test("on a terminal, links and words from a page cannot drive it; piped, they are exact", async () => {
  await using server = startFixtureServer();
  const evil = "http://x.test/\x1b]0;owned\x07\x1b[2J\u202e";
  TEXTS["evil.htm"] = encoder.encode(`<p><a href="${evil}">\x1b[31mred</a></p>\n`);
  const url = `${server.origin}/text/evil.htm`;
  const flags = [netFlag(server.origin)];
  const cases: [string, string[]][] = [
    ["urlregex", []],
    ["urllinks", []],
    ["urllink2", []],
    ["urlwords", ["--top", "3"]],
  ];
  for (const [name, args] of cases) {
    const command = ["deno", "run", "--no-prompt", ...flags, `${ROOT}/scripts/${name}.ts`, url];
    const { shown } = await onTerminal([...command, ...args]);
    assert.ok(shown.includes("\\x1b]0;owned\\x07\\x1b[2J\\u202e"), `${name}: ${shown}`);
    assert.ok(!["\x1b", "\x07", "\u202e"].some((c) => shown.includes(c)), name);
    const piped = await runScript(name, [url, ...args], { flags });
    assert.equal(piped.code, 0, piped.stderr);
    assert.ok(piped.stdout.includes(evil), name);
  }
});
