// Copyright netprog authors. MIT license.

/**
 * The crawl's tables wherever they are: a SQLite file (`crawl_db.ts`) or a
 * PostgreSQL database that spiders share (`frontier_pg.ts`), for the
 * programs that work on a crawl (sprank, spreset, spdump, spjson, and
 * `spider.ts --why`). Both hold the book's `Pages`, `Links` and `Webs` with
 * the book's columns, so one SQL statement reads either: written with `?`
 * for its parameters (numbered `$1`, `$2`... on PostgreSQL), and with an
 * explicit order wherever the order of the rows shows, since PostgreSQL
 * keeps none that SQLite gives by its indexes. Values come back as
 * JavaScript numbers and strings on both, but for PostgreSQL's `bigint`
 * (`COUNT(*)`, `PageFacts.bytes`), which comes as a string of its digits:
 * read such a column with `Number()` or `String()`.
 *
 * A file is opened as `openCrawlDb` opens it (a missing file is an error,
 * never a new one); a PostgreSQL database must hold a crawl (`Pages` and
 * `Links`), and nothing is created in it. Read-only opens a SQLite file
 * read-only, and makes every PostgreSQL transaction read-only.
 *
 * Permissions: those of the file (see `crawl_db.ts`), or of the database's
 * address with `--allow-env=PGAPPNAME` (see `frontier_pg.ts`).
 *
 * @module
 */

import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type postgres from "postgres";
import { openCrawlDb } from "./crawl_db.ts";
import { RunError } from "./errors.ts";
import { connectPostgres, isPostgresUrl, parsePostgresUrl } from "./frontier_pg.ts";
import { firstLine, isPermissionError } from "./run.ts";

/** A row, by column name. */
export type Row = Record<string, unknown>;

/** A parameter of a statement. */
export type Param = string | number | null;

/** How many rows a PostgreSQL cursor brings at a time. */
const CURSOR_ROWS = 1000;

/** How many statements of a batch are sent to PostgreSQL before their answers are awaited. */
const BATCH = 1000;

/** The crawl's tables, on SQLite or PostgreSQL: made by {@linkcode openCrawlTables}. */
export interface CrawlTables extends AsyncDisposable {
  /** The file's path, or the database's URL without its password, for messages. */
  readonly name: string;
  /** Whether the tables are on PostgreSQL. */
  readonly postgres: boolean;
  /** All rows of a query. */
  all(sql: string, params?: readonly Param[]): Promise<Row[]>;
  /** The rows of a query, a few at a time. */
  each(sql: string, params?: readonly Param[]): AsyncIterable<Row>;
  /** Runs one statement once for each list of parameters (none: once with none). */
  run(sql: string, params?: readonly (readonly Param[])[]): Promise<void>;
  /** Runs `body` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(body: () => Promise<T>): Promise<T>;
  /** Closes the file or the connection. */
  close(): Promise<void>;
}

/**
 * Opens the crawl's tables: a PostgreSQL database for a `postgres://` URL
 * (see {@linkcode isPostgresUrl}), a SQLite file otherwise.
 *
 * @param where A file's path, or `postgres://USER@HOST:PORT/DATABASE`.
 * @param readOnly Open for reading only. @default {false}
 * @param program The program's name, as the server lists its connection.
 * @returns The tables; close them when done.
 * @throws {RunError} `cannot open spider.sqlite: no such file; run spider.ts first`,
 *   `cannot connect to postgres://…: why`, `cannot read postgres://…: no Pages table…`.
 *
 * @example One query, a SQLite file
 * ```ts
 * import { openCrawlTables } from "./crawl_tables.ts";
 * import { createCrawlDb } from "./crawl_db.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const db = createCrawlDb(`${dir}/spider.sqlite`);
 * db.exec("INSERT INTO Pages (url, new_rank) VALUES ('http://127.0.0.2/', 1.0)");
 * db.close();
 * await using tables = await openCrawlTables(`${dir}/spider.sqlite`, true);
 * assert.deepEqual(
 *   (await tables.all("SELECT url, new_rank FROM Pages WHERE id = ?", [1])).map((row) => ({
 *     ...row,
 *   })),
 *   [{ url: "http://127.0.0.2/", new_rank: 1 }],
 * );
 * await tables.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function openCrawlTables(
  where: string,
  readOnly = false,
  program = "netprog",
): Promise<CrawlTables> {
  if (!isPostgresUrl(where)) return new SqliteTables(openCrawlDb(where, readOnly), where);
  const { shown } = parsePostgresUrl(where);
  const { sql } = await connectPostgres(where, {
    application: `netprog ${program}`,
    max: 1,
    readOnly,
    setup: async (sql) => {
      const [row] = await sql`SELECT to_regclass('pages') IS NOT NULL AS pages,
        to_regclass('links') IS NOT NULL AS links`;
      const missing = ["Pages", "Links"].filter((table) => !row[table.toLowerCase()]);
      if (missing.length > 0) {
        throw new RunError(
          `cannot read ${shown}`,
          `no ${missing.join(" or ")} table; run spider.ts first`,
        );
      }
    },
  });
  return new PostgresTables(sql, shown);
}

/** A SQLite file, through `node:sqlite`. */
class SqliteTables implements CrawlTables {
  readonly postgres = false;
  #closed = false;

