#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * exercise3: the chapter's exercise 3, exercise 2 with `fetch`. Asks for a
 * URL (`Enter - `, as the book's `urllib` programs ask), fetches the document,
 * shows the first 3000 characters of its body (no headers), keeps reading to
 * the end, then prints a newline and `Total characters: N`. Characters are
 * counted as Python's `len` counts them (code points, not bytes, not UTF-16
 * units), decoded as the body streams in, so the page is never held in memory
 * whole.
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/exercise3.ts [URL]
 *
 * With a URL argument there is no prompt. A byte order mark counts as a
 * character, as in Python; bytes that are not UTF-8 count as one U+FFFD each.
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: fetch from the book's server
 *   (`http://data.pr4e.org/romeo.txt`, say). For another URL,
 *   allow its host and port instead (`--allow-net=127.0.0.1:8000`).
 *
 * @module
 */

import { countCodePoints, parseUrlTarget } from "../mod.ts";
import { parseCommandLine, timeLimits, TIMEOUT, TIMEOUT_HELP } from "./lib/args.ts";
import { fetchBody } from "./lib/fetch_body.ts";
import { run } from "./lib/run.ts";
import { input, stdout } from "./lib/stdio.ts";

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/exercise3.ts [URL]

Asks for a URL ("Enter - ") unless one is given, shows the first 3000
characters of the document, then the total number of characters (code points)
in it. The book's files are on data.pr4e.org; for another host, allow it with
--allow-net=HOST:PORT instead.

Options:
${TIMEOUT_HELP}  -h, --help                 print this help
`;

const SHOWN = 3000;

run("exercise3", async () => {
  const { values, positionals } = parseCommandLine(USAGE, TIMEOUT);
  const limits = timeLimits(values);
  const url = parseUrlTarget(positionals[0] ?? await input("Enter - ", "a URL")).url;
  const fhand = await fetchBody(url, { ...limits, keepByteOrderMark: true });
  let count = 0;
  for await (const text of fhand.textChunks()) {
    if (count < SHOWN) {
      const shown = Array.from(text.slice(0, 2 * (SHOWN - count))).slice(0, SHOWN - count);
      await stdout.print(shown.join(""));
    }
    count += countCodePoints(text);
  }
  await stdout.print(`\nTotal characters: ${count}\n`);
});
