#!/usr/bin/env -S deno run --no-prompt --allow-net=127.0.0.1 --allow-read=/tmp,/etc/passwd,/usr/sbin/nginx,/usr/lib/postgresql,scripts/spider.ts --allow-write=/tmp --allow-env=NETPROG_BOOK_SPIDER --allow-sys=loadavg --allow-run=deno,/usr/bin/python3,/usr/sbin/nginx,npm,apt-get,runuser
// Copyright netprog authors. MIT license.

/**
 * The crawl benchmark: netprog's spider against Scrapy, Crawlee and the
 * book's spider.py, side by side in one run, on one generated site of
 * 10,000 linked pages served by nginx on loopback.
 *
 *     deno run --no-prompt --allow-net=127.0.0.1 --allow-read=/tmp,/etc/passwd,/usr/sbin/nginx,/usr/lib/postgresql,scripts/spider.ts --allow-write=/tmp --allow-env=NETPROG_BOOK_SPIDER --allow-sys=loadavg --allow-run=deno,/usr/bin/python3,/usr/sbin/nginx,npm,apt-get,runuser bench/crawl_bench.ts [--json PATH] [--pages N] [--only NAME,...] [--book-spider PATH] [--book-pages N] [--seed N]
 *
 * The site (bench/_crawl_site.ts, the same for the same `--seed`): `--pages`
 * pages (default 10,000) of about 10 KB, 26 to 62 links each, every page
 * reachable from the home page, a robots.txt that allows everything; written
 * to a temporary folder and served by Debian's nginx on 127.0.0.1, which
 * logs every request. Each crawler starts at the home page with no delay and
 * 16 requests in flight, and must fetch every page exactly once; the counts
 * come from nginx's log (a page found is a distinct page path answered 200;
 * a duplicate is a second fetch of one). The crawlers, by their `--only`
 * names:
 * - `netprog`: scripts/spider.ts, with its shebang line's runtime flags
 *   (not its permissions), `--delay 0 --pages N` and
 *   `--per-host 16` when its `--help` lists that flag (one request in flight
 *   to a host otherwise); its crawl database in the temporary folder;
 * - `netprog-workers`: the same with `--workers 4` on the SQLite file, when
 *   `--help` lists `--workers`; `netprog-postgres`: 4 workers on a PostgreSQL
 *   of its own (Debian's, started in the temporary folder; its server's
 *   memory is not in the row's), when `--help` mentions a `postgres://`
 *   database (otherwise both rows say "not available"); each with the
 *   flags the spider's `--help` asks for (the program's folder read for
 *   its worker threads, `--allow-env=PGAPPNAME` for its PostgreSQL client);
 * - `scrapy`: Debian's python3-scrapy, a CrawlSpider with its LinkExtractor,
 *   `CONCURRENT_REQUESTS_PER_DOMAIN=16`, robots.txt obeyed, its start
 *   request through its duplicate filter (bench/crawl_scrapy.py);
 * - `crawlee`: npm's crawlee (pinned below), a CheerioCrawler with
 *   `maxConcurrency` 16, robots.txt obeyed, its request queue on disk as
 *   Crawlee keeps it by default (a stopped crawl can go on), run with the
 *   machine's Node.js (bench/crawl_crawlee.mjs); npm installs it into a
 *   cache folder under /tmp when it is not there yet;
 * - `crawlee-memory`: the same with its queue in memory only, lost when
 *   stopped (as Scrapy's): faster, and shown beside the others, but not
 *   Crawlee's set-up, so not a peer of the bars;
 * - `book`: the book's `pagerank/spider.py` (sequential, BeautifulSoup from
 *   Debian's python3-bs4) on the first 1,000 pages it takes (at random, as
 *   it does; `--book-pages`), its database in the temporary folder. It is
 *   not part of this project: give its path with `--book-spider PATH` or
 *   `NETPROG_BOOK_SPIDER`; without it the row says SKIP.
 * Python and Debian's packages python3-scrapy and python3-bs4 are installed
 * with apt-get when missing, as nginx and PostgreSQL are.
 *
 * Each crawler runs under bench/tree_rss.py, which reports the peak resident
 * memory of the crawler's whole process tree (the sum over its processes,
 * read from /proc every 50 ms, or the largest single process's own peak when
 * higher). pages/s is pages found over the wall-clock time of the whole run,
 * start-up included; the ratio is to the faster of Scrapy and Crawlee.
 * CPU/page (user and system time of the tree over pages found) moves less
 * than pages/s when other programs share the machine. A crawler that asks
 * nginx for nothing for a minute is stopped (failed).
 *
 * Bars: netprog's single worker at least 3x the faster of Scrapy and Crawlee
 * in pages/s, with a peak RSS of at most 150 MiB; every crawler (peers too:
 * a peer that misses pages is a fault of this benchmark) finds every page
 * exactly once, without failing. A row "not available" or SKIP fails no bar.
 * Exits 1 when a bar is not met.
 *
 * Permissions:
 * - `--allow-net=127.0.0.1`: pick free ports and wait for nginx and PostgreSQL.
 * - `--allow-read=/tmp,...`: the temporary folder (nginx's log, the crawlers'
 *   reports), the Crawlee cache folder; whether nginx and PostgreSQL are
 *   installed; /etc/passwd for the `postgres` user's id (its data folder);
 *   the spider's shebang line, whose runtime flags (`--v8-flags`) its runs
 *   take (run from the project folder).
 * - `--allow-write=/tmp`: the temporary folder (site, configurations,
 *   databases), the Crawlee cache folder, `--json PATH`.
 * - `--allow-env=NETPROG_BOOK_SPIDER`: where the book's spider.py is.
 * - `--allow-sys=loadavg`: the machine's load before and after (a busy
 *   machine slows the crawlers that run while it is busy, and only them).
 * - `--allow-run=...`: `deno` (the spider's `--help`), `/usr/bin/python3`
 *   (Debian's, where apt-get puts Scrapy and bs4: runs every crawler under
 *   bench/tree_rss.py, which starts `deno`, `/usr/bin/node` and `python3`),
 *   nginx, `npm` (installing Crawlee), `apt-get` (installing what is
 *   missing), `runuser` (PostgreSQL's `initdb` and `pg_ctl`, which refuse to
 *   run as root).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { generateSite } from "./_crawl_site.ts";
import { ensureInstalled, exists, freePort, NGINX, startNginx } from "./_nginx.ts";
import { startPostgres } from "./_postgres.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
/** Debian's python3, where apt-get installs Scrapy and BeautifulSoup. */
const PYTHON = "/usr/bin/python3";
/** The machine's own Node.js. */
const NODE = "/usr/bin/node";
const CRAWLEE_VERSION = "3.18.1";
const CRAWLEE_DIR = `/tmp/netprog_bench_cache/crawlee-${CRAWLEE_VERSION}`;
const IN_FLIGHT = 16;
const WORKERS = 4;
const STALL_SECONDS = 60;
const BARS = { speedup: 3, rssMiB: 150 };
const NAMES = [
  "netprog",
  "netprog-workers",
  "netprog-postgres",
  "book",
  "scrapy",
  "crawlee",
  "crawlee-memory",
];

