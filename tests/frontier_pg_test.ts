// Copyright netprog authors. MIT license.

/**
 * The crawl frontier on PostgreSQL (scripts/lib/frontier_pg.ts), against a
 * throw-away server each test starts (tests/_postgres.ts): the frontier's
 * rules, several frontiers with their own connections claiming from one
 * crawl at once, and a server restarted while they work; then
 * scripts/spider.ts with `--db postgres://…`: four spider processes on a
 * web of three loopback hosts, one of them killed with `kill -9`, and the
 * server restarted under them.
 */

import assert from "node:assert/strict";
import {
  openPostgresFrontier,
  parsePostgresUrl,
  type PostgresFrontier,
} from "../scripts/lib/frontier_pg.ts";
import type { Claim } from "../scripts/lib/frontier.ts";
import { ROOT } from "./_helpers.ts";
import { sleep } from "../scripts/lib/time_limit.ts";
import { type Postgres, skipWithoutPostgres, startPostgres } from "./_postgres.ts";
import { mostAtOnce, startWeb, until } from "./_spider_site.ts";

const HOST = "http://127.0.0.2";

/** A fresh database on the server and a frontier on it. */
async function fresh(
  server: Postgres,
  name: string,
  leaseMs = 10_000,
): Promise<{ url: string; frontier: PostgresFrontier }> {
  const url = await server.createDatabase(name);
  return { url, frontier: await openPostgresFrontier(url, leaseMs) };
}

/** Rows of a query, through psql, as tab-free lines. */
async function rows(server: Postgres, database: string, sql: string): Promise<string[]> {
  const text = await server.psql(sql, database);
  return text.split("\n").filter((line) => line !== "");
}

/** Stores a page with links, as the spider does after fetching it. */
function store(frontier: PostgresFrontier, claim: Claim, links: string[]): Promise<void> {
  return frontier.storePage(claim, { html: `<p>${claim.url}</p>`, links }, Date.now());
}

