#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * urlwords: fetches a text file and counts its words, split as Python's
 * `str.split()` splits (Python's white space, case kept, punctuation kept).
 * Prints the counts as one line of JSON, words in the order first seen
 * (`{"But":1,"soft":1,...}`), as the book prints its dictionary; with
 * `--top N`, the N most frequent words instead, one `<count> <word>` a line,
 * ties in the order first seen. Words are counted as the body streams in, as
 * the book counts them line by line, so memory grows with the number of
 * different words, not with the page; the page's size is still capped
 * (`--max-bytes`, 64 MiB by default), as one endless word would be held.
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/urlwords.ts [URL] [--top N]
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: fetch the book's file. For another URL,
 *   allow its host and port instead (`--allow-net=127.0.0.1:8000`).
 *
 * @module
 */

import { formatWordCounts, parseUrlTarget, splitWords, topWords } from "../mod.ts";
import {
  integerOption,
  PAGE_HELP,
  PAGE_OPTIONS,
  pageLimits,
  parseCommandLine,
} from "./lib/args.ts";
import { fetchBody } from "./lib/fetch_body.ts";
import { run } from "./lib/run.ts";
import { stdout } from "./lib/stdio.ts";

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/urlwords.ts [URL] [--top N]

Counts the words of the text at URL (split as Python's str.split() splits)
and prints them as one line of JSON, in the order first seen.
URL defaults to http://data.pr4e.org/romeo.txt; for another host, allow it
with --allow-net=HOST:PORT instead.

Options:
  --top N                    print the N most frequent words instead,
                             "<count> <word>" a line
${PAGE_HELP}  -h, --help                 print this help
`;

run("urlwords", async () => {
  const { values, positionals } = parseCommandLine(USAGE, {
    top: { type: "string" },
    ...PAGE_OPTIONS,
  });
  const url = parseUrlTarget(positionals[0] ?? "http://data.pr4e.org/romeo.txt").url;
  const top = integerOption("top", values.top, 0, 1, Number.MAX_SAFE_INTEGER);
  const fhand = await fetchBody(url, { ...pageLimits(values), keepByteOrderMark: true });
  const counts = new Map<string, number>();
  for await (const text of fhand.wordChunks()) {
    for (const word of splitWords(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  if (values.top === undefined) return await stdout.print(formatWordCounts(counts) + "\n");
  const lines = topWords(counts, top).map(([word, count]) => `${count} ${word}\n`);
  await stdout.print(lines.join(""));
});
