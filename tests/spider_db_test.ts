// Copyright netprog authors. MIT license.

// The programs that work on the crawl database (sprank, spreset, spdump), run with their shebang's
// flags on small databases made here: with the book's own DDL and through scripts/lib/crawl_db.ts.

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { programNamed } from "../scripts/lib/programs.ts";
import { runScript } from "./_helpers.ts";
import { writeCrawl, writeSmallCrawl } from "./_spider_db.ts";

/** Runs a program in a new folder holding the crawl `make` writes to `spider.sqlite`. */
async function inCrawl(
  make: ((path: string) => void) | null,
  name: string,
  args: string[],
  stdin?: string,
) {
  const folder = await Deno.makeTempDir({ prefix: "netprog-spider-db-" });
  const path = `${folder}/spider.sqlite`;
  if (make !== null) make(path);
  const result = await runScript(name, args, {
    flags: [...programNamed(name).flags],
    cwd: folder,
    stdin,
  });
  const ranks = make === null ? [] : readRanks(path);
  await Deno.remove(folder, { recursive: true });
  return { ...result, ranks };
}

/** Every page's [id, old_rank, new_rank], by id. */
function readRanks(path: string): [number, number | null, number | null][] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare("SELECT id, old_rank, new_rank FROM Pages ORDER BY id").all().map((row) => [
      Number(row.id),
      row.old_rank as number | null,
      row.new_rank as number | null,
    ]);
  } finally {
    db.close();
  }
}

const url = (name: string) => ({ url: `http://127.0.0.1:8000/${name}.htm` });
/** A↔B, A↔C: the book's rank swings between two states forever here. */
const swing = (book: boolean) => (path: string) =>
  writeCrawl(path, [url("a"), url("b"), url("c")], [[1, 2], [2, 1], [1, 3], [3, 1]], book);

function near(actual: number | null, expected: number, label: string) {
  assert(
    actual !== null && Math.abs(actual - expected) < 1e-5,
    `${label}: ${actual} ≠ ${expected}`,
  );
}

Deno.test("spdump prints the book's query as JSON rows, then the count, on the book's DDL", async () => {
  for (const book of [true, false]) {
    const result = await inCrawl((path) => writeSmallCrawl(path, book), "spdump", []);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      '[2, null, 1.0, 2, "http://127.0.0.1:8000/page1.htm"]\n' +
        '[1, null, 1.0, 1, "http://127.0.0.1:8000/index.htm"]\n' +
        '[1, null, 1.0, 3, "http://127.0.0.1:8000/page2.htm"]\n' +
        "3 rows.\n",
    );
  }
});

Deno.test("spdump shows 50 rows and counts them all", async () => {
  const pages = Array.from({ length: 60 }, (_, i) => url(`p${i + 1}`));
  const links = pages.map((_, i) => [i + 1, ((i + 1) % 60) + 1] as [number, number]);
  const result = await inCrawl((path) => writeCrawl(path, pages, links), "spdump", []);
  const lines = result.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 51);
  assert.equal(lines.at(-1), "60 rows.");
  assert.deepEqual(JSON.parse(lines[0]), [1, null, 1, 1, "http://127.0.0.1:8000/p1.htm"]);
});

Deno.test("spreset sets every page to the book's start and says so", async () => {
  const result = await inCrawl(
    (path) => writeCrawl(path, [{ ...url("a"), oldRank: 3, newRank: 2 }, url("b")], [[1, 2]]),
    "spreset",
    [],
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "All pages set to a rank of 1.0\n");
  assert.deepEqual(result.ranks, [[1, 0, 1], [2, 0, 1]]);
});

Deno.test("a missing database is one line and no new file", async () => {
  for (const name of ["spdump", "spreset", "sprank"]) {
    const result = await inCrawl(
      null,
      name,
      ["--iterations", "1"].slice(0, name === "sprank" ? 2 : 0),
    );
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.equal(
      result.stderr,
      `${name}: cannot open spider.sqlite: no such file; run spider.ts first\n`,
    );
  }
});

Deno.test("sprank --book oscillates on A↔B, A↔C and prints its avediff lines", async () => {
  const result = await inCrawl(swing(true), "sprank", ["--book"], "3\n");
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    "How many iterations:1 0.6666666666666666\n2 0.6666666666666666\n3 0.6666666666666666\n" +
      "[(1, 2.0), (2, 0.5), (3, 0.5)]\n",
  );
  assert.deepEqual(result.ranks, [[1, 1, 2], [2, 1, 0.5], [3, 1, 0.5]]);
});

