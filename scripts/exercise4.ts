#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * exercise4: the chapter's exercise 4. Asks for a URL (`Enter - `), parses
 * the page as urllinks does (as a browser does) and prints only the number of
 * `p` elements. The whole page is held in memory, so its size is capped
 * (`--max-bytes`, 64 MiB by default).
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/exercise4.ts [URL]
 *
 * With a URL argument there is no prompt.
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: fetch the book's pages. For another URL,
 *   allow its host and port instead (`--allow-net=127.0.0.1:8000`). The HTML
 *   parser needs no permission.
 *
 * @module
 */

import { countParagraphs, parseUrlTarget } from "../mod.ts";
import { DOMParser } from "./lib/dom.ts";
import { PAGE_HELP, PAGE_OPTIONS, pageLimits, parseCommandLine } from "./lib/args.ts";
import { fetchBody } from "./lib/fetch_body.ts";
import { run } from "./lib/run.ts";
import { input, stdout } from "./lib/stdio.ts";

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/exercise4.ts [URL]

Asks for a URL ("Enter - ") unless one is given, parses the page as a browser
does and prints the number of p elements.
The book's pages are on data.pr4e.org; for another host, allow it with
--allow-net=HOST:PORT instead.

Options:
${PAGE_HELP}  -h, --help                 print this help
`;

run("exercise4", async () => {
  const { values, positionals } = parseCommandLine(USAGE, {
    ...PAGE_OPTIONS,
  });
  const options = pageLimits(values);
  const url = parseUrlTarget(positionals[0] ?? await input("Enter - ", "a URL")).url;
  const page = await fetchBody(url, options);
  const soup = new DOMParser().parseFromString(await page.text(), "text/html");
  await stdout.print(`${countParagraphs(soup)}\n`);
});
