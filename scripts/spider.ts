#!/usr/bin/env -S deno run --allow-net=www.dr-chuck.com:80 --allow-read=spider.sqlite --allow-write=spider.sqlite
// Copyright netprog authors. MIT license.

/**
 * spider: the book's `pagerank/spider.py`, polite and crash-safe. Crawls a
 * web (the start URL, or its folder when it ends in `.htm` or `.html`) into
 * the crawl database, one page at a time, and stores each page's HTML and
 * the links between the pages of the web, for sprank, spdump and spjson.
 *
 *     deno run --allow-net=www.dr-chuck.com:80 --allow-read=spider.sqlite --allow-write=spider.sqlite scripts/spider.ts [URL ...] [--pages N] [options]
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
 * Permissions:
 * - `--allow-net=www.dr-chuck.com:80`: the book's web (its robots.txt
 *   included). For another web, allow its host and port instead.
 * - `--allow-read=spider.sqlite`, `--allow-write=spider.sqlite`: the crawl
 *   database (SQLite makes its `-wal` and `-shm` files beside it without
 *   asking Deno). With `--db PATH`, allow that path instead.
 *
 * @module
 */

import robotsModule from "robots-parser";
import { extractLinksDom, parseUrlTarget, type ResponseHead } from "../mod.ts";
import {
  integerOption,
  NET_HELP,
  NET_OPTIONS,
  parseCommandLine,
  secondsOption,
  timeLimits,
} from "./lib/args.ts";
import { type ConnectOptions, endpoint, networkFailure } from "./lib/conn.ts";
import { createCrawlDb, DEFAULT_DB, openCrawlDb } from "./lib/crawl_db.ts";
import { crawlUrl, inScope, normalizedUrl, type Scope, webOf } from "./lib/crawl_scope.ts";
import {
  type Claim,
  type Frontier,
  LEASE_MS,
  type PageResult,
  SqliteFrontier,
} from "./lib/frontier.ts";
import { parseHtml } from "./lib/dom.ts";
import { RunError, UsageError } from "./lib/errors.ts";
import { HttpClient } from "./lib/http_client.ts";
import {
  describeError,
  firstLine,
  isPermissionError,
  onInterrupt,
  requirePermission,
  run,
} from "./lib/run.ts";
import type { BodySink } from "./lib/sinks.ts";
import { input, stdout, writeErr } from "./lib/stdio.ts";
import { StatusLine } from "./lib/progress.ts";

/** What robots-parser gives for a robots.txt (its own types do not reach Deno's checker). */
interface Robots {
  isAllowed(url: string, ua?: string): boolean | undefined;
  getMatchingLineNumber(url: string, ua?: string): number;
  getCrawlDelay(ua?: string): number | undefined;
}
const robotsParser = robotsModule as unknown as (url: string, text: string) => Robots;

const BOOK_WEB = "http://www.dr-chuck.com/";
const USER_AGENT = "netprog/0.2 (spider)";
const MAX_BYTES = 5 * 1024 * 1024;
const ROBOTS_MAX_BYTES = 500 * 1024;
const MAX_CRAWL_DELAY = 60;
const MAX_REDIRECTS = 5;
/** How long a robots.txt is kept. */
const ROBOTS_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a page waits when its host's robots.txt could not be read. */
const ROBOTS_RETRY_MS = 10 * 60 * 1000;
/** The longest Retry-After obeyed. */
const RETRY_AFTER_CAP_MS = 24 * 60 * 60 * 1000;
/** The longest wait for a host within a run; a longer one ends the run. */
const MAX_WAIT_MS = 60 * 1000;
/** How many times a failure that may pass is tried again. */
const RETRIES = 3;
/** The first wait before trying again; each next one doubles (with jitter: half to all of it). */
const BACKOFF_MS = 1000;
/** The statuses that may pass. */
const TRANSIENT = new Set([500, 502, 503, 504]);
/** The statuses of a redirect. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** The most start URLs on one command line. */
const MAX_STARTS = 100;
/** Hosts fetched from at once, by default. */
const CONCURRENCY = 8;

