#!/usr/bin/env -S deno run --allow-read=spider.sqlite --allow-write=spider.sqlite
// Copyright netprog authors. MIT license.

/**
 * spreset: the book's `pagerank/spreset.py`. Sets every page's rank back to
 * the start, as the book does (`new_rank` 1.0, `old_rank` 0.0), in one
 * transaction, and prints `All pages set to a rank of 1.0`. Then sprank
 * starts again from even ranks, with no new crawl.
 *
 *     deno run --allow-read=spider.sqlite --allow-write=spider.sqlite scripts/spreset.ts [--db PATH]
 *
 * A missing database is an error (nothing to reset), never a new empty file.
 * `--db postgres://USER@HOST:PORT/DATABASE` resets a crawl that spiders keep
 * on PostgreSQL (see docs/SCALE.md).
 *
 * Permissions:
 * - `--allow-read=spider.sqlite`: open the crawl database (SQLite makes its
 *   `-wal` and `-shm` files beside it without asking Deno).
 * - `--allow-write=spider.sqlite`: change the ranks in it. With `--db PATH`,
 *   allow that path instead.
 * - With `--db postgres://USER@HOST:PORT/DATABASE`: `--allow-net=HOST:PORT`
 *   and `--allow-env=PGAPPNAME` (its client reads it) in place of the file's
 *   flags.
 *
 * @module
 */

import { parseCommandLine } from "./lib/args.ts";
import { DEFAULT_DB } from "./lib/crawl_db.ts";
import { openCrawlTables } from "./lib/crawl_tables.ts";
import { run } from "./lib/run.ts";
import { stdout } from "./lib/stdio.ts";

const USAGE =
  `Usage: deno run --allow-read=spider.sqlite --allow-write=spider.sqlite scripts/spreset.ts [--db PATH]

Sets every page of the crawl database back to the book's starting rank
(new_rank 1.0, old_rank 0.0), so that sprank starts again.

Options:
  --db PATH                  the crawl database (default ${DEFAULT_DB}); allow
                             its path with --allow-read and --allow-write; or a
                             PostgreSQL database postgres://USER@HOST:PORT/DB
                             (allow HOST:PORT with --allow-net, and
                             --allow-env=PGAPPNAME)
  -h, --help                 print this help
`;

run("spreset", async () => {
  const { values } = parseCommandLine(USAGE, { db: { type: "string" } }, 0);
  {
    await using tables = await openCrawlTables(values.db ?? DEFAULT_DB, false, "spreset");
    await tables.transaction(() => tables.run("UPDATE Pages SET new_rank = 1.0, old_rank = 0.0"));
  }
  await stdout.print("All pages set to a rank of 1.0\n");
});