  constructor(readonly db: DatabaseSync, readonly name: string) {}

  all(sql: string, params: readonly Param[] = []): Promise<Row[]> {
    return Promise.resolve(this.db.prepare(sql).all(...params as SQLInputValue[]));
  }

  async *each(sql: string, params: readonly Param[] = []): AsyncIterable<Row> {
    yield* this.db.prepare(sql).iterate(...params as SQLInputValue[]);
  }

  run(sql: string, params: readonly (readonly Param[])[] = [[]]): Promise<void> {
    const statement = this.db.prepare(sql);
    for (const values of params) statement.run(...values as SQLInputValue[]);
    return Promise.resolve();
  }

  async transaction<T>(body: () => Promise<T>): Promise<T> {
    // As crawl_db.ts's transaction(): the writer takes the lock before it reads.
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = await body();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw error;
    }
  }

  close(): Promise<void> {
    if (!this.#closed) this.db.close();
    this.#closed = true;
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** `?` parameters as PostgreSQL's `$1`, `$2`... */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** A PostgreSQL database, through the npm client `postgres` on one connection. */
class PostgresTables implements CrawlTables {
  readonly postgres = true;
  /** The open transaction, which every statement goes through while it lasts. */
  #tx: postgres.TransactionSql | null = null;
  #closed = false;

  constructor(readonly sql: postgres.Sql, readonly name: string) {}

  all(sql: string, params: readonly Param[] = []): Promise<Row[]> {
    return this.#call(() => (this.#tx ?? this.sql).unsafe(numbered(sql), [...params]));
  }

  async *each(sql: string, params: readonly Param[] = []): AsyncIterable<Row> {
    const rows = (this.#tx ?? this.sql).unsafe(numbered(sql), [...params]).cursor(CURSOR_ROWS);
    try {
      for await (const batch of rows) yield* batch;
    } catch (error) {
      throw this.#failure(error);
    }
  }

  async run(sql: string, params: readonly (readonly Param[])[] = [[]]): Promise<void> {
    const text = numbered(sql);
    const on = this.#tx ?? this.sql;
    // Sent a thousand at a time on the one connection, each answer awaited after.
    for (let i = 0; i < params.length; i += BATCH) {
      await this.#call(() =>
        Promise.all(params.slice(i, i + BATCH).map((values) => on.unsafe(text, [...values])))
      );
    }
  }

  async transaction<T>(body: () => Promise<T>): Promise<T> {
    let result: T;
    await this.#call(() =>
      this.sql.begin(async (tx) => {
        this.#tx = tx;
        try {
          result = await body();
        } finally {
          this.#tx = null;
        }
      })
    );
    return result!;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.sql.end({ timeout: 1 }).catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.#failure(error);
    }
  }

  /** A permission error or our own as it is; anything else as `cannot use URL: why`. */
  #failure(error: unknown): unknown {
    if (isPermissionError(error) || error instanceof RunError) return error;
    return new RunError(`cannot use ${this.name}`, firstLine(error));
  }
}
