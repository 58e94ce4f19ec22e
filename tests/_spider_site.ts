// Copyright netprog authors. MIT license.

/**
 * A test web for the spider on a loopback address, which records every
 * request with its time, and the helpers the spider's tests share: its
 * flags, starting it, waiting, and reading the crawl database.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { ROOT } from "./_helpers.ts";

/** One request the test web received. */
export interface Seen {
  path: string;
  userAgent: string;
  start: number;
  end: number;
}

export interface SiteOptions {
  /** The loopback address it listens on. @default {"127.0.0.1"} */
  hostname?: string;
  /** robots.txt: its text (200), or a status with no body. */
  robots?: string | number;
  /** Paths whose answer waits this many milliseconds. */
  slow?: Record<string, number>;
  /** Paths answered with a 302 to a URL. */
  redirects?: Record<string, string>;
  /** The pages, when not {@linkcode PAGES}. */
  pages?: Record<string, string>;
  /** Paths answered the first time with a status and its Retry-After. */
  busy?: Record<string, [number, string]>;
  /** Paths answered with a 500 the first N times. */
  fail?: Record<string, number>;
}

/** Size of the non-HTML body: far more than a crawl could read by accident. */
const BIG = 64 * 1024 * 1024;

export const PAGES: Record<string, string> = {
  "/index.html": `<title>home</title>
<a href="a.htm">A</a> <a href="b.htm">B</a> <a href="a.htm#top">A again</a>
<a href="big.bin">big</a> <a href="pic.png">picture</a> <a href="http://example.com/">out</a>
<a href="missing.htm">missing</a> <a>no href</a>`,
  "/a.htm": `<a href="index.html">home</a> <a href="/b.htm">B</a>`,
  "/b.htm": `<base href="/sub/"><a href="c.htm">C</a>`,
  "/sub/c.htm": `<p>the end</p>`,
};

/** A test web on loopback that records each request, and how much of big.bin it sent. */
export function startSite(options: SiteOptions = {}) {
  const seen: Seen[] = [];
  const big = { sent: 0, cancelled: false };
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: 0,
    signal: controller.signal,
    onListen: () => {},
  }, async (request) => {
    const path = new URL(request.url).pathname;
    const record: Seen = {
      path,
      userAgent: request.headers.get("user-agent") ?? "",
      start: performance.now(),
      end: NaN,
    };
    seen.push(record);
    const wait = options.slow?.[path];
    if (wait !== undefined) await new Promise((resolve) => setTimeout(resolve, wait));
    let response: Response;
    if (path === "/robots.txt" && options.redirects?.[path] === undefined) {
      const robots = options.robots ?? 404;
      response = typeof robots === "string"
        ? new Response(robots, { headers: { "content-type": "text/plain" } })
        : new Response(null, { status: robots });
    } else if (path === "/rules.txt" && typeof options.robots === "string") {
      // Where a redirected robots.txt lands.
      response = new Response(options.robots, { headers: { "content-type": "text/plain" } });
    } else if (path === "/big.bin") {
      const chunk = new Uint8Array(64 * 1024);
      const body = new ReadableStream<Uint8Array>({
        pull(stream) {
          if (big.sent >= BIG) {
            record.end = performance.now();
            stream.close();
            return;
          }
          big.sent += chunk.length;
          stream.enqueue(chunk);
        },
        cancel() {
          big.cancelled = true;
          record.end = performance.now();
        },
      });
      return new Response(body, {
        headers: { "content-type": "application/octet-stream", "content-length": String(BIG) },
      });
    } else if (
      options.busy?.[path] !== undefined && seen.filter((s) => s.path === path).length === 1
    ) {
      const [status, after] = options.busy[path];
      response = new Response("busy", { status, headers: { "retry-after": after } });
    } else if (seen.filter((s) => s.path === path).length <= (options.fail?.[path] ?? 0)) {
      response = new Response("oops", { status: 500 });
    } else if (options.redirects?.[path] !== undefined) {
      response = new Response(null, {
        status: 302,
        headers: { location: options.redirects[path] },
      });
    } else if (/^\/cal\/\d+\.htm$/.test(path)) {
      // A trap: each month links to the next, forever.
      const month = Number(/\d+/.exec(path)![0]);
      response = new Response(`<a href="${month + 1}.htm">next month</a>`, {
        headers: { "content-type": "text/html" },
      });
    } else if ((options.pages ?? PAGES)[path] !== undefined) {
      response = new Response((options.pages ?? PAGES)[path], {
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    } else {
      response = new Response("<p>not here</p>", {
        status: 404,
        headers: { "content-type": "text/html" },
      });
    }
    record.end = performance.now();
    return response;
  });
  const origin = `http://${options.hostname ?? "127.0.0.1"}:${server.addr.port}`;
  return {
    origin,
    port: server.addr.port,
    seen,
    big,
    pages: () => seen.filter((s) => s.path !== "/robots.txt"),
    async [Symbol.asyncDispose]() {
      controller.abort();
      await server.finished;
    },
  };
}