const USAGE =
  `Usage: deno run --allow-net=www.dr-chuck.com:80 --allow-read=spider.sqlite --allow-write=spider.sqlite scripts/spider.ts [URL ...] [--pages N] [options]

Crawls a web into the crawl database, as the book's spider.py: with no URL
and no crawl in progress it asks "Enter web url or enter: " (empty: the book's
${BOOK_WEB}); then it asks "How many pages:" until an empty answer. A
start URL ending in .htm or .html makes its folder the web; several start
URLs make several webs. Obeys robots.txt and waits between requests to a
host. Allow the web's host with --allow-net.

Options:
  --pages N                  crawl N pages, then stop (no question)
  --db PATH                  the crawl database (default ${DEFAULT_DB}); allow
                             its path with --allow-read and --allow-write
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
  --lease SECONDS            how long a page taken by a spider that stopped
                             answering (killed) stays taken (default ${LEASE_MS / 1000})
  --why URL                  say what the crawl did with URL, and why; fetch
                             nothing
  --max-bytes N              cut a page's body after N bytes (default ${MAX_BYTES})
${NET_HELP}  -h, --help                 print this help
`;

/** Why a fetch ended before its body was read: the answer is recorded as it is. */
class Unread extends Error {
  constructor(readonly head: ResponseHead, readonly kind: "status" | "type") {
    super(kind);
  }
}

/** A body kept in memory up to a limit; past it, the rest is never read. */
class LimitedSink implements BodySink {
  chunks: Uint8Array[] = [];
  size = 0;
  truncated = false;
  constructor(readonly limit: number) {}
  write(views: readonly Uint8Array[]): Promise<void> {
    for (const view of views) {
      const room = this.limit - this.size;
      if (view.length > room) {
        this.chunks.push(view.slice(0, room));
        this.size += room;
        this.truncated = true;
        return Promise.reject(new Full());
      }
      this.chunks.push(view.slice());
      this.size += view.length;
    }
    return Promise.resolve();
  }
  bytes(): Uint8Array {
    const all = new Uint8Array(this.size);
    let at = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all;
  }
}

/** The body reached its limit: what was read is kept. */
class Full extends Error {}

/** `text/html; charset=x` → `text/html`, as Python's `get_content_type()` (default text/plain). */
function mediaType(head: ResponseHead): string {
  const value = head.headers.get("content-type");
  if (value === null) return "text/plain";
  const type = value.split(";")[0].trim().toLowerCase();
  return /^[^/\s]+\/[^/\s]+$/.test(type) ? type : "text/plain";
}

/** The charset of a Content-Type, when TextDecoder knows it; UTF-8 otherwise. */
function decoderFor(head: ResponseHead): TextDecoder {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(head.headers.get("content-type") ?? "");
  try {
    if (match) return new TextDecoder(match[1]);
  } catch { /* an unknown charset: UTF-8 */ }
  return new TextDecoder();
}

/**
 * When a 429 or 503 answer asks to come back (its `Retry-After`, in seconds
 * or as a date, capped at a day), in ms since 1970; null for another answer.
 */
function retryAfter(head: ResponseHead): number | null {
  if (head.status !== 429 && head.status !== 503) return null;
  const value = head.headers.get("retry-after")?.trim();
  if (value === undefined || value === "") return null;
  const at = /^[0-9]+$/.test(value) ? Date.now() + Number(value) * 1000 : Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(at, Date.now()), Date.now() + RETRY_AFTER_CAP_MS);
}

/** The robots rules of one origin, and how long to wait between its requests. */
interface HostRules {
  allows(url: string): { allowed: true } | { allowed: false; why: string };
  /** Crawl-delay in seconds (capped), or 0. */
  crawlDelay: number;
  /** When set, the host's pages wait until this time (ms): robots.txt unavailable. */
  waitUntil?: number;
  waitWhy?: string;
}

