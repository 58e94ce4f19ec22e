#!/usr/bin/env -S deno run --no-prompt --allow-net=127.0.0.1 --allow-read=/tmp,/etc/passwd,/usr/lib/postgresql --allow-write=/tmp --allow-env=PGAPPNAME --allow-run=deno,runuser,apt-get
// Copyright netprog authors. MIT license.

/**
 * How many pages a second the crawl frontier takes and stores, with no
 * network: `claim()` then `storePage()` (10 KB of HTML, ten links) by 1, 4
 * and 8 worker processes at once, each with its own connection, on the
 * SQLite frontier (one file, WAL) and on the PostgreSQL one (a server of its
 * own on 127.0.0.1: Debian's defaults, so each commit waits for its WAL
 * flush; and again with `synchronous_commit = off`, which is what SQLite's
 * `synchronous = NORMAL` does). Then the PostgreSQL database's size a URL.
 *
 *     deno run --no-prompt --allow-net=127.0.0.1 --allow-read=/tmp,/etc/passwd,/usr/lib/postgresql --allow-write=/tmp --allow-env=PGAPPNAME --allow-run=deno,runuser,apt-get bench/frontier_bench.ts [--hosts M] [--pages N] [--frontiers sqlite,postgres] [--json PATH]
 *
 * The web: M hosts (default 100) of N pages each (default 40); page i of a
 * host links to pages 2i and 2i+1 of its host (new pages) and to eight
 * others of its host (known ones), so the crawl finds every page from each
 * host's first. One request in flight a host (`perHost` 1), no delay.
 * `--frontiers postgres` (or `sqlite`) measures one of the two only.
 *
 * Permissions: `--allow-net=127.0.0.1` (the server), `--allow-read` and
 * `--allow-write=/tmp` (the SQLite file, the server's folder),
 * `--allow-read=/etc/passwd,/usr/lib/postgresql` (the postgres user, is it
 * installed?), `--allow-env=PGAPPNAME` (the client reads it),
 * `--allow-run=deno,runuser,apt-get` (the workers, initdb and pg_ctl as the
 * postgres user, installing Debian's postgresql when missing).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createCrawlDb } from "../scripts/lib/crawl_db.ts";
import { type Frontier, SqliteFrontier } from "../scripts/lib/frontier.ts";
import { openPostgresFrontier } from "../scripts/lib/frontier_pg.ts";
import { startPostgres } from "./_postgres.ts";
import { sleep } from "../scripts/lib/time_limit.ts";

const SELF = decodeURIComponent(new URL(import.meta.url).pathname);
const WORKER_FLAGS = [
  "--no-prompt",
  "--allow-net=127.0.0.1",
  "--allow-read=/tmp",
  "--allow-write=/tmp",
  "--allow-env=PGAPPNAME",
];
/** 10 KB of text that compresses about as HTML does (words from a small list, at random). */
const WORDS = ["the", "page", "link", "crawl", '<a href="/x">', "</a>", "<p>", "host", "data"];
const HTML = Array.from({ length: 2_000 }, () => WORDS[Math.floor(Math.random() * WORDS.length)])
  .join(" ").slice(0, 10_000);

const { values } = parseArgs({
  args: Deno.args,
  options: {
    hosts: { type: "string", default: "100" },
    pages: { type: "string", default: "40" },
    json: { type: "string" },
    frontiers: { type: "string", default: "sqlite,postgres" },
    worker: { type: "string" },
    "start-at": { type: "string" },
  },
});
const HOSTS = Number(values.hosts);
const PER_HOST = Number(values.pages);

/** Page i's links: two new pages of its host, and eight it may know already. */
function linksOf(url: string): string[] {
  const match = /^(http:\/\/[^/]+)\/p(\d+)$/.exec(url)!;
  const i = Number(match[2]);
  const known = Array.from({ length: 8 }, (_, k) => 1 + ((i * 7 + k * 13) % i));
  return [2 * i, 2 * i + 1, ...known].filter((j) => j <= PER_HOST)
    .map((j) => `${match[1]}/p${j}`);
}

function open(db: string): Promise<Frontier> {
  return db.startsWith("postgres")
    ? openPostgresFrontier(db, 10_000)
    : Promise.resolve(new SqliteFrontier(createCrawlDb(db), 10_000));
}

/** A worker: claims and stores until nothing is left; prints its count and times. */
async function work(db: string, startAt: number): Promise<void> {
  const frontier = await open(db);
  await sleep(startAt - Date.now());
  const began = Date.now();
  let done = 0;
  while (true) {
    const claim = await frontier.claim();
    if (claim === null) {
      const wake = await frontier.nextWake();
      if (wake === null) break;
      await sleep(Math.max(1, Math.min(wake - Date.now(), 5)));
      continue;
    }
    await frontier.storePage(claim, { html: HTML, links: linksOf(claim.url) }, Date.now());
    done++;
  }
  console.log(JSON.stringify({ done, began, ended: Date.now() }));
  await frontier.close();
}

