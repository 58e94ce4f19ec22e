// Copyright netprog authors. MIT license.

/**
 * scripts/spider.ts on a web of several loopback hosts (127.0.0.2,
 * 127.0.0.3, 127.0.0.4), each recording every request with its time:
 * hosts fetched from at once while each host sees one request at a time
 * and the delay between them, `--per-host`, `--scope`, redirects stored as
 * links, and two spiders sharing one database.
 */

import assert from "node:assert/strict";
import { ROOT, runScript, tempFolder } from "./_helpers.ts";
import { mostAtOnce, query, spawnSpider, startSite, startWeb, WEB_HOSTS } from "./_spider_site.ts";

function flagsFor(hosts: string[]): string[] {
  return [
    `--allow-net=${hosts.join(",")}`,
    "--allow-read=spider.sqlite",
    "--allow-write=spider.sqlite",
  ];
}

Deno.test("spider: several hosts at once, each asked one request at a time, --delay apart", async () => {
  await using web = startWeb(4, { slow: 150 });
  await using temp = await tempFolder("netprog-spider-hosts-");
  const starts = web.sites.map((site) => `${site.origin}/p1.htm`);
  const began = performance.now();
  const result = await runScript(
    "spider",
    [...starts, "--pages", "100", "--delay", "0.3", "--concurrency", "3"],
    { flags: flagsFor(web.hosts), cwd: temp.path },
  );
  const seconds = (performance.now() - began) / 1000;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /No unretrieved HTML pages found\n$/);
  assert.match(result.stderr, /spider: 12 page\(s\) requested in [\d.]+ s/);
  for (const site of web.sites) {
    const pages = site.pages();
    assert.deepEqual(pages.map((s) => s.path).sort(), ["/p1.htm", "/p2.htm", "/p3.htm", "/p4.htm"]);
    const all = [...site.seen].sort((a, b) => a.start - b.start);
    for (let i = 1; i < all.length; i++) {
      const gap = all[i].start - all[i - 1].end;
      assert(
        gap >= 290,
        `${site.origin}: ${all[i].path} began ${gap.toFixed(0)} ms after the last`,
      );
    }
  }
  // One host alone would take 5 requests × (150 ms + 300 ms); three in a row, three times that.
  const all = web.sites.flatMap((site) => site.seen);
  assert(mostAtOnce(all) >= 2, "no two hosts were asked at once");
  assert(seconds < 3 * 5 * 0.45, `took ${seconds.toFixed(1)} s`);
});

Deno.test("spider: --per-host 2 keeps two requests in flight to one host, never three", async () => {
  await using site = startSite({
    hostname: WEB_HOSTS[0],
    pages: Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [
        `/p${i + 1}.htm`,
        i === 0
          ? Array.from({ length: 11 }, (_, j) => `<a href="p${j + 2}.htm">${j + 2}</a>`).join(" ")
          : "<p>leaf</p>",
      ]),
    ),
    slow: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`/p${i + 1}.htm`, 100])),
  });
  await using temp = await tempFolder("netprog-spider-hosts-");
  const result = await runScript(
    "spider",
    [`${site.origin}/p1.htm`, "--pages", "20", "--delay", "0", "--per-host", "2"],
    { flags: flagsFor([new URL(site.origin).host]), cwd: temp.path },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(site.pages().length, 12);
  assert.equal(mostAtOnce(site.pages()), 2);
});

