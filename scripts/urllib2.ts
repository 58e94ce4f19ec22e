#!/usr/bin/env -S deno run --allow-net=www.dr-chuck.com:80
// Copyright netprog authors. MIT license.

/**
 * urllib2: urllib1 pointed at a web page, the book's page1.htm on
 * www.dr-chuck.com. Prints each line of the page's HTML source with the white
 * space around it stripped (as Python's `line.decode().strip()` strips it).
 * The headers are read by `fetch` and not shown. An HTTP error status (such
 * as 404) is an error, as in the book.
 *
 *     deno run --allow-net=www.dr-chuck.com:80 scripts/urllib2.ts [URL] [--timeout SECONDS]
 *
 * Permissions:
 * - `--allow-net=www.dr-chuck.com:80`: fetch the book's page. For another URL,
 *   allow its host and port instead (`--allow-net=127.0.0.1:8000`).
 *
 * @module
 */

import { parseUrlTarget, PythonLineStripper } from "../mod.ts";
import { parseCommandLine, timeLimits, TIMEOUT, TIMEOUT_HELP } from "./lib/args.ts";
import { fetchBody } from "./lib/fetch_body.ts";
import { run } from "./lib/run.ts";
import { stdout } from "./lib/stdio.ts";

const USAGE =
  `Usage: deno run --allow-net=www.dr-chuck.com:80 scripts/urllib2.ts [URL] [--timeout SECONDS]

Prints each line of the page at URL, white space around it stripped.
URL defaults to http://www.dr-chuck.com/page1.htm; for another host, allow it
with --allow-net=HOST:PORT instead.

Options:
${TIMEOUT_HELP}  -h, --help                 print this help
`;

run("urllib2", async () => {
  const { values, positionals } = parseCommandLine(USAGE, TIMEOUT);
  const url = parseUrlTarget(positionals[0] ?? "http://www.dr-chuck.com/page1.htm").url;
  const fhand = await fetchBody(url, {
    ...timeLimits(values),
    keepByteOrderMark: true,
  });
  const lines = new PythonLineStripper();
  for await (const text of fhand.textChunks()) await stdout.print(lines.push(text));
  await stdout.print(lines.end());
});
