#!/usr/bin/env -S deno run --allow-net=www.dr-chuck.com:80 --allow-read=spider.sqlite --allow-write=spider.sqlite --v8-flags=--max-semi-space-size=8,--expose-gc
// Copyright netprog authors. MIT license.

/**
 * spider: the book's `pagerank/spider.py`, polite and crash-safe. Crawls a
 * web (the start URL, or its folder when it ends in `.htm` or `.html`) into
 * the crawl database, one page at a time, and stores each page's HTML and
 * the links between the pages of the web, for sprank, spdump and spjson.
 *
 *     deno run --allow-net=www.dr-chuck.com:80 --allow-read=spider.sqlite --allow-write=spider.sqlite --v8-flags=--max-semi-space-size=8,--expose-gc scripts/spider.ts [URL ...] [--pages N] [options]
 *
 * As the book's: with no crawl in progress and no URL it asks
 * `Enter web url or enter: ` (empty: `http://www.dr-chuck.com/`); with one in
 * progress it says `Restarting existing crawl.  Remove spider.sqlite to start
 * a fresh crawl.` It prints the webs as a JSON list, then asks
 * `How many pages:` again and again until an empty answer (`--pages N`: no
 * question, N pages, then it stops). One line a page:
 * `<id> <url> (<bytes>) <links>`, where `<links>` counts the page's links
 * that lie in the webs, repeats included, as the book counts them; or
 * `Error on page:  <status>` (any status but 200), `Ignore non text/html page`,
 * `Unable to retrieve or parse page`; and `No unretrieved HTML pages found`
 * when the crawl is done.
 *
 * Where it differs from the book's program:
 * - A URL keeps its trailing `/` (the book strips it, which costs a redirect
 *   a folder); a web made from a page's folder ends in `/` too, so
 *   `http://host` never takes in `http://host.example.org`. URLs are written
 *   as the WHATWG URL parser writes them (scheme and host in lower case,
 *   default port dropped), without their fragment, their percent-encoding
 *   normalized (`%7E` is `~`, `%2f` is `%2F`). The scheme is part of a
 *   web, on purpose: `https://host/` is not in the web `http://host/` (it
 *   needs another port allowed); give it as a start URL to crawl both.
 * - Pages are taken breadth-first (fewest links from a start page first, then
 *   in the order they were found), where the book takes one at random
 *   (`--order random`).
 * - Polite: it sends `User-Agent: netprog/0.2 (spider)` (`--user-agent`),
 *   obeys each host's robots.txt (matched on the User-Agent's first word;
 *   a 4xx robots.txt allows everything; a 5xx one or an unreachable host
 *   disallows for now: its pages wait and are tried on a later run; at most
 *   500 KiB of it read), and leaves at least `--delay` seconds (default 1)
 *   between the end of one request to a host and the start of the next, or
 *   the robots.txt's Crawl-delay when longer (capped at 60 s).
 *   `--ignore-robots` skips robots.txt, and the database records it.
 * - The Content-Type is read from the head of the answer before its body:
 *   a page that is not `text/html` is recorded with its type (error 0) and
 *   its body is never downloaded; a page with another status than 200 keeps
 *   that status in `error`, its body unread. A body over `--max-bytes`
 *   (default 5 MiB) is cut there and flagged.
 * - Links are found by the browser-exact DOM (as urllinks finds them),
 *   resolved against the page's URL and its `<base href>`; redirects are
 *   followed (at most 5) and the URL that answered is recorded.
 * - A 429 or 503 answer with `Retry-After` (seconds or a date) rests its
 *   host until then (kept in the database): its pages wait, the run waits
 *   when that is a minute or less, and ends otherwise (a later run goes on).
 * - A failure that may pass (the network, or a 500, 502, 503, 504) is
 *   tried again, at most 3 times, after 1 s, 2 s, 4 s (each with jitter);
 *   each try prints its line, and the reason is kept.
 * - Survives any stop: taking a page (a lease) and storing its result (its
 *   HTML, its links, the pages they add) are each one transaction, so after
 *   Ctrl-C or `kill -9` the next run goes on, and a page whose result was
 *   stored is never fetched again. Several spiders may work on one
 *   database at once: a page taken has a lease its spider renews; the
 *   leases of one killed expire after `--lease` seconds (default 10), and
 *   its pages are taken again; delays and `--per-host` hold across them.
 * - Every page not fetched has its reason in `PageFacts.reason`; HTTP status,
 *   Content-Type, depth and final URL are there too (see crawl_db.ts).
 *   `--why URL` says in one line what the crawl did with a URL, and why.
 * - Several hosts at once (`--concurrency N`, default 8), one request in
 *   flight to a host (`--per-host N` allows more, for a site that is yours).
 *   Each line is printed whole when its page is done.
 * - `--workers N` crawls in N threads at once (each its own connection to
 *   the database, on one frontier), which use the machine's other cores;
 *   a thread loads the program's modules, which Deno counts as reading: allow
 *   the program's folder with `--allow-read` too.
 * - `--scope host` follows links to any page of the webs' hosts (http and
 *   https alike), `--scope site` to any host of their registrable domains
 *   (`www.example.co.uk` and `shop.example.co.uk`, by the public suffix
 *   list); the default, `prefix`, is the book's webs. A page of a host that
 *   `--allow-net` does not include is left unfetched, its reason said.
 * - A redirect within the scope is stored as a link from the URL that
 *   redirected (its `error` the redirect's status) to the one it names, and
 *   the HTML belongs to the URL that answered; one out of the scope leaves
 *   the HTML with the page asked for, as the book's.
 * - Progress on stderr when it is a terminal, and a summary line at the end.
 * - `--order random` takes pages in the book's order (at random);
 *   `--max-depth N` leaves pages more than N links from a start page for a
 *   later run, their reason said; `--max-per-host N` fetches at most N
 *   pages of a host (the rest are not fetched, error -2, reason said), so
 *   that a trap such as a calendar linking to the next month forever ends.
 *
 * Memory: the shebang and `deno task spider` keep V8's young generation at
 * 8 MiB and let the crawl ask for a full garbage collection every 1,000 pages
 * (`--v8-flags=--max-semi-space-size=8,--expose-gc`, not permissions): a
 * crawl never idles, so V8 would keep the heap it grew to. A 10,000-page crawl
 * with 16 requests in flight then peaks near 110 MiB rather than 150-180 MiB.
 *
 * Permissions:
 * - `--allow-net=www.dr-chuck.com:80`: the book's web (its robots.txt
 *   included). For another web, allow its host and port instead.
 * - `--allow-read=spider.sqlite`, `--allow-write=spider.sqlite`: the crawl
 *   database (SQLite makes its `-wal` and `-shm` files beside it without
 *   asking Deno). With `--db PATH`, allow that path instead.
 * - With `--db postgres://USER@HOST:PORT/DATABASE` (a PostgreSQL database
 *   that spiders on several machines share; see docs/SCALE.md):
 *   `--allow-net=HOST:PORT` and `--allow-env=PGAPPNAME` (its client reads
 *   it) in place of the file's flags.
 *
 * @module
 */

