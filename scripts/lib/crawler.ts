// Copyright netprog authors. MIT license.

/**
 * The crawl itself: pages taken from the frontier, fetched politely (robots.txt,
 * Crawl-delay, a delay between requests to a host, `Retry-After`, retries with
 * back-off), their links found by the browser-exact DOM, and what came of each
 * stored, several hosts at once. The spider runs one {@linkcode Crawler} on its
 * main thread and, with `--workers`, one more in each worker thread, all on one
 * frontier. Deno only.
 *
 * @module
 */

import robotsModule from "robots-parser";
import { extractLinksDom, parseUrlTarget, type ResponseHead } from "../../mod.ts";
import { type ConnectOptions, endpoint, networkFailure } from "./conn.ts";
import { crawlUrl, inScope, type Scope } from "./crawl_scope.ts";
import { parseHtml } from "./dom.ts";
import { RunError } from "./errors.ts";
import type { Claim, Frontier, PageResult } from "./frontier.ts";
import { HttpClient } from "./http_client.ts";
import { clearProgress, StatusLine } from "./progress.ts";
import { describeError, firstLine, isPermissionError, requirePermission } from "./run.ts";
import type { BodySink } from "./sinks.ts";
import { stdout, writeErr } from "./stdio.ts";
import { sleep } from "./time_limit.ts";

/** Where a crawler's lines go: a page's line, and a message. */
export interface CrawlOutput {
  /** Prints a line of the book's output (stdout). */
  print(text: string): Promise<void>;
  /** Writes a message (stderr). */
  warn(text: string): void;
}

/** How a {@linkcode Crawler} crawls. */
export interface CrawlOptions {
  /** Seconds at least between requests to a host (a longer Crawl-delay wins). */
  delay: number;
  /** The User-Agent sent; robots.txt is matched on its first word. */
  userAgent: string;
  /** Read no robots.txt. */
  ignoreRobots: boolean;
  /** Bytes of a body read at most. */
  maxBytes: number;
  /** Time limits of a connection. */
  connect: ConnectOptions;
  /** Take pages at random (the book's order). */
  random: boolean;
  /** Fetch no page deeper than this. */
  maxDepth: number;
  /** Fetch at most this many pages of a host. */
  maxPerHost: number;
  /** Hosts fetched from at once. */
  concurrency: number;
  /** Requests in flight to one host. */
  perHost: number;
  /** Which links to follow. */
  scope: Scope;
  /** Where lines go. @default {stdout and stderr} */
  out?: CrawlOutput;
}

/**
 * The read buffer of a crawl's connection: pages are small, and a crawl
 * keeps a connection a request in flight (the downloaders' 1 MiB buffers
 * made 32 MiB at 16 in flight).
 */
const READ_SIZE = 64 * 1024;

/**
 * How many pages between full garbage collections, when V8 offers them
 * (`--v8-flags=--expose-gc`, as the spider's shebang and task give). A crawl
 * never idles, so V8 never gives back the heap it grew to: a 10,000-page crawl
 * at 16 in flight peaked at 149-157 MiB; with a collection every 1,000 pages,
 * at 108-109 MiB, for about a tenth more CPU time.
 */
const GC_EVERY = 1000;

/** The most pages one budget counts. */
const MAX_BUDGET = 2 ** 31 - 1;

/**
 * The pages a run may fetch, counted in memory that several worker threads
 * share (a `SharedArrayBuffer`), so that `--pages N` means N in all.
 *
 * @example Taken, given back, spent
 * ```ts
 * import { Budget } from "./crawler.ts";
 * import assert from "node:assert/strict";
 *
 * const budget = new Budget(2);
 * const shared = new Budget(2, budget.buffer);
 * assert(budget.take());
 * assert(shared.take());
 * assert(!budget.take());
 * assert(shared.spent);
 * shared.giveBack();
 * assert(budget.take());
 * ```
 */
