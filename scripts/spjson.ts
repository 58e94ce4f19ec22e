#!/usr/bin/env -S deno run --allow-read=spider.sqlite,spider.json.part --allow-write=spider.json,spider.json.part
// Copyright netprog authors. MIT license.

/**
 * spjson: the book's `pagerank/spjson.py`. Asks `How many nodes? ` and writes
 * the link graph of the crawl's best-ranked pages for a force-directed
 * drawing: each node with its inbound link count (`weight`), its rank scaled
 * from 0 to 19 as the book scales it, its id and URL, and the links among
 * those pages (`source` and `target` are node indexes, `value` 3).
 *
 * Where it differs from the book's program:
 * - the nodes are the N pages with the highest rank, not the first N by id
 *   (the book's also takes one more than asked);
 * - the file is `spider.json`, JSON that any program can read (`<` written
 *   as `\u003c`, so it can sit in an HTML page), not `spider.js` built by
 *   joining strings, where a `"` in a URL breaks it; the book's `force.html`
 *   wants `spiderJson = ` and the file's text, then `;`;
 * - it is written beside its name and renamed into place, so a failure never
 *   leaves half a file.
 *
 *     deno run --allow-read=spider.sqlite,spider.json.part --allow-write=spider.json,spider.json.part scripts/spjson.ts [--nodes N]
 *
 * With `--nodes N` there is no prompt. Ranks come from sprank: when every
 * page has the same rank there is nothing to scale, and it says to run
 * sprank first. `--db postgres://USER@HOST:PORT/DATABASE` reads a crawl that
 * spiders keep on PostgreSQL (see docs/SCALE.md), and writes the same bytes
 * as for the same crawl in a file.
 *
 * Permissions:
 * - `--allow-read=spider.sqlite`: read the crawl database (opened
 *   read-only). With `--db PATH`, allow that path instead.
 * - `--allow-write=spider.json,spider.json.part` and
 *   `--allow-read=spider.json.part`: write the file beside its name, then
 *   rename it into place. With `-o PATH`, give PATH and PATH.part instead.
 * - With `--db postgres://USER@HOST:PORT/DATABASE`: `--allow-net=HOST:PORT`
 *   and `--allow-env=PGAPPNAME` (its client reads it) in place of
 *   `--allow-read=spider.sqlite`.
 *
 * @module
 */

import { integerOption, OUTPUT, parseCommandLine } from "./lib/args.ts";
import { AtomicFile, requireAtomicWrite } from "./lib/atomic_file.ts";
import { DEFAULT_DB } from "./lib/crawl_db.ts";
import { openCrawlTables } from "./lib/crawl_tables.ts";
import { RunError } from "./lib/errors.ts";
import { run } from "./lib/run.ts";
import { input, stdout } from "./lib/stdio.ts";

const FLAGS =
  "--allow-read=spider.sqlite,spider.json.part --allow-write=spider.json,spider.json.part";

const USAGE = `Usage: deno run ${FLAGS} scripts/spjson.ts [options]

Asks "How many nodes? " and writes spider.json: the best-ranked pages of the
crawl database and the links among them, for a force-directed drawing, in the
shape of the book's spjson.py ({"nodes": [...], "links": [...]}).

Options:
  --nodes N                  how many pages (no prompt)
  -o, --output PATH          write PATH instead (allow PATH and PATH.part)
  --db PATH                  the crawl database (default ${DEFAULT_DB}); allow
                             its path with --allow-read; or a PostgreSQL
                             database postgres://USER@HOST:PORT/DB (allow
                             HOST:PORT with --allow-net, and
                             --allow-env=PGAPPNAME)
  -h, --help                 print this help
`;

/** `1 node`, `2 nodes`. */
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

run("spjson", async () => {
  const { values } = parseCommandLine(USAGE, {
    ...OUTPUT,
    nodes: { type: "string" },
    db: { type: "string" },
  }, 0);
  const output = values.output ?? "spider.json";
  await requireAtomicWrite(output);
  await using tables = await openCrawlTables(values.db ?? DEFAULT_DB, true, "spjson");
  let howmany = integerOption("nodes", values.nodes, 0, 1, Number.MAX_SAFE_INTEGER);
  if (values.nodes === undefined) {
    await stdout.print(`Creating JSON output on ${output}...\n`);
    const answer = await input("How many nodes? ", "how many nodes");
    howmany = integerOption("nodes", answer, 0, 1, Number.MAX_SAFE_INTEGER);
  }

  // SQLite puts a NULL rank last in a descending order; PostgreSQL is told to.
  const rows = await tables.all(
    `SELECT COUNT(from_id) AS inbound, old_rank, new_rank, id, url
     FROM Pages JOIN Links ON Pages.id = Links.to_id
     WHERE html IS NOT NULL AND error IS NULL
     GROUP BY id ORDER BY new_rank DESC${tables.postgres ? " NULLS LAST" : ""}, id LIMIT ?`,
    [howmany],
  );
  const ranks = rows.map((row) => row.new_rank as number | null);
  const maxrank = Math.max(...ranks.map((rank) => rank ?? NaN));
  const minrank = Math.min(...ranks.map((rank) => rank ?? NaN));
  if (rows.length === 0 || !(maxrank > minrank)) {
    throw new RunError(
      `cannot write ${output}`,
      "the pages have no ranks to tell apart: run sprank first",
    );
  }

  const index = new Map<number, number>();
  const nodes = rows.map((row, i) => {
    index.set(Number(row.id), i);
    const rank = 19 * ((Number(row.new_rank) - minrank) / (maxrank - minrank));
    return { weight: Number(row.inbound), rank, id: Number(row.id), url: String(row.url) };
  });
  const links: { source: number; target: number; value: number }[] = [];
  // In the order SQLite gives by the index of UNIQUE(from_id, to_id); PostgreSQL is told it.
  const distinct = `SELECT DISTINCT from_id, to_id FROM Links${
    tables.postgres ? " ORDER BY from_id, to_id" : ""
  }`;
  for await (const row of tables.each(distinct)) {
    const source = index.get(Number(row.from_id));
    const target = index.get(Number(row.to_id));
    if (source !== undefined && target !== undefined) links.push({ source, target, value: 3 });
  }

  const json = (item: unknown) => JSON.stringify(item).replaceAll("<", "\\u003c");
  const text = `{"nodes":[\n${nodes.map(json).join(",\n")}],\n"links":[\n${
    links.map(json).join(",\n")
  }]}\n`;
  await AtomicFile.write(output, new TextEncoder().encode(text));
  await stdout.print(
    `Wrote ${plural(nodes.length, "node")} and ${plural(links.length, "link")} to ${output}, ` +
      "for a force-directed drawing of the link graph\n",
  );
});
