// Copyright netprog authors. MIT license.

/**
 * scripts/spider.ts against a small web served here on loopback, which
 * records every request with its time: the book's lines, a non-HTML page
 * whose body is never read, robots.txt obeyed, the delay between requests,
 * Ctrl-C and `kill -9` in the middle of a crawl, and the database then read
 * by spdump and sprank.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ROOT, runScript, startMirror, tempFolder } from "./_helpers.ts";
import { MIRROR_ADDRESS } from "../scripts/lib/mirror.ts";
import { PROGRAMS, taskFlags } from "../scripts/lib/programs.ts";
import {
  flags,
  PAGES,
  query,
  spawnSpider,
  startSite,
  stopWhileFetching,
  tree,
  until,
} from "./_spider_site.ts";
import { BOOK_DDL } from "./_spider_db.ts";
import { SCHEMA_VERSION } from "../scripts/lib/crawl_db.ts";

Deno.test("spider: the book's lines for a small web, breadth-first, the body of a non-HTML page never read", async () => {
  await using site = startSite();
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const result = await runScript("spider", [`${site.origin}/index.html`, "--delay", "0"], {
    flags: flags(site.port),
    cwd: dir,
    stdin: "10\n\n",
  });
  assert.equal(result.code, 0, result.stderr);
  const o = site.origin;
  const size = (path: string) => new TextEncoder().encode(PAGES[path]).length;
  assert.equal(
    result.stdout,
    `${JSON.stringify([`${o}/`])}\n` +
      `How many pages:1 ${o}/index.html (${size("/index.html")}) 5\n` +
      `2 ${o}/a.htm (${size("/a.htm")}) 2\n` +
      `3 ${o}/b.htm (${size("/b.htm")}) 1\n` +
      `4 ${o}/big.bin Ignore non text/html page\n` +
      `5 ${o}/missing.htm Error on page:  404\n` +
      `6 ${o}/sub/c.htm (${size("/sub/c.htm")}) 0\n` +
      `No unretrieved HTML pages found\n`,
  );
  // The picture and the page out of the web were never asked for; each page once.
  assert.deepEqual(site.seen.map((s) => s.path), [
    "/robots.txt",
    "/index.html",
    "/a.htm",
    "/b.htm",
    "/big.bin",
    "/missing.htm",
    "/sub/c.htm",
  ]);
  assert.match(site.seen[0].userAgent, /^netprog\/0\.2\b/);
  // The server saw big.bin's connection closed long before its end.
  await until(() => site.big.cancelled);
  assert(site.big.sent < 16 * 1024 * 1024, `sent ${site.big.sent} bytes of big.bin`);
  const facts = query(
    dir,
    `SELECT url, html IS NOT NULL AS stored, error, status, content_type, depth, reason
     FROM Pages JOIN PageFacts ON page_id = id ORDER BY id`,
  );
  assert.deepEqual(facts.map((f) => [f.stored, f.error, f.status, f.content_type, f.depth]), [
    [1, null, 200, "text/html", 0],
    [1, null, 200, "text/html", 1],
    [1, null, 200, "text/html", 1],
    [0, 0, 200, "application/octet-stream", 1],
    [0, 404, 404, "text/html", 1],
    [1, null, 200, "text/html", 2],
  ]);
  assert.equal(facts[3].reason, "not HTML: application/octet-stream");
  const links = query(dir, "SELECT from_id, to_id FROM Links ORDER BY from_id, to_id");
  assert.deepEqual(links.map((l) => [l.from_id, l.to_id]), [
    [1, 2],
    [1, 3],
    [1, 4],
    [1, 5],
    [2, 1],
    [2, 3],
    [3, 6],
  ]);

  // The database works with the book's other programs.
  const db = ["--allow-read=spider.sqlite", "--allow-write=spider.sqlite"];
  const rank = await runScript("sprank", ["--iterations", "50"], { flags: db, cwd: dir });
  assert.equal(rank.code, 0, rank.stderr);
  const dump = await runScript("spdump", [], { flags: db.slice(0, 1), cwd: dir });
  assert.equal(dump.code, 0, dump.stderr);
  assert.match(dump.stdout, new RegExp(`^\\[2, [0-9.e+-]+, [0-9.e+-]+, 3, "${o}/b\\.htm"\\]\\n`));
  assert.match(dump.stdout, /\n4 rows\.\n$/);

  // Run again from the same URL: nothing left, and nothing fetched.
  const before = site.seen.length;
  const again = await runScript("spider", [`${o}/index.html`, "--pages", "1"], {
    flags: flags(site.port),
    cwd: dir,
  });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, `${JSON.stringify([`${o}/`])}\nNo unretrieved HTML pages found\n`);
  assert.equal(site.seen.length, before);
});

Deno.test("spider: robots.txt is obeyed, the group of its product token first", async () => {
  await using site = startSite({
    robots: "User-agent: *\nDisallow: /\n\nUser-agent: netprog\nDisallow: /a.htm\n",
  });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const result = await runScript(
    "spider",
    [`${site.origin}/index.html`, "--pages", "10", "--delay", "0"],
    { flags: flags(site.port), cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  const paths = site.seen.map((s) => s.path);
  assert(!paths.includes("/a.htm"), paths.join(" "));
  assert(paths.includes("/b.htm") && paths.includes("/sub/c.htm"), paths.join(" "));
  assert.equal(paths.filter((p) => p === "/robots.txt").length, 1);
  assert.match(result.stderr, /not fetching http:\/\/127\.0\.0\.1:\d+\/a\.htm: disallowed by/);
  const [a] = query(
    dir,
    "SELECT html, error, reason FROM Pages JOIN PageFacts ON page_id = id WHERE url LIKE '%/a.htm'",
  );
  assert.equal(a.html, null);
  assert.equal(a.error, -2);
  assert.match(
    String(a.reason),
    /^disallowed by http:\/\/127\.0\.0\.1:\d+\/robots\.txt \(line 5\)$/,
  );
  assert(!result.stdout.includes("/a.htm "), result.stdout);
});

Deno.test("spider: robots.txt by RFC 9309: the longest rule wins, Allow on a tie, * and $; it may redirect", async () => {
  const rules = `User-agent: *
Disallow: /sub/
Allow: /sub/c.htm
Disallow: /*.htm$
Allow: /a.html
Disallow: /a.html
`;
  await using site = startSite({
    robots: rules,
    redirects: { "/robots.txt": "/rules.txt" },
    pages: {
      "/index.html": ["a.htm", "a.html", "sub/c.htm", "sub/d.htm", "sub/e.html"]
        .map((href) => `<a href="${href}">${href}</a>`).join(" "),
      "/a.html": "<p>a</p>",
      "/sub/c.htm": "<p>c</p>",
    },
  });
  await using temp = await tempFolder("netprog-spider-");
  const result = await runScript(
    "spider",
    [`${site.origin}/index.html`, "--pages", "10", "--delay", "0"],
    { flags: flags(site.port), cwd: temp.path },
  );
  assert.equal(result.code, 0, result.stderr);
  // /a.htm: "/*.htm$" (7 octets) is longer than any Allow; /a.html: Allow and Disallow tie, and
  // Allow wins; /sub/c.htm: its Allow is longer than "/sub/" and "/*.htm$"; /sub/d.htm: "/*.htm$"
  // is longer than "/sub/"; /sub/e.html: "/sub/" alone matches.
  assert.deepEqual(site.pages().map((s) => s.path), [
    "/rules.txt",
    "/index.html",
    "/a.html",
    "/sub/c.htm",
  ]);
  const reasons = query(
    temp.path,
    "SELECT url, reason FROM Pages JOIN PageFacts ON page_id = id WHERE error = -2 ORDER BY id",
  ).map((row) => `${new URL(String(row.url)).pathname} ${row.reason}`);
  const robots = `${site.origin}/robots.txt`;
  assert.deepEqual(reasons, [
    `/a.htm disallowed by ${robots} (line 4)`,
    `/sub/d.htm disallowed by ${robots} (line 4)`,
    `/sub/e.html disallowed by ${robots} (line 2)`,
  ]);
});

Deno.test("spider: a host that cannot be reached keeps its pages waiting; the other host is crawled", async () => {
  await using site = startSite();
  // A port nothing listens on: its robots.txt cannot be read.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await using temp = await tempFolder("netprog-spider-");
  const result = await runScript(
    "spider",
    [
      `${site.origin}/index.html`,
      `http://127.0.0.1:${closed}/x.htm`,
      "--pages",
      "20",
      "--delay",
      "0",
    ],
    {
      flags: [
        `--allow-net=127.0.0.1:${site.port},127.0.0.1:${closed}`,
        ...flags(site.port).slice(1),
      ],
      cwd: temp.path,
    },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\/sub\/c\.htm \(\d+\) 0\n/);
  assert.match(result.stderr, /spider: 1 page\(s\) wait for their host until /);
  const [waiting] = query(
    temp.path,
    "SELECT error, reason, retry_at FROM Pages JOIN PageFacts ON page_id = id WHERE url LIKE '%/x.htm'",
  );
  assert.equal(waiting.error, null);
  assert.match(String(waiting.reason), /robots\.txt could not be reached \(connection refused/);
  assert(Number(waiting.retry_at) > Date.now());
});

Deno.test("spider: a redirect loop fails its page alone; a 429 with a Retry-After date rests the host", async () => {
  const soon = new Date(Date.now() + 2500).toUTCString();
  await using site = startSite({
    redirects: { "/a.htm": "/loop.htm", "/loop.htm": "/a.htm" },
    busy: { "/b.htm": [429, soon] },
  });
  await using temp = await tempFolder("netprog-spider-");
  const result = await runScript(
    "spider",
    [`${site.origin}/index.html`, "--pages", "20", "--delay", "0"],
    { flags: flags(site.port), cwd: temp.path },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\/a\.htm Unable to retrieve or parse page\n/);
  assert.match(result.stdout, /\/b\.htm Error on page: {2}429\n/);
  assert.match(result.stdout, /\/b\.htm \(\d+\) 1\n/);
  const [loop] = query(
    temp.path,
    "SELECT error, reason FROM Pages JOIN PageFacts ON page_id = id WHERE url LIKE '%/a.htm'",
  );
  assert.equal(loop.error, -1);
  assert.match(String(loop.reason), /redirect loop/);
  // The host rested: nothing was asked of it between the 429 and the date it gave.
  const busy = site.seen.findIndex((s) => s.path === "/b.htm");
  const next = site.seen[busy + 1];
  assert(
    next.start - site.seen[busy].end >= 900,
    `asked again after ${next.start - site.seen[busy].end} ms`,
  );
});

Deno.test("spider: a robots.txt that answers 503 keeps every page of its host waiting", async () => {
  await using site = startSite({ robots: 503 });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const result = await runScript("spider", [`${site.origin}/index.html`, "--pages", "3"], {
    flags: flags(site.port),
    cwd: dir,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(site.seen.map((s) => s.path), ["/robots.txt"]);
  assert.equal(
    result.stdout,
    `${JSON.stringify([`${site.origin}/`])}\nNo unretrieved HTML pages found\n`,
  );
  const [page] = query(
    dir,
    "SELECT html, error, reason, retry_at FROM Pages JOIN PageFacts ON page_id = id",
  );
  assert.equal(page.html, null);
  assert.equal(page.error, null);
  assert.match(String(page.reason), /robots\.txt answered 503/);
  assert(Number(page.retry_at) > Date.now());
});

Deno.test("spider: requests to a host never overlap and are at least --delay apart", async () => {
  await using site = startSite({ slow: { "/a.htm": 150 } });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const result = await runScript(
    "spider",
    [`${site.origin}/index.html`, "--pages", "10", "--delay", "0.2"],
    { flags: flags(site.port), cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(site.seen.length, 7);
  await until(() => site.seen.every((s) => !Number.isNaN(s.end)));
  for (let i = 1; i < site.seen.length; i++) {
    const [before, after] = [site.seen[i - 1], site.seen[i]];
    assert(after.start >= before.end, `${after.path} started before ${before.path} ended`);
    assert(
      after.start - before.start >= 195,
      `${before.path} → ${after.path}: ${after.start - before.start} ms`,
    );
  }
});

Deno.test("spider: Ctrl-C stops with the book's line and status 130, and the crawl goes on", async () => {
  await using site = startSite({ slow: { "/b.htm": 2000 } });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const output = await stopWhileFetching(site, dir, "/b.htm", "SIGINT");
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 130);
  // Each page's line is printed whole once its page is done: the one in flight has none.
  assert.match(stdout, /\/a\.htm \(\d+\) 2\n\nProgram interrupted by user\.\.\.\n$/);
  assert.doesNotMatch(stdout, /b\.htm/);
  assert.equal(query(dir, "PRAGMA integrity_check")[0].integrity_check, "ok");
  const stored = query(dir, "SELECT url FROM Pages WHERE html IS NOT NULL ORDER BY id");
  assert.equal(stored.length, 2);

  const result = await runScript("spider", ["--pages", "10", "--delay", "0"], {
    flags: flags(site.port),
    cwd: dir,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /^Restarting existing crawl\. {2}Remove spider\.sqlite to start a fresh crawl\.\n/,
  );
  assert.match(result.stdout, /\n3 http:\/\/127\.0\.0\.1:\d+\/b\.htm \(\d+\) 1\n/);
  assert.match(result.stdout, /No unretrieved HTML pages found\n$/);
});

Deno.test("spider: Ctrl-C twice in a row loses nothing either", async () => {
  await using site = startSite({ slow: { "/b.htm": 2000 } });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const output = await stopWhileFetching(site, dir, "/b.htm", "SIGINT", 2);
  assert.equal(output.code, 130);
  assert.match(new TextDecoder().decode(output.stdout), /\nProgram interrupted by user\.\.\.\n$/);
  assert.equal(query(dir, "PRAGMA integrity_check")[0].integrity_check, "ok");
  assert.equal(query(dir, "SELECT COUNT(*) AS n FROM Pages WHERE html IS NOT NULL")[0].n, 2);
  assert.equal(
    query(dir, "SELECT COUNT(*) AS n FROM PageFacts WHERE leased_until IS NOT NULL")[0].n,
    0,
  );
  const result = await runScript("spider", ["--pages", "10", "--delay", "0"], {
    flags: flags(site.port),
    cwd: dir,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /No unretrieved HTML pages found\n$/);
  const counts = new Map<string, number>();
  for (const { path } of site.seen) counts.set(path, (counts.get(path) ?? 0) + 1);
  assert.equal(counts.get("/index.html"), 1);
  assert.equal(counts.get("/a.htm"), 1);
});

Deno.test("spider: after kill -9 in the middle, the next run never fetches a stored page again", async () => {
  await using site = startSite({ slow: { "/b.htm": 2000 } });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  await stopWhileFetching(site, dir, "/b.htm", "SIGKILL");
  const stored = query(dir, "SELECT url FROM Pages WHERE html IS NOT NULL OR error IS NOT NULL")
    .map((row) => new URL(String(row.url)).pathname);
  assert.deepEqual(stored, ["/index.html", "/a.htm"]);

  const result = await runScript("spider", ["--pages", "10", "--delay", "0"], {
    flags: flags(site.port),
    cwd: dir,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /No unretrieved HTML pages found\n$/);
  const counts = new Map<string, number>();
  for (const { path } of site.seen) counts.set(path, (counts.get(path) ?? 0) + 1);
  for (const path of stored) assert.equal(counts.get(path), 1, `${path} fetched again`);
  // The page in flight was not stored, so it was fetched again; the rest once.
  assert.equal(counts.get("/b.htm"), 2);
  assert.equal(counts.get("/sub/c.htm"), 1);
  assert.equal(query(dir, "PRAGMA integrity_check")[0].integrity_check, "ok");
});

Deno.test("spider: a robots.txt 404 allows all, and its Crawl-delay spaces the requests", async () => {
  await using site = startSite({ robots: "User-agent: *\nCrawl-delay: 0.3\n" });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const result = await runScript(
    "spider",
    [`${site.origin}/index.html`, "--pages", "3", "--delay", "0"],
    { flags: flags(site.port), cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(site.seen.map((s) => s.path), [
    "/robots.txt",
    "/index.html",
    "/a.htm",
    "/b.htm",
  ]);
  for (let i = 1; i < site.seen.length; i++) {
    const gap = site.seen[i].start - site.seen[i - 1].start;
    assert(gap >= 295, `${site.seen[i].path}: ${gap} ms after the one before`);
  }
});

Deno.test("spider: --max-bytes cuts a page and flags it; --ignore-robots asks for no robots.txt and is recorded", async () => {
  await using site = startSite({ robots: "User-agent: *\nDisallow: /\n" });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const result = await runScript(
    "spider",
    [`${site.origin}/index.html`, "--pages", "1", "--max-bytes", "60", "--ignore-robots"],
    { flags: flags(site.port), cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\n1 http:\/\/127\.0\.0\.1:\d+\/index\.html \(60\) 2\n$/);
  assert.deepEqual(site.seen.map((s) => s.path), ["/index.html"]);
  const [page] = query(
    dir,
    "SELECT length(html) AS size, truncated, reason FROM Pages JOIN PageFacts ON page_id = id",
  );
  assert.deepEqual({ ...page }, { size: 60, truncated: 1, reason: "cut at --max-bytes 60" });
  assert.equal(query(dir, "SELECT COUNT(*) AS n FROM Meta WHERE key = 'ignore_robots'")[0].n, 1);
});

Deno.test("spider: a redirect is followed and its URL recorded; one to a host not allowed fails that page only", async () => {
  await using site = startSite({
    redirects: { "/moved.htm": "/a.htm", "/away.htm": "http://127.0.0.1:9/elsewhere.htm" },
    pages: { "/start.htm": `<a href="away.htm">away</a> <a href="moved.htm">moved</a>`, ...PAGES },
  });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const result = await runScript(
    "spider",
    [`${site.origin}/start.htm`, "--pages", "3", "--delay", "0"],
    { flags: flags(site.port), cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  const o = site.origin;
  assert.match(
    result.stdout,
    new RegExp(
      `\\n2 ${o}/away\\.htm Unable to retrieve or parse page\\n` +
        `3 ${o}/moved\\.htm \\(\\d+\\) 2\\n$`,
    ),
  );
  assert.match(result.stderr, /--allow-net=[^\n]*127\.0\.0\.1:9/);
  const facts = query(
    dir,
    "SELECT url, error, final_url, reason FROM Pages JOIN PageFacts ON page_id = id ORDER BY id",
  );
  assert.equal(facts[1].error, -1);
  assert.match(String(facts[1].reason), /^redirected to a host not allowed: .*127\.0\.0\.1:9/);
  assert.equal(facts[2].final_url, `${o}/a.htm`);
});

Deno.test("spider: killed with kill -9 at random moments, no run fetches a page an earlier run stored", async () => {
  const n = 40;
  await using site = startSite({ pages: tree(n) });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const stored = () => {
    try {
      Deno.statSync(`${dir}/spider.sqlite`);
    } catch {
      return new Set<string>();
    }
    return new Set(
      query(dir, "SELECT url FROM Pages WHERE html IS NOT NULL OR error IS NOT NULL")
        .map((row) => new URL(String(row.url)).pathname),
    );
  };
  let args = [`${site.origin}/p1.htm`, "--pages", String(n), "--delay", "0.02", "--lease", "1"];
  for (let round = 0; round < 4; round++) {
    const before = stored();
    const from = site.seen.length;
    if (round < 3) {
      const child = spawnSpider(site.port, dir, args);
      // Killed once it has asked for a few more pages.
      const more = 2 + Math.floor(Math.random() * 5);
      await until(() => site.seen.length >= from + more, 15_000);
      child.kill("SIGKILL");
      await child.output();
      // A request already on its way reaches the server before the next run starts.
      await new Promise((resolve) => setTimeout(resolve, 100));
    } else {
      const result = await runScript("spider", args, { flags: flags(site.port), cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /No unretrieved HTML pages found\n$/);
    }
    const again = site.seen.slice(from).filter((s) => before.has(s.path)).map((s) => s.path);
    assert.deepEqual(again, [], `run ${round + 1} fetched pages stored before it`);
    args = ["--pages", String(n), "--delay", "0.02", "--lease", "1"];
  }
  assert.equal(stored().size, n);
  assert.equal(query(dir, "SELECT COUNT(*) AS n FROM Pages WHERE html IS NOT NULL")[0].n, n);
  assert.equal(query(dir, "PRAGMA integrity_check")[0].integrity_check, "ok");
});

Deno.test("spider: a page that stalls past --timeout fails alone, and the crawl goes on", async () => {
  await using site = startSite({ slow: { "/a.htm": 1500 } });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const result = await runScript(
    "spider",
    [`${site.origin}/index.html`, "--pages", "3", "--delay", "0", "--timeout", "0.3"],
    { flags: flags(site.port), cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /\n2 http:\/\/127\.0\.0\.1:\d+\/a\.htm Unable to retrieve or parse page\n/,
  );
  assert.match(result.stdout, /\n3 http:\/\/127\.0\.0\.1:\d+\/b\.htm \(\d+\) 1\n$/);
  const [a] = query(
    dir,
    "SELECT error, reason FROM Pages JOIN PageFacts ON page_id = id WHERE id = 2",
  );
  // It may pass: the page waits to be tried again.
  assert.equal(a.error, null);
  assert.match(String(a.reason), /0\.3 seconds.*\(failure 1; tried again after \d+ ms/);
});

Deno.test("spider: a crawl the book's spider.py began goes on, its tables gaining ours", async () => {
  await using site = startSite();
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const db = new DatabaseSync(`${dir}/spider.sqlite`);
  db.exec(BOOK_DDL);
  db.prepare("INSERT INTO Webs (url) VALUES (?)").run(site.origin);
  db.prepare("INSERT INTO Pages (url, html, new_rank) VALUES (?, NULL, 1.0)")
    .run(`${site.origin}/index.html`);
  db.close();
  const result = await runScript("spider", ["--pages", "2", "--delay", "0"], {
    flags: flags(site.port),
    cwd: dir,
  });
  assert.equal(result.code, 0, result.stderr);
  const o = site.origin;
  assert.match(
    result.stdout,
    new RegExp(
      `^Restarting existing crawl\\.  Remove spider\\.sqlite to start a fresh crawl\\.\\n` +
        `\\["${o}"\\]\\n1 ${o}/index\\.html \\(\\d+\\) 5\\n2 ${o}/a\\.htm \\(\\d+\\) 2\\n$`,
    ),
  );
  assert.equal(
    query(dir, "SELECT value FROM Meta WHERE key = 'schema_version'")[0].value,
    String(SCHEMA_VERSION),
  );
});

Deno.test("spider: Ctrl-C at the question stops with the book's line and status 130", async () => {
  await using site = startSite();
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const child = spawnSpider(site.port, dir, [`${site.origin}/index.html`], "piped");
  const reader = child.stdout.getReader();
  let shown = "";
  while (!shown.endsWith("How many pages:")) {
    const { value, done } = await reader.read();
    if (done) break;
    shown += new TextDecoder().decode(value);
  }
  child.kill("SIGINT");
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    shown += new TextDecoder().decode(chunk.value);
  }
  const status = await child.status;
  await child.stdin.close().catch(() => {});
  await child.stderr.cancel();
  assert.equal(status.code, 130);
  assert.match(shown, /How many pages:\nProgram interrupted by user\.\.\.\n$/);
  assert.equal(query(dir, "SELECT COUNT(*) AS n FROM Pages")[0].n, 1);
});

Deno.test("spider: --max-depth leaves deeper pages with their reason, --why explains, --order random fetches all", async () => {
  await using site = startSite({ robots: "User-agent: *\nDisallow: /missing.htm\n" });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const o = site.origin;
  const result = await runScript(
    "spider",
    [`${o}/index.html`, "--pages", "10", "--delay", "0", "--max-depth", "1"],
    { flags: flags(site.port), cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  assert(!site.seen.some((s) => s.path === "/sub/c.htm"));
  assert.match(result.stdout, /\nNo unretrieved HTML pages found\n$/);
  assert.match(result.stderr, /1 page\(s\) lie deeper than --max-depth 1/);
  const why = async (url: string) => {
    const out = await runScript("spider", ["--why", url], { flags: flags(site.port), cwd: dir });
    assert.equal(out.code, 0, out.stderr);
    return out.stdout;
  };
  assert.match(
    await why(`${o}/a.htm`),
    /^http:\S+\/a\.htm page 2, fetched: 200 text\/html, \d+ bytes, depth 1\n$/,
  );
  assert.match(
    await why(`${o}/sub/c.htm`),
    /page 6, not fetched yet, depth 2: deeper than --max-depth 1\n$/,
  );
  assert.match(
    await why(`${o}/missing.htm`),
    /page 5, not fetched \(error -2\), depth 1: disallowed by \S+robots\.txt \(line 2\)\n$/,
  );
  assert.match(
    await why(`${o}/big.bin`),
    /page 4, failed \(error 0\): 200 application\/octet-stream, depth 1: not HTML: application\/octet-stream\n$/,
  );
  assert.match(
    await why(`${o}/nowhere.htm`),
    /not in the crawl: no page retrieved so far links to it\n$/,
  );
  assert.match(await why("http://example.com/"), /not in the crawl: outside the webs \[/);

  // The rest, in the book's order.
  const rest = await runScript("spider", ["--pages", "10", "--delay", "0", "--order", "random"], {
    flags: flags(site.port),
    cwd: dir,
  });
  assert.equal(rest.code, 0, rest.stderr);
  assert.match(
    rest.stdout,
    /\n6 http:\S+\/sub\/c\.htm \(\d+\) 0\nNo unretrieved HTML pages found\n$/,
  );
});

Deno.test("spider: a 503 with Retry-After rests its host until then, and the page is fetched after", async () => {
  await using site = startSite({ busy: { "/a.htm": [503, "1"] } });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const o = site.origin;
  const result = await runScript(
    "spider",
    [`${o}/index.html`, "--pages", "10", "--delay", "0"],
    { flags: flags(site.port), cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    new RegExp(`\\n2 ${o}/a\\.htm Error on page:  503\\n2 ${o}/a\\.htm \\(\\d+\\) 2\\n`),
  );
  assert.match(result.stdout, /No unretrieved HTML pages found\n$/);
  assert.match(result.stderr, /asks to wait until .* \(HTTP 503 with Retry-After: 1\)/);
  const busy = site.seen.findIndex((s) => s.path === "/a.htm");
  const next = site.seen[busy + 1];
  assert.equal(next.path, "/a.htm");
  assert(next.start - site.seen[busy].start >= 950, `${next.start - site.seen[busy].start} ms`);
  assert.equal(
    query(dir, "SELECT COUNT(*) AS n FROM Pages WHERE html IS NULL AND error IS NULL")[0].n,
    0,
  );
  assert.equal(query(dir, "SELECT reason FROM Hosts")[0].reason, "HTTP 503 with Retry-After: 1");
});

Deno.test("spider: a 500 is tried again after a growing wait, and a page that keeps failing is given up after 3 more tries", async () => {
  await using site = startSite({ fail: { "/a.htm": 2, "/b.htm": 9 } });
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const o = site.origin;
  const result = await runScript(
    "spider",
    [`${o}/index.html`, "--pages", "20", "--delay", "0", "--max-depth", "1"],
    { flags: flags(site.port), cwd: dir, timeoutMs: 30_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  const times = (path: string) => site.seen.filter((s) => s.path === path).map((s) => s.start);
  const a = times("/a.htm");
  const b = times("/b.htm");
  assert.equal(a.length, 3);
  assert.equal(b.length, 4);
  // Waits of half to all of 1 s, 2 s, 4 s.
  for (const [i, base] of [[1, 1000], [2, 2000], [3, 4000]]) {
    const gap = b[i] - b[i - 1];
    assert(gap >= base / 2 - 5 && gap <= base + 500, `wait ${i}: ${gap} ms`);
  }
  assert.match(result.stdout, new RegExp(`\\n2 ${o}/a\\.htm \\(\\d+\\) 2\\n`));
  assert.equal(result.stdout.split(`3 ${o}/b.htm Error on page:  500\n`).length, 5);
  const facts = query(
    dir,
    "SELECT error, attempts FROM Pages JOIN PageFacts ON page_id = id WHERE id IN (2, 3) ORDER BY id",
  );
  assert.deepEqual(facts.map((f) => [f.error, f.attempts]), [[null, 2], [500, 4]]);
});

Deno.test("spider: a database of schema 2 gains the columns of schemas 3 and 4 and goes on", async () => {
  await using site = startSite();
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const db = new DatabaseSync(`${dir}/spider.sqlite`);
  db.exec(BOOK_DDL);
  db.exec(`CREATE TABLE Meta (key TEXT PRIMARY KEY, value TEXT);
    INSERT INTO Meta VALUES ('schema_version', '2');
    CREATE TABLE PageFacts (page_id INTEGER PRIMARY KEY, depth INTEGER, status INTEGER,
      content_type TEXT, final_url TEXT, bytes INTEGER, truncated INTEGER, reason TEXT,
      retry_at REAL, leased_until REAL, fetched_at REAL);`);
  db.close();
  const result = await runScript("spider", [`${site.origin}/index.html`, "--pages", "1"], {
    flags: flags(site.port),
    cwd: dir,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\n1 http:\S+\/index\.html \(\d+\) 5\n$/);
  const columns = query(dir, "PRAGMA table_info(PageFacts)").map((row) => row.name);
  for (const column of ["attempts", "origin", "todo", "leased_by"]) {
    assert(columns.includes(column), columns.join(" "));
  }
  assert.equal(
    query(dir, "SELECT value FROM Meta WHERE key = 'schema_version'")[0].value,
    String(SCHEMA_VERSION),
  );
});

Deno.test("spider: --max-per-host ends a trap that links to a new page forever", async () => {
  await using site = startSite();
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const result = await runScript(
    "spider",
    [`${site.origin}/cal/1.htm`, "--pages", "100", "--delay", "0", "--max-per-host", "5"],
    { flags: flags(site.port), cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(site.pages().map((s) => s.path), [1, 2, 3, 4, 5].map((m) => `/cal/${m}.htm`));
  assert.match(
    result.stdout,
    /\n5 http:\S+\/cal\/5\.htm \(\d+\) 1\nNo unretrieved HTML pages found\n$/,
  );
  const [sixth] = query(
    dir,
    "SELECT error, reason FROM Pages JOIN PageFacts ON page_id = id WHERE id = 6",
  );
  assert.equal(sixth.error, -2);
  assert.match(String(sixth.reason), /^over --max-per-host 5: 5 pages of http:/);
});

Deno.test("spider: two spellings of one URL are one page; https is another web than http", async () => {
  const pages = { ...PAGES };
  await using site = startSite({ pages });
  pages["/start.htm"] = [
    "a.htm",
    "%61.htm",
    "x%2fy.htm",
    "x%2Fy.htm",
    `https://127.0.0.1:${site.port}/a.htm`,
  ].map((href) => `<a href="${href}">link</a>`).join("\n");
  await using temp = await tempFolder("netprog-spider-");
  const dir = temp.path;
  const o = site.origin;
  const result = await runScript("spider", [`${o}/start.htm`, "--pages", "1", "--delay", "0"], {
    flags: flags(site.port),
    cwd: dir,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\n1 http:\S+\/start\.htm \(\d+\) 4\n$/);
  assert.deepEqual(
    query(dir, "SELECT url FROM Pages ORDER BY id").map((row) => row.url),
    [`${o}/start.htm`, `${o}/a.htm`, `${o}/x%2Fy.htm`],
  );
});

Deno.test("spider: the README's crawl of the mirror's small web, from start to ranked dump, is what the programs print", async () => {
  const readme = await Deno.readTextFile(`${ROOT}/README.md`);
  const block = /```console\n(\$ deno task spider http:\/\/127\.0\.0\.1:8000\/site\/[^]*?)```/.exec(
    readme,
  )?.[1];
  assert(block !== undefined, "no crawl of the mirror's small web in the README");
  await using mirror = await startMirror();
  await using temp = await tempFolder("netprog-spider-readme-");
  const onMirror = (text: string) => text.replaceAll(`http://${MIRROR_ADDRESS}`, mirror.origin);
  // The README's commands and, after each, what it prints (stdout, then stderr).
  const steps = block.split(/^\$ /m).slice(1).map((step) => {
    const [command, ...lines] = step.split("\n");
    return { command: command.split(" ").slice(2), expected: lines.join("\n") };
  });
  assert.deepEqual(steps.map((step) => step.command[0]), [
    "spider",
    "sprank",
    "spdump",
    "spjson",
    "spider",
  ]);
  for (const { command: [name, ...args], expected } of steps) {
    const program = PROGRAMS.find((p) => p.name === name)!;
    // The walk-through at the default pace takes 8 s; the same crawl without the delay is quicker.
    const more = name === "spider" && !args.includes("--why") ? ["--delay", "0"] : [];
    const result = await runScript(name, [...args.map(onMirror), ...more], {
      flags: taskFlags(program).filter((flag) => flag !== "--no-prompt").map((flag) =>
        flag.replace(MIRROR_ADDRESS, mirror.origin.slice("http://".length))
      ),
      cwd: temp.path,
    });
    assert.equal(result.code, 0, result.stderr);
    const timing = /in [\d.]+ s \([\d.]+ pages\/s\)/g;
    assert.equal(
      (result.stdout + result.stderr).replace(timing, "in T"),
      onMirror(expected).replace(timing, "in T"),
      `deno task ${name} ${args.join(" ")}`,
    );
  }
});

Deno.test("spider: a start URL longer than the crawl keeps is a usage error, and no database is made", async () => {
  await using temp = await tempFolder("netprog-spider-");
  const url = `http://127.0.0.1:9/${"a".repeat(2100)}`;
  const result = await runScript("spider", [url, "--pages", "1"], {
    flags: flags(9),
    cwd: temp.path,
  });
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    "spider: cannot use a URL of 2119 characters: the crawl keeps URLs of at most 2048\n",
  );
  assert.equal(result.stdout, "");
  assert.throws(() => Deno.statSync(`${temp.path}/spider.sqlite`), Deno.errors.NotFound);
});