import {
  integerOption,
  NET_HELP,
  NET_OPTIONS,
  parseCommandLine,
  secondsOption,
  timeLimits,
} from "./lib/args.ts";
import { createCrawlDb, DEFAULT_DB } from "./lib/crawl_db.ts";
import { crawlUrl, MAX_URL_LENGTH, normalizedUrl, type Scope, webOf } from "./lib/crawl_scope.ts";
import { openCrawlTables } from "./lib/crawl_tables.ts";
import {
  Budget,
  CONCURRENCY,
  Crawler,
  type CrawlOptions,
  type Ending,
  MAX_BYTES,
  USER_AGENT,
} from "./lib/crawler.ts";
import { CrawlWorkers } from "./lib/crawl_workers.ts";
import { type Frontier, LEASE_MS, SqliteFrontier } from "./lib/frontier.ts";
import { isPostgresUrl, openPostgresFrontier } from "./lib/frontier_pg.ts";
import { UsageError } from "./lib/errors.ts";
import { onInterrupt, requirePermission, run } from "./lib/run.ts";
import { input, stdout, writeErr } from "./lib/stdio.ts";

const BOOK_WEB = "http://www.dr-chuck.com/";
/** The most start URLs on one command line. */
const MAX_STARTS = 100;
const USAGE =
  `Usage: deno run --allow-net=www.dr-chuck.com:80 --allow-read=spider.sqlite --allow-write=spider.sqlite --v8-flags=--max-semi-space-size=8,--expose-gc scripts/spider.ts [URL ...] [--pages N] [options]

Crawls a web into the crawl database, as the book's spider.py: with no URL
and no crawl in progress it asks "Enter web url or enter: " (empty: the book's
${BOOK_WEB}); then it asks "How many pages:" until an empty answer. A
start URL ending in .htm or .html makes its folder the web; several start
URLs make several webs. Obeys robots.txt and waits between requests to a
host. Allow the web's host with --allow-net.

Options:
  --pages N                  crawl N pages, then stop (no question)
  --db PATH                  the crawl database (default ${DEFAULT_DB}); allow
                             its path with --allow-read and --allow-write; or a
                             PostgreSQL database postgres://USER@HOST:PORT/DB
                             that spiders on several machines share (allow
                             HOST:PORT with --allow-net, and
                             --allow-env=PGAPPNAME)
  --delay SECONDS            at least this long between requests to a host
                             (default 1; a longer robots.txt Crawl-delay wins)
  --user-agent UA            the User-Agent sent (default "${USER_AGENT}");
                             robots.txt rules are matched on its first word
  --ignore-robots            do not read robots.txt (recorded in the database)
  --order ORDER              breadth (the default: fewest links from a start
                             page first) or random (the book's order)
  --max-depth N              fetch no page more than N links from a start page
  --max-per-host N           fetch at most N pages of a host (a trap, such as a
                             calendar that links to the next month, ends)
  --scope SCOPE              which links to follow: prefix (the default: the
                             book's webs), host (any page of the webs' hosts,
                             http or https) or site (any host of the webs'
                             registrable domains, as example.co.uk); allow
                             their hosts with --allow-net
  --concurrency N            fetch from N hosts at once (default ${CONCURRENCY})
  --per-host N               requests in flight to one host (default 1; more
                             only for a site that is yours)
  --workers N                crawl in N threads (default 1), on the machine's
                             cores; they load the program's modules, so allow
                             its folder with --allow-read too
  --lease SECONDS            how long a page taken by a spider that stopped
                             answering (killed) stays taken (default ${LEASE_MS / 1000})
  --why URL                  say what the crawl did with URL, and why; fetch
                             nothing
  --max-bytes N              cut a page's body after N bytes (default ${MAX_BYTES})
${NET_HELP}  -h, --help                 print this help
`;

