#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * socket2: the simplest web browser for any URL. Prompts `Enter: ` for a URL
 * (or takes it as an argument, then it does not prompt), connects to its host
 * and port (80 when absent; TLS on 443 for https), sends `GET URL HTTP/1.0`
 * and a blank line, and writes every byte the server sends to stdout
 * unchanged, reading at most 512 bytes at a time until the server closes the
 * connection.
 * On a terminal, bytes that could drive it (escape sequences, bytes that are
 * not UTF-8) are shown escaped, as `\x1b`; piped or redirected, the output is
 * exactly the bytes received.
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/socket2.ts [URL]
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: connect to the book's server, the host
 *   of the book's example answer `http://data.pr4e.org/romeo.txt`. For
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
import { input, stdout } from "./lib/stdio.ts";

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/socket2.ts [URL] [options]

Prompts "Enter: " for a URL (unless URL is given), sends "GET URL HTTP/1.0" and
a blank line over a raw TCP connection (TLS for https://) and writes everything
the server sends back to stdout, unchanged (control bytes escaped on a
terminal). For a host other than data.pr4e.org, allow it with
--allow-net=HOST:PORT instead (port 80 for http, 443 for https).

${ABSOLUTE_URL_HELP}
Options:
${NET_HELP}  -h, --help                 print this help
`;

run("socket2", async () => {
  const { values, positionals } = parseCommandLine(USAGE, NET_OPTIONS);
  const url = positionals[0] ?? await input("Enter: ", "a URL");
  const target = parseUrlTarget(url);
  const mysock = await Conn.open(target, timeLimits(values));
  await mysock.send(`GET ${target.url} HTTP/1.0\r\n\r\n`);
  for await (const data of mysock.chunks(512)) await stdout.write(data);
});
