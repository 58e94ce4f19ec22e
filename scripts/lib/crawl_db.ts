// Copyright netprog authors. MIT license.

/**
 * The crawl database, `spider.sqlite`: the book's tables (code3
 * `pagerank/spider.py`) with their names and columns unchanged, so that a
 * database made by the book's own spider works with the programs that read
 * it (sprank, spreset, spdump, spjson), and the book's SQL works on ours.
 * Opened with `node:sqlite` (built into Deno), in WAL mode with a busy
 * timeout, so that several processes may share the file. Deno only.
 *
 * The book's tables:
 * - `Pages(id INTEGER PRIMARY KEY, url TEXT UNIQUE, html TEXT, error INTEGER,
 *   old_rank REAL, new_rank REAL)`: one row a URL; `html` is set once the page
 *   is retrieved, `error` when that failed.
 * - `Links(from_id INTEGER, to_id INTEGER)`: one row a link between pages of
 *   the crawl. The book's table has no constraint; ours adds
 *   `UNIQUE(from_id, to_id)`, as the book's `INSERT OR IGNORE` means it.
 * - `Webs(url TEXT UNIQUE)`: the prefixes a crawl stays within.
 *
 * netprog's own facts go in tables of their own beside them, so the book's
 * tables keep exactly the book's columns:
 * - `Meta(key TEXT PRIMARY KEY, value TEXT)`: the schema version
 *   ({@linkcode SCHEMA_VERSION}) and the crawl's settings worth keeping
 *   (such as `ignore_robots` when a crawl was told to).
 * - `PageFacts(page_id INTEGER PRIMARY KEY, depth, status, content_type,
 *   final_url, bytes, truncated, reason, retry_at, leased_until, fetched_at,
 *   attempts, origin, todo, leased_by)`:
 *   what the spider learnt of a page beside the book's columns: its depth
 *   from a start page, the HTTP status and Content-Type of its answer, the
 *   URL that answered after redirects, the body's size (and whether it was
 *   cut at the size limit), why it was not fetched or failed, when a page
 *   that waits for its host may be tried again, and the lease of a page
 *   being fetched and the worker that holds it (times in milliseconds since
 *   1970), how many times fetching it failed in a way that may pass, the
 *   origin its requests go to, and `todo` = 1 while it is still to fetch
 *   (the frontier's index; NULL once its result is stored).
 * - `Robots(origin TEXT PRIMARY KEY, status INTEGER, body TEXT,
 *   fetched_at REAL)`: each host's robots.txt as fetched (status 0: it could
 *   not be reached), kept for a day.
 * - `Hosts(origin TEXT PRIMARY KEY, blocked_until REAL, reason TEXT,
 *   next_at REAL)`: one row an origin of the frontier: until when it asked
 *   the crawl to wait (429 or 503 with `Retry-After`) and why, and the
 *   earliest time its next request may start (its delay, kept across
 *   workers).
 *
 * Version 1 had only `Meta`; version 2 had no `PageFacts.attempts`; version
 * 3 had no `origin`, `todo`, `leased_by` or `Hosts.next_at`. Opening an older
 * file for writing adds what it lacks.
 *
 * Permissions: Deno checks read (and, to write, write) access to the
 * database file itself only; SQLite makes its `-wal` and `-shm` files beside
 * it without asking. So `--allow-read=spider.sqlite` is enough to read, and
 * `--allow-read=spider.sqlite --allow-write=spider.sqlite` to write.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { RunError } from "./errors.ts";
import { firstLine, isPermissionError } from "./run.ts";

/** The default database file, in the current folder, as the book's. */
export const DEFAULT_DB = "spider.sqlite";

/**
 * The version of netprog's additions to the book's tables, kept in
 * `Meta` under the key `schema_version`.
 *
 * @example The version a new database gets
 * ```ts
 * import { createCrawlDb, SCHEMA_VERSION } from "./crawl_db.ts";
 * import assert from "node:assert/strict";
 *
 * const db = createCrawlDb(":memory:");
 * const row = db.prepare("SELECT value FROM Meta WHERE key = 'schema_version'").get();
 * assert.equal(row?.value, String(SCHEMA_VERSION));
 * db.close();
 * ```
 */
export const SCHEMA_VERSION = 4;