const RULES = "PostgresFrontier keeps the frontier's rules";
Deno.test({ name: RULES, ignore: skipWithoutPostgres(RULES) }, async (t) => {
  await using server = await startPostgres();

  await t.step("a host with a page in flight gives nothing more with --per-host 1", async () => {
    const { url, frontier: a } = await fresh(server, "per_host");
    await using _a = a;
    await using b = await openPostgresFrontier(url, 10_000);
    await a.addStart(`${HOST}/`, `${HOST}/`);
    const first = await a.claim();
    assert.equal(first?.url, `${HOST}/`);
    assert.equal(first?.origin, HOST);
    assert.equal(await b.claim(), null);
    await store(a, first!, [`${HOST}/a`, `${HOST}/b`, `${HOST}/c`]);
    const second = await a.claim();
    assert.equal(second?.url, `${HOST}/a`);
    assert.equal(await b.claim(), null);
    const third = await b.claim({ perHost: 2 });
    assert.equal(third?.url, `${HOST}/b`);
    assert.equal(await b.claim({ perHost: 2 }), null);
    assert.equal((await b.claim({ perHost: 3 }))?.url, `${HOST}/c`);
  });

  await t.step("a host's next request waits for next_at, and nextWake says when", async () => {
    const { frontier } = await fresh(server, "next_at");
    await using _ = frontier;
    await frontier.addStart(`${HOST}/`, `${HOST}/`);
    const first = await frontier.claim({ delayMs: 400 });
    const claimedAt = Date.now();
    await store(frontier, first!, [`${HOST}/a`]);
    assert.equal(await frontier.claim({ delayMs: 400 }), null);
    const wake = await frontier.nextWake();
    assert(wake !== null && wake >= claimedAt + 350 && wake <= claimedAt + 450, `wake ${wake}`);
    await sleep(wake - Date.now() + 10);
    assert.equal((await frontier.claim({ delayMs: 400 }))?.url, `${HOST}/a`);
  });

  await t.step("leases are renewed while held and expire when their worker dies", async () => {
    const { url, frontier: living } = await fresh(server, "leases", 300);
    await using _living = living;
    await using other = await openPostgresFrontier(url, 300);
    await living.addStart(`${HOST}/`, `${HOST}/`);
    await living.addStart(`http://127.0.0.3/`, `http://127.0.0.3/`);
    const held = await living.claim();
    assert.equal(held?.url, `${HOST}/`);
    await sleep(900);
    // Three lease lengths later the page is still held: its worker renews it.
    const next = await other.claim();
    assert.equal(next?.url, "http://127.0.0.3/");
    assert.equal(await living.claim(), null);
    // The other worker dies holding its page: its connections end, nothing renews.
    await other.sql.end({ timeout: 0 });
    assert.equal(await living.claim(), null);
    await sleep(400);
    const taken = await living.claim();
    assert.deepEqual(taken, next);
  });

  await t.step("storePage adds the pages and links it found, one level deeper", async () => {
    const { frontier } = await fresh(server, "store_page");
    await using _ = frontier;
    await frontier.addStart(`${HOST}/`, `${HOST}/`);
    const first = await frontier.claim();
    await store(frontier, first!, [`${HOST}/a`, `${HOST}/b`, `${HOST}/a`, "http://127.0.0.3/x"]);
    assert.deepEqual(
      await rows(
        server,
        "store_page",
        `SELECT url, COALESCE(html, '-'), depth, COALESCE(todo, 0), origin FROM Pages
         JOIN PageFacts ON page_id = id ORDER BY id`,
      ),
      [
        `${HOST}/|<p>${HOST}/</p>|0|0|${HOST}`,
        `${HOST}/a|-|1|1|${HOST}`,
        `${HOST}/b|-|1|1|${HOST}`,
        `http://127.0.0.3/x|-|1|1|http://127.0.0.3`,
      ],
    );
    assert.deepEqual(
      await rows(
        server,
        "store_page",
        `SELECT a.url, b.url FROM Links JOIN Pages a ON a.id = from_id JOIN Pages b ON b.id = to_id
         ORDER BY b.id`,
      ),
      [`${HOST}/|${HOST}/a`, `${HOST}/|${HOST}/b`, `${HOST}/|http://127.0.0.3/x`],
    );
    assert.deepEqual(
      await rows(server, "store_page", "SELECT origin FROM Hosts ORDER BY origin"),
      [HOST, "http://127.0.0.3"],
    );
    assert.equal(await frontier.requestedOn(HOST), 1);
    assert.deepEqual(await frontier.left(), { todo: 3, waiting: 0, until: null });
    // The book's own query reads the tables.
    assert.deepEqual(
      await rows(
        server,
        "store_page",
        `SELECT COUNT(from_id) AS inbound, old_rank, new_rank, id, url FROM Pages JOIN Links
         ON Pages.id = Links.to_id WHERE html IS NOT NULL GROUP BY id ORDER BY inbound DESC`,
      ),
      [],
    );
  });

  await t.step("a redirect is an edge, and the HTML is the page that answered", async () => {
    const { frontier } = await fresh(server, "redirects");
    await using _ = frontier;
    await frontier.addStart(`${HOST}/`, `${HOST}/old`);
    const old = await frontier.claim();
    await frontier.storePage(old!, {
      html: "<p>new</p>",
      links: [`${HOST}/next`],
      status: 200,
      finalUrl: `${HOST}/new`,
      redirects: [{ url: `${HOST}/old`, status: 301 }],
      finalInScope: true,
    }, Date.now());
    assert.deepEqual(
      await rows(
        server,
        "redirects",
        `SELECT url, COALESCE(html, '-'), COALESCE(error, 0), COALESCE(reason, '-'),
           COALESCE(todo, 0) FROM Pages JOIN PageFacts ON page_id = id ORDER BY id`,
      ),
      [
        `${HOST}/old|-|301|redirects to ${HOST}/new|0`,
        `${HOST}/new|<p>new</p>|0|-|0`,
        `${HOST}/next|-|0|-|1`,
      ],
    );
    assert.deepEqual(
      await rows(
        server,
        "redirects",
        `SELECT a.url, b.url FROM Links JOIN Pages a ON a.id = from_id JOIN Pages b ON b.id = to_id
         ORDER BY a.id`,
      ),
      [`${HOST}/old|${HOST}/new`, `${HOST}/new|${HOST}/next`],
    );
  });

  await t.step("storeFailure puts a page back to wait, then fails it for good", async () => {
    const { frontier } = await fresh(server, "failures");
    await using _ = frontier;
    await frontier.addStart(`${HOST}/`, `${HOST}/`);
    const first = await frontier.claim();
    const retryAt = Date.now() + 300;
    await frontier.storeFailure(first!, null, { reason: "HTTP 503", retryAt, attempts: 1 });
    assert.equal(await frontier.claim(), null);
    assert.equal(await frontier.nextWake(), retryAt);
    assert.deepEqual(await frontier.left(), { todo: 1, waiting: 1, until: retryAt });
    await sleep(retryAt - Date.now() + 10);
    const again = await frontier.claim();
    assert.deepEqual(again, first);
    assert.equal(await frontier.attempts(first!.id), 1);
    await frontier.storeFailure(again!, 503, { status: 503, reason: "HTTP 503", attempts: 4 });
    assert.equal(await frontier.hasTodo(), false);
    assert.equal(await frontier.nextWake(), null);
    assert.equal(await frontier.attempts(first!.id), 4);
    assert.deepEqual(
      await rows(
        server,
        "failures",
        "SELECT error, status, reason FROM Pages JOIN PageFacts ON page_id = id",
      ),
      ["503|503|HTTP 503"],
    );
  });

  await t.step(
    "a store made twice, or after the lease went to another, changes nothing",
    async () => {
      const { url, frontier: a } = await fresh(server, "idempotent", 200);
      await using _a = a;
      await using b = await openPostgresFrontier(url, 200);
      await a.addStart(`${HOST}/`, `${HOST}/`);
      const first = await a.claim();
      await store(a, first!, [`${HOST}/a`]);
      await store(a, first!, [`${HOST}/b`]);
      await a.storeFailure(first!, -1, { reason: "late" });
      const table = () =>
        rows(
          server,
          "idempotent",
          `SELECT url, COALESCE(html, '-'), COALESCE(error, 0), COALESCE(reason, '-') FROM Pages
         JOIN PageFacts ON page_id = id ORDER BY id`,
        );
      assert.deepEqual(await table(), [`${HOST}/|<p>${HOST}/</p>|0|-`, `${HOST}/a|-|0|-`]);
      // a's lease on /a lapses (its connections end) and b takes the page: a's late store is dropped.
      const taken = await a.claim();
      await a.sql.end({ timeout: 0 });
      await sleep(300);
      const again = await b.claim();
      assert.deepEqual(again, taken);
      await using a2 = await openPostgresFrontier(url, 200);
      // A frontier with a's name stands for a coming back late.
      Object.defineProperty(a2, "worker", { value: a.worker });
      await a2.storeFailure(taken!, -1, { reason: "late" });
      assert.deepEqual(await table(), [`${HOST}/|<p>${HOST}/</p>|0|-`, `${HOST}/a|-|0|-`]);
      await store(b, again!, []);
      assert.deepEqual(await table(), [
        `${HOST}/|<p>${HOST}/</p>|0|-`,
        `${HOST}/a|<p>${HOST}/a</p>|0|-`,
      ]);
    },
  );

  await t.step("hosts whose pages all wait do not hide a host that may be asked", async () => {
    const { frontier } = await fresh(server, "waiting_hosts");
    await using _ = frontier;
    // Ten hosts first in the order (HOST_TRIES is 8), each page put back to wait a minute.
    for (let i = 0; i < 10; i++) {
      await frontier.addStart(`http://w${i}.example/`, `http://w${i}.example/`);
    }
    await frontier.addStart(`${HOST}/`, `${HOST}/`);
    for (let i = 0; i < 10; i++) {
      const claim = await frontier.claim();
      assert.equal(claim?.origin, `http://w${i}.example`);
      await frontier.storeFailure(claim!, null, {
        reason: "HTTP 503",
        retryAt: Date.now() + 60_000,
      });
    }
    assert.equal((await frontier.claim())?.url, `${HOST}/`);
  });

  await t.step(
    "each host's first page to fetch is kept, and filled in for an older crawl",
    async () => {
      const { url, frontier } = await fresh(server, "first_page");
      await frontier.addStart(`${HOST}/`, `${HOST}/`);
      const first = await frontier.claim();
      await store(frontier, first!, [`${HOST}/b`, `${HOST}/a`, "http://127.0.0.3/x"]);
      const firsts = () =>
        rows(
          server,
          "first_page",
          `SELECT h.origin, h.first_depth, p.url FROM Hosts h LEFT JOIN Pages p ON p.id = h.first_id
         ORDER BY h.origin`,
        );
      const kept = await firsts();
      assert.deepEqual(kept, [`${HOST}|1|${HOST}/a`, "http://127.0.0.3|1|http://127.0.0.3/x"]);
      await frontier.close();
      // A crawl begun before: no such columns, no index. Opening it fills them in.
      await server.psql(
        "ALTER TABLE Hosts DROP COLUMN first_depth, DROP COLUMN first_id",
        "first_page",
      );
      await using again = await openPostgresFrontier(url, 10_000);
      assert.deepEqual(await firsts(), kept);
      while (true) {
        const claim = await again.claim();
        if (claim === null) break;
        await store(again, claim, []);
      }
      assert.equal(await again.hasTodo(), false);
      assert.deepEqual(
        await rows(server, "first_page", "SELECT COUNT(*) FROM Hosts WHERE first_id IS NOT NULL"),
        ["0"],
      );
    },
  );

  await t.step("a URL's password never shows in an error", async () => {
    const url = `postgres://postgres:s3cret@127.0.0.1:${server.port}/nosuchdb`;
    const target = parsePostgresUrl(url);
    await assert.rejects(
      openPostgresFrontier(url, 1000),
      (error: Error) => {
        assert.equal(error.name, "RunError");
        assert.match(
          error.message,
          /^cannot connect to postgres:\/\/postgres@127\.0\.0\.1:\d+\/nosuchdb: .*nosuchdb.* does not exist$/,
        );
        assert(!error.message.includes("s3cret"));
        return true;
      },
    );
    assert.equal(target.shown.includes("s3cret"), false);
  });
});