/** What one run has done so far, for the progress line and the summary. */
class Tally {
  readonly started = performance.now();
  pages = 0;
  html = 0;
  notHtml = 0;
  errors = 0;
  failed = 0;
  skipped = 0;
  readonly statuses = new Map<number, number>();

  status(code: number): void {
    this.statuses.set(code, (this.statuses.get(code) ?? 0) + 1);
  }

  rate(): number {
    const seconds = (performance.now() - this.started) / 1000;
    return seconds > 0 ? this.pages / seconds : 0;
  }

  /** `12 pages, 4.0 pages/s` and the statuses seen: `200: 10, 404: 2`. */
  line(): string {
    const statuses = [...this.statuses].sort(([a], [b]) => a - b)
      .map(([code, n]) => `${code}: ${n}`).join(", ");
    return `${this.pages} page(s), ${this.rate().toFixed(1)} pages/s` +
      (statuses === "" ? "" : ` (${statuses})`);
  }

  summary(left: number): string {
    const seconds = (performance.now() - this.started) / 1000;
    return `spider: ${this.pages} page(s) requested in ${seconds.toFixed(1)} s ` +
      `(${this.rate().toFixed(1)} pages/s): ${this.html} HTML, ${this.notHtml} not HTML, ` +
      `${this.errors} error status, ${this.failed} failed, ${this.skipped} not fetched; ` +
      `${left} left to fetch\n`;
  }
}

/** How a run of the crawl ended. */
type Ending = "done" | "exhausted" | "waiting";

class Spider {
  readonly rules = new Map<string, Promise<HostRules>>();
  readonly lastRequest = new Map<string, number>();
  /** Pages requested so far on each origin (from the database, then counted). */
  readonly requested = new Map<string, number>();
  readonly tally = new Tally();
  readonly status = new StatusLine();
  /** A client a request in flight: each keeps its own connection. */
  readonly clients: HttpClient[] = [];
  stopped = false;
  constructor(
    readonly frontier: Frontier,
    readonly webs: string[],
    readonly options: {
      delay: number;
      userAgent: string;
      ignoreRobots: boolean;
      maxBytes: number;
      connect: ConnectOptions;
      random: boolean;
      maxDepth: number;
      maxPerHost: number;
      concurrency: number;
      perHost: number;
      scope: Scope;
    },
  ) {}

  get token(): string {
    return this.options.userAgent.split(/[\s/]/)[0] || this.options.userAgent;
  }

  close(): void {
    this.stopped = true;
    for (const client of this.clients) client.close();
    this.status.done();
  }

