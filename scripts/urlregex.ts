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
import { input, parseCommandLine, run } from "./_cli.ts";
import {
  FETCH_ARGS,
  fetchBody,
  fetchOptions,
  MAX_BYTES_USAGE,
  showText,
  TIMEOUT_USAGE,
} from "./_fetch_text.ts";

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/urlregex.ts [URL]

Asks for a URL ("Enter - ") unless one is given, and prints every link that
the book's pattern href="(http[s]?://.*?)" finds in the page, one a line.
The book's pages are on data.pr4e.org; for another host, allow it with
--allow-net=HOST:PORT instead.

Options:
${TIMEOUT_USAGE}${MAX_BYTES_USAGE}  -h, --help         print this help
`;

run("urlregex", async () => {
  const { values, positionals } = parseCommandLine(USAGE, {
    ...FETCH_ARGS,
  });
  const options = fetchOptions(values);
  const url = parseUrlTarget(positionals[0] ?? await input("Enter - ", "a URL")).url;
  const html = await (await fetchBody(url, options)).text();
  const links = extractLinksRegex(html);
  await showText(links.map((link) => link + "\n").join(""));
});