/**
 * A web of `hosts` hosts of `perHost` pages each, known from the start
 * (page i of a host links to 2i and 2i+1 of its host), on one frontier.
 */
function pageLinks(url: string, perHost: number): string[] {
  const match = /^(http:\/\/[^/]+)\/p(\d+)$/.exec(url)!;
  const i = Number(match[2]);
  return [2 * i, 2 * i + 1].filter((j) => j <= perHost).map((j) => `${match[1]}/p${j}`);
}

/**
 * Workers claiming and storing until the frontier is empty; returns every
 * claim made, and throws when two leases on one host were held at once.
 */
async function crawl(
  frontiers: PostgresFrontier[],
  perHost: number,
  onClaim: (count: number) => Promise<void> = () => Promise.resolve(),
): Promise<Claim[]> {
  const claims: Claim[] = [];
  const busy = new Set<string>();
  const overlaps: string[] = [];
  await Promise.all(frontiers.map(async (frontier) => {
    while (true) {
      const claim = await frontier.claim();
      if (claim === null) {
        const wake = await frontier.nextWake();
        if (wake === null) return;
        await sleep(Math.max(1, Math.min(wake - Date.now(), 20)));
        continue;
      }
      claims.push(claim);
      claimedBy.set(claim, frontier.worker);
      if (busy.has(claim.origin)) overlaps.push(`${claim.url} while its host was busy`);
      busy.add(claim.origin);
      await onClaim(claims.length);
      await sleep(Math.random() * 4);
      busy.delete(claim.origin);
      await store(frontier, claim, pageLinks(claim.url, perHost));
    }
  }));
  assert.deepEqual(overlaps, []);
  return claims;
}

