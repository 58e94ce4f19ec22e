#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80 --allow-read=. --allow-write=.
// Copyright netprog authors. MIT license.

/**
 * curl3: curl2 for any URL, into the file named by the URL. Prints
 * `Please enter a URL like http://data.pr4e.org/cover3.jpg`, reads a URL (or
 * takes it from the command line), and streams the body in blocks of at most
 * 100,000 bytes into the file named by the last `/`-separated part of the
 * URL's path. A name that is empty, `.`, `..`, reserved, or would leave the
 * current folder is refused. An existing file is replaced only when the
 * answer to `Replace NAME (Y/n)?` is `Y`; anything else prints
 * `Data not copied` and changes nothing. Ends with
 * `<N> characters copied to NAME`.
 *
 *     deno run --allow-net=data.pr4e.org:80 --allow-read=. --allow-write=. scripts/curl3.ts [URL]
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: connect to the book's server. For another
 *   URL, allow its host and port instead.
 * - `--allow-read=.`: see whether the file already exists (and rename the
 *   part file, which Deno counts as reading it).
 * - `--allow-write=.`: write `NAME.part` in the current folder, then rename it
 *   to NAME, so a failure or Ctrl-C never leaves a partial file.
 *
 * @module
 */

import { fileNameFromUrl, parseUrlTarget, quote } from "../mod.ts";
import {
  DOWNLOAD_OPTIONS,
  downloadLimits,
  maxBytesHelp,
  NET_HELP,
  parseCommandLine,
} from "./lib/args.ts";
import { AtomicFile, requireAtomicWrite } from "./lib/atomic_file.ts";
import { UsageError } from "./lib/errors.ts";
import { download } from "./lib/http_client.ts";
import { requirePermission, run } from "./lib/run.ts";
import { input, stdout, writeErr } from "./lib/stdio.ts";

const FLAGS = "--allow-net=data.pr4e.org:80 --allow-read=. --allow-write=.";

const USAGE = `Usage: deno run ${FLAGS} scripts/curl3.ts [URL] [options]

Asks for a URL (or takes it from the command line) and streams its body in
blocks of at most 100,000 bytes into the file named by the URL's last part,
in the current folder. Asks before replacing a file. For another host than
data.pr4e.org, allow it with --allow-net=HOST:PORT instead.

Options:
  -o, --output PATH          save as PATH instead of the name from the URL
${maxBytesHelp(Infinity)}${NET_HELP}  -h, --help                 print this help
`;

/** Whether anything (a file, a folder, a symlink, even a broken one) has this name. */
async function exists(path: string): Promise<boolean> {
  await requirePermission({ name: "read", path });
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

run("curl3", async () => {
  const { values, positionals } = parseCommandLine(USAGE, DOWNLOAD_OPTIONS);
  const limits = downloadLimits(values, Infinity);
  let urlstr = positionals[0];
  if (urlstr === undefined) {
    await stdout.print("Please enter a URL like http://data.pr4e.org/cover3.jpg\n");
    urlstr = await input("", "a URL");
  }
  const url = parseUrlTarget(urlstr).url;
  const fname = values.output ?? fileNameFromUrl(url);
  await requireAtomicWrite(fname);

  // Don't overwrite the file
  if (await exists(fname)) {
    let answer = "";
    let why = "";
    try {
      answer = await input(`Replace ${fname} (Y/n)?`, "an answer");
      why = `the answer was ${quote(answer)}, and only Y replaces it`;
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      await stdout.print("\n");
      why = error.why; // the input is closed, or the answer empty
    }
    if (answer !== "Y") {
      await stdout.print("Data not copied\n");
      writeErr(`curl3: ${fname} kept: ${why}\n`);
      return;
    }
    await stdout.print(`Replacing ${fname}\n`);
  }

  const size = await AtomicFile.save(fname, (fhand) => download(url, fhand, limits));
  await stdout.print(`${size} characters copied to ${fname}\n`);
});
