#!/usr/bin/env -S deno run --allow-net=www.dr-chuck.com:80 --allow-read=spider.sqlite --allow-write=spider.sqlite
// Copyright netprog authors. MIT license.

/**
 * spider: the book's `pagerank/spider.py`, polite and crash-safe. Crawls a
 * web (the start URL, or its folder when it ends in `.htm` or `.html`) into
 * the crawl database, one page at a time, and stores each page's HTML and
 * the links between the pages of the web, for sprank, spdump and spjson.
 *
 *     deno run --allow-net=www.dr-chuck.com:80 --allow-read=spider.sqlite --allow-write=spider.sqlite scripts/spider.ts [URL] [--pages N] [options]
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
 *   stored is never fetched again. One spider works on a database at a
 *   time: a new run releases the leases of the one before.
 * - Every page not fetched has its reason in `PageFacts.reason`; HTTP status,
 *   Content-Type, depth and final URL are there too (see crawl_db.ts).
 *   `--why URL` says in one line what the crawl did with a URL, and why.
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

import type { DatabaseSync } from "node:sqlite";
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
import { createCrawlDb, DEFAULT_DB, openCrawlDb, transaction } from "./lib/crawl_db.ts";
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
/** How long a lease on a page lasts. */
const LEASE_MS = 5 * 60 * 1000;

