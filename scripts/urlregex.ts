#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * urlregex: asks for a URL (`Enter - `), fetches the page and prints, one a
 * line, every link the book's regular expression `href="(http[s]?://.*?)"`
 * finds, in order, duplicates kept. Relative links are not found: that is the
 * chapter's lesson about parsing HTML with regular expressions. The whole page
 * is held in memory, so its size is capped (`--max-bytes`, 64 MiB by default).
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/urlregex.ts [URL]
 *
 * With a URL argument there is no prompt.
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: fetch the book's pages. For another URL,
 *   allow its host and port instead (`--allow-net=127.0.0.1:8000`).
 *
 * @module
 */

import { extractLinksRegex, parseUrlTarget } from "../mod.ts";
import { PAGE_HELP, PAGE_OPTIONS, pageLimits, parseCommandLine } from "./lib/args.ts";
import { fetchBody } from "./lib/fetch_body.ts";
import { run } from "./lib/run.ts";
import { input, stdout } from "./lib/stdio.ts";

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/urlregex.ts [URL]

Asks for a URL ("Enter - ") unless one is given, and prints every link that
the book's pattern href="(http[s]?://.*?)" finds in the page, one a line.
The book's pages are on data.pr4e.org; for another host, allow it with
--allow-net=HOST:PORT instead.

Options:
${PAGE_HELP}  -h, --help                 print this help
`;

run("urlregex", async () => {
  const { values, positionals } = parseCommandLine(USAGE, {
    ...PAGE_OPTIONS,
  });
  const options = pageLimits(values);
  const url = parseUrlTarget(positionals[0] ?? await input("Enter - ", "a URL")).url;
  const html = await (await fetchBody(url, options)).text();
  const links = extractLinksRegex(html);
  await stdout.print(links.map((link) => link + "\n").join(""));
});