/** Each page claimed exactly once: the URLs of the web, sorted, and the claims'. */
function assertEachOnce(claims: Claim[], hosts: string[], perHost: number): void {
  const expected = hosts.flatMap((host) =>
    Array.from({ length: perHost }, (_, i) => `${host}/p${i + 1}`)
  ).sort();
  assert.deepEqual(claims.map((claim) => claim.url).sort(), expected);
}

/** Which worker made each claim. */
const claimedBy = new WeakMap<Claim, string>();

const HOSTS = Array.from({ length: 6 }, (_, i) => `http://127.0.0.${i + 2}`);

const CONCURRENT = "PostgresFrontier: 4 frontiers on their own connections claim each page once, " +
  "never two pages of one host at once";
Deno.test({ name: CONCURRENT, ignore: skipWithoutPostgres(CONCURRENT) }, async () => {
  await using server = await startPostgres();
  const url = await server.createDatabase("together");
  const frontiers = await Promise.all([0, 1, 2, 3].map(() => openPostgresFrontier(url, 10_000)));
  try {
    for (const host of HOSTS) await frontiers[0].addStart(`${host}/`, `${host}/p1`);
    const claims = await crawl(frontiers, 40);
    assertEachOnce(claims, HOSTS, 40);
    const workers = new Set(claims.map((claim) => claimedBy.get(claim)));
    assert(workers.size >= 3, `only ${workers.size} of 4 frontiers took pages`);
    assert.deepEqual(
      await rows(
        server,
        "together",
        "SELECT COUNT(*), COUNT(html), COUNT(leased_by) FROM Pages JOIN PageFacts ON page_id = id",
      ),
      ["240|240|0"],
    );
  } finally {
    await Promise.all(frontiers.map((frontier) => frontier.close()));
  }
});

