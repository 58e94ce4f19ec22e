// Copyright netprog authors. MIT license.

/**
 * The programs that work on a crawl (sprank, spreset, spdump, spjson and
 * `spider.ts --why`) on a crawl kept on PostgreSQL (`--db postgres://…`),
 * against a throw-away server the test starts (tests/_postgres.ts): one
 * crawl, made by the spider in a SQLite file and copied row for row into
 * PostgreSQL, gives the same bytes on both (stdout, stderr, spider.json, the
 * stored ranks) through a run of every program; a crawl the spiders made on
 * PostgreSQL reads as well; a database with no crawl, one that is not there
 * and a missing flag are one line each.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openPostgresFrontier } from "../scripts/lib/frontier_pg.ts";
import { programNamed } from "../scripts/lib/programs.ts";
import { ROOT, runScript, type ScriptResult, tempFolder } from "./_helpers.ts";
import { type Postgres, skipWithoutPostgres, startPostgres } from "./_postgres.ts";
import { flags, startSite, tree } from "./_spider_site.ts";

/** The web: 60 pages in a tree (more than spdump's 50 rows), and a link to a missing page. */
function web(): Record<string, string> {
  const pages = tree(60);
  pages["/p1.htm"] += '\n<a href="missing.htm">gone</a>';
  return pages;
}

/** Copies the crawl's tables from a SQLite file into a new PostgreSQL database, row for row. */
async function copyCrawl(path: string, server: Postgres, name: string): Promise<string> {
  const url = await server.createDatabase(name);
  // The spider's own tables, made as a spider on PostgreSQL makes them.
  await using frontier = await openPostgresFrontier(url, 10_000);
  const file = new DatabaseSync(path, { readOnly: true });
  try {
    for (const table of ["Pages", "Links", "Webs", "PageFacts", "Hosts", "Robots"]) {
      const rows = file.prepare(`SELECT * FROM ${table}`).all();
      await frontier.sql.unsafe(
        `INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::text::json)`,
        [JSON.stringify(rows)],
      );
    }
  } finally {
    file.close();
  }
  return url;
}

/** Every page's id and ranks, as exact text (`Object.is` equal floats give equal text). */
function ranksOf(rows: Record<string, unknown>[]): string {
  return rows.map((row) => `${row.id} ${row.old_rank} ${row.new_rank}`).join("\n");
}

const SAME = "sprank, spreset, spdump, spjson and spider --why give the same bytes on " +
  "PostgreSQL as on SQLite for one crawl";
