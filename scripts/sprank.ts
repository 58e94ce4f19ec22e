#!/usr/bin/env -S deno run --allow-read=spider.sqlite --allow-write=spider.sqlite
// Copyright netprog authors. MIT license.

/**
 * sprank: the book's `pagerank/sprank.py`, with damping. Asks
 * `How many iterations:` (empty: 1, as the book), ranks the pages of the
 * crawl database by the links between them, and stores the ranks as the book
 * does: every page's `old_rank` becomes its `new_rank`, then each ranked
 * page's `new_rank` is set; all in one transaction. Ranks are on the book's
 * scale: their mean is 1.0.
 *
 * By default it computes damped PageRank: the ranked pages are those
 * retrieved without an error (`html` not NULL, `error` NULL), the links
 * those between two of them (a page's links to itself left out, a repeated
 * link counted once); each iteration a page keeps 0.15 and shares 0.85 of
 * its rank among the pages it links to, and the rank of a page with no links
 * out is shared by all. It stops when the mean change of a page's rank falls
 * under 1e-6, or when the iterations run out, and prints one line that says
 * which, after how many iterations, and the last mean change. It starts from
 * the ranks stored (1.0 where there is none), so running it again goes on.
 * The arithmetic is written here rather than taken from graphology-metrics:
 * that library's PageRank returns neither the number of iterations nor the
 * ranks it reached when it does not converge (it throws), and is scaled to
 * a sum of 1.
 *
 * `--book` computes exactly what sprank.py computes, and prints what it
 * prints: the pages ranked are those with links out (`from_id` of Links),
 * the links those between two of them; no damping; the rank a page cannot
 * give (no links out among the ranked) is shared by all; one line
 * `i avediff` an iteration (the mean change, as Python prints a float) and,
 * at the end, the first five `(id, rank)` pairs as a Python list. On a graph
 * as small as A↔B, A↔C the ranks swing between two states forever: damping
 * is what stops that.
 *
 * With nothing to rank it prints the book's `Nothing to page rank.  Check data.`
 * and changes nothing.
 *
 *     deno run --allow-read=spider.sqlite --allow-write=spider.sqlite scripts/sprank.ts [--iterations N] [--book] [--db PATH]
 *
 * With `--iterations N` there is no `How many iterations:` prompt. A missing
 * database is an error (nothing to rank), never a new empty file.
 * `--db postgres://USER@HOST:PORT/DATABASE` ranks a crawl that spiders keep
 * on PostgreSQL (see docs/SCALE.md): the same ranks, to the last bit, and the
 * same output as for the same crawl in a file.
 *
 * Permissions:
 * - `--allow-read=spider.sqlite`: read the crawl database (SQLite makes its
 *   `-wal` and `-shm` files beside it without asking Deno).
 * - `--allow-write=spider.sqlite`: store the ranks. With `--db PATH`, allow
 *   that path instead.
 * - With `--db postgres://USER@HOST:PORT/DATABASE`: `--allow-net=HOST:PORT`
 *   and `--allow-env=PGAPPNAME` (its client reads it) in place of the file's
 *   flags.
 *
 * @module
 */

import { integerOption, parseCommandLine } from "./lib/args.ts";
import { DEFAULT_DB, pythonNumber } from "./lib/crawl_db.ts";
import { type CrawlTables, openCrawlTables } from "./lib/crawl_tables.ts";
import { UsageError } from "./lib/errors.ts";
import { run } from "./lib/run.ts";
import { input, stdout } from "./lib/stdio.ts";

const USAGE =
  `Usage: deno run --allow-read=spider.sqlite --allow-write=spider.sqlite scripts/sprank.ts [--iterations N] [--book] [--db PATH]

Ranks the pages of the crawl database by the links between them (damped
PageRank, mean rank 1.0) and stores the ranks in new_rank (the previous ones in
old_rank). Asks "How many iterations:" unless --iterations is given; stops
early when the ranks settle, and says whether they did.

Options:
  --iterations N             at most N iterations (empty answer: 1)
  --book                     the book's sprank.py exactly: no damping, one
                             "i avediff" line an iteration
  --db PATH                  the crawl database (default ${DEFAULT_DB}); allow
                             its path with --allow-read and --allow-write; or a
                             PostgreSQL database postgres://USER@HOST:PORT/DB
                             (allow HOST:PORT with --allow-net, and
                             --allow-env=PGAPPNAME)
  -h, --help                 print this help
`;

