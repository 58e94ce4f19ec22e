#!/usr/bin/env -S deno run --allow-read=spider.sqlite
// Copyright netprog authors. MIT license.

/**
 * spdump: the book's `pagerank/spdump.py`. Runs the book's query on the
 * crawl database: for each retrieved page (`html` not NULL) that other pages
 * link to, the number of links to it (the chapter's simplest measure of
 * importance), its old rank, its new rank, its id and its URL, most linked
 * first. Prints the first 50 rows, one a line, then `N rows.` for all.
 *
 * Where it differs from the book's program:
 * - each row is a JSON array (`[3, 1.0, 2.5, 1, "http://..."]`) where the book
 *   prints a Python tuple (`(3, 1.0, 2.5, 1, 'http://...')`): the numbers are
 *   written as Python writes them, the URL as a JSON string, `null` for
 *   Python's `None`, so a row can be read back by any program;
 * - pages with as many links are in id order (the book leaves their order to
 *   SQLite).
 *
 *     deno run --allow-read=spider.sqlite scripts/spdump.ts [--db PATH]
 *
 * It only reads: the database is opened read-only, and a missing one is an
 * error, never a new empty file. `--db postgres://USER@HOST:PORT/DATABASE`
 * reads a crawl that spiders keep on PostgreSQL (see docs/SCALE.md), and
 * prints the same bytes as for the same crawl in a file.
 *
 * Permissions:
 * - `--allow-read=spider.sqlite`: read the crawl database (SQLite makes its
 *   `-wal` and `-shm` files beside it without asking Deno). With `--db PATH`,
 *   allow that path instead.
 * - With `--db postgres://USER@HOST:PORT/DATABASE`: `--allow-net=HOST:PORT`
 *   and `--allow-env=PGAPPNAME` (its client reads it) in place of the file's
 *   flag.
 *
 * @module
 */

import { parseCommandLine } from "./lib/args.ts";
import { DEFAULT_DB, pythonNumber } from "./lib/crawl_db.ts";
import { openCrawlTables } from "./lib/crawl_tables.ts";
import { run } from "./lib/run.ts";
import { stdout } from "./lib/stdio.ts";

const USAGE = `Usage: deno run --allow-read=spider.sqlite scripts/spdump.ts [--db PATH]

Prints the pages of the crawl database that other pages link to, most linked
first, as the book's spdump.py: [inbound links, old rank, new rank, id, url],
the first 50 of them, then how many there are.

Options:
  --db PATH                  the crawl database (default ${DEFAULT_DB}); allow
                             its path with --allow-read; or a PostgreSQL
                             database postgres://USER@HOST:PORT/DB (allow
                             HOST:PORT with --allow-net, and
                             --allow-env=PGAPPNAME)
  -h, --help                 print this help
`;

/** How many rows are printed, as the book's. */
const SHOWN = 50;

run("spdump", async () => {
  const { values } = parseCommandLine(USAGE, { db: { type: "string" } }, 0);
  await using tables = await openCrawlTables(values.db ?? DEFAULT_DB, true, "spdump");
  const rows = tables.each(
    `SELECT COUNT(from_id) AS inbound, old_rank, new_rank, id, url
     FROM Pages JOIN Links ON Pages.id = Links.to_id
     WHERE html IS NOT NULL
     GROUP BY id ORDER BY inbound DESC, id`,
  );
  let count = 0;
  for await (const row of rows) {
    if (count < SHOWN) {
      const numbers = [row.old_rank, row.new_rank] as (number | null)[];
      const cells = [
        String(row.inbound),
        ...numbers.map(pythonNumber),
        String(row.id),
        row.url === null ? "null" : JSON.stringify(String(row.url)),
      ];
      await stdout.print(`[${cells.join(", ")}]\n`);
    }
    count = count + 1;
  }
  await stdout.print(`${count} rows.\n`);
});
