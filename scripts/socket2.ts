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
import { input, parseCommandLine, run, StdoutQueue } from "./_cli.ts";
import {
  connectTo,
  endpoint,
  NET_ARGS,
  NET_USAGE,
  netOptions,
  readChunks,
  sendAll,
} from "./_net.ts";

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/socket2.ts [URL] [options]

Prompts "Enter: " for a URL (unless URL is given), sends "GET URL HTTP/1.0" and
a blank line over a raw TCP connection (TLS for https://) and writes everything
the server sends back to stdout, unchanged (control bytes escaped on a
terminal). For a host other than data.pr4e.org, allow it with
--allow-net=HOST:PORT instead (port 80 for http, 443 for https).

Options:
${NET_USAGE}  -h, --help                 print this help
`;

run("socket2", async () => {
  const { values, positionals } = parseCommandLine(USAGE, NET_ARGS);
  const options = netOptions(values);
  const url = positionals[0] ?? await input("Enter: ", "a URL");
  const target = parseUrlTarget(url);
  const where = endpoint(target);
  const mysock = await connectTo(target, options);
  await sendAll(mysock, `GET ${target.url} HTTP/1.0\r\n\r\n`, where);
  const stdout = new StdoutQueue();
  try {
    for await (const data of readChunks(mysock, { size: 512, ...options, where })) {
      await stdout.write(data);
    }
  } finally {
    await stdout.flush(); // what came before a failure is shown too
  }
});