/** `--why URL`: what the crawl database says of a URL, in one line. */
async function why(text: string, path: string): Promise<void> {
  if (!isPostgresUrl(path)) await requirePermission({ name: "read", path });
  const url = startUrl(text, false);
  await using tables = await openCrawlTables(path, true, "spider");
  const [row] = await tables.all(
    `SELECT id, html IS NOT NULL AS stored, error, depth, status, content_type, final_url, bytes,
       truncated, reason, retry_at, leased_until
     FROM Pages LEFT JOIN PageFacts ON page_id = id WHERE url = ?`,
    [url],
  );
  let line: string;
  if (row === undefined) {
    const webs = (await tables.all(`SELECT url FROM Webs${tables.postgres ? " ORDER BY url" : ""}`))
      .map((web) => String(web.url));
    line = crawlUrl(url) === null && url.length > MAX_URL_LENGTH
      ? `not followed: longer than ${MAX_URL_LENGTH.toLocaleString("en-US")} characters`
      : webs.some((web) => url.startsWith(web))
      ? "not in the crawl: no page retrieved so far links to it"
      : `not in the crawl: outside the webs ${JSON.stringify(webs)}`;
  } else {
    const depth = row.depth === null ? "" : `, depth ${row.depth}`;
    const answer = row.status === null ? "" : `: ${row.status} ${row.content_type ?? ""}`.trimEnd();
    const moved = row.final_url !== null && row.final_url !== url
      ? ` (answered by ${row.final_url})`
      : "";
    const reason = row.reason === null ? "" : `: ${row.reason}`;
    if (row.stored) {
      line = `page ${row.id}, fetched${answer}${moved}, ${row.bytes ?? "?"} bytes${depth}` +
        (row.truncated ? `, cut${reason}` : "");
    } else if (row.error !== null) {
      line = `page ${row.id}, ${Number(row.error) === -2 ? "not fetched" : "failed"} ` +
        `(error ${row.error})${answer}${moved}${depth}${reason}`;
    } else if (row.retry_at !== null && Number(row.retry_at) > Date.now()) {
      line = `page ${row.id}, waiting until ${
        new Date(Number(row.retry_at)).toISOString()
      }${depth}${reason}`;
    } else {
      line = `page ${row.id}, not fetched yet${depth}${reason}`;
    }
  }
  await stdout.print(`${url} ${line}\n`);
}

