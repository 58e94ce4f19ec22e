#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * exercise1: the book's exercise 1, socket2 with error checking. Prompts
 * `Enter: ` for a URL (or takes it as an argument), takes the host and port
 * from it, sends `GET URL HTTP/1.0` and a blank line, and writes every byte
 * the server sends to stdout unchanged, 512 bytes a read at most. Where the
 * book's `split('/')` would crash or connect to the wrong place, it prints one
 * clear line and exits: a malformed URL (exit status 2), an unknown host, a
 * refused connection, a server that does not answer in time (exit status 1).
 * (In this project socket2 has the same checks, shared by every script: this
 * is the exercise's answer, kept as its own program.)
 * On a terminal, bytes that could drive it (escape sequences, bytes that are
 * not UTF-8) are shown escaped, as `\x1b`; piped or redirected, the output is
 * exactly the bytes received.
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/exercise1.ts [URL]
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

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/exercise1.ts [URL] [options]

Prompts "Enter: " for a URL (unless URL is given), sends "GET URL HTTP/1.0" and
a blank line over a raw TCP connection (TLS for https://) and writes everything
the server sends back to stdout, unchanged (control bytes escaped on a
terminal). A malformed URL, an unknown host or a refused connection is
reported in one line. For a host other than data.pr4e.org, allow it with
--allow-net=HOST:PORT instead.

${ABSOLUTE_URL_HELP}
Options:
${NET_HELP}  -h, --help                 print this help
`;

run("exercise1", async () => {
  const { values, positionals } = parseCommandLine(USAGE, NET_OPTIONS);
  const url = positionals[0] ?? await input("Enter: ", "a URL");
  const target = parseUrlTarget(url);
  const mysock = await Conn.open(target, timeLimits(values));
  await mysock.send(`GET ${target.url} HTTP/1.0\r\n\r\n`);
  for await (const data of mysock.chunks(512)) await stdout.write(data);
});
