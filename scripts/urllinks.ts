#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * urllinks: the book's BeautifulSoup program. Asks for a URL (`Enter - `),
 * fetches the page, parses it as a browser does (WHATWG HTML parsing) and
 * prints the `href` of every `a` element in document order, as written in the
 * page (entities decoded), `null` for an `a` without one. With `--absolute`,
 * each link is resolved against the page's URL (after redirects) instead, as
 * the crawler does. The whole page is held in memory, so its size is capped
 * (`--max-bytes`, 64 MiB by default).
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/urllinks.ts [URL] [--absolute]
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

import { extractLinksDom, parseUrlTarget } from "../mod.ts";
import { DOMParser } from "./lib/dom.ts";
import { PAGE_HELP, PAGE_OPTIONS, pageLimits, parseCommandLine } from "./lib/args.ts";
import { fetchBody } from "./lib/fetch_body.ts";
import { run } from "./lib/run.ts";
import { input, stdout } from "./lib/stdio.ts";

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/urllinks.ts [URL] [--absolute]

Asks for a URL ("Enter - ") unless one is given, parses the page as a browser
does and prints the href of every a element, one a line (null when absent).
The book's pages are on data.pr4e.org; for another host, allow it with
--allow-net=HOST:PORT instead.

Options:
  --absolute                 resolve each link against the page's URL
${PAGE_HELP}  -h, --help                 print this help
`;

run("urllinks", async () => {
  const { values, positionals } = parseCommandLine(USAGE, {
    absolute: { type: "boolean" },
    ...PAGE_OPTIONS,
  });
  const options = pageLimits(values);
  const url = parseUrlTarget(positionals[0] ?? await input("Enter - ", "a URL")).url;
  const page = await fetchBody(url, options);
  const soup = new DOMParser().parseFromString(await page.text(), "text/html");
  const tags = extractLinksDom(soup, { baseUrl: values.absolute ? page.url : undefined });
  await stdout.print(tags.map((href) => `${href}\n`).join(""));
});