/** The book's tables, then netprog's; every statement may run again. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS Pages
  (id INTEGER PRIMARY KEY, url TEXT UNIQUE, html TEXT,
   error INTEGER, old_rank REAL, new_rank REAL);
CREATE TABLE IF NOT EXISTS Links
  (from_id INTEGER, to_id INTEGER, UNIQUE(from_id, to_id));
CREATE TABLE IF NOT EXISTS Webs (url TEXT UNIQUE);
CREATE TABLE IF NOT EXISTS Meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS PageFacts
  (page_id INTEGER PRIMARY KEY, depth INTEGER, status INTEGER, content_type TEXT,
   final_url TEXT, bytes INTEGER, truncated INTEGER, reason TEXT, retry_at REAL,
   leased_until REAL, fetched_at REAL, attempts INTEGER, origin TEXT, todo INTEGER,
   leased_by TEXT);
CREATE TABLE IF NOT EXISTS Robots
  (origin TEXT PRIMARY KEY, status INTEGER, body TEXT, fetched_at REAL);
CREATE TABLE IF NOT EXISTS Hosts
  (origin TEXT PRIMARY KEY, blocked_until REAL, reason TEXT, next_at REAL);
INSERT INTO Meta (key, value) VALUES ('schema_version', '${SCHEMA_VERSION}')
  ON CONFLICT (key) DO UPDATE SET value = excluded.value
  WHERE CAST(value AS INTEGER) < ${SCHEMA_VERSION};
`;

/** The indexes the frontier's claim relies on (made once the columns exist). */
const INDEXES = `
CREATE INDEX IF NOT EXISTS PageFacts_todo ON PageFacts (origin, depth, page_id) WHERE todo = 1;
CREATE INDEX IF NOT EXISTS PageFacts_leases ON PageFacts (origin, leased_until)
  WHERE leased_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS PageFacts_retry ON PageFacts (retry_at)
  WHERE todo = 1 AND retry_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS PageFacts_done ON PageFacts (origin) WHERE todo IS NULL;
`;

/**
 * WAL mode, with a commit written to the log but not synced to the disk: a
 * commit survives the process being killed at any moment (`kill -9`); a
 * power cut may lose the last commits, never the file's consistency. A
 * sync at each commit cost the spider more than half its time.
 */
const WAL = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";

/**
 * How long a statement waits for another process's lock before it fails:
 * long enough for many workers on one file under load (eight spiders on a
 * frontier of 2,000 hosts outwaited 5 s on two cores).
 */
const BUSY_TIMEOUT_MS = 60_000;

/**
 * Runs `body` in one transaction (`BEGIN IMMEDIATE`, so a writer takes the
 * lock before it reads): committed when it returns, rolled back when it
 * throws.
 *
 * @param db The database.
 * @param body The work; synchronous, as `node:sqlite` is.
 * @returns What `body` returned.
 *
 * @example A failed transaction changes nothing
 * ```ts
 * import { createCrawlDb, transaction } from "./crawl_db.ts";
 * import assert from "node:assert/strict";
 *
 * const db = createCrawlDb(":memory:");
 * assert.throws(() =>
 *   transaction(db, () => {
 *     db.exec("INSERT INTO Webs (url) VALUES ('http://127.0.0.1:8000')");
 *     throw new Error("stop");
 *   })
 * );
 * assert.equal(db.prepare("SELECT COUNT(*) AS n FROM Webs").get()?.n, 0);
 * db.close();
 * ```
 */
