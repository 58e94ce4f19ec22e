// Copyright netprog authors. MIT license.

/**
 * The crawl's frontier: which page is fetched next, by whom, and what came
 * of it, kept in the crawl database so that any stop loses nothing and
 * several workers share one crawl. Deno only.
 *
 * The rules it keeps, for every worker at once:
 * - A page is taken with a lease (`PageFacts.leased_until`, and the worker in
 *   `leased_by`) in one transaction; its result is stored, and the lease
 *   dropped, in another. A worker renews its leases while it lives; the
 *   leases of a worker that died (`kill -9`) expire, and its pages are
 *   taken again. A page whose result was stored is never taken again.
 * - A host (an origin) has at most `perHost` pages leased at once, and its
 *   next request starts no sooner than `Hosts.next_at`: the end of its last
 *   request plus its delay, whichever worker made it. A host that asked to
 *   wait (`Hosts.blocked_until`) waits.
 * - Breadth-first: of the hosts that may be asked now, the page with the
 *   fewest links from a start page, then the first found; or at random.
 *
 * The methods return promises, so that a frontier kept elsewhere than in
 * SQLite can have the same shape.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { originOf, transaction } from "./crawl_db.ts";

/** A page taken from the frontier: it is this worker's until its result is stored. */
export interface Claim {
  /** `Pages.id`. */
  id: number;
  /** The URL to fetch. */
  url: string;
  /** Links from a start page. */
  depth: number;
  /** The origin its requests go to. */
  origin: string;
}

/** How pages are taken. */
export interface ClaimOptions {
  /** Pages of one host leased at once. @default {1} */
  perHost?: number;
  /** Pages deeper than this wait. @default {Number.MAX_SAFE_INTEGER} */
  maxDepth?: number;
  /** Take pages at random (the book's order) rather than breadth-first. @default {false} */
  random?: boolean;
  /** Spacing between the starts of requests to a host, in ms. @default {0} */
  delayMs?: number;
  /** Take only pages of these origins (all when not given). */
  only?: readonly string[];
}

/** What the crawl learnt of a page beside its HTML (`PageFacts`). */
export interface PageResult {
  status?: number;
  type?: string;
  finalUrl?: string;
  reason?: string;
  /** When a page that waits may be tried again (ms since 1970). */
  retryAt?: number;
  attempts?: number;
  bytes?: number;
  truncated?: boolean;
}

/** A fetched page: its HTML and the links it has in the crawl's scope. */
export interface FetchedPage extends PageResult {
  html: string;
  /** The links, as stored URLs, repeats allowed (one edge each). */
  links: string[];
  /**
   * The redirects it went through, first to last, each the URL that
   * answered with a redirect and its status; empty when none. When the
   * final URL lies in the scope, the HTML is stored as that page's, and each
   * redirect is an edge to the next URL.
   */
  redirects?: { url: string; status: number }[];
  /** Whether the URL that answered (the last redirect's target) lies in the scope. */
  finalInScope?: boolean;
}

/** How often a worker with nothing to take looks again while another works. */
const POLL_MS = 200;

/**
 * What a crawl's frontier does, wherever it is kept: {@linkcode SqliteFrontier}
 * is the one in the crawl database.
 */
export type Frontier = Pick<
  SqliteFrontier,
  | "worker"
  | "addStart"
  | "webs"
  | "hasTodo"
  | "meta"
  | "setMeta"
  | "claim"
  | "nextWake"
  | "requestedOn"
  | "attempts"
  | "robots"
  | "saveRobots"
  | "blockHost"
  | "storeFailure"
  | "storePage"
  | "release"
  | "markDeeper"
  | "left"
  | "renew"
  | "close"
>;

/** The default lease: how long a page stays taken once its worker stops renewing it. */
export const LEASE_MS = 10_000;

/**
 * The crawl's frontier in the crawl database (SQLite, `node:sqlite`):
 * leases, host timers and results, each change one transaction.
 *
 * @example Two pages of one host are not taken at once
 * ```ts
 * import { createCrawlDb } from "./crawl_db.ts";
 * import { SqliteFrontier } from "./frontier.ts";
 * import assert from "node:assert/strict";
 *
 * const frontier = new SqliteFrontier(createCrawlDb(":memory:"));
 * await frontier.addStart("http://127.0.0.2/", "http://127.0.0.2/");
 * const first = await frontier.claim();
 * assert.equal(first?.url, "http://127.0.0.2/");
 * await frontier.storePage(first!, { html: "<a href=a>", links: ["http://127.0.0.2/a", "http://127.0.0.2/b"] }, 0);
 * const second = await frontier.claim();
 * assert.equal(second?.url, "http://127.0.0.2/a");
 * assert.equal(await frontier.claim(), null);
 * frontier.close();
 * ```
 */