const { values } = parseArgs({
  args: Deno.args,
  options: {
    json: { type: "string" },
    pages: { type: "string", default: "10000" },
    "book-pages": { type: "string", default: "1000" },
    "book-spider": { type: "string" },
    seed: { type: "string", default: "1" },
    only: { type: "string" },
  },
});
const PAGES = Number(values.pages);
const SEED = Number(values.seed);
if (!Number.isInteger(PAGES) || PAGES < 13) {
  console.error(`crawl bench: --pages ${values.pages}: expected a whole number, at least 13`);
  Deno.exit(2);
}
const BOOK_PAGES = Math.min(PAGES, Number(values["book-pages"]));
const only = values.only?.split(",").map((name) => name.trim());
const unknown = only?.filter((name) => !NAMES.includes(name)) ?? [];
if (unknown.length > 0) {
  console.error(`crawl bench: unknown crawler ${unknown.join(", ")}: expected ${NAMES.join(", ")}`);
  Deno.exit(2);
}
const wanted = (name: string) => only === undefined || only.includes(name);

const decoder = new TextDecoder();

/** Runs a program to its end, output captured. */
async function run(
  command: string,
  args: string[],
  options: { cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, {
    args,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

const lastLine = (text: string) => text.trim().split("\n").at(-1) ?? "";

/** Installs Debian's `packages` when python3 cannot import `modules`. */
async function ensurePython(modules: string[], packages: string[]): Promise<void> {
  const probe = ["-c", `import ${modules.join(", ")}`];
  if ((await run(PYTHON, probe)).code === 0) return;
  console.log(`set-up: apt-get install -y ${packages.join(" ")}`);
  let install = await run("apt-get", ["install", "-y", ...packages]);
  if (install.code !== 0) {
    await run("apt-get", ["update"]);
    install = await run("apt-get", ["install", "-y", ...packages]);
  }
  if ((await run(PYTHON, probe)).code !== 0) {
    throw new Error(`Cannot install ${packages.join(" ")}: ${lastLine(install.stderr)}`);
  }
}

/** Installs the pinned Crawlee into its cache folder when it is not there. */
async function ensureCrawlee(): Promise<void> {
  const manifest = `${CRAWLEE_DIR}/node_modules/crawlee/package.json`;
  if (await exists(manifest)) {
    if (JSON.parse(await Deno.readTextFile(manifest)).version === CRAWLEE_VERSION) return;
  }
  console.log(`set-up: npm install crawlee@${CRAWLEE_VERSION} into ${CRAWLEE_DIR}`);
  await Deno.mkdir(CRAWLEE_DIR, { recursive: true });
  const install = await run("npm", [
    "install",
    "--prefix",
    CRAWLEE_DIR,
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    `crawlee@${CRAWLEE_VERSION}`,
  ]);
  if (install.code !== 0 || !(await exists(manifest))) {
    throw new Error(`Cannot install crawlee@${CRAWLEE_VERSION}: ${lastLine(install.stderr)}`);
  }
}

/** One crawler: how to run it, or why it cannot run. */
interface Crawler {
  /** Its name for `--only`. */
  name: string;
  /** Its name in the table. */
  label: string;
  /** Scrapy and Crawlee: the ratio is to the faster of them. */
  peer: boolean;
  /** The pages it must find. */
  expected: number;
  /** Its command (run under tree_rss.py), its folder and what it reads on stdin. */
  command?: { args: string[]; cwd: string; stdin?: string };
  /** Why it does not run: "not available" (the spider lacks a flag) or SKIP. */
  missing?: { status: "not available" | "SKIP"; reason: string };
}

/** One row of the table. */
interface Row {
  name: string;
  label: string;
  status: "measured" | "not available" | "SKIP" | "failed";
  reason?: string;
  expected: number;
  seconds?: number;
  pagesPerSecond?: number;
  ratio?: number;
  rssMiB?: number;
  largestProcessRssMiB?: number;
  cpuMsPerPage?: number;
  /** The machine's 1-minute load average as it started (the previous crawler's part of it). */
  loadAverage?: number;
  found?: number;
  duplicates?: number;
  robotsRequests?: number;
  otherRequests?: number;
  exitCode?: number;
  bars: { bar: string; pass: boolean }[];
}

/** What nginx's log says of one crawler's requests. */
function countRequests(lines: string[], sitePaths: Set<string>) {
  const fetched = new Map<string, number>();
  let other = 0;
  let robots = 0;
  for (const line of lines) {
    const [status, method, uri] = line.split(" ");
    if (status === "200" && method === "GET" && sitePaths.has(uri)) {
      fetched.set(uri, (fetched.get(uri) ?? 0) + 1);
    } else if (uri === "/robots.txt") {
      robots++;
    } else {
      other++;
    }
  }
  let total = 0;
  for (const n of fetched.values()) total += n;
  return { found: fetched.size, duplicates: total - fetched.size, robots, other };
}

const started = performance.now();
const loadAtStart = Deno.loadavg()[0];
const dir = await Deno.makeTempDir({ prefix: "netprog_crawl_bench_" });
const children: Deno.ChildProcess[] = [];
/** The crawler running now (under tree_rss.py, which passes a SIGTERM on). */
let crawling: Deno.ChildProcess | undefined;
const cleanups: (() => Promise<void>)[] = [];
const rows: Row[] = [];
let failed = false;
/** Stops nginx and PostgreSQL and removes the temporary folder. */
async function stopServers(): Promise<void> {
  try {
    crawling?.kill("SIGTERM");
  } catch { /* already gone */ }
  for (const child of children.splice(0)) {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
  }
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
// Ctrl-C reaches the crawler too; nginx and PostgreSQL are ours to stop.
Deno.addSignalListener("SIGINT", async () => {
  await stopServers();
  Deno.exit(130);
});
try {
  // nginx's worker and PostgreSQL run as other users: the folder must be readable.
  await Deno.chmod(dir, 0o755);

  // Set-up first: nothing is measured while a package installs.
  await ensureInstalled(NGINX, "nginx");
  if (wanted("scrapy")) await ensurePython(["scrapy"], ["python3-scrapy"]);
  if (wanted("book")) await ensurePython(["bs4"], ["python3-bs4"]);
  if (wanted("crawlee") || wanted("crawlee-memory")) await ensureCrawlee();
  const help = await run("deno", ["run", "--no-prompt", "scripts/spider.ts", "--help"], {
    cwd: ROOT,
  });
  if (help.code !== 0) throw new Error(`Cannot run scripts/spider.ts --help: ${help.stderr}`);
  const lists = (flag: string) => new RegExp(`^\\s*${flag}\\b`, "m").test(help.stdout);
  // The spider runs as its shebang line runs it (V8's flags, say), with the bench's permissions.
  const shebang = (await Deno.readTextFile(`${ROOT}/scripts/spider.ts`)).split("\n")[0];
  const runtimeFlags = shebang.split(/\s+/).filter((word) =>
    word.startsWith("--") && !word.startsWith("--allow-") && word !== "--no-prompt"
  );
  const perHost = lists("--per-host");
  const workers = lists("--workers");
  const postgres = workers && /postgres(ql)?:\/\//i.test(help.stdout);
  const bookSpider = values["book-spider"] ?? Deno.env.get("NETPROG_BOOK_SPIDER");
  const bookFound = bookSpider !== undefined &&
    (await run(PYTHON, [
        "-c",
        "import os, sys; sys.exit(0 if os.path.isfile(sys.argv[1]) else 1)",
        bookSpider,
      ])).code === 0;

  // The site.
  const generating = performance.now();
  const site = generateSite(PAGES, SEED);
  const www = `${dir}/www`;
  for (const page of site) {
    const file = `${www}${page.path === "/" ? "/index.html" : page.path}`;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true, mode: 0o755 });
    await Deno.writeTextFile(file, page.html);
  }
  await Deno.writeTextFile(`${www}/robots.txt`, "User-agent: *\nAllow: /\n");
  const sitePaths = new Set(site.map((page) => page.path));
  const siteBytes = site.reduce((n, page) => n + page.html.length, 0);
  const links = site.map((page) => page.links);
  const siteFacts = {
    pages: PAGES,
    seed: SEED,
    meanBytes: Math.round(siteBytes / PAGES),
    meanLinks: Number((links.reduce((a, b) => a + b, 0) / PAGES).toFixed(1)),
    minLinks: Math.min(...links),
    maxLinks: Math.max(...links),
  };
  const log = `${dir}/access.log`;
  const port = freePort();
  children.push(
    await startNginx({
      dir,
      root: www,
      port,
      types: { "text/html": "html", "text/plain": "txt", "text/css": "css" },
      accessLog: log,
    }),
  );
  const home = `http://127.0.0.1:${port}/`;
  const cores = navigator.hardwareConcurrency;
  console.log(
    `crawl benchmark: ${cores} cores; ${PAGES} pages (seed ${SEED}), ${siteFacts.meanBytes} bytes ` +
      `and ${siteFacts.meanLinks} links a page (${siteFacts.minLinks} to ${siteFacts.maxLinks}), ` +
      `made in ${
        ((performance.now() - generating) / 1000).toFixed(1)
      } s; ${IN_FLIGHT} in flight, ` +
      `no delay; nginx on ${home}`,
  );

  // The crawlers.
  // The spider's command, with the flags its --help asks for. A database file is allowed by
  // its path; a postgres:// one by its host's port, and its client reads PGAPPNAME; workers
  // are threads that load the program's modules: its folder is read.
  const spider = (db: string, workers: number, net: string) => {
    const pg = db.startsWith("postgres://");
    const reads = pg ? [] : [db];
    if (workers > 1) reads.push(ROOT);
    return [
      "deno",
      "run",
      "--no-prompt",
      ...runtimeFlags,
      `--allow-net=${net}`,
      ...(reads.length > 0 ? [`--allow-read=${reads.join(",")}`] : []),
      ...(pg ? ["--allow-env=PGAPPNAME"] : [`--allow-write=${db}`]),
      "scripts/spider.ts",
      home,
      "--pages",
      String(PAGES),
      "--delay",
      "0",
      "--db",
      db,
      ...(perHost ? ["--per-host", String(IN_FLIGHT)] : []),
      ...(workers > 1 ? ["--workers", String(workers)] : []),
    ];
  };
  const net = `127.0.0.1:${port}`;
  const crawlers: Crawler[] = [
    {
      name: "netprog",
      label: `netprog, 1 worker${perHost ? "" : " (no --per-host: 1 in flight)"}`,
      peer: false,
      expected: PAGES,
      command: { args: spider(`${dir}/netprog/spider.sqlite`, 1, net), cwd: ROOT },
    },
    {
      name: "netprog-workers",
      label: `netprog, ${WORKERS} workers, SQLite`,
      peer: false,
      expected: PAGES,
      command: workers
        ? {
          args: spider(`${dir}/netprog-workers/spider.sqlite`, WORKERS, net),
          cwd: ROOT,
        }
        : undefined,
      missing: workers
        ? undefined
        : { status: "not available", reason: "scripts/spider.ts --help lists no --workers" },
    },
    {
      name: "netprog-postgres",
      label: `netprog, ${WORKERS} workers, PostgreSQL`,
      peer: false,
      expected: PAGES,
      missing: postgres ? undefined : {
        status: "not available",
        reason: "scripts/spider.ts --help mentions no postgres:// database",
      },
    },
    {
      name: "book",
      label: `book's spider.py, ${BOOK_PAGES} pages`,
      peer: false,
      expected: BOOK_PAGES,
      command: bookFound
        ? {
          // Run as a file of its own, but with Debian's bs4 rather than the
          // old copy the book ships beside it (runpy keeps its folder off sys.path).
          args: [
            PYTHON,
            "-c",
            "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
            bookSpider!,
          ],
          cwd: `${dir}/book`,
          stdin: `${home}\n${BOOK_PAGES}\n\n`,
        }
        : undefined,
      missing: bookFound ? undefined : {
        status: "SKIP",
        reason: bookSpider === undefined
          ? "the book's spider.py is not part of this project: give its path with " +
            "--book-spider PATH or NETPROG_BOOK_SPIDER"
          : `no file at ${bookSpider}`,
      },
    },
    {
      name: "scrapy",
      label: "Scrapy, CrawlSpider",
      peer: true,
      expected: PAGES,
      command: { args: [PYTHON, `${ROOT}/bench/crawl_scrapy.py`, home], cwd: `${dir}/scrapy` },
    },
    {
      name: "crawlee",
      label: `Crawlee ${CRAWLEE_VERSION}, CheerioCrawler`,
      peer: true,
      expected: PAGES,
      command: {
        args: [NODE, `${ROOT}/bench/crawl_crawlee.mjs`, CRAWLEE_DIR, home, "disk"],
        cwd: `${dir}/crawlee`,
      },
    },
    {
      // Not Crawlee's default: its queue in memory, lost when stopped. Shown, not a bar's peer.
      name: "crawlee-memory",
      label: `Crawlee ${CRAWLEE_VERSION}, queue in memory`,
      peer: false,
      expected: PAGES,
      command: {
        args: [NODE, `${ROOT}/bench/crawl_crawlee.mjs`, CRAWLEE_DIR, home, "memory"],
        cwd: `${dir}/crawlee-memory`,
      },
    },
  ];
  for (const crawler of crawlers) {
    if (!wanted(crawler.name)) continue;
    const row: Row = {
      name: crawler.name,
      label: crawler.label,
      status: "measured",
      expected: crawler.expected,
      bars: [],
    };
    rows.push(row);
    if (crawler.name === "netprog-postgres" && crawler.missing === undefined) {
      const server = await startPostgres(dir);
      cleanups.push(server.stop);
      crawler.command = {
        args: spider(server.url, WORKERS, `${net},${new URL(server.url).host}`),
        cwd: ROOT,
      };
    }
    if (crawler.command === undefined) {
      row.status = crawler.missing!.status;
      row.reason = crawler.missing!.reason;
      console.log(`${row.status} ${crawler.name}: ${row.reason}`);
      continue;
    }
    const work = `${dir}/${crawler.name}`;
    await Deno.mkdir(work, { recursive: true });
    const report = `${work}/rss.txt`;
    const logFrom = (await Deno.stat(log)).size;
    console.log(`running ${crawler.name}: ${crawler.command.args.join(" ")}`);
    row.loadAverage = Deno.loadavg()[0];
    const began = performance.now();
    const child = new Deno.Command(PYTHON, {
      args: [`${ROOT}/bench/tree_rss.py`, report, ...crawler.command.args],
      cwd: crawler.command.cwd,
      stdin: crawler.command.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    crawling = child;
    if (crawler.command.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(crawler.command.stdin));
      await writer.close();
    }
    // A crawler that hangs is stopped: nothing asked of nginx for a minute.
    let timedOut = false;
    let logSize = logFrom;
    let quietSince = performance.now();
    const timer = setInterval(async () => {
      const size = (await Deno.stat(log)).size;
      if (size !== logSize) {
        logSize = size;
        quietSince = performance.now();
      } else if (performance.now() - quietSince > STALL_SECONDS * 1000 && !timedOut) {
        timedOut = true;
        child.kill("SIGTERM");
      }
    }, 1000);
    const output = await child.output();
    crawling = undefined;
    clearInterval(timer);
    row.seconds = (performance.now() - began) / 1000;
    row.exitCode = output.code;
    await Deno.writeFile(`${work}/stdout.txt`, output.stdout);
    await Deno.writeFile(`${work}/stderr.txt`, output.stderr);
    const file = await Deno.open(log);
    await file.seek(logFrom, Deno.SeekMode.Start);
    const lines = decoder.decode(await new Response(file.readable).arrayBuffer()).split("\n")
      .filter((line) => line !== "");
    const counts = countRequests(lines, sitePaths);
    row.found = counts.found;
    row.duplicates = counts.duplicates;
    row.robotsRequests = counts.robots;
    row.otherRequests = counts.other;
    row.pagesPerSecond = counts.found / row.seconds;
    const rss = /peak-rss-kib (\d+) tree-peak-kib (\d+) cpu-seconds ([\d.]+)/.exec(
      await Deno.readTextFile(report).catch(() => ""),
    );
    if (rss !== null) {
      row.largestProcessRssMiB = Number(rss[1]) / 1024;
      row.rssMiB = Number(rss[2]) / 1024;
      if (counts.found > 0) row.cpuMsPerPage = Number(rss[3]) * 1000 / counts.found;
    }
    if (output.code !== 0) {
      row.status = "failed";
      row.reason = timedOut
        ? `stopped: no request for ${STALL_SECONDS} s`
        : `exit ${output.code}: ${lastLine(decoder.decode(output.stderr))}`;
    }
    console.log(
      `  ${row.seconds.toFixed(1)} s, ${row.found} of ${row.expected} pages, ` +
        `${row.duplicates} fetched twice, robots.txt ${row.robotsRequests}, ` +
        `${row.otherRequests} other requests, exit ${output.code}`,
    );
    if (output.code !== 0 || row.found !== row.expected) {
      console.log(
        `  its stderr ends:\n${
          decoder.decode(output.stderr).trim().split("\n").slice(-8).map((l) => `    ${l}`)
            .join("\n")
        }`,
      );
    }
  }

  // Ratios and bars.
  const peers = rows.filter((row) =>
    crawlers.find((c) => c.name === row.name)!.peer && row.pagesPerSecond !== undefined
  );
  const fastest = peers.toSorted((a, b) => b.pagesPerSecond! - a.pagesPerSecond!)[0];
  for (const row of rows) {
    if (row.pagesPerSecond === undefined) continue;
    if (fastest !== undefined) row.ratio = row.pagesPerSecond / fastest.pagesPerSecond!;
    row.bars.push({
      bar: "every page once",
      pass: row.status === "measured" && row.found === row.expected && row.duplicates === 0,
    });
    if (row.name === "netprog") {
      if (row.ratio !== undefined) {
        row.bars.push({
          bar: `>= ${BARS.speedup}x ${fastest.name}`,
          pass: row.ratio >= BARS.speedup,
        });
      }
      row.bars.push({
        bar: `RSS <= ${BARS.rssMiB} MiB`,
        pass: row.rssMiB !== undefined && row.rssMiB <= BARS.rssMiB,
      });
    }
  }

  const pad = (text: string, n: number) => text.padEnd(n);
  const lpad = (text: string, n: number) => text.padStart(n);
  console.log(
    `\n${pad("crawler", 42)}${lpad("pages/s", 9)}${lpad("ratio", 8)}${lpad("peak RSS", 10)}${
      lpad("found", 13)
    }${lpad("twice", 7)}${lpad("s", 7)}${lpad("CPU/page", 10)}  bars`,
  );
  for (const row of rows) {
    if (row.pagesPerSecond === undefined) {
      console.log(`${pad(row.label, 42)}${row.status}: ${row.reason}`);
      continue;
    }
    console.log(
      `${pad(row.label, 42)}${lpad(row.pagesPerSecond.toFixed(1), 9)}${
        lpad(row.ratio === undefined ? "" : `${row.ratio.toFixed(2)}x`, 8)
      }${lpad(row.rssMiB === undefined ? "?" : `${row.rssMiB.toFixed(0)} MiB`, 10)}${
        lpad(`${row.found}/${row.expected}`, 13)
      }${lpad(String(row.duplicates), 7)}${lpad(row.seconds!.toFixed(1), 7)}${
        lpad(row.cpuMsPerPage === undefined ? "?" : `${row.cpuMsPerPage.toFixed(1)} ms`, 10)
      }  ${row.bars.map((b) => `${b.pass ? "PASS" : "FAIL"} ${b.bar}`).join("; ")}${
        row.status === "failed" ? `  (failed: ${row.reason})` : ""
      }`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `ratio: to ${fastest === undefined ? "no peer (none ran)" : fastest.label}; ` +
      "peak RSS and CPU/page (user and system): the crawler's process tree; " +
      `load average ${loadAtStart.toFixed(1)} before the site was made, ` +
      `${Deno.loadavg()[0].toFixed(1)} at the end; ${cores} cores; the section took ${
        seconds.toFixed(0)
      } s`,
  );
  failed = rows.some((row) => row.bars.some((b) => !b.pass));
  if (values.json !== undefined) {
    await Deno.writeTextFile(
      values.json,
      JSON.stringify(
        {
          cores,
          loadAverage: { start: loadAtStart, end: Deno.loadavg()[0] },
          site: siteFacts,
          inFlight: IN_FLIGHT,
          fastestPeer: fastest?.name ?? null,
          seconds,
          rows,
          failed,
        },
        null,
        2,
      ) + "\n",
    );
  }
} finally {
  await stopServers();
}
if (failed) Deno.exit(1);