/** The share of a page's rank that follows its links. */
const DAMPING = 0.85;
/** The mean change of a page's rank under which the ranks have settled. */
const TOLERANCE = 1e-6;

/** A graph to rank: the pages, in order, and each page's links out (indexes). */
interface Graph {
  ids: number[];
  start: number[];
  out: number[][];
}

/**
 * The links, each once, in the order SQLite gives them by the index of
 * `UNIQUE(from_id, to_id)` (PostgreSQL is told that order; a file of the
 * book's own spider, with no such index, keeps the order SQLite gives it).
 */
function distinctLinks(tables: CrawlTables): string {
  return `SELECT DISTINCT from_id, to_id FROM Links${
    tables.postgres ? " ORDER BY from_id, to_id" : ""
  }`;
}

/** The pages retrieved without error and the links between them; ranks from the database. */
async function dampedGraph(tables: CrawlTables): Promise<Graph> {
  const pages = await tables.all(
    "SELECT id, new_rank FROM Pages WHERE html IS NOT NULL AND error IS NULL ORDER BY id",
  );
  const index = new Map(pages.map((row, i) => [Number(row.id), i]));
  const out = pages.map(() => [] as number[]);
  for await (const row of tables.each(distinctLinks(tables))) {
    const from = index.get(Number(row.from_id));
    const to = index.get(Number(row.to_id));
    if (from === undefined || to === undefined || from === to) continue;
    out[from].push(to);
  }
  const start = pages.map((row) => {
    const rank = row.new_rank === null ? NaN : Number(row.new_rank);
    return Number.isFinite(rank) && rank > 0 ? rank : 1.0;
  });
  return { ids: pages.map((row) => Number(row.id)), start, out };
}

/** Damped PageRank on the mean-1.0 scale, from `graph.start` rescaled to mean 1.0. */
function dampedRanks(graph: Graph, iterations: number) {
  const n = graph.ids.length;
  const total = graph.start.reduce((sum, rank) => sum + rank, 0);
  let ranks = graph.start.map((rank) => rank * n / total);
  let change = Infinity;
  let done = 0;
  while (done < iterations && !(change < TOLERANCE)) {
    let dangling = 0;
    const next = new Array<number>(n).fill(0);
    graph.out.forEach((links, i) => {
      if (links.length === 0) dangling += ranks[i];
      else for (const to of links) next[to] += ranks[i] / links.length;
    });
    let moved = 0;
    for (let i = 0; i < n; i++) {
      next[i] = (1 - DAMPING) + DAMPING * (next[i] + dangling / n);
      moved += Math.abs(next[i] - ranks[i]);
    }
    change = moved / n;
    ranks = next;
    done++;
  }
  return { ranks, iterations: done, change, converged: change < TOLERANCE };
}

/** The book's pages (those with links out), links between them, and its ranks. */
async function bookGraph(
  tables: CrawlTables,
): Promise<{ ids: number[]; links: [number, number][] }> {
  const ids = (await tables.all(
    `SELECT DISTINCT from_id FROM Links${tables.postgres ? " ORDER BY from_id" : ""}`,
  )).map((row) => Number(row.from_id));
  const ranked = new Set(ids);
  const links: [number, number][] = [];
  for await (const row of tables.each(distinctLinks(tables))) {
    const from = Number(row.from_id);
    const to = Number(row.to_id);
    if (from === to || !ranked.has(from) || !ranked.has(to)) continue;
    links.push([from, to]);
  }
  return { ids, links };
}

/** Stores the ranks as the book does: old_rank from new_rank for all, then the new ones. */
async function store(tables: CrawlTables, ids: number[], ranks: number[]): Promise<void> {
  await tables.transaction(async () => {
    await tables.run("UPDATE Pages SET old_rank = new_rank");
    await tables.run(
      "UPDATE Pages SET new_rank = ? WHERE id = ?",
      ids.map((id, i) => [ranks[i], id]),
    );
  });
}