export class Budget {
  readonly #count: Int32Array;
  readonly limit: number;

  /**
   * @param limit The pages in all (capped at 2^31 - 1).
   * @param buffer The count another thread shares. @default {a new one}
   */
  constructor(limit: number, buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.limit = Math.min(limit, MAX_BUDGET);
    this.#count = new Int32Array(buffer);
  }

  /** The shared count, for another thread's {@linkcode Budget}. */
  get buffer(): SharedArrayBuffer {
    return this.#count.buffer as SharedArrayBuffer;
  }

  /** Takes one page from the budget; false when none is left. */
  take(): boolean {
    if (Atomics.add(this.#count, 0, 1) < this.limit) return true;
    Atomics.sub(this.#count, 0, 1);
    return false;
  }

  /** Gives back a page taken and not fetched. */
  giveBack(): void {
    Atomics.sub(this.#count, 0, 1);
  }

  /** Whether every page is taken. */
  get spent(): boolean {
    return Atomics.load(this.#count, 0) >= this.limit;
  }
}

/** What robots-parser gives for a robots.txt (its own types do not reach Deno's checker). */
interface Robots {
  isAllowed(url: string, ua?: string): boolean | undefined;
  getMatchingLineNumber(url: string, ua?: string): number;
  getCrawlDelay(ua?: string): number | undefined;
}
const robotsParser = robotsModule as unknown as (url: string, text: string) => Robots;

/** The User-Agent the spider sends by default. */
export const USER_AGENT = "netprog/0.2 (spider)";
/** The most bytes of a page's body read, by default. */
export const MAX_BYTES = 5 * 1024 * 1024;
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
/** Hosts fetched from at once, by default. */
export const CONCURRENCY = 8;

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
    if (this.chunks.length === 1) return this.chunks[0];
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

/** A {@linkcode Tally}'s counts as plain data. */
export interface TallyCounts {
  pages: number;
  html: number;
  notHtml: number;
  errors: number;
  failed: number;
  skipped: number;
  statuses: [number, number][];
}

/**
 * What one run has done so far, for the progress line and the summary.
 *
 * @example Counts from two workers
 * ```ts
 * import { Tally } from "./crawler.ts";
 * import assert from "node:assert/strict";
 *
 * const main = new Tally();
 * main.pages = 2;
 * main.status(200, 2);
 * const worker = new Tally();
 * worker.pages = 1;
 * worker.status(404);
 * main.add(worker.counts());
 * assert.match(main.line(), /^3 page\(s\), [\d.]+ pages\/s \(200: 2, 404: 1\)$/);
 * ```
 */
export class Tally {
  readonly started = performance.now();
  pages = 0;
  html = 0;
  notHtml = 0;
  errors = 0;
  failed = 0;
  skipped = 0;
  readonly statuses = new Map<number, number>();

  status(code: number, n = 1): void {
    this.statuses.set(code, (this.statuses.get(code) ?? 0) + n);
  }

  /** Its counts as plain data, to send to another thread. */
  counts(): TallyCounts {
    const { pages, html, notHtml, errors, failed, skipped } = this;
    return { pages, html, notHtml, errors, failed, skipped, statuses: [...this.statuses] };
  }

  /** Adds another worker's counts. */
  add(other: TallyCounts): void {
    this.pages += other.pages;
    this.html += other.html;
    this.notHtml += other.notHtml;
    this.errors += other.errors;
    this.failed += other.failed;
    this.skipped += other.skipped;
    for (const [code, n] of other.statuses) this.status(code, n);
  }

  /** Pages a second since it began. */
  rate(): number {
    const seconds = (performance.now() - this.started) / 1000;
    return seconds > 0 ? this.pages / seconds : 0;
  }

  /** `12 page(s), 4.0 pages/s`, then `more`, then the statuses seen: ` (200: 10, 404: 2)`. */
  line(more = ""): string {
    const statuses = [...this.statuses].sort(([a], [b]) => a - b)
      .map(([code, n]) => `${code}: ${n}`).join(", ");
    return `${this.pages} page(s), ${this.rate().toFixed(1)} pages/s${more}` +
      (statuses === "" ? "" : ` (${statuses})`);
  }

  /** The summary line, with how many pages are left to fetch. */
  summary(left: number): string {
    const seconds = (performance.now() - this.started) / 1000;
    return `spider: ${this.pages} page(s) requested in ${seconds.toFixed(1)} s ` +
      `(${this.rate().toFixed(1)} pages/s): ${this.html} HTML, ${this.notHtml} not HTML, ` +
      `${this.errors} error status, ${this.failed} failed, ${this.skipped} not fetched; ` +
      `${left} left to fetch\n`;
  }
}

/**
 * How a run of the crawl ended: `done` (its budget of pages), `exhausted`
 * (no page left), `waiting` (the pages left wait longer than a minute).
 */
export type Ending = "done" | "exhausted" | "waiting";

/**
 * Crawls pages of a frontier: takes them, fetches them politely, and
 * stores what came of each, printing the book's line a page.
 *
 * @example Two pages of a small web
 * ```ts
 * import { Budget, Crawler } from "./crawler.ts";
 * import { createCrawlDb } from "./crawl_db.ts";
 * import { SqliteFrontier } from "./frontier.ts";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) =>
 *   new URL(request.url).pathname === "/"
 *     ? new Response('<a href="/a">a</a>', { headers: { "content-type": "text/html" } })
 *     : new Response("<p>a</p>", { status: new URL(request.url).pathname === "/a" ? 200 : 404 }));
 * const web = `http://127.0.0.1:${server.addr.port}/`;
 * const frontier = new SqliteFrontier(createCrawlDb(":memory:"));
 * await frontier.addStart(web, web);
 * const lines: string[] = [];
 * const crawler = new Crawler(frontier, [web], {
 *   delay: 0, userAgent: "netprog-example", ignoreRobots: false, maxBytes: 1 << 20,
 *   connect: {}, random: false, maxDepth: 10, maxPerHost: 10, concurrency: 1, perHost: 1,
 *   scope: "prefix",
 *   out: { print: (text) => Promise.resolve(void lines.push(text)), warn: () => {} },
 * });
 * assert.equal(await crawler.fetchPages(new Budget(10)), "exhausted");
 * crawler.close();
 * frontier.close();
 * await server.shutdown();
 * assert.deepEqual(lines, [`1 ${web} (18) 1\n`, `2 ${web}a Ignore non text/html page\n`]);
 * ```
 */
export class Crawler {
  readonly rules = new Map<string, Promise<HostRules>>();
  readonly lastRequest = new Map<string, number>();
  /** Pages requested so far on each origin (from the database, then counted). */
  readonly requested = new Map<string, number>();
  readonly tally = new Tally();
  readonly status: StatusLine;
  #left = { todo: 0, waiting: 0 };
  #leftAt = -Infinity;
  readonly out: CrawlOutput;
  /** A client a request in flight: each keeps its own connection. */
  readonly clients: HttpClient[] = [];
  stopped = false;
  constructor(
    readonly frontier: Frontier,
    readonly webs: string[],
    readonly options: CrawlOptions,
  ) {
    this.out = options.out ?? {
      // A page's line starts on a clean line: the status line is erased first, and drawn again.
      print: (text) => {
        clearProgress();
        return stdout.print(text);
      },
      warn: writeErr,
    };
    this.status = new StatusLine(options.out === undefined && Deno.stderr.isTerminal());
  }

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
        this.out.warn(
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
   * Fetches pages, several hosts at once, while the budget lasts (a page
   * counts once requested: one robots.txt keeps from, or left for another
   * reason, gives its share back); says how it ended.
   *
   * @param budget The pages this run may fetch, shared with other workers.
   * @returns How it ended.
   */
  async fetchPages(budget: Budget): Promise<Ending> {
    const tasks = new Set<Promise<void>>();
    const hosts = new Map<string, number>();
    const slots = this.options.concurrency * this.options.perHost;
    let failure: { error: unknown } | null = null;
    while (!this.stopped) {
      while (tasks.size < slots && failure === null && budget.take()) {
        const claim = await this.frontier.claim({
          perHost: this.options.perHost,
          maxDepth: this.options.maxDepth,
          random: this.options.random,
          delayMs: this.options.delay * 1000,
          only: hosts.size >= this.options.concurrency ? [...hosts.keys()] : undefined,
        });
        if (claim === null) {
          budget.giveBack();
          break;
        }
        hosts.set(claim.origin, (hosts.get(claim.origin) ?? 0) + 1);
        const client = this.clients.pop() ??
          new HttpClient({ readSize: READ_SIZE, ...this.options.connect });
        const task: Promise<void> = this.crawl(claim, client).then(
          (fetched) => void (fetched || budget.giveBack()),
          (error) => void (budget.giveBack(), failure ??= { error }),
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
        if (tasks.size < slots && !budget.spent) {
          waits.push(new Promise((resolve) => timer = setTimeout(resolve, 100)));
        }
        await Promise.race(waits);
        clearTimeout(timer);
        continue;
      }
      if (budget.spent) return "done";
      const wake = await this.frontier.nextWake(this.options.maxDepth);
      if (wake === null) return "exhausted";
      const wait = wake - Date.now();
      if (wait > MAX_WAIT_MS) return "waiting";
      this.status.show(() => this.statusLine(0));
      await sleep(Math.max(wait, 20));
    }
    return "done";
  }

  /** The status line: pages, rate, statuses, and the frontier's counts as last read. */
  statusLine(hostsBusy: number): string {
    if (this.status.shown && performance.now() - this.#leftAt > 1000) {
      this.#leftAt = performance.now();
      this.frontier.left().then((left) => this.#left = left, () => {});
    }
    const { todo, waiting } = this.#left;
    return `spider: ${
      this.tally.line(`, ${todo} queued, ${waiting} waiting, ${hostsBusy} host(s) busy`)
    }`;
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
      await this.out.print(`${id} ${url} Unable to retrieve or parse page\n`);
      this.tally.failed++;
      await this.frontier.storeFailure(claim, -1, {
        reason: `not a URL to fetch: ${firstLine(error)}`,
      });
      return true;
    }
    const skip = async (why: string, retryAt?: number) => {
      this.out.warn(`spider: not fetching ${url}: ${why}\n`);
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
          await this.out.print(`${line}Error on page:  ${error.head.status}\n`);
          this.tally.errors++;
          const reason = `HTTP ${error.head.status} with Retry-After: ${
            error.head.headers.get("retry-after")
          }`;
          this.out.warn(
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
          await this.out.print(`${line}Error on page:  ${error.head.status}\n`);
          this.tally.errors++;
          const reason = `HTTP ${error.head.status} ${error.head.reason}`.trim();
          const facts2 = { ...facts, reason };
          if (
            !TRANSIENT.has(error.head.status) || !await this.retryLater(claim, facts2, nextAt)
          ) {
            await this.frontier.storeFailure(claim, error.head.status, facts2, nextAt);
          }
        } else {
          await this.out.print(`${line}Ignore non text/html page\n`);
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
      await this.out.print(`${line}Unable to retrieve or parse page\n`);
      this.tally.failed++;
      this.out.warn(`spider: cannot retrieve ${url}: ${firstLine(why)}\n`);
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
      await this.out.print(`${line}Unable to retrieve or parse page\n`);
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
    if (this.tally.html % GC_EVERY === 0) (globalThis as { gc?: () => void }).gc?.();
    await this.out.print(`${line}(${bytes.length}) ${links.length}\n`);
    return true;
  }
}