const RESTART =
  "PostgresFrontier: a server restarted mid-crawl makes the workers wait and go on, " +
  "nothing lost or doubled";
Deno.test({ name: RESTART, ignore: skipWithoutPostgres(RESTART) }, async () => {
  await using server = await startPostgres();
  const url = await server.createDatabase("restart");
  const frontiers = await Promise.all([0, 1, 2, 3].map(() => openPostgresFrontier(url, 10_000)));
  try {
    for (const host of HOSTS) await frontiers[0].addStart(`${host}/`, `${host}/p1`);
    let restarted: Promise<void> | null = null;
    const claims = await crawl(frontiers, 40, (count) => {
      if (count === 80 && restarted === null) {
        // Down for a second while the workers claim and store.
        restarted = (async () => {
          await server.stop();
          await sleep(1000);
          await server.start();
        })();
      }
      return Promise.resolve();
    });
    assert(restarted !== null, "the crawl ended before the restart");
    await restarted;
    assertEachOnce(claims, HOSTS, 40);
    assert.deepEqual(
      await rows(
        server,
        "restart",
        `SELECT COUNT(*), COUNT(html), COUNT(leased_by), COUNT(*) FILTER (WHERE todo = 1)
         FROM Pages JOIN PageFacts ON page_id = id`,
      ),
      ["240|240|0|0"],
    );
    assert.deepEqual(
      await rows(server, "restart", "SELECT COUNT(*), COUNT(DISTINCT (from_id, to_id)) FROM Links"),
      ["234|234"],
    );
  } finally {
    await Promise.all(frontiers.map((frontier) => frontier.close()));
  }
});