export function transaction<T>(db: DatabaseSync, body: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = body();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * Opens a crawl database, creating the file and its tables if needed (the
 * spider's way, and the tests'), in WAL mode with a busy timeout.
 *
 * @param path The file, or `:memory:`.
 * @returns The open database.
 * @throws {RunError} When the file cannot be opened or is not a database.
 *
 * @example A new database has the book's tables
 * ```ts
 * import { createCrawlDb } from "./crawl_db.ts";
 * import assert from "node:assert/strict";
 *
 * const db = createCrawlDb(":memory:");
 * db.exec("INSERT INTO Pages (url, html, new_rank) VALUES ('http://127.0.0.1/', NULL, 1.0)");
 * assert.equal(db.prepare("SELECT new_rank FROM Pages").get()?.new_rank, 1);
 * db.close();
 * ```
 */
export function createCrawlDb(path: string): DatabaseSync {
  const db = openFile(path, false);
  try {
    db.exec(WAL);
    transaction(db, () => upgrade(db));
  } catch (error) {
    db.close();
    throw cannotOpen(path, error);
  }
  return db;
}

/**
 * Creates what is missing: the tables, the columns that later versions
 * added, and the facts the frontier needs of every page (its origin, and
 * whether it is still to fetch) for pages that lack them (a database of
 * the book's spider, or of an older version).
 */
function upgrade(db: DatabaseSync): void {
  db.exec(SCHEMA);
  const added = (table: string, columns: [string, string][]) => {
    const have = db.prepare(`PRAGMA table_info(${table})`).all().map((row) => String(row.name));
    for (const [name, type] of columns) {
      if (!have.includes(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
    }
  };
  added("PageFacts", [["attempts", "INTEGER"], ["origin", "TEXT"], ["todo", "INTEGER"], [
    "leased_by",
    "TEXT",
  ]]);
  added("Hosts", [["next_at", "REAL"]]);
  db.exec(INDEXES);
  const missing = db.prepare(
    `SELECT id, url, html IS NULL AND error IS NULL AS todo FROM Pages
     LEFT JOIN PageFacts ON page_id = id WHERE page_id IS NULL OR origin IS NULL`,
  ).all();
  if (missing.length === 0) return;
  const facts = db.prepare(
    `INSERT INTO PageFacts (page_id, depth, origin, todo) VALUES (?, 0, ?, ?)
     ON CONFLICT (page_id) DO UPDATE SET origin = excluded.origin, todo = excluded.todo,
       depth = COALESCE(depth, 0)`,
  );
  const host = db.prepare("INSERT OR IGNORE INTO Hosts (origin) VALUES (?)");
  for (const row of missing) {
    const origin = originOf(String(row.url));
    facts.run(Number(row.id), origin, Number(row.todo) === 1 ? 1 : null);
    host.run(origin);
  }
}

/**
 * The origin a page's requests go to (`http://host:port`), the key of its
 * host in the frontier; the URL itself when it has none.
 *
 * @param url An absolute URL.
 * @returns Its origin.
 *
 * @example Pages of one host share an origin
 * ```ts
 * import { originOf } from "./crawl_db.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(originOf("http://127.0.0.2:8000/a/b.htm"), "http://127.0.0.2:8000");
 * assert.equal(originOf("HTTP://Example.COM:80/"), "http://example.com");
 * assert.equal(originOf("not a url"), "not a url");
 * ```
 */
export function originOf(url: string): string {
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? url : origin;
  } catch {
    return url;
  }
}

/**
 * Opens a crawl database that a crawl made, for the programs that work on
 * one: a missing file is an error that says to run the spider first (never
 * an empty new file), as is a file without the book's `Pages` and `Links`
 * tables. `readOnly` opens it read-only (only `--allow-read` needed);
 * otherwise it is switched to WAL mode and netprog's tables are added if
 * missing (a database of the book's spider gets them too).
 *
 * @param path The file.
 * @param readOnly Open for reading only. @default {false}
 * @returns The open database.
 * @throws {RunError} `cannot open PATH: no such file; run spider.ts first`, and the like.
 *
 * @example A missing database
 * ```ts
 * import { openCrawlDb } from "./crawl_db.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * assert.throws(
 *   () => openCrawlDb(`${dir}/spider.sqlite`, true),
 *   { message: `cannot open ${dir}/spider.sqlite: no such file; run spider.ts first` },
 * );
 * await Deno.remove(dir);
 * ```
 */
export function openCrawlDb(path: string, readOnly = false): DatabaseSync {
  try {
    if (!Deno.statSync(path).isFile) throw new RunError(`cannot open ${path}`, "not a file");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new RunError(`cannot open ${path}`, "no such file; run spider.ts first");
    }
    throw error;
  }
  const db = openFile(path, readOnly);
  try {
    const tables = new Set(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()
        .map((row) => String(row.name)),
    );
    const missing = ["Pages", "Links"].filter((table) => !tables.has(table));
    if (missing.length > 0) {
      throw new RunError(
        `cannot read ${path}`,
        `no ${missing.join(" or ")} table; run spider.ts first`,
      );
    }
    if (!readOnly) {
      db.exec(WAL);
      transaction(db, () => upgrade(db));
    }
  } catch (error) {
    db.close();
    throw cannotOpen(path, error);
  }
  return db;
}

function openFile(path: string, readOnly: boolean): DatabaseSync {
  try {
    const db = new DatabaseSync(path, { readOnly });
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (error) {
    throw cannotOpen(path, error);
  }
}

/** A permission error or our own as it is; anything else as `cannot open PATH: why`. */
function cannotOpen(path: string, error: unknown): unknown {
  if (isPermissionError(error) || error instanceof RunError) return error;
  return new RunError(`cannot open ${path}`, firstLine(error));
}

/**
 * A REAL of the crawl database as the book's programs print it: Python's
 * `repr` of a float (`1.0`, `0.5`, `1e-05`, `1.5e+16`), which is valid JSON
 * too; `null` for SQL NULL (Python's `None`), integers as they are.
 *
 * @param value A value read from the database.
 * @returns Its text.
 *
 * @example Floats as Python prints them
 * ```ts
 * import { pythonNumber } from "./crawl_db.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pythonNumber(1), "1.0");
 * assert.equal(pythonNumber(0.6666666666666666), "0.6666666666666666");
 * assert.equal(pythonNumber(0.00001), "1e-05");
 * assert.equal(pythonNumber(1.5e16), "1.5e+16");
 * assert.equal(pythonNumber(null), "null");
 * assert.equal(pythonNumber(3n), "3");
 * ```
 */
export function pythonNumber(value: number | bigint | null): string {
  if (value === null) return "null";
  if (typeof value === "bigint") return String(value);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  // JavaScript's shortest digits, in Python's layout (fixed from 1e-4 up to 1e16).
  const [mantissa, exponentText] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace(/^-/, "").replace(".", "");
  if (exponent < -4 || exponent >= 16) {
    const shown = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const power = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${shown}e${exponent < 0 ? "-" : "+"}${power}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction === "" ? "0" : fraction}`;
}
