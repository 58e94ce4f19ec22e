#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80 --allow-write=stuff.jpg,stuff.jpg.part --allow-read=stuff.jpg.part
// Copyright netprog authors. MIT license.

/**
 * urljpeg: retrieves an image over a raw socket. Sends
 * `GET http://data.pr4e.org/cover3.jpg HTTP/1.0` and a blank line, reads at
 * most 5120 bytes at a time, and prints for each read the bytes it returned
 * and the running total. At the end it prints `Header length N` (the offset of
 * the first CRLFCRLF, found on the bytes), the header block as received, and
 * writes the body (everything after the CRLFCRLF) to `stuff.jpg`: first to
 * `stuff.jpg.part`, then renamed, so a failure never leaves half a picture.
 * With `--delay 0.25` it sleeps after each read, the book's experiment that
 * lets the server get ahead (reads then come back full).
 *
 *     deno run --allow-net=data.pr4e.org:80 --allow-write=stuff.jpg,stuff.jpg.part --allow-read=stuff.jpg.part scripts/urljpeg.ts [URL]
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: connect to the book's server. For another
 *   URL, allow its host and port instead.
 * - `--allow-write=stuff.jpg,stuff.jpg.part`: write the picture beside its
 *   final name, then rename it into place.
 * - `--allow-read=stuff.jpg.part`: Deno asks for read access to a file it
 *   renames. With `-o PATH`, give PATH and PATH.part instead.
 *
 * The whole response is held in memory, up to `--max-bytes` (64 MiB unless
 * raised).
 * On a terminal, control bytes in the header block are shown escaped.
 *
 * @module
 */

import { HeaderEndFinder, parseUrlTarget } from "../mod.ts";
import {
  ABSOLUTE_URL_HELP,
  DOWNLOAD_OPTIONS,
  downloadLimits,
  maxBytesHelp,
  NET_HELP,
  parseCommandLine,
  secondsOption,
} from "./lib/args.ts";
import { AtomicFile, requireAtomicWrite } from "./lib/atomic_file.ts";
import { Conn } from "./lib/conn.ts";
import { RunError } from "./lib/errors.ts";
import { run } from "./lib/run.ts";
import { stdout } from "./lib/stdio.ts";

const FLAGS =
  "--allow-net=data.pr4e.org:80 --allow-write=stuff.jpg,stuff.jpg.part --allow-read=stuff.jpg.part";
const MAX_BYTES_HELD = 64 * 1024 * 1024;

const USAGE = `Usage: deno run ${FLAGS} scripts/urljpeg.ts [URL] [options]

Sends "GET URL HTTP/1.0" over a raw TCP connection, prints the size of each
read (at most 5120 bytes) and the running total, then the header length and the
header, and saves the body as stuff.jpg. URL defaults to
http://data.pr4e.org/cover3.jpg; for another host, allow it with
--allow-net=HOST:PORT instead.

${ABSOLUTE_URL_HELP}
Options:
  --delay SECONDS            sleep after each read (the book tries 0.25)
  -o, --output PATH          save the body as PATH instead (allow PATH and PATH.part)
${maxBytesHelp(MAX_BYTES_HELD)}${NET_HELP}  -h, --help                 print this help
`;

run("urljpeg", async () => {
  const { values, positionals } = parseCommandLine(USAGE, {
    ...DOWNLOAD_OPTIONS,
    delay: { type: "string" },
  });
  const delay = secondsOption("delay", values.delay, 0, false);
  const limits = downloadLimits(values, MAX_BYTES_HELD);
  const output = values.output ?? "stuff.jpg";
  const target = parseUrlTarget(positionals[0] ?? "http://data.pr4e.org/cover3.jpg");
  await requireAtomicWrite(output);
  const mysock = await Conn.open(target, limits);
  await mysock.send(`GET ${target.url} HTTP/1.0\r\n\r\n`);

  const chunks: Uint8Array[] = [];
  const finder = new HeaderEndFinder();
  let count = 0;
  for await (const data of mysock.chunks(5120)) {
    count += data.length;
    if (count > limits.maxBytes) {
      throw new RunError(
        `cannot read from ${mysock.where}`,
        `the response is larger than ${limits.maxBytes} bytes (raise --max-bytes)`,
      );
    }
    finder.push(data);
    chunks.push(data);
    await stdout.print(`${data.length} ${count}\n`);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay * 1000));
  }

  const pos = finder.index;
  if (pos < 0) {
    throw new RunError(
      "cannot find the end of the header",
      `no CRLFCRLF in the ${count} bytes received; ${output} not written`,
    );
  }
  const picture = new Uint8Array(count);
  let offset = 0;
  for (const chunk of chunks) {
    picture.set(chunk, offset);
    offset += chunk.length;
  }
  await stdout.print(`Header length ${pos}\n`);
  await stdout.write(picture.subarray(0, pos)); // on a terminal, escape sequences are shown escaped
  await stdout.print("\n");
  await AtomicFile.write(output, picture.subarray(pos + 4));
});