Deno.test({ name: SAME, ignore: skipWithoutPostgres(SAME) }, async (t) => {
  await using server = await startPostgres();
  await using site = startSite({ pages: web() });
  await using folder = await tempFolder("netprog-spider-db-pg-");
  const crawl = await new Deno.Command("deno", {
    args: [
      "run",
      "--no-prompt",
      ...flags(site.port),
      `${ROOT}/scripts/spider.ts`,
      `${site.origin}/p1.htm`,
      "--pages",
      "100",
      "--delay",
      "0",
    ],
    cwd: folder.path,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(crawl.code, 0, new TextDecoder().decode(crawl.stderr));
  const file = `${folder.path}/spider.sqlite`;
  const url = await copyCrawl(file, server, "copied");
  const net = [`--allow-net=127.0.0.1:${server.port}`, "--allow-env=PGAPPNAME"];
  const spjsonFlags = [
    "--allow-write=spider.json,spider.json.part",
    "--allow-read=spider.json.part",
  ];

  /** A program with its shebang's flags on the file, then with the PostgreSQL flags on the copy. */
  const both = async (
    name: string,
    args: string[],
    stdin?: string,
  ): Promise<[ScriptResult, ScriptResult]> => {
    const onFile = await runScript(name, args, {
      flags: [...programNamed(name).flags],
      cwd: folder.path,
      stdin,
    });
    const fileJson = name === "spjson"
      ? await Deno.readTextFile(`${folder.path}/spider.json`).catch(() => "")
      : "";
    const onPostgres = await runScript(name, [...args, "--db", url], {
      flags: [...net, ...name === "spjson" ? spjsonFlags : []],
      cwd: folder.path,
      stdin,
    });
    const pgJson = name === "spjson"
      ? await Deno.readTextFile(`${folder.path}/spider.json`).catch(() => "")
      : "";
    assert.equal(onPostgres.stdout, onFile.stdout);
    assert.equal(onPostgres.stderr, onFile.stderr);
    assert.equal(onPostgres.code, onFile.code);
    assert.equal(pgJson, fileJson);
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const sqlite = db.prepare("SELECT id, old_rank, new_rank FROM Pages ORDER BY id").all();
      await using frontier = await openPostgresFrontier(url, 10_000);
      const pg = await frontier.sql`SELECT id, old_rank, new_rank FROM Pages ORDER BY id`;
      assert.equal(ranksOf(pg), ranksOf(sqlite));
    } finally {
      db.close();
    }
    return [onFile, onPostgres];
  };

  await t.step("spdump on the crawl as the spider left it", async () => {
    const [result] = await both("spdump", []);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\n60 rows\.\n$/);
    assert.equal(result.stdout.split("\n").length, 52);
  });

  await t.step("sprank, not converged, then to convergence at its prompt; spdump", async () => {
    const [first] = await both("sprank", ["--iterations", "5"]);
    assert.match(first.stdout, /^Ranked 60 pages: not converged after 5 iterations/);
    await both("spdump", []);
    const [second] = await both("sprank", [], "1000\n");
    assert.match(second.stdout, /^How many iterations:Ranked 60 pages: converged after \d+/);
    await both("spdump", []);
  });

  await t.step("spjson, with --nodes and at its prompt", async () => {
    const [asked] = await both("spjson", ["--nodes", "10"]);
    assert.equal(asked.code, 0, asked.stderr);
    assert.match(asked.stdout, /^Wrote 10 nodes and \d+ links to spider\.json/);
    await both("spjson", [], "100\n");
  });

  await t.step("sprank --book, then spreset; spdump after each", async () => {
    const [book] = await both("sprank", ["--book", "--iterations", "3"]);
    assert.match(book.stdout, /^1 \S+\n2 \S+\n3 \S+\n\[\(1, \S+\), /);
    await both("spdump", []);
    const [reset] = await both("spreset", []);
    assert.equal(reset.stdout, "All pages set to a rank of 1.0\n");
    await both("spdump", []);
    const [none] = await both("spjson", ["--nodes", "5"]);
    assert.equal(none.code, 1);
  });

  await t.step(
    "spider --why on a page fetched, a missing one, one not linked, one outside",
    async () => {
      for (
        const page of [
          "/p1.htm",
          "/p60.htm",
          "/missing.htm",
          "/p61.htm",
          `/${"x".repeat(2100)}.htm`,
        ]
      ) {
        const [why] = await both("spider", ["--why", `${site.origin}${page}`]);
        assert.equal(why.code, 0, why.stderr);
      }
      const [fetched] = await both("spider", ["--why", `${site.origin}/p1.htm`]);
      assert.match(fetched.stdout, / page 1, fetched: 200 text\/html, \d+ bytes, depth 0\n$/);
      const [gone] = await both("spider", ["--why", `${site.origin}/missing.htm`]);
      assert.match(
        gone.stdout,
        / failed \(error 404\): 404 text\/html, depth 1: HTTP 404 Not Found\n$/,
      );
      const [outside] = await both("spider", ["--why", "http://127.0.0.2/"]);
      assert.match(outside.stdout, /not in the crawl: outside the webs \["http:\/\/127\.0\.0\.1:/);
    },
  );
});

const DIRECT = "spdump and sprank read a crawl the spider made on PostgreSQL";
Deno.test({ name: DIRECT, ignore: skipWithoutPostgres(DIRECT) }, async () => {
  await using server = await startPostgres();
  await using site = startSite({ pages: web() });
  const url = await server.createDatabase("direct");
  const net = [`--allow-net=127.0.0.1:${server.port}`, "--allow-env=PGAPPNAME"];
  const crawl = await runScript(
    "spider",
    [`${site.origin}/p1.htm`, "--pages", "100", "--delay", "0", "--db", url],
    { flags: [`--allow-net=127.0.0.1:${site.port},127.0.0.1:${server.port}`, net[1]] },
  );
  assert.equal(crawl.code, 0, crawl.stderr);
  const rank = await runScript("sprank", ["--iterations", "1000", "--db", url], { flags: net });
  assert.equal(rank.code, 0, rank.stderr);
  assert.match(rank.stdout, /^Ranked 60 pages: converged after \d+ iterations/);
  const dump = await runScript("spdump", ["--db", url], { flags: net });
  assert.equal(dump.code, 0, dump.stderr);
  const lines = dump.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 51);
  assert.equal(lines.at(-1), "60 rows.");
  // The most linked page first: every page but the first has two links in, the first one.
  assert.deepEqual(JSON.parse(lines[0]).slice(0, 1), [2]);
});

const FAILURES = "on PostgreSQL: no crawl there, no such database, a missing flag: one line each";
Deno.test({ name: FAILURES, ignore: skipWithoutPostgres(FAILURES) }, async () => {
  await using server = await startPostgres();
  const empty = await server.createDatabase("empty");
  const net = [`--allow-net=127.0.0.1:${server.port}`, "--allow-env=PGAPPNAME"];
  const shown = `postgres://postgres@127.0.0.1:${server.port}`;
  await using folder = await tempFolder("netprog-spider-db-pg-");
  const spjson = ["--allow-write=spider.json,spider.json.part", "--allow-read=spider.json.part"];
  for (const name of ["spdump", "spreset", "sprank", "spjson"]) {
    const args = { sprank: ["--iterations", "1"], spjson: ["--nodes", "3"] }[name] ?? [];
    const result = await runScript(name, [...args, "--db", empty], {
      flags: [...net, ...name === "spjson" ? spjson : []],
      cwd: folder.path,
    });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `${name}: cannot read ${shown}/empty: no Pages or Links table; run spider.ts first\n`,
    );
  }
  // Nothing was made there.
  assert.equal(
    (await server.psql("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'", "empty"))
      .trim(),
    "0",
  );
  const missing = await runScript("spdump", ["--db", `${shown}/nosuch`], { flags: net });
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^spdump: cannot connect to postgres:\/\/postgres@127\.0\.0\.1:\d+\/nosuch: .*"nosuch" does not exist\n$/,
  );
  const why = await runScript("spider", ["--why", "http://127.0.0.2/", "--db", empty], {
    flags: net,
  });
  assert.equal(why.code, 1);
  assert.match(why.stderr, /^spider: cannot read postgres:.*: no Pages or Links table/);
  assert.deepEqual([...Deno.readDirSync(folder.path)], []);
  for (
    const [without, hint] of [
      [net[0], `no network permission for 127.0.0.1:${server.port}: run with --allow-net=`],
      [net[1], "no env permission for PGAPPNAME: run with --allow-env=PGAPPNAME"],
    ]
  ) {
    const result = await runScript("spdump", ["--db", empty], {
      flags: net.filter((f) => f !== without),
    });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stderr.split("\n").length, 2, result.stderr);
    assert(result.stderr.startsWith(`spdump: ${hint}`), result.stderr);
  }
});