Deno.test("spider: --scope host follows the host's other folders and no other host; a redirect is a link", async () => {
  await using other = startSite({ hostname: WEB_HOSTS[1], pages: { "/x.htm": "<p>x</p>" } });
  await using site = startSite({
    hostname: WEB_HOSTS[0],
    pages: {
      "/docs/index.html": `<a href="/blog/post.htm">post</a> <a href="${other.origin}/x.htm">x</a>
        <a href="/old.htm">old</a>`,
      "/blog/post.htm": `<a href="/docs/index.html">back</a>`,
      "/new.htm": "<p>moved here</p>",
    },
    redirects: { "/old.htm": "/new.htm" },
  });
  await using temp = await tempFolder("netprog-spider-hosts-");
  const hosts = [new URL(site.origin).host, new URL(other.origin).host];
  const result = await runScript(
    "spider",
    [`${site.origin}/docs/index.html`, "--pages", "10", "--delay", "0", "--scope", "host"],
    { flags: flagsFor(hosts), cwd: temp.path },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(site.pages().map((s) => s.path), [
    "/docs/index.html",
    "/blog/post.htm",
    "/old.htm",
    "/new.htm",
  ]);
  assert.deepEqual(other.seen, []);
  // The redirect: /old.htm links to /new.htm, which holds the HTML; /new.htm is not asked again.
  const rows = query(
    temp.path,
    `SELECT url, error, html IS NOT NULL AS stored, reason FROM Pages
     JOIN PageFacts ON page_id = id ORDER BY id`,
  ).map((row): Record<string, unknown> => ({ ...row, url: new URL(String(row.url)).pathname }));
  assert.deepEqual(rows.find((row) => row.url === "/old.htm"), {
    url: "/old.htm",
    error: 302,
    stored: 0,
    reason: `redirects to ${site.origin}/new.htm`,
  });
  assert.equal(rows.find((row) => row.url === "/new.htm")?.stored, 1);
  const edge = query(
    temp.path,
    `SELECT a.url AS source, b.url AS target FROM Links JOIN Pages a ON a.id = from_id
     JOIN Pages b ON b.id = to_id WHERE a.url LIKE '%/old.htm'`,
  );
  assert.deepEqual(edge.map((row) => row.target), [`${site.origin}/new.htm`]);
  assert.equal(query(temp.path, "SELECT value FROM Meta WHERE key = 'scope'")[0].value, "host");
});

Deno.test("spider: two spiders on one database fetch every page once, and each host one at a time", async () => {
  await using web = startWeb(8, { slow: 40 });
  await using temp = await tempFolder("netprog-spider-hosts-");
  const starts = web.sites.map((site) => `${site.origin}/p1.htm`);
  // The first makes the crawl; then both work on it at once.
  const first = await runScript(
    "spider",
    [...starts, "--pages", "1", "--delay", "0.05"],
    { flags: flagsFor(web.hosts), cwd: temp.path },
  );
  assert.equal(first.code, 0, first.stderr);
  const children = [0, 1].map(() =>
    spawnSpider(web.hosts, temp.path, ["--pages", "100", "--delay", "0.05", "--concurrency", "3"])
  );
  const outputs = await Promise.all(children.map((child) => child.output()));
  for (const output of outputs) {
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  }
  const lines = outputs.map((output) =>
    new TextDecoder().decode(output.stdout).split("\n").filter((line) => /^\d+ http/.test(line))
  );
  assert(lines[0].length > 0 && lines[1].length > 0, "one spider did all the work");
  for (const site of web.sites) {
    const paths = site.pages().map((s) => s.path).sort();
    assert.deepEqual(paths, [...new Set(paths)], `${site.origin}: a page fetched twice`);
    assert.equal(paths.length, 8);
    assert.equal(mostAtOnce(site.seen), 1, `${site.origin}: two requests at once`);
  }
  assert.equal(query(temp.path, "SELECT COUNT(*) AS n FROM PageFacts WHERE todo = 1")[0].n, 0);
});

Deno.test("spider: --workers 3 crawls in threads on one frontier, every page once, each host one at a time", async () => {
  await using web = startWeb(8, { slow: 40 });
  await using temp = await tempFolder("netprog-spider-hosts-");
  const starts = web.sites.map((site) => `${site.origin}/p1.htm`);
  const args = [...starts, "--pages", "100", "--delay", "0.05", "--workers", "3"];
  const denied = await runScript("spider", args, { flags: flagsFor(web.hosts), cwd: temp.path });
  assert.equal(denied.code, 2);
  assert.equal(
    denied.stderr,
    `spider: cannot start --workers: worker threads read the program's modules: run with --allow-read=${ROOT} too\n`,
  );
  const result = await runScript("spider", args, {
    flags: flagsFor(web.hosts).map((flag) =>
      flag.startsWith("--allow-read=") ? `${flag},${ROOT}` : flag
    ),
    cwd: temp.path,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /No unretrieved HTML pages found\n$/);
  assert.match(result.stderr, /spider: 24 page\(s\) requested in /);
  assert.equal(result.stdout.split("\n").filter((line) => /^\d+ http/.test(line)).length, 24);
  for (const site of web.sites) {
    const paths = site.pages().map((s) => s.path).sort();
    assert.deepEqual(paths, [...new Set(paths)], `${site.origin}: a page fetched twice`);
    assert.equal(paths.length, 8);
    assert.equal(mostAtOnce(site.seen), 1, `${site.origin}: two requests at once`);
  }
});

Deno.test("spider: four spiders on one database keep each host's delay; one killed with kill -9, the rest finish", async () => {
  await using web = startWeb(10, { slow: 30 });
  await using temp = await tempFolder("netprog-spider-hosts-");
  const starts = web.sites.map((site) => `${site.origin}/p1.htm`);
  const args = [...starts, "--pages", "100", "--delay", "0.1", "--lease", "3"];
  const children = [0, 1, 2, 3].map(() => spawnSpider(web.hosts, temp.path, args));
  const asked = () => web.sites.reduce((n, site) => n + site.pages().length, 0);
  while (asked() < 8) await new Promise((resolve) => setTimeout(resolve, 10));
  const killedAt = performance.now();
  children[0].kill("SIGKILL");
  const outputs = await Promise.all(children.map((child) => child.output()));
  assert.equal(outputs[0].code, 137);
  for (const output of outputs.slice(1)) {
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  }
  for (const site of web.sites) {
    const pages = site.pages();
    const paths = pages.map((s) => s.path);
    assert.equal(new Set(paths).size, 10, `${site.origin}: ${paths.join(" ")}`);
    // Asked twice: only a page the killed spider had in flight (one a host at most).
    const twice = paths.filter((path, i) => paths.indexOf(path) !== i);
    assert(twice.length <= 1, `${site.origin}: ${twice.join(" ")} asked twice`);
    for (const path of twice) {
      assert(pages.find((s) => s.path === path)!.start <= killedAt, `${path} was not in flight`);
    }
    const all = [...site.seen].sort((a, b) => a.start - b.start);
    for (let i = 1; i < all.length; i++) {
      const gap = all[i].start - all[i - 1].end;
      assert(gap >= 90, `${site.origin}: ${all[i].path} began ${gap.toFixed(0)} ms after the last`);
    }
  }
  assert.equal(query(temp.path, "SELECT COUNT(*) AS n FROM PageFacts WHERE todo = 1")[0].n, 0);
  assert.equal(query(temp.path, "PRAGMA integrity_check")[0].integrity_check, "ok");
});
