#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * urllib1: the book's first `urllib` program. Fetches a text file and prints
 * each of its lines with the white space around it stripped (as Python's
 * `line.decode().strip()` strips it). The headers are read by `fetch` and not
 * shown. An HTTP error status (such as 404) is an error, as in the book.
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/urllib1.ts [URL] [--timeout SECONDS]
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: fetch the book's file. For another URL,
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
  `Usage: deno run --allow-net=data.pr4e.org:80 scripts/urllib1.ts [URL] [--timeout SECONDS]

Prints each line of the text at URL, white space around it stripped.
URL defaults to http://data.pr4e.org/romeo.txt; for another host, allow it
with --allow-net=HOST:PORT instead.

Options:
${TIMEOUT_HELP}  -h, --help                 print this help
`;

run("urllib1", async () => {
  const { values, positionals } = parseCommandLine(USAGE, TIMEOUT);
  const url = parseUrlTarget(positionals[0] ?? "http://data.pr4e.org/romeo.txt").url;
  const fhand = await fetchBody(url, {
    ...timeLimits(values),
    keepByteOrderMark: true,
  });
  const lines = new PythonLineStripper();
  for await (const text of fhand.textChunks()) await stdout.print(lines.push(text));
  await stdout.print(lines.end());
});
