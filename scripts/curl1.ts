#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80 --allow-write=cover3.jpg,cover3.jpg.part --allow-read=cover3.jpg.part
// Copyright netprog authors. MIT license.

/**
 * curl1: copies an image to a file the simple way: reads the whole body of
 * http://data.pr4e.org/cover3.jpg into memory, then writes it to
 * `cover3.jpg`. Prints nothing on stdout (on a terminal, a progress line on
 * stderr). The bytes go to `cover3.jpg.part` first,
 * renamed when complete, so a failure never leaves half a picture.
 * Redirects are followed (at most 10); an HTTP error status is an error.
 *
 *     deno run --allow-net=data.pr4e.org:80 --allow-write=cover3.jpg,cover3.jpg.part --allow-read=cover3.jpg.part scripts/curl1.ts [URL]
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: connect to the book's server. For another
 *   URL, allow its host and port instead.
 * - `--allow-write=cover3.jpg,cover3.jpg.part`: write the picture beside its
 *   final name, then rename it into place.
 * - `--allow-read=cover3.jpg.part`: Deno asks for read access to a file it
 *   renames. With `-o PATH`, give PATH and PATH.part instead.
 *
 * Holding the whole body is the lesson (curl2 streams instead), so the body
 * is refused past `--max-bytes` (256 MiB unless raised).
 *
 * @module
 */

import { parseUrlTarget } from "../mod.ts";
import {
  DOWNLOAD_OPTIONS,
  downloadLimits,
  maxBytesHelp,
  NET_HELP,
  parseCommandLine,
} from "./lib/args.ts";
import { AtomicFile, requireAtomicWrite } from "./lib/atomic_file.ts";
import { download } from "./lib/http_client.ts";
import { run } from "./lib/run.ts";
import { MemorySink } from "./lib/sinks.ts";

const FLAGS =
  "--allow-net=data.pr4e.org:80 --allow-write=cover3.jpg,cover3.jpg.part --allow-read=cover3.jpg.part";
const MAX_BYTES_HELD = 256 * 1024 * 1024;

const USAGE = `Usage: deno run ${FLAGS} scripts/curl1.ts [URL] [options]

Reads the whole body of URL into memory, then writes it to cover3.jpg. Prints
nothing on stdout; when stderr is a terminal, a progress line is drawn there.
URL defaults to http://data.pr4e.org/cover3.jpg; for another host, allow it
with --allow-net=HOST:PORT instead.

Options:
  -o, --output PATH          save as PATH instead (allow PATH and PATH.part)
${maxBytesHelp(MAX_BYTES_HELD)}${NET_HELP}  -h, --help                 print this help
`;

run("curl1", async () => {
  const { values, positionals } = parseCommandLine(USAGE, DOWNLOAD_OPTIONS);
  const limits = downloadLimits(values, MAX_BYTES_HELD);
  const url = parseUrlTarget(positionals[0] ?? "http://data.pr4e.org/cover3.jpg").url;
  const output = values.output ?? "cover3.jpg";
  await requireAtomicWrite(output);

  const img = new MemorySink();
  await download(url, img, limits);
  await AtomicFile.write(output, img.bytes());
});