  /** Waits until a request to `origin` may start, then runs it and notes when it ended. */
  async politely<T>(origin: string, delaySeconds: number, request: () => Promise<T>): Promise<T> {
    const last = this.lastRequest.get(origin);
    if (last !== undefined) {
      const wait = last + delaySeconds * 1000 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    try {
      return await request();
    } finally {
      this.lastRequest.set(origin, Date.now());
    }
  }

  headers(): [string, string][] {
    return [["User-Agent", this.options.userAgent]];
  }

  /** The rules of `origin`, fetched once a run (and kept a day in the database). */
  rulesFor(origin: string, client: HttpClient): Promise<HostRules> {
    let rules = this.rules.get(origin);
    if (rules === undefined) {
      rules = this.readRules(origin, client);
      this.rules.set(origin, rules);
    }
    return rules;
  }

  async readRules(origin: string, client: HttpClient): Promise<HostRules> {
    const robotsUrl = `${origin}/robots.txt`;
    let status: number;
    let body = "";
    const row = await this.frontier.robots(origin);
    if (
      row !== null && row.fetchedAt > Date.now() - ROBOTS_TTL_MS && row.status > 0 &&
      row.status < 500
    ) {
      status = row.status;
      body = row.body;
    } else {
      const sink = new LimitedSink(ROBOTS_MAX_BYTES);
      try {
        const result = await this.politely(
          origin,
          this.options.delay,
          () =>
            client.get(robotsUrl, {
              follow: true,
              maxRedirects: MAX_REDIRECTS,
              headers: this.headers(),
              // Only a 2xx body is read; of another answer, the status is enough.
              sinkFor: (head) => {
                if (head.status >= 200 && head.status < 300) return sink;
                throw new Unread(head, "status");
              },
            }).catch((error) => {
              if (error instanceof Full) return 200;
              if (error instanceof Unread) return error.head.status;
              throw error;
            }),
        );
        status = typeof result === "number" ? result : result.head.status;
        body = new TextDecoder().decode(sink.bytes());
      } catch (error) {
        client.close();
        status = 0;
        body = isPermissionError(error) ? describeError(error)[0] : networkFailure(error);
      }
      await this.frontier.saveRobots(origin, status, body);
    }
    if (status >= 200 && status < 300) {
      const robots = robotsParser(robotsUrl, body);
      const token = this.token;
      let crawlDelay = Number(robots.getCrawlDelay(token) ?? 0) || 0;
      if (crawlDelay > MAX_CRAWL_DELAY) {
        writeErr(
          `spider: ${robotsUrl} asks for a Crawl-delay of ${crawlDelay} s; waiting ${MAX_CRAWL_DELAY} s\n`,
        );
        crawlDelay = MAX_CRAWL_DELAY;
      }
      return {
        crawlDelay,
        allows: (url) => {
          if (robots.isAllowed(url, token) !== false) return { allowed: true };
          const line = robots.getMatchingLineNumber(url, token);
          return {
            allowed: false,
            why: `disallowed by ${robotsUrl}${line > 0 ? ` (line ${line})` : ""}`,
          };
        },
      };
    }
    if (status >= 400 && status < 500) return { crawlDelay: 0, allows: () => ({ allowed: true }) };
    const why = status === 0
      ? `${robotsUrl} could not be reached (${body}); the host is not crawled for now`
      : `${robotsUrl} answered ${status}; the host is not crawled for now`;
    return {
      crawlDelay: 0,
      waitUntil: Date.now() + ROBOTS_RETRY_MS,
      waitWhy: why,
      allows: () => ({ allowed: false, why }),
    };
  }

  /**
   * Fetches up to `many` pages, several hosts at once; says how it ended:
   * `done` (that many), `exhausted` (no page left), `waiting` (the pages
   * left wait longer than a minute).
   */
  async fetchPages(many: number): Promise<Ending> {
    const tasks = new Set<Promise<void>>();
    const hosts = new Map<string, number>();
    const slots = this.options.concurrency * this.options.perHost;
    let counted = 0;
    let failure: { error: unknown } | null = null;
    while (!this.stopped) {
      while (counted + tasks.size < many && tasks.size < slots && failure === null) {
        const claim = await this.frontier.claim({
          perHost: this.options.perHost,
          maxDepth: this.options.maxDepth,
          random: this.options.random,
          delayMs: this.options.delay * 1000,
          only: hosts.size >= this.options.concurrency ? [...hosts.keys()] : undefined,
        });
        if (claim === null) break;
        hosts.set(claim.origin, (hosts.get(claim.origin) ?? 0) + 1);
        const client = this.clients.pop() ?? new HttpClient(this.options.connect);
        const task: Promise<void> = this.crawl(claim, client).then(
          (fetched) => void (fetched && counted++),
          (error) => void (failure ??= { error }),
        ).finally(() => {
          tasks.delete(task);
          this.clients.push(client);
          const left = hosts.get(claim.origin)! - 1;
          if (left === 0) hosts.delete(claim.origin);
          else hosts.set(claim.origin, left);
          this.status.show(() => this.statusLine(hosts.size));
        });
        tasks.add(task);
      }
      if (failure !== null) {
        await Promise.allSettled(tasks);
        throw (failure as { error: unknown }).error;
      }
      if (tasks.size > 0) {
        // Another worker may free a host at any time: with room for more, look again now and then.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const waits: Promise<unknown>[] = [...tasks];
        if (tasks.size < slots && counted + tasks.size < many) {
          waits.push(new Promise((resolve) => timer = setTimeout(resolve, 100)));
        }
        await Promise.race(waits);
        clearTimeout(timer);
        continue;
      }
      if (counted >= many) return "done";
      const wake = await this.frontier.nextWake(this.options.maxDepth);
      if (wake === null) return "exhausted";
      const wait = wake - Date.now();
      if (wait > MAX_WAIT_MS) return "waiting";
      this.status.show(() => this.statusLine(0));
      await sleep(Math.max(wait, 20));
    }
    return "done";
  }

  statusLine(hostsBusy: number): string {
    return `spider: ${this.tally.line()}, ${hostsBusy} host(s) busy`;
  }

  /**
   * After a failure that may pass: when the page has failed so at most
   * {@linkcode RETRIES} times, it is put back to wait (exponential back-off
   * with jitter) and true is returned; otherwise false, for the caller to
   * store the failure.
   */
  async retryLater(
    claim: Claim,
    facts: PageResult & { reason: string },
    nextAt: number,
  ): Promise<boolean> {
    const failures = await this.frontier.attempts(claim.id) + 1;
    if (failures > RETRIES) {
      facts.attempts = failures;
      return false;
    }
    const wait = Math.round(BACKOFF_MS * 2 ** (failures - 1) * (0.5 + Math.random() / 2));
    await this.frontier.storeFailure(claim, null, {
      ...facts,
      reason:
        `${facts.reason} (failure ${failures}; tried again after ${wait} ms, at most ${RETRIES} times)`,
      retryAt: Date.now() + wait,
      attempts: failures,
    }, nextAt);
    return true;
  }

  /**
   * Fetches one page, stores what came of it, and prints its line; false
   * when it was not requested (robots.txt, the per-host cap, a host not
   * allowed).
   */
  async crawl(claim: Claim, client: HttpClient): Promise<boolean> {
    const { id, url, origin } = claim;
    let host: string;
    try {
      host = endpoint(parseUrlTarget(url));
    } catch (error) {
      await stdout.print(`${id} ${url} Unable to retrieve or parse page\n`);
      this.tally.failed++;
      await this.frontier.storeFailure(claim, -1, {
        reason: `not a URL to fetch: ${firstLine(error)}`,
      });
      return true;
    }
    const skip = async (why: string, retryAt?: number) => {
      writeErr(`spider: not fetching ${url}: ${why}\n`);
      this.tally.skipped++;
      if (retryAt !== undefined) {
        await this.frontier.storeFailure(claim, null, { reason: why, retryAt });
      } else {
        await this.frontier.storeFailure(claim, -2, { reason: why });
      }
      return false;
    };
    // A start page's host must be allowed (the run stops and names the flag); another page of a
    // host that is not is left with its reason, as is a redirect to one.
    if (claim.depth === 0) await requirePermission({ name: "net", host });
    else if (Deno.permissions.querySync({ name: "net", host }).state !== "granted") {
      return await skip(`--allow-net does not include ${host}`);
    }
    const requested = this.requested.get(origin) ?? await this.frontier.requestedOn(origin);
    this.requested.set(origin, requested);
    if (requested >= this.options.maxPerHost) {
      return await skip(
        `over --max-per-host ${this.options.maxPerHost}: ${requested} pages of ${origin}`,
      );
    }
    let delay = this.options.delay;
    if (!this.options.ignoreRobots) {
      const rules = await this.rulesFor(origin, client);
      const verdict = rules.allows(url);
      if (!verdict.allowed) return await skip(verdict.why, rules.waitUntil);
      delay = Math.max(delay, rules.crawlDelay);
    }
    this.requested.set(origin, (this.requested.get(origin) ?? 0) + 1);
    this.tally.pages++;
    const line = `${id} ${url} `;
    const sink = new LimitedSink(this.options.maxBytes);
    const hops: { url: string; status: number }[] = [];
    let head: ResponseHead;
    let finalUrl = url;
    try {
      const result = await this.politely(origin, delay, () =>
        client.get(url, {
          follow: true,
          maxRedirects: MAX_REDIRECTS,
          headers: this.headers(),
          sinkFor: (head, at) => {
            finalUrl = at;
            if (head.status !== 200) throw new Unread(head, "status");
            if (mediaType(head) !== "text/html") throw new Unread(head, "type");
            return sink;
          },
          onHead: (h, at) => {
            head = h;
            if (REDIRECTS.has(h.status) && h.headers.has("location")) {
              hops.push({ url: at, status: h.status });
            }
          },
        }).catch((error) => {
          if (error instanceof Full) return null;
          throw error;
        }));
      if (result === null) client.close();
      head = result?.head ?? head!;
      if (result !== null) finalUrl = result.url;
    } catch (error) {
      const nextAt = Date.now() + delay * 1000;
      if (error instanceof Unread) {
        this.tally.status(error.head.status);
        const facts = { status: error.head.status, type: mediaType(error.head), finalUrl };
        const until = retryAfter(error.head);
        if (until !== null) {
          // The host asks us to wait: the page stays to fetch, and the host rests until then.
          await stdout.print(`${line}Error on page:  ${error.head.status}\n`);
          this.tally.errors++;
          const reason = `HTTP ${error.head.status} with Retry-After: ${
            error.head.headers.get("retry-after")
          }`;
          writeErr(
            `spider: ${origin} asks to wait until ${new Date(until).toISOString()} (${reason})\n`,
          );
          await this.frontier.blockHost(origin, until, reason);
          await this.frontier.storeFailure(
            claim,
            null,
            { ...facts, reason, retryAt: until },
            nextAt,
          );
        } else if (error.kind === "status") {
          await stdout.print(`${line}Error on page:  ${error.head.status}\n`);
          this.tally.errors++;
          const reason = `HTTP ${error.head.status} ${error.head.reason}`.trim();
          const facts2 = { ...facts, reason };
          if (
            !TRANSIENT.has(error.head.status) || !await this.retryLater(claim, facts2, nextAt)
          ) {
            await this.frontier.storeFailure(claim, error.head.status, facts2, nextAt);
          }
        } else {
          await stdout.print(`${line}Ignore non text/html page\n`);
          this.tally.notHtml++;
          await this.frontier.storeFailure(
            claim,
            0,
            { ...facts, reason: `not HTML: ${facts.type}` },
            nextAt,
          );
        }
        return true;
      }
      client.close();
      const why = error instanceof RunError
        ? error.message
        : isPermissionError(error)
        ? `redirected to a host not allowed: ${describeError(error)[0]}`
        : networkFailure(error);
      await stdout.print(`${line}Unable to retrieve or parse page\n`);
      this.tally.failed++;
      writeErr(`spider: cannot retrieve ${url}: ${firstLine(why)}\n`);
      // A failure of the network may pass; a redirect that cannot be followed will not.
      const lasting = isPermissionError(error) ||
        (error instanceof RunError && error.what.startsWith("cannot follow the redirect"));
      const facts: PageResult & { reason: string } = { reason: firstLine(why) };
      if (lasting || !await this.retryLater(claim, facts, nextAt)) {
        await this.frontier.storeFailure(claim, -1, facts, nextAt);
      }
      return true;
    }
    this.tally.status(head.status);
    const bytes = sink.bytes();
    const html = decoderFor(head).decode(bytes);
    let links: string[];
    try {
      const document = parseHtml(html);
      const base = document.querySelector("base[href]")?.getAttribute("href");
      let baseUrl = finalUrl;
      if (base) {
        try {
          baseUrl = new URL(base, finalUrl).href;
        } catch { /* a bad base: the page's URL */ }
      }
      links = extractLinksDom(document, { baseUrl }).flatMap((href) => {
        if (href === null) return [];
        const link = crawlUrl(href);
        return link !== null && inScope(link, this.webs, this.options.scope) ? [link] : [];
      });
    } catch (error) {
      await stdout.print(`${line}Unable to retrieve or parse page\n`);
      this.tally.failed++;
      await this.frontier.storeFailure(claim, -1, { reason: `cannot parse: ${firstLine(error)}` });
      return true;
    }
    const stored = crawlUrl(finalUrl);
    await this.frontier.storePage(claim, {
      html,
      links,
      status: head.status,
      type: mediaType(head),
      finalUrl: stored ?? finalUrl,
      bytes: bytes.length,
      truncated: sink.truncated,
      reason: sink.truncated ? `cut at --max-bytes ${this.options.maxBytes}` : undefined,
      redirects: hops.flatMap((hop) => {
        const key = crawlUrl(hop.url);
        return key === null ? [] : [{ url: key, status: hop.status }];
      }),
      finalInScope: stored !== null && stored !== url &&
        inScope(stored, this.webs, this.options.scope),
    }, Date.now() + delay * 1000);
    this.tally.html++;
    await stdout.print(`${line}(${bytes.length}) ${links.length}\n`);
    return true;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `--why URL`: what the crawl database says of a URL, in one line. */
async function why(text: string, path: string): Promise<void> {
  await requirePermission({ name: "read", path });
  const url = startUrl(text);
  const db = openCrawlDb(path, true);
  try {
    const row = db.prepare(
      `SELECT id, html IS NOT NULL AS stored, error, depth, status, content_type, final_url, bytes,
         truncated, reason, retry_at, leased_until
       FROM Pages LEFT JOIN PageFacts ON page_id = id WHERE url = ?`,
    ).get(url);
    let line: string;
    if (row === undefined) {
      const webs = db.prepare("SELECT url FROM Webs").all().map((web) => String(web.url));
      line = webs.some((web) => url.startsWith(web))
        ? "not in the crawl: no page retrieved so far links to it"
        : `not in the crawl: outside the webs ${JSON.stringify(webs)}`;
    } else {
      const depth = row.depth === null ? "" : `, depth ${row.depth}`;
      const answer = row.status === null
        ? ""
        : `: ${row.status} ${row.content_type ?? ""}`.trimEnd();
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
  } finally {
    db.close();
  }
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

/** The start URL as typed: absolute http(s), fragment dropped. */
function startUrl(text: string): string {
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
  return normalizedUrl(url).href;
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
  const given = positionals.map(startUrl);
  const path = values.db ?? DEFAULT_DB;
  await requirePermission({ name: "read", path });
  await requirePermission({ name: "write", path });
  const db = createCrawlDb(path);
  const frontier = new SqliteFrontier(db, lease * 1000);
  let spider: Spider | null = null;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    spider?.close();
    frontier.close();
    db.close();
  };
  const stopped = onInterrupt(async () => {
    await stdout.print("\nProgram interrupted by user...\n");
    close();
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
    spider = new Spider(frontier, webs, {
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
    });
    let ending: Ending = "done";
    while (ending === "done") {
      const many = pages ?? await askPages();
      if (many === null) break;
      if (many < 1) continue;
      ending = await spider.fetchPages(many);
      if (pages !== null) break;
    }
    spider.status.done();
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
    writeErr(spider.tally.summary(left.todo));
  } finally {
    stopped();
    close();
  }
});
