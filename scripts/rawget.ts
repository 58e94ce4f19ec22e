#!/usr/bin/env -S deno run --allow-net=data.pr4e.org:80
// Copyright netprog authors. MIT license.

/**
 * rawget: "the world's simplest web browser" grown up. An HTTP/1.1 client on
 * a raw socket (`Deno.connect`, or `Deno.connectTls` for `https://`) and the
 * core response parser: sends a `Host` header, reads bodies framed by
 * Content-Length, by the chunked coding or by the close of the connection,
 * follows redirects with `-L`, keeps the connection open across several URLs
 * of the same server, and writes files atomically. With no URL it fetches
 * http://data.pr4e.org/romeo.txt.
 *
 *     deno run --allow-net=data.pr4e.org:80 scripts/rawget.ts [URL...] [options]
 *
 * Permissions:
 * - `--allow-net=data.pr4e.org:80`: connect to the book's server. For other
 *   URLs, allow their hosts and ports instead (and those redirects lead to).
 * - With `-o PATH`: `--allow-write=PATH,PATH.part --allow-read=PATH.part`
 *   (the body is written beside PATH, then renamed; Deno counts the rename
 *   as reading).
 * - With `-O`: `--allow-write=. --allow-read=.` (files named after the URLs).
 * - With `--cacert FILE`: `--allow-read=FILE`.
 *
 * On a terminal, bytes of the body that could drive it (escape sequences,
 * bytes that are not UTF-8) are shown escaped, as `\x1b`; piped or
 * redirected, they are written unchanged.
 *
 * When stdout is a terminal, a body that looks binary is not written there
 * (as curl refuses): one line says to use `-o FILE`, or `-o -` to force it,
 * and the status is 1. It looks binary when its Content-Type is clearly not
 * text (an `image/`, `audio/`, `video/`, `font/` or `model/` type, or an
 * `application/` type other than JSON, XML, JavaScript, YAML, TOML, SQL,
 * GraphQL and form data, and their `+json` and `+xml` kin), decided before
 * any byte of the body is written; or when a block of it holds a NUL byte,
 * decided before that block is written (the first block included). Piped or
 * redirected, the body is written as it comes.
 *
 * A progress line (bytes, rate, time left) is drawn on stderr when stderr is
 * a terminal and the body does not go to that terminal; otherwise nothing
 * but errors is written there.
 *
 * @module
 */

import { fileNameFromUrl, parseUrlTarget, type ResponseHead } from "../mod.ts";
import {
  DOWNLOAD_OPTIONS,
  downloadLimits,
  integerOption,
  maxBytesHelp,
  NET_HELP,
  parseCommandLine,
  parseHeaderArg,
} from "./lib/args.ts";
import { AtomicFile, requireAtomicWrite } from "./lib/atomic_file.ts";
import { RunError, UsageError } from "./lib/errors.ts";
import { HttpClient } from "./lib/http_client.ts";
import { Progress } from "./lib/progress.ts";
import { firstLine, isPermissionError, requirePermission, run } from "./lib/run.ts";
import { type BodySink, countingSink } from "./lib/sinks.ts";
import { stdout } from "./lib/stdio.ts";

const USAGE = `Usage: deno run --allow-net=data.pr4e.org:80 scripts/rawget.ts [URL...] [options]

Fetches each URL over a raw socket with HTTP/1.1 and writes the body to stdout
(or to a file). Several URLs of one server share one connection (keep-alive).
URL defaults to http://data.pr4e.org/romeo.txt; for other hosts, allow them
with --allow-net=HOST:PORT instead.

Options:
  -i, --include              write the status line and headers before the body
  -I, --head                 send HEAD and write only the status line and headers
  -L, --location             follow redirects (301, 302, 303, 307, 308)
  --max-redirs N             most redirects followed with -L (default 10)
  -o, --output PATH          write the body to PATH (one URL; allow
                             --allow-write=PATH,PATH.part --allow-read=PATH.part);
                             -o - writes it to stdout, even a binary body to a
                             terminal (refused otherwise)
  -O, --remote-name          write each body to the file named by its URL's last
                             part, in the current folder (allow --allow-write=.
                             --allow-read=.)
  -H, --header "NAME: VALUE" add a request header, or replace a default one
                             (an empty value removes it); may be repeated
  --http1.0                  send HTTP/1.0 requests (no keep-alive)
  -f, --fail                 an HTTP error status (400 and up) is an error
${
  maxBytesHelp(Infinity)
}  --cacert FILE              also trust the PEM certificate(s) in FILE for https
                             (allow --allow-read=FILE)
${NET_HELP}  -h, --help                 print this help
`;

/** The status line and header lines as the parser read them, CRLF-separated, blank line last. */
function headText(head: ResponseHead): string {
  const lines = [`${head.version} ${head.status} ${head.reason}`.trimEnd()];
  for (const [name, value] of head.headers.entries) lines.push(`${name}: ${value}`);
  return lines.join("\r\n") + "\r\n\r\n";
}

/** Media types of text that are not `text/`: any `+json` or `+xml` type is text too. */
const TEXT_APPLICATION_TYPES = new Set([
  "application/json",
  "application/xml",
  "application/javascript",
  "application/ecmascript",
  "application/x-javascript",
  "application/x-www-form-urlencoded",
  "application/yaml",
  "application/x-yaml",
  "application/toml",
  "application/sql",
  "application/graphql",
]);

/**
 * Whether a Content-Type is clearly not text: an image, audio, video, font or
 * model type, or an application type that is not one of the text ones.
 * Missing, `text/`, `message/`, `multipart/` or unknown: not clearly (the NUL
 * check decides).
 */