const USAGE =
  `Usage: deno run --allow-net=www.dr-chuck.com:80 --allow-read=spider.sqlite --allow-write=spider.sqlite scripts/spider.ts [URL] [--pages N] [options]

Crawls a web into the crawl database, as the book's spider.py: with no URL
and no crawl in progress it asks "Enter web url or enter: " (empty: the book's
${BOOK_WEB}); then it asks "How many pages:" until an empty answer. A
start URL ending in .htm or .html makes its folder the web. Obeys robots.txt
and waits between requests to a host. Allow the web's host with --allow-net.

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

/**
 * A URL with its percent-encoding normalized as RFC 3986 (6.2.2) allows:
 * an encoded unreserved character (`%7E`, `%61`) decoded, the hex digits of
 * the others in upper case (`%2f` → `%2F`); so that two spellings of one URL
 * are one page. Scheme and host are already in lower case, the default port
 * dropped (the WHATWG parser does that).
 */
function normalized(url: URL): URL {
  const rest = url.href.slice(url.origin.length).replace(/%([0-9a-fA-F]{2})/g, (_, hex) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return /^[A-Za-z0-9\-._~]$/.test(char) ? char : `%${hex.toUpperCase()}`;
  });
  return new URL(url.origin + rest);
}

/** A link's URL as stored: absolute, no fragment; null for what the crawl never follows. */
function crawlUrl(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  url.hash = "";
  url = normalized(url);
  const path = url.pathname.toLowerCase();
  // Images, by extension, as the book skips them.
  if (path.endsWith(".png") || path.endsWith(".jpg") || path.endsWith(".gif")) return null;
  return url.href;
}

/** The web of a start URL: its folder when it names a .htm or .html page. */
function webOf(start: string): string {
  const path = new URL(start).pathname;
  if (path.endsWith(".htm") || path.endsWith(".html")) {
    return start.slice(0, start.lastIndexOf("/") + 1);
  }
  return start;
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

class Spider {
  readonly client: HttpClient;
  readonly rules = new Map<string, HostRules>();
  readonly lastRequest = new Map<string, number>();
  /** Pages requested so far on each origin (from the database, then counted). */
  readonly requested = new Map<string, number>();
  constructor(
    readonly db: DatabaseSync,
    readonly options: {
      delay: number;
      userAgent: string;
      ignoreRobots: boolean;
      maxBytes: number;
      connect: ConnectOptions;
      random: boolean;
      maxDepth: number;
      maxPerHost: number;
    },
  ) {
    this.client = new HttpClient(options.connect);
  }

  get token(): string {
    return this.options.userAgent.split(/[\s/]/)[0] || this.options.userAgent;
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

  /** The rules of `origin`: from the database when fetched within a day, else fetched. */
  async rulesFor(origin: string): Promise<HostRules> {
    const known = this.rules.get(origin);
    if (known !== undefined) return known;
    const robotsUrl = `${origin}/robots.txt`;
    let status: number;
    let body = "";
    const row = this.db.prepare("SELECT status, body, fetched_at FROM Robots WHERE origin = ?")
      .get(origin);
    if (
      row !== undefined && Number(row.fetched_at) > Date.now() - ROBOTS_TTL_MS &&
      Number(row.status) > 0 && Number(row.status) < 500
    ) {
      status = Number(row.status);
      body = String(row.body ?? "");
    } else {
      const sink = new LimitedSink(ROBOTS_MAX_BYTES);
      try {
        const result = await this.politely(
          origin,
          this.options.delay,
          () =>
            this.client.get(robotsUrl, {
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
        this.client.close();
        status = 0;
        body = isPermissionError(error) ? describeError(error)[0] : networkFailure(error);
      }
      transaction(this.db, () => {
        this.db.prepare(
          `INSERT INTO Robots (origin, status, body, fetched_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (origin) DO UPDATE SET status = excluded.status, body = excluded.body,
             fetched_at = excluded.fetched_at`,
        ).run(origin, status, body, Date.now());
      });
    }
    let rules: HostRules;
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
      rules = {
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
    } else if (status >= 400 && status < 500) {
      rules = { crawlDelay: 0, allows: () => ({ allowed: true }) };
    } else {
      const why = status === 0
        ? `${robotsUrl} could not be reached (${body}); the host is not crawled for now`
        : `${robotsUrl} answered ${status}; the host is not crawled for now`;
      rules = {
        crawlDelay: 0,
        waitUntil: Date.now() + ROBOTS_RETRY_MS,
        waitWhy: why,
        allows: () => ({ allowed: false, why }),
      };
    }
    this.rules.set(origin, rules);
    return rules;
  }

  /** Takes the next page to fetch (one transaction: a lease), or null when none is left. */
  take(): { id: number; url: string; depth: number } | null {
    return transaction(this.db, () => {
      const now = Date.now();
      const row = this.db.prepare(
        `SELECT id, url, COALESCE(depth, 0) AS depth FROM Pages LEFT JOIN PageFacts ON page_id = id
         WHERE html IS NULL AND error IS NULL AND COALESCE(depth, 0) <= ?
           AND (retry_at IS NULL OR retry_at <= ?) AND (leased_until IS NULL OR leased_until <= ?)
           AND NOT EXISTS (SELECT 1 FROM Hosts WHERE blocked_until > ?
             AND substr(url, 1, length(origin) + 1) = origin || '/')
         ORDER BY ${this.options.random ? "RANDOM()" : "COALESCE(depth, 0), id"} LIMIT 1`,
      ).get(this.options.maxDepth, now, now, now);
      if (row === undefined) return null;
      const id = Number(row.id);
      this.db.prepare(
        `INSERT INTO PageFacts (page_id, depth, leased_until) VALUES (?, ?, ?)
         ON CONFLICT (page_id) DO UPDATE SET leased_until = excluded.leased_until`,
      ).run(id, Number(row.depth), now + LEASE_MS);
      return { id, url: String(row.url), depth: Number(row.depth) };
    });
  }

  /**
   * With nothing to take but pages that wait (their host asked to, or they
   * failed in a way that may pass) for a minute or less: waits for the first
   * of them, then says so (true).
   */
  async waitForRetry(): Promise<boolean> {
    const now = Date.now();
    const host = this.db.prepare(
      `SELECT MIN(blocked_until) AS at FROM Hosts WHERE blocked_until > ? AND EXISTS
         (SELECT 1 FROM Pages WHERE html IS NULL AND error IS NULL
            AND substr(url, 1, length(origin) + 1) = origin || '/')`,
    ).get(now);
    const page = this.db.prepare(
      `SELECT MIN(retry_at) AS at FROM Pages JOIN PageFacts ON page_id = id
       WHERE html IS NULL AND error IS NULL AND retry_at > ? AND COALESCE(depth, 0) <= ?`,
    ).get(now, this.options.maxDepth);
    const times = [host?.at, page?.at].filter((at) => at !== null && at !== undefined);
    const at = times.length === 0 ? NaN : Math.min(...times.map(Number));
    if (!(at - now <= MAX_WAIT_MS)) return false;
    await new Promise((resolve) => setTimeout(resolve, at - now));
    return true;
  }

  /**
   * After a failure that may pass: when the page has failed so at most
   * {@linkcode RETRIES} times, it waits (exponential back-off with jitter) and
   * true is returned; otherwise its count of failures is stored and false
   * returned, for the caller to store the failure.
   */
  retryLater(id: number, facts: { status?: number; type?: string; reason: string }): boolean {
    const row = this.db.prepare("SELECT attempts FROM PageFacts WHERE page_id = ?").get(id);
    const failures = Number(row?.attempts ?? 0) + 1;
    if (failures > RETRIES) {
      this.storeFailure(id, null, { ...facts, attempts: failures });
      return false;
    }
    const wait = Math.round(BACKOFF_MS * 2 ** (failures - 1) * (0.5 + Math.random() / 2));
    this.storeFailure(id, null, {
      ...facts,
      reason:
        `${facts.reason} (failure ${failures}; tried again after ${wait} ms, at most ${RETRIES} times)`,
      retryAt: Date.now() + wait,
      attempts: failures,
    });
    return true;
  }

  /** Stores facts of a page that ends without HTML (one transaction). */
  storeFailure(
    id: number,
    error: number | null,
    facts: {
      status?: number;
      type?: string;
      finalUrl?: string;
      reason?: string;
      retryAt?: number;
      attempts?: number;
    },
  ): void {
    transaction(this.db, () => {
      if (error !== null) this.db.prepare("UPDATE Pages SET error = ? WHERE id = ?").run(error, id);
      this.db.prepare(
        `UPDATE PageFacts SET status = ?, content_type = ?, final_url = ?, reason = ?,
           retry_at = ?, leased_until = NULL, fetched_at = ?, attempts = COALESCE(?, attempts)
         WHERE page_id = ?`,
      ).run(
        facts.status ?? null,
        facts.type ?? null,
        facts.finalUrl ?? null,
        facts.reason ?? null,
        facts.retryAt ?? null,
        Date.now(),
        facts.attempts ?? null,
        id,
      );
    });
  }

  /**
   * Fetches one page, stores what came of it, and prints its line; false
   * when it was not requested (robots.txt).
   */
  async crawl(page: { id: number; url: string; depth: number }, webs: string[]): Promise<boolean> {
    const { id, url } = page;
    let origin: string;
    let host: string;
    try {
      origin = new URL(url).origin;
      host = endpoint(parseUrlTarget(url));
    } catch (error) {
      await stdout.print(`${id} ${url} Unable to retrieve or parse page\n`);
      this.storeFailure(id, -1, { reason: `not a URL to fetch: ${firstLine(error)}` });
      return true;
    }
    // The page's own host must be allowed (the run stops and names the flag); a redirect to a
    // host that is not is the result of that page only.
    await requirePermission({ name: "net", host });
    const requested = this.requested.get(origin) ?? Number(
      this.db.prepare(
        `SELECT COUNT(*) AS n FROM Pages WHERE substr(url, 1, ?) = ?
           AND (html IS NOT NULL OR (error IS NOT NULL AND error != -2))`,
      ).get(origin.length + 1, `${origin}/`)!.n,
    );
    this.requested.set(origin, requested);
    if (requested >= this.options.maxPerHost) {
      const why = `over --max-per-host ${this.options.maxPerHost}: ${requested} pages of ${origin}`;
      writeErr(`spider: not fetching ${url}: ${why}\n`);
      this.storeFailure(id, -2, { reason: why });
      return false;
    }
    let delay = this.options.delay;
    if (!this.options.ignoreRobots) {
      const rules = await this.rulesFor(origin);
      const verdict = rules.allows(url);
      if (!verdict.allowed) {
        writeErr(`spider: not fetching ${url}: ${verdict.why}\n`);
        if (rules.waitUntil !== undefined) {
          this.storeFailure(id, null, { reason: verdict.why, retryAt: rules.waitUntil });
        } else {
          this.storeFailure(id, -2, { reason: verdict.why });
        }
        return false;
      }
      delay = Math.max(delay, rules.crawlDelay);
    }
    await stdout.print(`${id} ${url} `);
    this.requested.set(origin, requested + 1);
    const sink = new LimitedSink(this.options.maxBytes);
    let head: ResponseHead;
    let finalUrl = url;
    try {
      const result = await this.politely(origin, delay, () =>
        this.client.get(url, {
          follow: true,
          maxRedirects: MAX_REDIRECTS,
          headers: this.headers(),
          sinkFor: (head, at) => {
            finalUrl = at;
            if (head.status !== 200) throw new Unread(head, "status");
            if (mediaType(head) !== "text/html") throw new Unread(head, "type");
            return sink;
          },
          onHead: (h) => void (head = h),
        }).catch((error) => {
          if (error instanceof Full) return null;
          throw error;
        }));
      if (result === null) this.client.close();
      head = result?.head ?? head!;
      if (result !== null) finalUrl = result.url;
    } catch (error) {
      if (error instanceof Unread) {
        const facts = {
          status: error.head.status,
          type: mediaType(error.head),
          finalUrl,
        };
        const until = retryAfter(error.head);
        if (until !== null) {
          // The host asks us to wait: the page stays to fetch, and the host rests until then.
          await stdout.print(`Error on page:  ${error.head.status}\n`);
          const reason = `HTTP ${error.head.status} with Retry-After: ${
            error.head.headers.get("retry-after")
          }`;
          writeErr(
            `spider: ${origin} asks to wait until ${new Date(until).toISOString()} (${reason})\n`,
          );
          transaction(this.db, () => {
            this.db.prepare(
              `INSERT INTO Hosts (origin, blocked_until, reason) VALUES (?, ?, ?)
               ON CONFLICT (origin) DO UPDATE SET blocked_until = excluded.blocked_until,
                 reason = excluded.reason`,
            ).run(origin, until, reason);
          });
          this.storeFailure(id, null, { ...facts, reason, retryAt: until });
        } else if (error.kind === "status") {
          await stdout.print(`Error on page:  ${error.head.status}\n`);
          const reason = `HTTP ${error.head.status} ${error.head.reason}`.trim();
          if (!TRANSIENT.has(error.head.status) || !this.retryLater(id, { ...facts, reason })) {
            this.storeFailure(id, error.head.status, { ...facts, reason });
          }
        } else {
          await stdout.print("Ignore non text/html page\n");
          this.storeFailure(id, 0, { ...facts, reason: `not HTML: ${facts.type}` });
        }
        return true;
      }
      const why = error instanceof RunError
        ? error.message
        : isPermissionError(error)
        ? `redirected to a host not allowed: ${describeError(error)[0]}`
        : networkFailure(error);
      await stdout.print("Unable to retrieve or parse page\n");
      writeErr(`spider: cannot retrieve ${url}: ${firstLine(why)}\n`);
      // A failure of the network may pass; a redirect that cannot be followed will not.
      const lasting = isPermissionError(error) ||
        (error instanceof RunError && error.what.startsWith("cannot follow the redirect"));
      if (lasting || !this.retryLater(id, { reason: firstLine(why) })) {
        this.storeFailure(id, -1, { reason: firstLine(why) });
      }
      return true;
    }
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
        return link !== null && webs.some((web) => link.startsWith(web)) ? [link] : [];
      });
    } catch (error) {
      await stdout.print("Unable to retrieve or parse page\n");
      this.storeFailure(id, -1, { reason: `cannot parse: ${firstLine(error)}` });
      return true;
    }
    transaction(this.db, () => {
      this.db.prepare("DELETE FROM Links WHERE from_id = ?").run(id);
      this.db.prepare("UPDATE Pages SET html = ? WHERE id = ?").run(html, id);
      this.db.prepare(
        `UPDATE PageFacts SET status = ?, content_type = ?, final_url = ?, bytes = ?,
           truncated = ?, reason = ?, leased_until = NULL, fetched_at = ? WHERE page_id = ?`,
      ).run(
        head.status,
        mediaType(head),
        finalUrl,
        bytes.length,
        sink.truncated ? 1 : 0,
        sink.truncated ? `cut at --max-bytes ${this.options.maxBytes}` : null,
        Date.now(),
        id,
      );
      const addPage = this.db.prepare(
        "INSERT OR IGNORE INTO Pages (url, html, new_rank) VALUES (?, NULL, 1.0)",
      );
      const idOf = this.db.prepare("SELECT id FROM Pages WHERE url = ?");
      const addFacts = this.db.prepare(
        "INSERT OR IGNORE INTO PageFacts (page_id, depth) VALUES (?, ?)",
      );
      const addLink = this.db.prepare("INSERT OR IGNORE INTO Links (from_id, to_id) VALUES (?, ?)");
      for (const link of links) {
        const added = addPage.run(link).changes > 0;
        const to = Number(idOf.get(link)!.id);
        if (added) addFacts.run(to, page.depth + 1);
        addLink.run(id, to);
      }
    });
    await stdout.print(`(${bytes.length}) ${links.length}\n`);
    return true;
  }
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
  return normalized(url).href;
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
    ...NET_OPTIONS,
  }, 1);
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
  const maxDepth = integerOption(
    "max-depth",
    values["max-depth"],
    Number.MAX_SAFE_INTEGER,
    0,
    Number.MAX_SAFE_INTEGER,
  );
  const pages = values.pages === undefined
    ? null
    : integerOption("pages", values.pages, 0, 1, Number.MAX_SAFE_INTEGER);
  const delay = secondsOption("delay", values.delay, 1, false);
  const maxBytes = integerOption(
    "max-bytes",
    values["max-bytes"],
    MAX_BYTES,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const userAgent = values["user-agent"] ?? USER_AGENT;
  if (userAgent.trim() === "" || /[\r\n]/.test(userAgent)) {
    throw new UsageError(
      `cannot use --user-agent ${JSON.stringify(userAgent)}`,
      "expected one line of text",
    );
  }
  const given = positionals[0] === undefined ? null : startUrl(positionals[0]);
  const path = values.db ?? DEFAULT_DB;
  await requirePermission({ name: "read", path });
  await requirePermission({ name: "write", path });
  const db = createCrawlDb(path);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    spider.client.close();
    db.close();
  };
  const spider = new Spider(db, {
    delay,
    userAgent,
    ignoreRobots: values["ignore-robots"] === true,
    maxBytes,
    connect: timeLimits(values),
    random: values.order === "random",
    maxDepth,
    maxPerHost: integerOption(
      "max-per-host",
      values["max-per-host"],
      Number.MAX_SAFE_INTEGER,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
  });
  const stopped = onInterrupt(async () => {
    await stdout.print("\nProgram interrupted by user...\n");
    close();
  });
  try {
    // One spider a database: the leases of a run that was stopped are released.
    transaction(db, () => db.exec("UPDATE PageFacts SET leased_until = NULL"));
    if (spider.options.ignoreRobots) {
      transaction(
        db,
        () =>
          db.prepare("INSERT OR REPLACE INTO Meta (key, value) VALUES ('ignore_robots', ?)")
            .run(new Date().toISOString()),
      );
    }
    const inProgress = db.prepare(
      "SELECT id FROM Pages WHERE html IS NULL AND error IS NULL LIMIT 1",
    ).get() !== undefined;
    let start = given;
    if (start === null && inProgress) {
      await stdout.print(
        "Restarting existing crawl.  Remove spider.sqlite to start a fresh crawl.\n",
      );
    } else if (start === null) {
      let answer = "";
      try {
        answer = await input("Enter web url or enter: ", "a web url");
      } catch (error) {
        if (!(error instanceof UsageError && error.why === "the answer is empty")) throw error;
      }
      start = answer === "" ? BOOK_WEB : startUrl(answer);
    }
    if (start !== null) {
      const web = webOf(start);
      transaction(db, () => {
        db.prepare("INSERT OR IGNORE INTO Webs (url) VALUES (?)").run(web);
        const added = db.prepare(
          "INSERT OR IGNORE INTO Pages (url, html, new_rank) VALUES (?, NULL, 1.0)",
        ).run(start).changes > 0;
        if (added) {
          const id = Number(db.prepare("SELECT id FROM Pages WHERE url = ?").get(start)!.id);
          db.prepare("INSERT OR IGNORE INTO PageFacts (page_id, depth) VALUES (?, 0)").run(id);
        }
      });
    }
    const webs = db.prepare("SELECT url FROM Webs").all().map((row) => String(row.url));
    await stdout.print(`${JSON.stringify(webs)}\n`);
    let many = 0;
    while (true) {
      if (many < 1) {
        if (pages !== null) {
          if (many < 0) break;
          many = pages;
        } else {
          const answer = await askPages();
          if (answer === null) break;
          many = answer;
          if (many < 1) continue;
        }
      }
      const page = spider.take();
      if (page === null && await spider.waitForRetry()) continue;
      if (page === null) {
        await stdout.print("No unretrieved HTML pages found\n");
        const deeper = transaction(db, () =>
          db.prepare(
            `UPDATE PageFacts SET reason = ? WHERE depth > ? AND page_id IN
               (SELECT id FROM Pages WHERE html IS NULL AND error IS NULL)`,
          ).run(`deeper than --max-depth ${spider.options.maxDepth}`, spider.options.maxDepth)
            .changes);
        if (deeper > 0) {
          writeErr(
            `spider: ${deeper} page(s) lie deeper than --max-depth ${spider.options.maxDepth}\n`,
          );
        }
        const waiting = db.prepare(
          `SELECT COUNT(*) AS n, MIN(retry_at) AS at FROM Pages JOIN PageFacts ON page_id = id
           WHERE html IS NULL AND error IS NULL AND retry_at > ?`,
        ).get(Date.now());
        if (waiting !== undefined && Number(waiting.n) > 0) {
          writeErr(
            `spider: ${waiting.n} page(s) wait for their host until ${
              new Date(Number(waiting.at)).toISOString()
            } (see PageFacts.reason)\n`,
          );
        }
        break;
      }
      // A page robots.txt keeps us from is not one of the pages asked for.
      if (!await spider.crawl(page, webs)) continue;
      many = many - 1;
      if (many === 0 && pages !== null) many = -1;
    }
  } finally {
    stopped();
    close();
  }
});