/** The answer to `How many pages:`: a number, or null for an empty answer. */
async function askPages(): Promise<number | null> {
  let answer: string;
  try {
    answer = await input("How many pages:", "how many pages");
  } catch (error) {
    if (error instanceof UsageError && error.why === "the answer is empty") return null;
    throw error;
  }
  if (!/^[0-9]+$/.test(answer)) {
    throw new UsageError(`cannot use "${answer}" as how many pages`, "expected a whole number");
  }
  return Number(answer);
}

/**
 * The start URL as typed: absolute http(s), fragment dropped; at most
 * {@linkcode MAX_URL_LENGTH} characters when it is to be crawled (`limited`).
 */
function startUrl(text: string, limited = true): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `cannot use ${JSON.stringify(text)} as a URL`,
      "expected an absolute http:// or https:// URL",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(
      `cannot use ${JSON.stringify(text)} as a URL`,
      "expected an absolute http:// or https:// URL",
    );
  }
  url.hash = "";
  const href = normalizedUrl(url).href;
  if (limited && href.length > MAX_URL_LENGTH) {
    throw new UsageError(
      `cannot use a URL of ${href.length} characters`,
      `the crawl keeps URLs of at most ${MAX_URL_LENGTH}`,
    );
  }
  return href;
}

run("spider", async () => {
  const { values, positionals } = parseCommandLine(USAGE, {
    pages: { type: "string" },
    db: { type: "string" },
    delay: { type: "string" },
    "user-agent": { type: "string" },
    "ignore-robots": { type: "boolean" },
    "max-bytes": { type: "string" },
    order: { type: "string" },
    "max-depth": { type: "string" },
    why: { type: "string" },
    "max-per-host": { type: "string" },
    concurrency: { type: "string" },
    "per-host": { type: "string" },
    scope: { type: "string" },
    lease: { type: "string" },
    workers: { type: "string" },
    ...NET_OPTIONS,
  }, MAX_STARTS);
  if (values.why !== undefined) {
    if (positionals.length > 0) {
      throw new UsageError(
        "cannot parse the command line",
        "--why takes no other URL (see --help)",
      );
    }
    await why(values.why, values.db ?? DEFAULT_DB);
    return;
  }
  if (values.order !== undefined && values.order !== "breadth" && values.order !== "random") {
    throw new UsageError(
      `cannot use --order ${JSON.stringify(values.order)}`,
      "expected breadth or random",
    );
  }
  if (
    values.scope !== undefined && values.scope !== "prefix" && values.scope !== "host" &&
    values.scope !== "site"
  ) {
    throw new UsageError(
      `cannot use --scope ${JSON.stringify(values.scope)}`,
      "expected prefix, host or site",
    );
  }
  const whole = (flag: string, fallback: number, min: number) =>
    integerOption(
      flag,
      values[flag as keyof typeof values] as string | undefined,
      fallback,
      min,
      Number.MAX_SAFE_INTEGER,
    );
  const maxDepth = whole("max-depth", Number.MAX_SAFE_INTEGER, 0);
  const pages = values.pages === undefined ? null : whole("pages", 0, 1);
  const delay = secondsOption("delay", values.delay, 1, false);
  const lease = secondsOption("lease", values.lease, LEASE_MS / 1000);
  const maxBytes = whole("max-bytes", MAX_BYTES, 1);
  const userAgent = values["user-agent"] ?? USER_AGENT;
  if (userAgent.trim() === "" || /[\r\n]/.test(userAgent)) {
    throw new UsageError(
      `cannot use --user-agent ${JSON.stringify(userAgent)}`,
      "expected one line of text",
    );
  }
  const given = positionals.map((text) => startUrl(text));
  const path = values.db ?? DEFAULT_DB;
  let db: ReturnType<typeof createCrawlDb> | null = null;
  let frontier: Frontier;
  if (isPostgresUrl(path)) {
    frontier = await openPostgresFrontier(path, lease * 1000);
  } else {
    await requirePermission({ name: "read", path });
    await requirePermission({ name: "write", path });
    db = createCrawlDb(path);
    frontier = new SqliteFrontier(db, lease * 1000);
  }
  const workerCount = whole("workers", 1, 1) - 1;
  if (workerCount > 0) CrawlWorkers.check();
  let crawler: Crawler | null = null;
  let workers: CrawlWorkers | null = null;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    crawler?.close();
    await workers?.stop();
    await frontier.close();
    db?.close();
  };
  const stopped = onInterrupt(async () => {
    await stdout.print("\nProgram interrupted by user...\n");
    await close();
  });
  try {
    if (values["ignore-robots"] === true) {
      await frontier.setMeta("ignore_robots", new Date().toISOString());
    }
    // The scope is the crawl's: given once, kept for the runs that go on with it.
    const scope = (values.scope ?? await frontier.meta("scope") ?? "prefix") as Scope;
    if (values.scope !== undefined) await frontier.setMeta("scope", scope);
    const starts = given;
    if (starts.length === 0 && await frontier.hasTodo()) {
      await stdout.print(
        "Restarting existing crawl.  Remove spider.sqlite to start a fresh crawl.\n",
      );
    } else if (starts.length === 0) {
      let answer = "";
      try {
        answer = await input("Enter web url or enter: ", "a web url");
      } catch (error) {
        if (!(error instanceof UsageError && error.why === "the answer is empty")) throw error;
      }
      starts.push(answer === "" ? BOOK_WEB : startUrl(answer));
    }
    for (const start of starts) await frontier.addStart(webOf(start), start);
    const webs = await frontier.webs();
    await stdout.print(`${JSON.stringify(webs)}\n`);
    const options: CrawlOptions = {
      delay,
      userAgent,
      ignoreRobots: values["ignore-robots"] === true,
      maxBytes,
      connect: timeLimits(values),
      random: values.order === "random",
      maxDepth,
      maxPerHost: whole("max-per-host", Number.MAX_SAFE_INTEGER, 1),
      concurrency: whole("concurrency", CONCURRENCY, 1),
      perHost: whole("per-host", 1, 1),
      scope,
    };
    crawler = new Crawler(frontier, webs, options);
    if (workerCount > 0) {
      workers = new CrawlWorkers(workerCount, crawler.out);
    }
    let ending: Ending = "done";
    while (ending === "done") {
      const many = pages ?? await askPages();
      if (many === null) break;
      if (many < 1) continue;
      const budget = new Budget(many);
      const endings = await Promise.all([
        crawler.fetchPages(budget),
        ...workers?.run(budget, { path, leaseMs: lease * 1000, webs, options }) ?? [],
      ]);
      ending = endings.includes("done")
        ? "done"
        : endings.includes("waiting")
        ? "waiting"
        : "exhausted";
      if (pages !== null) break;
    }
    crawler.status.done();
    for (const counts of workers?.tallies() ?? []) crawler.tally.add(counts);
    if (ending !== "done") {
      await stdout.print("No unretrieved HTML pages found\n");
      const deeper = await frontier.markDeeper(maxDepth);
      if (deeper > 0) {
        writeErr(`spider: ${deeper} page(s) lie deeper than --max-depth ${maxDepth}\n`);
      }
    }
    // What was printed is out before the summary (a reader gone ends the run here, quietly).
    await stdout.flush();
    const left = await frontier.left();
    if (ending !== "done" && left.waiting > 0) {
      writeErr(
        `spider: ${left.waiting} page(s) wait for their host until ${
          new Date(left.until!).toISOString()
        } (see PageFacts.reason)\n`,
      );
    }
    writeErr(crawler.tally.summary(left.todo));
  } finally {
    stopped();
    await close();
  }
});
