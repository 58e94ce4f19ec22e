#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80 --allow-write=cover3.jpg,cover3.jpg.part --allow-read=cover3.jpg.part
// Copyright netprog authors. MIT license.

/**
 * curl2: copies an image to a file in blocks, so that memory stays the same
 * whatever the size: the body of http://data.pr4e.org/cover3.jpg streams to
 * `cover3.jpg` in writes of at most 100,000 bytes, then the program prints
 * `<N> characters copied.` The bytes go to `cover3.jpg.part` first, renamed
 * when complete, so a failure or Ctrl-C never leaves half a picture.
 * Redirects are followed (at most 10); an HTTP error status is an error.
 *
 *     deno run --allow-net=data.pr4e.org:80 --allow-write=cover3.jpg,cover3.jpg.part --allow-read=cover3.jpg.part scripts/curl2.ts [URL]
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: connect to the book's server. For another
 *   URL, allow its host and port instead.
 * - `--allow-write=cover3.jpg,cover3.jpg.part`: write the picture beside its
 *   final name, then rename it into place.
 * - `--allow-read=cover3.jpg.part`: Deno asks for read access to a file it
 *   renames. With `-o PATH`, give PATH and PATH.part instead.
 *
 * The socket is read 1 MiB at a time, the next read in flight while the last
 * one is written: the blocks written stay at 100,000 bytes at most.
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
import { stdout } from "./lib/stdio.ts";

const FLAGS =
  "--allow-net=data.pr4e.org:80 --allow-write=cover3.jpg,cover3.jpg.part --allow-read=cover3.jpg.part";

const USAGE = `Usage: deno run ${FLAGS} scripts/curl2.ts [URL] [options]

Streams the body of URL to cover3.jpg in blocks of at most 100,000 bytes and
prints "<N> characters copied." URL defaults to http://data.pr4e.org/cover3.jpg;
for another host, allow it with --allow-net=HOST:PORT instead.

Options:
  -o, --output PATH          save as PATH instead (allow PATH and PATH.part)
${maxBytesHelp(Infinity)}${NET_HELP}  -h, --help                 print this help
`;

run("curl2", async () => {
  const { values, positionals } = parseCommandLine(USAGE, DOWNLOAD_OPTIONS);
  const limits = downloadLimits(values, Infinity);
  const url = parseUrlTarget(positionals[0] ?? "http://data.pr4e.org/cover3.jpg").url;
  const output = values.output ?? "cover3.jpg";
  await requireAtomicWrite(output);

  const size = await AtomicFile.save(output, (fhand) => download(url, fhand, limits));
  await stdout.print(`${size} characters copied.\n`);
});