export class SqliteFrontier {
  /** This worker's name in `PageFacts.leased_by`. */
  readonly worker: string = crypto.randomUUID();
  #renewal: ReturnType<typeof setInterval> | undefined;
  #held = 0;
  readonly #statements = new Map<string, StatementSync>();

  /**
   * @param db The open crawl database (from `createCrawlDb` or `openCrawlDb`).
   * @param leaseMs How long a lease lasts unless renewed. @default {LEASE_MS}
   */
  constructor(readonly db: DatabaseSync, readonly leaseMs: number = LEASE_MS) {}

  /**
   * Adds a web (a URL prefix of the book's `Webs`) and its start page, unless there.
   *
   * @param web The prefix.
   * @param url The start page.
   */
  addStart(web: string, url: string): Promise<void> {
    transaction(this.db, () => {
      this.#sql("INSERT OR IGNORE INTO Webs (url) VALUES (?)").run(web);
      this.#addPages([url], 0);
    });
    return Promise.resolve();
  }

  /** The webs, as the book's `Webs` lists them. */
  webs(): Promise<string[]> {
    return Promise.resolve(
      this.#sql("SELECT url FROM Webs").all().map((row) => String(row.url)),
    );
  }

  /** Whether any page is still to fetch. */
  hasTodo(): Promise<boolean> {
    return Promise.resolve(
      this.#sql("SELECT 1 FROM PageFacts WHERE todo = 1 LIMIT 1").get() !== undefined,
    );
  }

  /**
   * A setting of the crawl in `Meta`.
   *
   * @param key Its name.
   */
  meta(key: string): Promise<string | null> {
    const row = this.#sql("SELECT value FROM Meta WHERE key = ?").get(key);
    return Promise.resolve(row === undefined || row.value === null ? null : String(row.value));
  }

  /**
   * Sets a setting of the crawl in `Meta`.
   *
   * @param key Its name.
   * @param value Its value.
   */
  setMeta(key: string, value: string): Promise<void> {
    transaction(this.db, () => {
      this.#sql("INSERT OR REPLACE INTO Meta (key, value) VALUES (?, ?)").run(key, value);
    });
    return Promise.resolve();
  }