/** `n` characters of path that do not compress (as a long URL's query often does not). */
function noise(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return [...bytes].map((byte) => "abcdefghijklmnopqrstuvwxyz0123456789"[byte % 36]).join("");
}

const LONG = "a link over 2,048 characters is not followed, on SQLite and on PostgreSQL, " +
  "and --why says so; one of 2,048 is";
Deno.test({ name: LONG, ignore: skipWithoutPostgres(LONG) }, async () => {
  await using server = await startPostgres();
  const pages: Record<string, string> = {};
  await using site = startSite({ pages });
  const sized = (n: number) => `/${noise(n - site.origin.length - 1)}`;
  const [fits, over, far] = [sized(2048), sized(2049), sized(2800)];
  pages["/index.htm"] = [fits, over, far].map((path) => `<a href="${path}">x</a>`).join("\n");
  pages[fits] = "<p>the longest URL followed</p>";
  // What the rule spares a store: PostgreSQL's index refuses a URL of 2,800 such characters.
  const url = await server.createDatabase("long");
  await assert.rejects(
    server.psql(
      `CREATE TABLE t (url TEXT UNIQUE); INSERT INTO t VALUES ('${site.origin}${far}')`,
      "long",
    ),
    /index row size \d+ exceeds/,
  );
  await using folder = await tempFolder("netprog-spider-db-pg-");
  const net = `--allow-net=127.0.0.1:${site.port},127.0.0.1:${server.port}`;
  const runs = {
    sqlite: { flags: flags(site.port), db: [] as string[] },
    postgres: { flags: [net, "--allow-env=PGAPPNAME"], db: ["--db", url] },
  };
  for (const [name, { flags, db }] of Object.entries(runs)) {
    const crawl = await runScript(
      "spider",
      [`${site.origin}/index.htm`, "--pages", "10", "--delay", "0", ...db],
      { flags, cwd: folder.path },
    );
    assert.equal(crawl.code, 0, `${name}: ${crawl.stderr}`);
    assert.match(crawl.stdout, /\(\d+\) 1\n.*\(\d+\) 0\nNo unretrieved HTML pages found\n$/s, name);
    const why = async (path: string) =>
      (await runScript("spider", ["--why", `${site.origin}${path}`, ...db], {
        flags,
        cwd: folder.path,
      })).stdout;
    assert.match(await why(fits), /^\S+ page 2, fetched: 200 text\/html/, name);
    for (const path of [over, far]) {
      assert.equal(
        await why(path),
        `${site.origin}${path} not followed: longer than 2,048 characters\n`,
        name,
      );
    }
  }
  assert.deepEqual(site.pages().map((seen) => seen.path), ["/index.htm", fits, "/index.htm", fits]);
});
