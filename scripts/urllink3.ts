#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * urllink3: the book's tiny web crawler (code3 `urllink3.py`). Asks for a
 * start URL (`Enter - `), puts it on a to-do list, asks how many to retrieve
 * (`How many to retrieve - `), then, while the list is not empty and rounds
 * are left:
 *
 * - prints `====== To Retrieve: N Queue Length: M` (N rounds left, M URLs on
 *   the list), takes the LAST URL off the list and counts the round, whatever
 *   happens to the URL next;
 * - a URL that does not start with `http` prints `Skipping URL`;
 * - a URL containing `facebook` or `linkedin` is skipped without a word;
 * - a URL already retrieved prints `Visited URL`;
 * - otherwise it prints `===== Retrieving  URL` (two spaces, as Python's
 *   `print` of two arguments writes it) and fetches the page. When that fails
 *   (HTTP error, no connection, another host than the network permission
 *   allows, a page over `--max-bytes`) it prints `*** Error in retrieval`, the
 *   reason goes to stderr in one line, and the URL is not marked: met again,
 *   it is tried again. Otherwise the URL is marked visited and the `href` of
 *   every `a` element that has one is pushed on the list, in document order,
 *   duplicates, fragments, `mailto:` and all.
 *
 * Nothing is printed after the loop. URLs are compared as strings, as the
 * book compares them; the start URL is used as typed.
 *
 * Where it differs from the book's program:
 * - each href is resolved against the page's URL (after redirects) before it
 *   is pushed, so that relative links are followed; the `#fragment` is kept,
 *   so `page.htm#top` is another URL than `page.htm`, as in the book. An href
 *   that cannot be resolved is pushed as written;
 * - the start URL is checked first: a malformed one is bad usage (exit 2);
 * - when the start page cannot be retrieved there is nothing to crawl: it
 *   prints `*** Error in retrieval` as the book does, the loop is over (the
 *   list is empty, as in the book), and that is the program's error: one line
 *   on stderr, exit status 1, as in urllinks;
 * - how many to retrieve must be a whole number from 1 up.
 *
 * Each page is held in memory, so its size is capped (`--max-bytes`, 64 MiB
 * by default).
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

import { escapeControls, extractLinksDom, parseUrlTarget } from "../mod.ts";
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

The book's crawler. Starts from URL (asked with "Enter - " unless given) and
runs N rounds (asked with "How many to retrieve - " unless --count is given),
each taking the last URL off its list: it skips a URL that is not http (saying
so), one with facebook or linkedin in it, one already visited (saying so), or
retrieves it and adds every link of the page, resolved against its URL, to the
list. A page that fails prints "*** Error in retrieval"; the start page failing
is an error.
The book's pages are on data.pr4e.org; to crawl another site, allow its host
with --allow-net=HOST:PORT instead. Links to other hosts fail to retrieve.

Options:
  --count N                  how many to retrieve (rounds)
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

  const todo: string[] = [];
  const visited: string[] = [];
  const start = (positionals[0] ?? await input("Enter - ", "a URL")).trim();
  parseUrlTarget(start);
  todo.push(start);
  let count = countOption ||
    pageCount(await input("How many to retrieve - ", "how many to retrieve"));

  while (todo.length > 0 && count > 0) {
    await stdout.print(`====== To Retrieve: ${count} Queue Length: ${todo.length}\n`);
    const url = todo.pop()!;
    count = count - 1;

    if (!url.startsWith("http")) {
      await stdout.print(`Skipping ${url}\n`);
      continue;
    }
    if (url.includes("facebook")) continue;
    if (url.includes("linkedin")) continue;
    if (visited.includes(url)) {
      await stdout.print(`Visited ${url}\n`);
      continue;
    }

    await stdout.print(`===== Retrieving  ${url}\n`);
    let page, html;
    try {
      page = await fetchBody(url, options);
      html = await page.text();
    } catch (error) {
      await stdout.print("*** Error in retrieval\n");
      if (visited.length === 0) throw error; // the start page: nothing to crawl
      writeErr(`urllink3: ${escapeControls(`${url}: ${describeError(error)[0]}`)}\n`);
      continue;
    }
    const soup = new DOMParser().parseFromString(html, "text/html");
    visited.push(url);

    for (const href of extractLinksDom(soup, { baseUrl: page.url })) {
      if (href !== null) todo.push(href);
    }
  }
});