Deno.test("sprank's damped rank converges on A↔B, A↔C to the hand-computed values", async () => {
  // A = 0.15 + 0.85 (B + C), B = C = 0.15 + 0.85 A / 2: A = 0.405 / 0.2775.
  const a = 0.405 / 0.2775;
  const result = await inCrawl(swing(false), "sprank", ["--iterations", "1000"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Ranked 3 pages: converged after \d+ iterations \(mean change /);
  near(result.ranks[0][2], a, "A");
  near(result.ranks[1][2], 0.15 + 0.425 * a, "B");
  near(result.ranks[2][2], 0.15 + 0.425 * a, "C");
  assert.deepEqual(result.ranks.map((row) => row[1]), [1, 1, 1], "old_rank is the rank before");
});

Deno.test("sprank on a chain and a star: dangling rank shared, mean 1.0", async () => {
  // Chain 1 → 2 → 3 (3 dangling): r1 = 0.15 + 0.85 r3/3, r2 = 0.15 + 0.85 (r1 + r3/3),
  // r3 = 0.15 + 0.85 (r2 + r3/3), r1 + r2 + r3 = 3.
  const chain = await inCrawl(
    (path) => writeCrawl(path, [url("a"), url("b"), url("c")], [[1, 2], [2, 3]]),
    "sprank",
    ["--iterations", "1000"],
  );
  assert.equal(chain.code, 0, chain.stderr);
  const [r1, r2, r3] = chain.ranks.map((row) => row[2]!);
  near(r1 + r2 + r3, 3, "sum");
  near(r1, 0.15 + 0.85 * r3 / 3, "r1");
  near(r2, 0.15 + 0.85 * (r1 + r3 / 3), "r2");
  near(r3, 0.15 + 0.85 * (r2 + r3 / 3), "r3");
  // Star: 2, 3, 4 link to 1, and 1 to none. r1 = 0.15 + 0.85 (3 s + r1 / 4), s = 0.15 + 0.85 r1 / 4.
  const star = await inCrawl(
    (path) =>
      writeCrawl(path, [url("hub"), url("x"), url("y"), url("z")], [[2, 1], [3, 1], [4, 1]]),
    "sprank",
    ["--iterations", "1000"],
  );
  const [hub, x] = star.ranks.map((row) => row[2]!);
  near(hub + 3 * x, 4, "star sum");
  near(x, 0.15 + 0.85 * hub / 4, "leaf");
});

Deno.test("sprank says when it has not converged", async () => {
  const result = await inCrawl(swing(false), "sprank", ["--iterations", "2"]);
  assert.match(
    result.stdout,
    /^Ranked 3 pages: not converged after 2 iterations \(mean change .*\); run again to go on\n$/,
  );
});

Deno.test("sprank's question with closed stdin is one line, exit status 2", async () => {
  const result = await inCrawl(swing(false), "sprank", []);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "How many iterations:");
  assert.equal(
    result.stderr,
    "sprank: cannot read how many iterations: standard input is closed\n",
  );
});

Deno.test("spjson writes the best-ranked pages and their links as JSON in the book's shape", async () => {
  const folder = await Deno.makeTempDir({ prefix: "netprog-spjson-" });
  try {
    const evil = 'http://127.0.0.1:8000/a"b</script>.htm';
    writeCrawl(`${folder}/spider.sqlite`, [
      { url: "http://127.0.0.1:8000/index.htm", newRank: 1.2 },
      { url: evil, newRank: 0.6 },
      { url: "http://127.0.0.1:8000/page2.htm", newRank: 1.8 },
      { url: "http://127.0.0.1:8000/later.htm", html: null },
    ], [[1, 2], [3, 2], [2, 1], [1, 3], [3, 4]]);
    const flags = [...programNamed("spjson").flags];
    const asked = await runScript("spjson", [], { flags, cwd: folder, stdin: "2\n" });
    assert.equal(asked.code, 0, asked.stderr);
    assert.equal(
      asked.stdout,
      "Creating JSON output on spider.json...\nHow many nodes? " +
        "Wrote 2 nodes and 1 link to spider.json, for a force-directed drawing of the link graph\n",
    );
    // The two best-ranked pages (3, then 1), their link 1 → 3, ranks scaled from 0 to 19.
    assert.equal(
      Deno.readTextFileSync(`${folder}/spider.json`),
      '{"nodes":[\n' +
        '{"weight":1,"rank":19,"id":3,"url":"http://127.0.0.1:8000/page2.htm"},\n' +
        '{"weight":1,"rank":0,"id":1,"url":"http://127.0.0.1:8000/index.htm"}],\n' +
        '"links":[\n{"source":1,"target":0,"value":3}]}\n',
    );
    const all = await runScript("spjson", ["--nodes", "10"], { flags, cwd: folder });
    assert.equal(all.code, 0, all.stderr);
    const graph = JSON.parse(Deno.readTextFileSync(`${folder}/spider.json`));
    assert.deepEqual(graph.nodes.map((node: { id: number }) => node.id), [3, 1, 2]);
    assert.equal(graph.nodes[2].url, evil);
    assert(!Deno.readTextFileSync(`${folder}/spider.json`).includes("</script>"));
    assert.equal(graph.links.length, 4);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("spjson without ranks to tell apart, with a closed prompt, or no database: one line", async () => {
  const flags = [...programNamed("spjson").flags];
  const same = await inCrawl((path) => writeSmallCrawl(path), "spjson", ["--nodes", "3"]);
  assert.equal(same.code, 1);
  assert.equal(
    same.stderr,
    "spjson: cannot write spider.json: the pages have no ranks to tell apart: run sprank first\n",
  );
  const closed = await inCrawl((path) => writeSmallCrawl(path), "spjson", [], "");
  assert.equal(closed.code, 2);
  assert.equal(closed.stderr, "spjson: cannot read how many nodes: standard input is closed\n");
  const folder = await Deno.makeTempDir({ prefix: "netprog-spjson-" });
  try {
    const missing = await runScript("spjson", ["--nodes", "3"], { flags, cwd: folder });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^spjson: cannot open spider\.sqlite: no such file/);
    assert.deepEqual([...Deno.readDirSync(folder)], []);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
