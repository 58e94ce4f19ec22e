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

import { parseUrlTarget } from "../mod.ts";
import { parseCommandLine, run, secondsOption } from "./_cli.ts";
import {
  DEFAULT_TIMEOUT_SECONDS,
  FETCH_ARGS,
  fetchBody,
  PythonLineStripper,
  showText,
  TIMEOUT_USAGE,
} from "./_fetch_text.ts";

const USAGE =
  `Usage: deno run --allow-net=www.dr-chuck.com:80 scripts/urllib2.ts [URL] [--timeout SECONDS]

Prints each line of the page at URL, white space around it stripped.
URL defaults to http://www.dr-chuck.com/page1.htm; for another host, allow it
with --allow-net=HOST:PORT instead.

Options:
${TIMEOUT_USAGE}  -h, --help         print this help
`;

run("urllib2", async () => {
  const { values, positionals } = parseCommandLine(USAGE, { timeout: FETCH_ARGS.timeout });
  const url = parseUrlTarget(positionals[0] ?? "http://www.dr-chuck.com/page1.htm").url;
  const fhand = await fetchBody(url, {
    timeoutSeconds: secondsOption("timeout", values.timeout, DEFAULT_TIMEOUT_SECONDS),
    keepByteOrderMark: true,
  });
  const lines = new PythonLineStripper();
  for await (const text of fhand.textChunks()) await showText(lines.push(text));
  await showText(lines.end());
});