  /**
   * Takes the next page that may be fetched now (one transaction), or null
   * when no host may be asked now.
   *
   * @param options Pages a host at once, depth, order, delay.
   */
  claim(options: ClaimOptions = {}): Promise<Claim | null> {
    const perHost = options.perHost ?? 1;
    const maxDepth = options.maxDepth ?? Number.MAX_SAFE_INTEGER;
    const order = options.random ? "RANDOM()" : "g.depth, g.page_id";
    const claim = transaction(this.db, () => {
      const now = Date.now();
      const row = this.#sql(
        `SELECT p.id, p.url, f.depth, f.origin FROM Hosts h
         JOIN PageFacts f ON f.page_id = (SELECT g.page_id FROM PageFacts g
           WHERE g.origin = h.origin AND g.todo = 1 AND g.depth <= :depth
             AND (g.retry_at IS NULL OR g.retry_at <= :now)
             AND (g.leased_until IS NULL OR g.leased_until <= :now)
           ORDER BY ${order} LIMIT 1)
         JOIN Pages p ON p.id = f.page_id
         WHERE COALESCE(h.next_at, 0) <= :now AND COALESCE(h.blocked_until, 0) <= :now
           AND (:only IS NULL OR h.origin IN (SELECT value FROM json_each(:only)))
           AND (SELECT COUNT(*) FROM PageFacts l
                WHERE l.origin = h.origin AND l.leased_until > :now) < :perHost
         ORDER BY ${options.random ? "RANDOM()" : "f.depth, f.page_id"} LIMIT 1`,
      ).get({
        now,
        depth: maxDepth,
        perHost,
        only: options.only === undefined ? null : JSON.stringify(options.only),
      });
      if (row === undefined) return null;
      const claim: Claim = {
        id: Number(row.id),
        url: String(row.url),
        depth: Number(row.depth),
        origin: String(row.origin),
      };
      this.#sql(
        "UPDATE PageFacts SET leased_until = ?, leased_by = ? WHERE page_id = ?",
      ).run(now + this.leaseMs, this.worker, claim.id);
      this.#sql("UPDATE Hosts SET next_at = ? WHERE origin = ?")
        .run(now + (options.delayMs ?? 0), claim.origin);
      return claim;
    });
    if (claim !== null) this.#hold(1);
    return Promise.resolve(claim);
  }

  /**
   * When a page may next be taken, when none may be now: the earliest of
   * the hosts' next starts, the end of a host's wait and a page's retry
   * time, and soon while another worker holds a page (ms since 1970; a lower
   * bound, so check again then); null when no page is left to fetch within
   * `maxDepth`.
   *
   * @param maxDepth Pages deeper than this do not count.
   */
  nextWake(maxDepth: number = Number.MAX_SAFE_INTEGER): Promise<number | null> {
    const now = Date.now();
    const any = this.#sql(
      "SELECT 1 FROM PageFacts WHERE todo = 1 AND depth <= ? LIMIT 1",
    ).get(maxDepth);
    if (any === undefined) return Promise.resolve(null);
    const hosts = this.#sql(
      `SELECT MIN(MAX(COALESCE(next_at, 0), COALESCE(blocked_until, 0))) AS at FROM Hosts h
       WHERE EXISTS (SELECT 1 FROM PageFacts g WHERE g.origin = h.origin AND g.todo = 1
         AND g.depth <= :depth AND (g.retry_at IS NULL OR g.retry_at <= :now)
         AND (g.leased_until IS NULL OR g.leased_until <= :now))`,
    ).get({ now, depth: maxDepth });
    const retry = this.#sql(
      "SELECT MIN(retry_at) AS at FROM PageFacts WHERE todo = 1 AND retry_at > ? AND depth <= ?",
    ).get(now, maxDepth);
    // While another worker holds a page, what it stores may free a host or add pages at any time.
    const busy = this.#sql(
      "SELECT 1 AS at FROM PageFacts WHERE leased_until > ? AND leased_by != ? LIMIT 1",
    ).get(now, this.worker);
    const times = [hosts?.at, retry?.at].filter((at) => at !== null && at !== undefined)
      .map(Number);
    if (busy !== undefined) times.push(now + POLL_MS);
    return Promise.resolve(times.length === 0 ? now : Math.min(...times));
  }

  /**
   * How many pages of an origin were requested (stored with HTML or an
   * answer; not those left unfetched on purpose, error -2).
   *
   * @param origin The origin.
   */
  requestedOn(origin: string): Promise<number> {
    const row = this.#sql(
      `SELECT COUNT(*) AS n FROM PageFacts JOIN Pages ON id = page_id
       WHERE origin = ? AND todo IS NULL AND (error IS NULL OR error != -2)`,
    ).get(origin);
    return Promise.resolve(Number(row?.n ?? 0));
  }

  /**
   * How many times fetching a page failed in a way that may pass.
   *
   * @param id `Pages.id`.
   */
  attempts(id: number): Promise<number> {
    const row = this.#sql("SELECT attempts FROM PageFacts WHERE page_id = ?").get(id);
    return Promise.resolve(Number(row?.attempts ?? 0));
  }

  /**
   * The robots.txt of an origin as last fetched, or null.
   *
   * @param origin The origin.
   */
  robots(origin: string): Promise<{ status: number; body: string; fetchedAt: number } | null> {
    const row = this.#sql("SELECT status, body, fetched_at FROM Robots WHERE origin = ?")
      .get(origin);
    return Promise.resolve(
      row === undefined ? null : {
        status: Number(row.status),
        body: String(row.body ?? ""),
        fetchedAt: Number(row.fetched_at),
      },
    );
  }

  /**
   * Keeps an origin's robots.txt (status 0: it could not be reached).
   *
   * @param origin The origin.
   * @param status Its HTTP status.
   * @param body Its text, or why it could not be read.
   */
  saveRobots(origin: string, status: number, body: string): Promise<void> {
    transaction(this.db, () => {
      this.#sql(
        `INSERT INTO Robots (origin, status, body, fetched_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (origin) DO UPDATE SET status = excluded.status, body = excluded.body,
           fetched_at = excluded.fetched_at`,
      ).run(origin, status, body, Date.now());
    });
    return Promise.resolve();
  }

  /**
   * Rests a host until a time (it asked to wait), the reason kept.
   *
   * @param origin The host's origin.
   * @param until When it may be asked again (ms since 1970).
   * @param reason Why.
   */
  blockHost(origin: string, until: number, reason: string): Promise<void> {
    transaction(this.db, () => {
      this.#sql(
        `INSERT INTO Hosts (origin, blocked_until, reason) VALUES (?, ?, ?)
         ON CONFLICT (origin) DO UPDATE SET blocked_until = excluded.blocked_until,
           reason = excluded.reason`,
      ).run(origin, until, reason);
    });
    return Promise.resolve();
  }

  /**
   * Stores a page that ends without HTML, and drops its lease (one
   * transaction): `error` set (NULL: it stays to fetch, at `retryAt`).
   *
   * @param claim The page.
   * @param error `Pages.error`: a status, 0 (not HTML), -1 (failed), -2 (not fetched), or null.
   * @param facts What is known of it.
   * @param nextAt The earliest next request to its host (ms since 1970), when it was asked.
   */
  storeFailure(
    claim: Claim,
    error: number | null,
    facts: PageResult,
    nextAt?: number,
  ): Promise<void> {
    transaction(this.db, () => {
      this.#storeFailure(claim.id, error, facts);
      if (nextAt !== undefined) this.#setNextAt(claim.origin, nextAt);
    });
    this.#hold(-1);
    return Promise.resolve();
  }

  /**
   * Stores a fetched page, its links and the pages they add, and drops its
   * lease (one transaction). Redirects within the scope become edges, and
   * the HTML belongs to the page that answered.
   *
   * @param claim The page.
   * @param page Its HTML, links and facts.
   * @param nextAt The earliest next request to its host (ms since 1970).
   */
  storePage(claim: Claim, page: FetchedPage, nextAt: number): Promise<void> {
    transaction(this.db, () => {
      let id = claim.id;
      const redirects = page.redirects ?? [];
      if (redirects.length > 0 && page.finalInScope && page.finalUrl !== undefined) {
        // Each redirect is an edge to the next URL; the HTML is the final page's.
        const chain = [...redirects.map((hop) => hop.url), page.finalUrl];
        this.#addPages(chain.slice(1), claim.depth);
        const idOf = this.#sql("SELECT id FROM Pages WHERE url = ?");
        const ids = chain.map((url, i) => i === 0 ? claim.id : Number(idOf.get(url)!.id));
        for (let i = 0; i < redirects.length; i++) {
          if (ids[i] === ids[i + 1]) continue;
          this.#sql("INSERT OR IGNORE INTO Links (from_id, to_id) VALUES (?, ?)")
            .run(ids[i], ids[i + 1]);
          const done = this.#sql("SELECT todo FROM PageFacts WHERE page_id = ?")
            .get(ids[i]);
          if (i === 0 || done?.todo === 1) {
            this.#storeFailure(ids[i], redirects[i].status, {
              status: redirects[i].status,
              finalUrl: page.finalUrl,
              reason: `redirects to ${chain[i + 1]}`,
            });
          }
        }
        id = ids[ids.length - 1];
        const final = this.#sql(
          "SELECT html IS NOT NULL AS stored FROM Pages WHERE id = ?",
        ).get(id);
        if (Number(final?.stored) === 1) {
          this.#setNextAt(claim.origin, nextAt);
          return;
        }
      }
      this.#sql("DELETE FROM Links WHERE from_id = ?").run(id);
      this.#sql("UPDATE Pages SET html = ?, error = NULL WHERE id = ?").run(page.html, id);
      this.#sql(
        `UPDATE PageFacts SET status = ?, content_type = ?, final_url = ?, bytes = ?,
           truncated = ?, reason = ?, leased_until = NULL, leased_by = NULL, retry_at = NULL,
           fetched_at = ?, todo = NULL WHERE page_id = ?`,
      ).run(
        page.status ?? null,
        page.type ?? null,
        page.finalUrl ?? null,
        page.bytes ?? null,
        page.truncated ? 1 : 0,
        page.reason ?? null,
        Date.now(),
        id,
      );
      const depth = id === claim.id ? claim.depth : Number(
        this.#sql("SELECT depth FROM PageFacts WHERE page_id = ?").get(id)?.depth ??
          claim.depth,
      );
      this.#addPages(page.links, depth + 1);
      const idOf = this.#sql("SELECT id FROM Pages WHERE url = ?");
      const addLink = this.#sql("INSERT OR IGNORE INTO Links (from_id, to_id) VALUES (?, ?)");
      for (const link of page.links) addLink.run(id, Number(idOf.get(link)!.id));
      this.#setNextAt(claim.origin, nextAt);
    });
    this.#hold(-1);
    return Promise.resolve();
  }

  /**
   * Gives back a page taken but not fetched (its lease dropped, nothing
   * stored), as when the run stops.
   *
   * @param claim The page.
   */
  release(claim: Claim): Promise<void> {
    transaction(this.db, () => {
      this.#sql(
        "UPDATE PageFacts SET leased_until = NULL, leased_by = NULL WHERE page_id = ? AND leased_by = ?",
      ).run(claim.id, this.worker);
    });
    this.#hold(-1);
    return Promise.resolve();
  }

  /**
   * Notes on the pages left deeper than `maxDepth` why they wait, and says
   * how many there are.
   *
   * @param maxDepth The depth limit of the run.
   */
  markDeeper(maxDepth: number): Promise<number> {
    const changed = transaction(
      this.db,
      () =>
        this.#sql("UPDATE PageFacts SET reason = ? WHERE todo = 1 AND depth > ?")
          .run(`deeper than --max-depth ${maxDepth}`, maxDepth).changes,
    );
    return Promise.resolve(Number(changed));
  }

  /** How many pages are left to fetch, how many of them wait, and until when the first. */
  left(): Promise<{ todo: number; waiting: number; until: number | null }> {
    const now = Date.now();
    const todo = this.#sql("SELECT COUNT(*) AS n FROM PageFacts WHERE todo = 1").get();
    const waiting = this.#sql(
      "SELECT COUNT(*) AS n, MIN(retry_at) AS at FROM PageFacts WHERE todo = 1 AND retry_at > ?",
    ).get(now);
    return Promise.resolve({
      todo: Number(todo?.n ?? 0),
      waiting: Number(waiting?.n ?? 0),
      until: waiting?.at === null || waiting?.at === undefined ? null : Number(waiting.at),
    });
  }

  /** Renews this worker's leases (done by itself while it holds any). */
  renew(): Promise<void> {
    transaction(this.db, () => {
      this.#sql("UPDATE PageFacts SET leased_until = ? WHERE leased_by = ? AND todo = 1")
        .run(Date.now() + this.leaseMs, this.worker);
    });
    return Promise.resolve();
  }

  /** Drops this worker's leases and stops renewing them; the database stays open. */
  close(): void {
    if (this.#renewal !== undefined) clearInterval(this.#renewal);
    this.#renewal = undefined;
    try {
      if (this.db.isOpen) {
        transaction(this.db, () => {
          this.#sql(
            "UPDATE PageFacts SET leased_until = NULL, leased_by = NULL WHERE leased_by = ?",
          ).run(this.worker);
        });
      }
    } catch { /* the database is gone: the leases expire */ }
  }

  /** Counts the leases held, renewing them on a timer while there are any. */
  #hold(change: number): void {
    this.#held = Math.max(0, this.#held + change);
    if (this.#held > 0 && this.#renewal === undefined) {
      this.#renewal = setInterval(() => {
        try {
          void this.renew();
        } catch { /* busy or closed: try at the next tick */ }
      }, Math.max(50, this.leaseMs / 4));
      Deno.unrefTimer(Number(this.#renewal));
    } else if (this.#held === 0 && this.#renewal !== undefined) {
      clearInterval(this.#renewal);
      this.#renewal = undefined;
    }
  }

  /** A prepared statement, made once. */
  #sql(text: string): StatementSync {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  #setNextAt(origin: string, at: number): void {
    this.#sql("UPDATE Hosts SET next_at = MAX(COALESCE(next_at, 0), ?) WHERE origin = ?")
      .run(at, origin);
  }

  /** Adds pages not yet known, at a depth, to fetch; with their hosts. */
  #addPages(urls: readonly string[], depth: number): void {
    const page = this.#sql(
      "INSERT OR IGNORE INTO Pages (url, html, new_rank) VALUES (?, NULL, 1.0)",
    );
    const idOf = this.#sql("SELECT id FROM Pages WHERE url = ?");
    const facts = this.#sql(
      "INSERT OR IGNORE INTO PageFacts (page_id, depth, origin, todo) VALUES (?, ?, ?, 1)",
    );
    const host = this.#sql("INSERT OR IGNORE INTO Hosts (origin) VALUES (?)");
    for (const url of urls) {
      if (page.run(url).changes === 0) continue;
      const origin = originOf(url);
      facts.run(Number(idOf.get(url)!.id), depth, origin);
      host.run(origin);
    }
  }

  #storeFailure(id: number, error: number | null, facts: PageResult): void {
    if (error !== null) this.#sql("UPDATE Pages SET error = ? WHERE id = ?").run(error, id);
    this.#sql(
      `UPDATE PageFacts SET status = ?, content_type = ?, final_url = ?, reason = ?,
         retry_at = ?, leased_until = NULL, leased_by = NULL, fetched_at = ?,
         attempts = COALESCE(?, attempts), todo = ? WHERE page_id = ?`,
    ).run(
      facts.status ?? null,
      facts.type ?? null,
      facts.finalUrl ?? null,
      facts.reason ?? null,
      facts.retryAt ?? null,
      Date.now(),
      facts.attempts ?? null,
      error === null ? 1 : null,
      id,
    );
  }
}
