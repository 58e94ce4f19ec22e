#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * socket1: the world's simplest web browser. Opens a TCP connection to the
 * book's server, sends `GET http://data.pr4e.org/romeo.txt HTTP/1.0` and a
 * blank line, then reads at most 512 bytes at a time until the server closes
 * the connection, writing every byte to stdout unchanged: status line,
 * headers, blank line, body.
 * On a terminal, bytes that could drive it (escape sequences, bytes that are
 * not UTF-8) are shown escaped, as `\x1b`; piped or redirected, the output is
 * exactly the bytes received.
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/socket1.ts [URL]
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: connect to the book's server. For
 *   another URL, allow its host and port instead
 *   (`--allow-net=127.0.0.1:8000` for the local mirror, `deno task serve`).
 *
 * @module
 */

import { parseUrlTarget } from "../mod.ts";
import {
  ABSOLUTE_URL_HELP,
  NET_HELP,
  NET_OPTIONS,
  parseCommandLine,
  timeLimits,
} from "./lib/args.ts";
import { Conn } from "./lib/conn.ts";
import { run } from "./lib/run.ts";
import { stdout } from "./lib/stdio.ts";

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/socket1.ts [URL] [options]

Sends "GET URL HTTP/1.0" and a blank line over a raw TCP connection (TLS for
https://) and writes everything the server sends back to stdout, unchanged
(control bytes escaped on a terminal). URL defaults to
http://data.pr4e.org/romeo.txt; for another host, allow it with
--allow-net=HOST:PORT instead (port 80 for http, 443 for https).

${ABSOLUTE_URL_HELP}
Options:
${NET_HELP}  -h, --help                 print this help
`;

run("socket1", async () => {
  const { values, positionals } = parseCommandLine(USAGE, NET_OPTIONS);
  const target = parseUrlTarget(positionals[0] ?? "http://data.pr4e.org/romeo.txt");
  const mysock = await Conn.open(target, timeLimits(values));
  await mysock.send(`GET ${target.url} HTTP/1.0\r\n\r\n`);
  for await (const data of mysock.chunks(512)) await stdout.write(data);
});