/**
 * The spider's flags for a site on `port` of 127.0.0.1 (or for the hosts
 * given as `address:port`), the database in the working folder.
 */
export function flags(port: number | string[]): string[] {
  return [
    `--allow-net=${typeof port === "number" ? `127.0.0.1:${port}` : port.join(",")}`,
    "--allow-read=spider.sqlite",
    "--allow-write=spider.sqlite",
  ];
}

/** Starts the spider in `cwd` with {@linkcode flags}, its output piped. */
export function spawnSpider(
  port: number | string[],
  cwd: string,
  args: string[],
  stdin: "null" | "piped" = "null",
): Deno.ChildProcess {
  return new Deno.Command("deno", {
    args: ["run", "--no-prompt", ...flags(port), `${ROOT}/scripts/spider.ts`, ...args],
    cwd,
    stdin,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/**
 * Starts a crawl of the site from its index, and stops it with `signal` (sent `times` times in a
 * row) while `path` is being fetched (the site records a request as it starts).
 */
export async function stopWhileFetching(
  site: ReturnType<typeof startSite>,
  dir: string,
  path: string,
  signal: Deno.Signal,
  times = 1,
): Promise<Deno.CommandOutput> {
  const args = [`${site.origin}/index.html`, "--pages", "10", "--delay", "0"];
  const child = spawnSpider(site.port, dir, args);
  await until(() => site.seen.some((s) => s.path === path));
  child.kill(signal);
  for (let i = 1; i < times; i++) {
    // Sent at once, as a key held down; a program that has already stopped is not signalled.
    try {
      child.kill(signal);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
  }
  return await child.output();
}

/** Waits until `check` holds (polling), at most `ms`. */
export async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs a query on the crawl database in `dir`, read-only. */
export function query(dir: string, sql: string): Record<string, unknown>[] {
  const db = new DatabaseSync(`${dir}/spider.sqlite`, { readOnly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** A web of `n` pages: page i links to pages 2i and 2i+1 and back to page i-1. */
export function tree(n: number): Record<string, string> {
  const pages: Record<string, string> = {};
  for (let i = 1; i <= n; i++) {
    const links = [2 * i, 2 * i + 1, i - 1].filter((j) => j >= 1 && j <= n);
    pages[`/p${i}.htm`] = links.map((j) => `<a href="p${j}.htm">page ${j}</a>`).join("\n");
  }
  return pages;
}

/** The loopback hosts of the spider's web of several hosts. */
export const WEB_HOSTS: readonly string[] = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];

/** `n` pages a host, each linking to the next two of its host and to one page of the next host. */
function crossLinked(n: number, host: number, ports: () => number[]): Record<string, string> {
  const pages: Record<string, string> = {};
  for (let i = 1; i <= n; i++) {
    const next = (host + 1) % WEB_HOSTS.length;
    const links = [i + 1, i + 2].filter((j) => j <= n).map((j) => `<a href="p${j}.htm">${j}</a>`);
    // The other host's port is known only once every server listens: the body is made late.
    Object.defineProperty(pages, `/p${i}.htm`, {
      enumerable: true,
      get: () =>
        links.join(" ") +
        ` <a href="http://${WEB_HOSTS[next]}:${ports()[next]}/p${i}.htm">there</a>`,
    });
  }
  return pages;
}

/**
 * Three sites, one on each of {@linkcode WEB_HOSTS}, `n` pages each, whose
 * pages link to each other's; each answer waits `slow` ms.
 */
export function startWeb(n: number, options: { slow?: number } = {}) {
  const ports: number[] = [];
  const sites = WEB_HOSTS.map((hostname, i) => {
    const pages = crossLinked(n, i, () => ports);
    const slow: Record<string, number> = {};
    if (options.slow !== undefined) { for (const path in pages) slow[path] = options.slow; }
    return startSite({ hostname, pages, slow });
  });
  for (const site of sites) ports.push(site.port);
  return {
    sites,
    hosts: sites.map((site) => `${new URL(site.origin).host}`),
    async [Symbol.asyncDispose]() {
      for (const site of sites) await site[Symbol.asyncDispose]();
    },
  };
}

/** The most requests in flight at once among `seen`. */
export function mostAtOnce(seen: readonly Seen[]): number {
  let most = 0;
  for (const request of seen) {
    const at = request.start;
    most = Math.max(most, seen.filter((other) => other.start <= at && other.end > at).length);
  }
  return most;
}