/** The answer to `How many iterations:`: empty is 1, as in the book. */
async function askIterations(): Promise<number> {
  await stdout.print("How many iterations:");
  await stdout.flush();
  let answer: string;
  try {
    answer = await input("", "how many iterations");
  } catch (error) {
    // An empty line means 1, as in the book; closed stdin is an error.
    if (error instanceof UsageError && error.why === "the answer is empty") return 1;
    throw error;
  }
  if (!/^[0-9]+$/.test(answer) || Number(answer) < 1) {
    throw new UsageError(
      `cannot use "${answer}" as how many iterations`,
      "expected a whole number from 1 up",
    );
  }
  return Number(answer);
}

run("sprank", async () => {
  const { values } = parseCommandLine(USAGE, {
    iterations: { type: "string" },
    book: { type: "boolean" },
    db: { type: "string" },
  }, 0);
  const option = integerOption("iterations", values.iterations, 0, 1, Number.MAX_SAFE_INTEGER);
  await using tables = await openCrawlTables(values.db ?? DEFAULT_DB, false, "sprank");
  if (values.book) {
    const { ids, links } = await bookGraph(tables);
    const stored = new Map<number, unknown>();
    for await (const row of tables.each("SELECT id, new_rank FROM Pages")) {
      stored.set(Number(row.id), row.new_rank);
    }
    const start = new Map<number, number>();
    for (const id of ids) {
      const rank = stored.get(id);
      start.set(id, rank === null || rank === undefined ? 1.0 : Number(rank));
    }
    const iterations = option || await askIterations();
    if (ids.length < 1) {
      await stdout.print("Nothing to page rank.  Check data.\n");
      return;
    }
    const ranks = await bookRanks(links, start, iterations);
    const first = ids.slice(0, 5).map((id) => `(${id}, ${pythonNumber(ranks.get(id)!)})`);
    await stdout.print(`[${first.join(", ")}]\n`);
    await store(tables, ids, ids.map((id) => ranks.get(id)!));
    return;
  }
  const graph = await dampedGraph(tables);
  const iterations = option || await askIterations();
  if (graph.ids.length < 1) {
    await stdout.print("Nothing to page rank.  Check data.\n");
    return;
  }
  const result = dampedRanks(graph, iterations);
  await store(tables, graph.ids, result.ranks);
  const pages = `${graph.ids.length} page${graph.ids.length === 1 ? "" : "s"}`;
  const after = `${result.iterations} iteration${result.iterations === 1 ? "" : "s"}`;
  const mean = `mean change ${result.change.toExponential(2)}`;
  await stdout.print(
    result.converged
      ? `Ranked ${pages}: converged after ${after} (${mean}, under 1e-6)\n`
      : `Ranked ${pages}: not converged after ${after} (${mean}); run again to go on\n`,
  );
});

/**
 * The book's iteration, step for step in its order (so the floating-point
 * sums are the same), printing `i avediff` each time.
 */
async function bookRanks(
  links: [number, number][],
  start: Map<number, number>,
  iterations: number,
): Promise<Map<number, number>> {
  const targets = new Set(links.map(([, to]) => to));
  let previous = start;
  for (let i = 0; i < iterations; i++) {
    const next = new Map<number, number>();
    let total = 0.0;
    for (const [id, rank] of previous) {
      total = total + rank;
      next.set(id, 0.0);
    }
    for (const [id, rank] of previous) {
      const give = links.filter(([from, to]) => from === id && targets.has(to)).map(([, to]) => to);
      if (give.length < 1) continue;
      const amount = rank / give.length;
      for (const to of give) next.set(to, next.get(to)! + amount);
    }
    let newTotal = 0;
    for (const rank of next.values()) newTotal = newTotal + rank;
    const evaporated = (total - newTotal) / next.size;
    for (const [id, rank] of next) next.set(id, rank + evaporated);
    let totalDiff = 0;
    for (const [id, rank] of previous) totalDiff = totalDiff + Math.abs(rank - next.get(id)!);
    await stdout.print(`${i + 1} ${pythonNumber(totalDiff / previous.size)}\n`);
    previous = next;
  }
  return previous;
}
