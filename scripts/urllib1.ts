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
  `Usage: deno run --allow-net=data.pr4e.org:80 scripts/urllib1.ts [URL] [--timeout SECONDS]

Prints each line of the text at URL, white space around it stripped.
URL defaults to http://data.pr4e.org/romeo.txt; for another host, allow it
with --allow-net=HOST:PORT instead.

Options:
${TIMEOUT_USAGE}  -h, --help         print this help
`;

run("urllib1", async () => {
  const { values, positionals } = parseCommandLine(USAGE, { timeout: FETCH_ARGS.timeout });
  const url = parseUrlTarget(positionals[0] ?? "http://data.pr4e.org/romeo.txt").url;
  const fhand = await fetchBody(url, {
    timeoutSeconds: secondsOption("timeout", values.timeout, DEFAULT_TIMEOUT_SECONDS),
    keepByteOrderMark: true,
  });
  const lines = new PythonLineStripper();
  for await (const text of fhand.textChunks()) await showText(lines.push(text));
  await showText(lines.end());
});
