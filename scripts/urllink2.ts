#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * urllink2: the book's look at the parts of a tag. Asks for a URL
 * (`Enter - `), parses the page as a browser does and prints four lines for
 * every `a` element: `TAG: ` and its HTML, `URL: ` and its href (`null` when
 * absent), `Contents: ` and its first child (text as is, an element as HTML),
 * `Attrs: ` and its attributes as JSON in source order
 * (`Attrs: {"href":"page1.htm"}`). The whole page is held in memory, so its
 * size is capped (`--max-bytes`, 64 MiB by default).
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/urllink2.ts [URL]
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

import { describeAnchor, formatAnchorDescription, parseUrlTarget } from "../mod.ts";
import { DOMParser } from "./lib/dom.ts";
import { PAGE_HELP, PAGE_OPTIONS, pageLimits, parseCommandLine } from "./lib/args.ts";
import { fetchBody } from "./lib/fetch_body.ts";
import { run } from "./lib/run.ts";
import { input, stdout } from "./lib/stdio.ts";

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/urllink2.ts [URL]

Asks for a URL ("Enter - ") unless one is given, parses the page as a browser
does and prints TAG, URL, Contents and Attrs lines for every a element.
The book's pages are on data.pr4e.org; for another host, allow it with
--allow-net=HOST:PORT instead.

Options:
${PAGE_HELP}  -h, --help                 print this help
`;

run("urllink2", async () => {
  const { values, positionals } = parseCommandLine(USAGE, {
    ...PAGE_OPTIONS,
  });
  const options = pageLimits(values);
  const url = parseUrlTarget(positionals[0] ?? await input("Enter - ", "a URL")).url;
  const page = await fetchBody(url, options);
  const soup = new DOMParser().parseFromString(await page.text(), "text/html");
  const tags = Array.from(soup.querySelectorAll("a"));
  await stdout.print(
    tags.map((tag) => formatAnchorDescription(describeAnchor(tag)) + "\n").join(""),
  );
});