function binaryContentType(contentType: string | null): boolean {
  const type = (contentType ?? "").split(";", 1)[0].trim().toLowerCase();
  const [major] = type.split("/", 1);
  if (["image", "audio", "video", "font", "model"].includes(major)) {
    return !type.endsWith("+xml") && !type.endsWith("+json");
  }
  if (major !== "application") return false;
  return !TEXT_APPLICATION_TYPES.has(type) && !type.endsWith("+json") && !type.endsWith("+xml");
}

/** The refusal to write a binary body to the terminal. */
const binaryToTerminal = () =>
  new RunError("not writing binary output to the terminal", "use -o FILE, or -o - to force it");

/** `sink`, unless a block holds a NUL byte: then nothing of that block is written. */
function refusingNul(sink: BodySink): BodySink {
  return {
    write(views) {
      if (views.some((view) => view.includes(0))) return Promise.reject(binaryToTerminal());
      return sink.write(views);
    },
  };
}

/** The head written before the body (with -i or -I): body writes wait for it. */
let pendingHead: Promise<void> = Promise.resolve();

run("rawget", async () => {
  const { values, positionals } = parseCommandLine(USAGE, {
    ...DOWNLOAD_OPTIONS,
    include: { type: "boolean", short: "i" },
    head: { type: "boolean", short: "I" },
    location: { type: "boolean", short: "L" },
    "max-redirs": { type: "string" },
    "remote-name": { type: "boolean", short: "O" },
    header: { type: "string", short: "H", multiple: true },
    "http1.0": { type: "boolean" },
    fail: { type: "boolean", short: "f" },
    cacert: { type: "string" },
  }, Infinity);
  const maxRedirects = integerOption("max-redirs", values["max-redirs"], 10, 0, 1000);
  const limits = downloadLimits(values, Infinity);
  const headers = ((values.header ?? []) as unknown as string[]).map(parseHeaderArg);
  const targets = (positionals.length > 0 ? positionals : ["http://data.pr4e.org/romeo.txt"])
    .map(parseUrlTarget);
  const urls = targets.map((target) => target.url);
  if (values.output !== undefined && (urls.length > 1 || values["remote-name"])) {
    throw new UsageError("cannot use -o", "it takes one URL and no -O (use -O for several)");
  }
  // -o - is stdout, whatever it is: even a binary body goes to a terminal.
  const forceStdout = values.output === "-";
  const outputs = urls.map((url) =>
    forceStdout ? null : values.output ?? (values["remote-name"] ? fileNameFromUrl(url) : null)
  );
  for (const output of new Set(outputs)) if (output !== null) await requireAtomicWrite(output);
  let caCerts: string[] | undefined;
  if (values.cacert !== undefined) {
    await requirePermission({ name: "read", path: values.cacert });
    try {
      caCerts = [await Deno.readTextFile(values.cacert)];
    } catch (error) {
      if (isPermissionError(error)) throw error;
      throw new RunError(`cannot read --cacert ${values.cacert}`, firstLine(error));
    }
  }
  const method = values.head ? "HEAD" : "GET";
  const stderrIsTerminal = Deno.stderr.isTerminal();
  const client = new HttpClient({ ...limits, caCerts });
  try {
    let progress: Progress | undefined;
    const onHead = (head: ResponseHead) => {
      if (values.include || values.head) {
        // The head goes out before any body byte: the body's first write awaits this one.
        pendingHead = pendingHead.then(() => stdout.print(headText(head)));
      }
    };
    const bodySink = (head: ResponseHead, at: string, file: BodySink | null): BodySink => {
      if (values.fail && head.status >= 400) {
        throw new RunError(`cannot retrieve ${at}`, `${head.status} ${head.reason}`.trim());
      }
      progress?.done();
      progress = undefined;
      let sink: BodySink = file ?? stdout;
      if (file === null && stdout.terminal && !forceStdout && !values.head) {
        if (binaryContentType(head.headers.get("content-type"))) throw binaryToTerminal();
        sink = refusingNul(sink);
      }
      const afterHead: BodySink = values.include || values.head
        ? { write: (views) => pendingHead.then(() => sink.write(views)) }
        : sink;
      if (!stderrIsTerminal || (file === null && stdout.terminal)) return afterHead;
      const length = Number(head.headers.get("content-length") ?? NaN);
      const bar = new Progress(Number.isSafeInteger(length) ? length : null, true);
      progress = bar;
      return countingSink(afterHead, (n) => bar.add(n));
    };
    if (!values.location && !values["http1.0"] && outputs.every((output) => output === null)) {
      // Everything to stdout, no redirect to follow: send requests ahead (pipelining).
      try {
        await client.pipeline(targets, {
          method,
          headers,
          maxBytes: limits.maxBytes,
          onHead,
          sinkFor: (head, at) => bodySink(head, at, null),
        });
        await pendingHead;
      } finally {
        progress?.done();
      }
      return;
    }
    for (const [i, url] of urls.entries()) {
      const output = outputs[i];
      const fetchInto = async (file: BodySink | null) => {
        try {
          await client.get(url, {
            method,
            follow: values.location,
            maxRedirects,
            http10: values["http1.0"],
            headers,
            maxBytes: limits.maxBytes,
            onHead,
            sinkFor: (head, at) => bodySink(head, at, file),
          });
          await pendingHead;
        } finally {
          progress?.done();
          progress = undefined;
        }
      };
      if (output === null || values.head) await fetchInto(null);
      else await AtomicFile.save(output, fetchInto);
    }
  } finally {
    client.close();
  }
});
