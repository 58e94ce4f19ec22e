#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * urllink3: the book's tiny web crawler. Asks for a start URL (`Enter - `)
 * and how many pages to retrieve (`How many to retrieve - `), then works
 * through a to-do list, last in first out:
 *
 * - each round prints `====== To Retrieve: N Queue Length: M` (N pages left
 *   to retrieve, M URLs on the to-do list) and takes the last URL off the list;
 * - a URL already visited (or already failed) prints `Skipping URL` and
 *   costs nothing;
 * - otherwise it prints `===== Retrieving  URL` (two spaces, as Python's
 *   `print("===== Retrieving ", url)` writes it), fetches the page and adds it
 *   to the visited list; each `a` href of the page is resolved against the
 *   page's URL, its `#fragment` dropped, and pushed on the list unless it is
 *   not http(s) or already visited;
 * - a linked page that cannot be retrieved (HTTP error, no connection,
 *   another host that the network permission does not allow, too large)
 *   prints `*** Error in retrieval`, the reason goes to stderr, and the crawl
 *   goes on; it is not retrieved again. The start page is different: when the
 *   URL the user gave cannot be retrieved there is nothing to crawl, and that
 *   is the program's error (one line, exit status 1), as in urllinks.
 *
 * URLs are compared in their normal form (`new URL(url).href`, no fragment).
 * It stops when N pages were tried or the list is empty, and prints
 * `Visited ` and the visited URLs as a JSON list (`Visited ["http://..."]`),
 * as the book prints its Python list. Each page is held in memory, so its size
 * is capped (`--max-bytes`, 64 MiB by default).
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/urllink3.ts [URL] [--count N]
 *
 * With a URL argument there is no `Enter - ` prompt; with `--count N` no
 * `How many to retrieve - ` prompt.
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: fetch the pages of the start host only. A
 *   link to another host is an error in retrieval, never a request. To crawl
 *   another site, allow its host and port instead (`--allow-net=127.0.0.1:8000`).
 *
 * @module
 */

import { extractLinksDom, parseUrlTarget } from "../mod.ts";
import { DOMParser } from "./lib/dom.ts";
import {
  integerOption,
  PAGE_HELP,
  PAGE_OPTIONS,
  pageLimits,
  parseCommandLine,
} from "./lib/args.ts";
import { UsageError } from "./lib/errors.ts";
import { fetchBody } from "./lib/fetch_body.ts";
import { describeError, run } from "./lib/run.ts";
import { input, stdout, writeErr } from "./lib/stdio.ts";

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/urllink3.ts [URL] [--count N]

Crawls from URL (asked with "Enter - " unless given): retrieves up to N pages
(asked with "How many to retrieve - " unless --count is given), following
links last found first, and prints what it does and the pages visited.
The book's pages are on data.pr4e.org; to crawl another site, allow its host
with --allow-net=HOST:PORT instead. Links to other hosts fail to retrieve.

Options:
  --count N                  how many pages to retrieve
${PAGE_HELP}  -h, --help                 print this help
`;

/** The answer to `How many to retrieve - `, as Python's `int()` reads it. */
function pageCount(answer: string): number {
  if (!/^[0-9]+$/.test(answer) || Number(answer) < 1) {
    throw new UsageError(
      `cannot use "${answer}" as how many to retrieve`,
      "expected a whole number",
    );
  }
  return Number(answer);
}

run("urllink3", async () => {
  const { values, positionals } = parseCommandLine(USAGE, {
    count: { type: "string" },
    ...PAGE_OPTIONS,
  });
  const options = pageLimits(values);
  const countOption = integerOption("count", values.count, 0, 1, Number.MAX_SAFE_INTEGER);
  const start = new URL(parseUrlTarget(positionals[0] ?? await input("Enter - ", "a URL")).url);
  start.hash = "";
  const todo = [start.href];
  let count = countOption ||
    pageCount(await input("How many to retrieve - ", "how many to retrieve"));
  const visited: string[] = [];
  const failed: string[] = [];

  while (todo.length > 0 && count > 0) {
    await stdout.print(`====== To Retrieve: ${count} Queue Length: ${todo.length}\n`);
    const url = todo.pop()!;
    if (visited.includes(url) || failed.includes(url)) {
      await stdout.print(`Skipping ${url}\n`);
      continue;
    }
    count = count - 1;
    await stdout.print(`===== Retrieving  ${url}\n`);
    let page, html;
    try {
      page = await fetchBody(url, options);
      html = await page.text();
    } catch (error) {
      if (url === start.href && visited.length === 0) throw error;
      writeErr(`urllink3: ${url}: ${describeError(error)[0]}\n`);
      await stdout.print("*** Error in retrieval\n");
      failed.push(url);
      continue;
    }
    visited.push(url);

    const soup = new DOMParser().parseFromString(html, "text/html");
    for (const href of extractLinksDom(soup, { baseUrl: page.url })) {
      if (href === null || !URL.canParse(href)) continue;
      const link = new URL(href);
      if (link.protocol !== "http:" && link.protocol !== "https:") continue;
      link.hash = "";
      if (!visited.includes(link.href)) todo.push(link.href);
    }
  }
  await stdout.print(`Visited ${JSON.stringify(visited)}\n`);
});