/** The spider on a PostgreSQL database, with the narrowest flags for it. */
function spider(
  web: ReturnType<typeof startWeb>,
  server: Postgres,
  url: string,
  args: string[],
): Deno.ChildProcess {
  return new Deno.Command("deno", {
    args: [
      "run",
      "--no-prompt",
      `--allow-net=${[...web.hosts, `127.0.0.1:${server.port}`].join(",")}`,
      "--allow-env=PGAPPNAME",
      `${ROOT}/scripts/spider.ts`,
      "--db",
      url,
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/**
 * Four spiders on one PostgreSQL crawl of the web; `midway` runs once a
 * dozen pages were fetched. Gives their outputs.
 */
async function fourSpiders(
  web: ReturnType<typeof startWeb>,
  server: Postgres,
  url: string,
  midway: (children: Deno.ChildProcess[]) => Promise<void> = () => Promise.resolve(),
  lease = "1",
): Promise<Deno.CommandOutput[]> {
  const starts = web.sites.map((site) => `${site.origin}/p1.htm`);
  const first = await spider(web, server, url, [...starts, "--pages", "1", "--delay", "0"])
    .output();
  assert.equal(first.code, 0, new TextDecoder().decode(first.stderr));
  const children = [0, 1, 2, 3].map((i) =>
    spider(web, server, url, [
      "--pages",
      "1000",
      "--delay",
      "0.05",
      "--concurrency",
      "3",
      "--lease",
      lease,
      "--user-agent",
      `netprog-w${i}/0.2`,
    ])
  );
  const outputs = Promise.all(children.map((child) => child.output()));
  await until(() => web.sites.reduce((n, site) => n + site.pages().length, 0) >= 12, 30_000);
  await midway(children);
  return await outputs;
}

const SPIDERS = "spider: 4 processes on one PostgreSQL crawl fetch each page once, " +
  "each host one request at a time";
Deno.test({ name: SPIDERS, ignore: skipWithoutPostgres(SPIDERS) }, async () => {
  await using server = await startPostgres();
  await using web = startWeb(10, { slow: 30 });
  const url = await server.createDatabase("spiders");
  const outputs = await fourSpiders(web, server, url);
  for (const output of outputs) {
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  }
  const workers = new Set(web.sites.flatMap((site) => site.pages().map((s) => s.userAgent)));
  assert(workers.size >= 3, `only ${[...workers]} fetched pages`);
  for (const site of web.sites) {
    const paths = site.pages().map((s) => s.path).sort();
    assert.deepEqual(paths, [...new Set(paths)], `${site.origin}: a page fetched twice`);
    assert.equal(paths.length, 10);
    assert.equal(mostAtOnce(site.seen), 1, `${site.origin}: two requests at once`);
  }
  assert.deepEqual(
    await rows(
      server,
      "spiders",
      "SELECT COUNT(*), COUNT(html), COUNT(leased_by) FROM Pages JOIN PageFacts ON page_id = id",
    ),
    ["30|30|0"],
  );
});

const KILLED = "spider: one of 4 on PostgreSQL killed with kill -9 midway, the others finish " +
  "the crawl, and only the page it was fetching is fetched again";
Deno.test({ name: KILLED, ignore: skipWithoutPostgres(KILLED) }, async () => {
  await using server = await startPostgres();
  await using web = startWeb(10, { slow: 30 });
  const url = await server.createDatabase("killed");
  let killedAt = 0;
  // A lease of 3 s: long enough that a busy machine's slow store or late renewal does not let a
  // page go while its spider still holds it, short enough for the killed spider's page to return.
  const outputs = await fourSpiders(web, server, url, (children) => {
    children[0].kill("SIGKILL");
    killedAt = performance.now();
    return Promise.resolve();
  }, "3");
  assert.equal(outputs[0].signal, "SIGKILL");
  for (const output of outputs.slice(1)) {
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  }
  for (const site of web.sites) {
    const pages = site.pages();
    const paths = pages.map((s) => s.path);
    assert.deepEqual(
      [...new Set(paths)].sort(),
      Array.from({ length: 10 }, (_, i) => `/p${i + 1}.htm`).sort(),
    );
    for (const path of new Set(paths)) {
      const fetches = pages.filter((s) => s.path === path);
      if (fetches.length === 1) continue;
      // Twice only when the killed spider was fetching it as it died.
      assert.equal(fetches.length, 2, `${site.origin}${path} fetched ${fetches.length} times`);
      assert.equal(fetches[0].userAgent, "netprog-w0/0.2");
      assert(fetches[0].start <= killedAt, `${path} fetched again though stored`);
    }
    assert.equal(mostAtOnce(site.seen.filter((s) => s.start > killedAt)), 1);
  }
  assert.deepEqual(
    await rows(server, "killed", "SELECT COUNT(*), COUNT(html) FROM Pages"),
    ["30|30"],
  );
});

const RESTARTED = "spider: the PostgreSQL server restarted while 4 spiders crawl, " +
  "they wait and finish, each page fetched once";
Deno.test({ name: RESTARTED, ignore: skipWithoutPostgres(RESTARTED) }, async () => {
  await using server = await startPostgres();
  await using web = startWeb(10, { slow: 30 });
  const url = await server.createDatabase("restarted");
  // Leases longer than the outage: a page in flight stays its spider's while the server is down.
  const outputs = await fourSpiders(web, server, url, async () => {
    await server.stop();
    await sleep(1000);
    await server.start();
  }, "10");
  for (const output of outputs) {
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  }
  for (const site of web.sites) {
    const paths = site.pages().map((s) => s.path).sort();
    assert.deepEqual(paths, [...new Set(paths)], `${site.origin}: a page fetched twice`);
    assert.equal(paths.length, 10);
  }
  assert.deepEqual(
    await rows(server, "restarted", "SELECT COUNT(*), COUNT(html) FROM Pages"),
    ["30|30"],
  );
});
