#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * exercise2: the book's exercise 2. Like socket2, but it shows only the first
 * 3000 characters the server sends (headers count), keeps reading to the end,
 * then prints a newline and `Total characters: N`. The bytes are decoded as
 * UTF-8 with one streaming decoder, so a character split across two reads
 * stays whole, and characters are counted as Python's `len` counts them:
 * code points, not bytes and not UTF-16 units. A byte order mark counts as a
 * character; bytes that are not UTF-8 count as one U+FFFD each.
 * On a terminal, control characters in what is shown are shown escaped.
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/exercise2.ts [URL]
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: connect to the book's server, the host
 *   of the book's example answer `http://data.pr4e.org/romeo.txt`. For
 *   another URL, allow its host and port instead.
 *
 * @module
 */

import { countCodePoints, parseUrlTarget } from "../mod.ts";
import {
  ABSOLUTE_URL_HELP,
  NET_HELP,
  NET_OPTIONS,
  parseCommandLine,
  timeLimits,
} from "./lib/args.ts";
import { Conn } from "./lib/conn.ts";
import { run } from "./lib/run.ts";
import { input, stdout } from "./lib/stdio.ts";

const SHOWN = 3000;

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/exercise2.ts [URL] [options]

Prompts "Enter: " for a URL (unless URL is given), sends "GET URL HTTP/1.0" over
a raw TCP connection, shows the first ${SHOWN} characters received, then prints
"Total characters: N" for the whole response. For a host other than
data.pr4e.org, allow it with --allow-net=HOST:PORT instead.

${ABSOLUTE_URL_HELP}
Options:
${NET_HELP}  -h, --help                 print this help
`;

run("exercise2", async () => {
  const { values, positionals } = parseCommandLine(USAGE, NET_OPTIONS);
  const url = positionals[0] ?? await input("Enter: ", "a URL");
  const target = parseUrlTarget(url);
  const mysock = await Conn.open(target, timeLimits(values));
  await mysock.send(`GET ${target.url} HTTP/1.0\r\n\r\n`);

  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let count = 0;
  const show = async (text: string) => {
    if (count < SHOWN) await stdout.print(firstCodePoints(text, SHOWN - count));
    count += countCodePoints(text);
  };
  for await (const data of mysock.chunks(512)) await show(decoder.decode(data, { stream: true }));
  await show(decoder.decode());
  await stdout.print(`\nTotal characters: ${count}\n`);
});

/** The first `n` code points of well-formed text. */
function firstCodePoints(text: string, n: number): string {
  let end = 0;
  for (let seen = 0; end < text.length && seen < n; seen++) {
    const unit = text.charCodeAt(end);
    end += unit >= 0xd800 && unit <= 0xdbff ? 2 : 1;
  }
  return text.slice(0, end);
}
