#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * exercise5: the socket program that shows only the data after the headers
 * and the blank line. Sends `GET http://data.pr4e.org/romeo.txt HTTP/1.0`
 * and a blank line over a raw TCP connection, looks for the first CRLFCRLF
 * in the bytes received (wherever it falls across reads: `recv` returns
 * bytes, not lines), and writes every byte after it to stdout unchanged.
 * A reply that is not HTTP (its first line is no `HTTP/1.x` status line), or
 * whose head passes 64 KiB, is refused as curl refuses it: one error line,
 * exit status 1, nothing printed.
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/exercise5.ts [URL]
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: connect to the book's server. For another
 *   URL, allow its host and port instead.
 *
 * On a terminal, bytes that could drive it (escape sequences, bytes that are
 * not UTF-8) are shown escaped, as `\x1b`; piped or redirected, the output is
 * the server's bytes unchanged.
 *
 * Reads are 1 MiB, the next one in flight while the last is written, so a
 * large body streams at loopback speed with flat memory.
 *
 * @module
 */

import { HeaderEndFinder, parseUrlTarget, ResponseParser } from "../mod.ts";
import {
  ABSOLUTE_URL_HELP,
  NET_HELP,
  NET_OPTIONS,
  parseCommandLine,
  timeLimits,
} from "./lib/args.ts";
import { Conn } from "./lib/conn.ts";
import { RunError } from "./lib/errors.ts";
import { run } from "./lib/run.ts";
import { stdout } from "./lib/stdio.ts";

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/exercise5.ts [URL] [options]

Sends "GET URL HTTP/1.0" over a raw TCP connection and prints only what comes
after the headers and the blank line, byte for byte. URL defaults to
http://data.pr4e.org/romeo.txt; for another host, allow it with
--allow-net=HOST:PORT instead.

${ABSOLUTE_URL_HELP}
Options:
${NET_HELP}  -h, --help                 print this help
`;

run("exercise5", async () => {
  const { values, positionals } = parseCommandLine(USAGE, NET_OPTIONS);
  const target = parseUrlTarget(positionals[0] ?? "http://data.pr4e.org/romeo.txt");
  const mysock = await Conn.open(target, timeLimits(values));
  await mysock.send(`GET ${target.url} HTTP/1.0\r\n\r\n`);

  const finder = new HeaderEndFinder();
  // The head is checked as curl checks it: a reply that is not HTTP, or a head over 64 KiB,
  // is an error (thrown by the core parser), and nothing is printed.
  const head = new ResponseParser({ method: "HEAD" });
  let seen = 0;
  let bodyStart = -1;
  const count = await mysock.pump((data) => {
    if (bodyStart < 0) {
      if (!head.complete) head.push(data);
      const pos = finder.push(data);
      if (pos >= 0) bodyStart = pos + 4;
    }
    const start = seen;
    seen += data.length;
    if (bodyStart < 0 || bodyStart >= seen) return null;
    return data.subarray(Math.max(0, bodyStart - start));
  }, stdout);
  if (bodyStart < 0) {
    throw new RunError(
      "cannot find the end of the headers",
      `no blank line (CRLFCRLF) in the ${count} bytes received`,
    );
  }
});
