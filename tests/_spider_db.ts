// Copyright netprog authors. MIT license.

/**
 * Small crawl databases for the tests of the programs that work on one
 * (sprank, spreset, spdump, spjson): made with the book's own DDL, as the
 * book's spider.py makes them, or through scripts/lib/crawl_db.ts.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { createCrawlDb } from "../scripts/lib/crawl_db.ts";

/** The tables exactly as the book's spider.py creates them (no UNIQUE on Links). */
export const BOOK_DDL = `
CREATE TABLE IF NOT EXISTS Pages
    (id INTEGER PRIMARY KEY, url TEXT UNIQUE, html TEXT,
     error INTEGER, old_rank REAL, new_rank REAL);
CREATE TABLE IF NOT EXISTS Links
    (from_id INTEGER, to_id INTEGER);
CREATE TABLE IF NOT EXISTS Webs (url TEXT UNIQUE);
`;

/** A page of a test crawl: its URL, whether retrieved, its error, its ranks. */
export interface TestPage {
  url: string;
  html?: string | null;
  error?: number | null;
  oldRank?: number | null;
  newRank?: number | null;
}

/**
 * Writes a crawl database at `path`: the pages (ids from 1, in order) and
 * the links between them (`[from, to]` ids). `book` makes it with the book's
 * DDL and no netprog table; otherwise through crawl_db.ts.
 */
export function writeCrawl(
  path: string,
  pages: TestPage[],
  links: [number, number][],
  book = false,
): void {
  let db: DatabaseSync;
  if (book) {
    db = new DatabaseSync(path);
    db.exec(BOOK_DDL);
  } else {
    db = createCrawlDb(path);
  }
  try {
    db.exec("BEGIN");
    const page = db.prepare(
      "INSERT INTO Pages (id, url, html, error, old_rank, new_rank) VALUES (?, ?, ?, ?, ?, ?)",
    );
    pages.forEach((p, i) =>
      page.run(
        i + 1,
        p.url,
        p.html === undefined ? "<p>page</p>" : p.html,
        p.error ?? null,
        p.oldRank ?? null,
        p.newRank === undefined ? 1.0 : p.newRank,
      )
    );
    const link = db.prepare("INSERT INTO Links (from_id, to_id) VALUES (?, ?)");
    for (const [from, to] of links) link.run(from, to);
    db.exec("INSERT INTO Webs (url) VALUES ('http://127.0.0.1:8000')");
    db.exec("COMMIT");
  } finally {
    db.close();
  }
}

/** A small crawl: four pages, one never retrieved; 2 is linked from 1 and 3, 1 from 2. */
export function writeSmallCrawl(path: string, book = false): void {
  writeCrawl(
    path,
    [
      { url: "http://127.0.0.1:8000/index.htm" },
      { url: "http://127.0.0.1:8000/page1.htm" },
      { url: "http://127.0.0.1:8000/page2.htm" },
      { url: "http://127.0.0.1:8000/later.htm", html: null },
    ],
    [[1, 2], [3, 2], [2, 1], [1, 3], [3, 4]],
    book,
  );
}

/** The small crawl of {@linkcode writeSmallCrawl}, ranked: page2 first, then index, then page1. */
export function writeRankedCrawl(path: string): void {
  writeCrawl(
    path,
    [
      { url: "http://127.0.0.1:8000/index.htm", newRank: 1.2 },
      { url: "http://127.0.0.1:8000/page1.htm", newRank: 0.6 },
      { url: "http://127.0.0.1:8000/page2.htm", newRank: 1.8 },
      { url: "http://127.0.0.1:8000/later.htm", html: null },
    ],
    [[1, 2], [3, 2], [2, 1], [1, 3], [3, 4]],
  );
}