/** Seeds a crawl (each host's first page), runs `workers` processes on it; pages a second. */
async function measure(db: string, workers: number): Promise<number> {
  const seed = await open(db);
  for (let h = 0; h < HOSTS; h++) {
    const host = `http://h${h}.example`;
    await seed.addStart(`${host}/`, `${host}/p1`);
  }
  await seed.close();
  const startAt = Date.now() + 2000;
  const children = Array.from({ length: workers }, () =>
    new Deno.Command("deno", {
      args: [
        "run",
        ...WORKER_FLAGS,
        SELF,
        "--worker",
        db,
        "--start-at",
        String(startAt),
        "--hosts",
        String(HOSTS),
        "--pages",
        String(PER_HOST),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output());
  const results = (await Promise.all(children)).map((output) => {
    if (!output.success) throw new Error(`a worker failed with status ${output.code}`);
    return JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
  });
  const total = results.reduce((sum, r) => sum + r.done, 0);
  if (total !== HOSTS * PER_HOST) throw new Error(`${total} pages stored, not ${HOSTS * PER_HOST}`);
  const seconds = (Math.max(...results.map((r) => r.ended)) - startAt) / 1000;
  return total / seconds;
}

if (values.worker !== undefined) {
  await work(values.worker, Number(values["start-at"]));
  Deno.exit(0);
}

const dir = await Deno.makeTempDir({ prefix: "netprog-frontier-bench-" });
// The server runs as the postgres user, inside this folder.
await Deno.chmod(dir, 0o755);
const rows: { frontier: string; workers: number; pagesPerSecond: number }[] = [];
const sizes: Record<string, number> = {};
const server = await startPostgres(dir);
try {
  // The frontier's own connection settings (the client reads no PG* variable but PGAPPNAME).
  const adminFrontier = await openPostgresFrontier(server.url, 10_000);
  const admin = adminFrontier.sql;
  let n = 0;
  const runs: [string, number, () => Promise<string>][] = [];
  const frontiers = values.frontiers.split(",");
  for (const workers of frontiers.includes("sqlite") ? [1, 4, 8] : []) {
    runs.push(["SQLite (WAL, synchronous=NORMAL)", workers, () => {
      return Promise.resolve(`${dir}/crawl${n++}.sqlite`);
    }]);
  }
  for (
    const [label, sync] of frontiers.includes("postgres")
      ? [["PostgreSQL (synchronous_commit=on)", "on"], [
        "PostgreSQL (synchronous_commit=off)",
        "off",
      ]]
      : []
  ) {
    for (const workers of [1, 4, 8]) {
      runs.push([label, workers, async () => {
        const name = `crawl${n++}`;
        await admin.unsafe(`CREATE DATABASE ${name}`);
        await admin.unsafe(`ALTER DATABASE ${name} SET synchronous_commit = ${sync}`);
        return server.url.replace(/\/postgres$/, `/${name}`);
      }]);
    }
  }
  for (const [label, workers, make] of runs) {
    const db = await make();
    const rate = await measure(db, workers);
    rows.push({ frontier: label, workers, pagesPerSecond: Math.round(rate) });
    console.log(`${label}, ${workers} worker(s): ${rate.toFixed(0)} pages/s (claim + store)`);
    if (db.startsWith("postgres") && workers === 8) {
      const frontier = await openPostgresFrontier(db, 10_000);
      const sql = frontier.sql;
      await sql`VACUUM ANALYZE`;
      for (
        const table of ["pages", "pagefacts", "links", "hosts", "webs", "meta", "robots"]
      ) {
        const [row] = await sql`SELECT pg_total_relation_size(${table}::regclass)::bigint AS n`;
        sizes[table] = Number(row.n);
      }
      const [links] = await sql`SELECT COUNT(*)::int AS n FROM Links`;
      sizes.links_rows = links.n;
      const [html] = await sql`SELECT SUM(pg_column_size(html))::bigint AS n FROM Pages`;
      sizes.html_stored = Number(html.n);
      await frontier.close();
    }
  }
  await adminFrontier.close();
} finally {
  await server.stop();
  await Deno.remove(dir, { recursive: true });
}
// The sizes are measured on PostgreSQL only.
if (sizes.pages !== undefined) {
  const urls = HOSTS * PER_HOST;
  const html = HTML.length;
  const total = ["pages", "pagefacts", "links", "hosts", "webs", "meta", "robots"]
    .reduce((sum, table) => sum + sizes[table], 0);
  console.log(
    `PostgreSQL after ${urls} URLs (${HOSTS} hosts, ${html} bytes of HTML a page, ` +
      `${sizes.links_rows} links): ` +
      Object.entries(sizes).map(([table, bytes]) => `${table} ${bytes}`).join(", ") +
      `; ${(total / urls).toFixed(0)} bytes a URL in all, ` +
      `${((total - sizes.html_stored) / urls).toFixed(0)} bytes a URL beside the stored HTML ` +
      `(${(sizes.html_stored / urls).toFixed(0)} bytes a page after compression)`,
  );
}
if (values.json !== undefined) {
  await Deno.writeTextFile(
    values.json,
    JSON.stringify({ hosts: HOSTS, pagesPerHost: PER_HOST, rows, sizes }, null, 2),
  );
}
