#!/usr/bin/env -S deno run --allow-net=127.0.0.1 --allow-read=data
// Copyright netprog authors. MIT license.

/**
 * serve: a local mirror of the book's web server, so that every program of
 * the chapter works with no network. It listens on 127.0.0.1 only and serves
 * the files of the `data/` folder (`romeo.txt`, `intro-short.txt`,
 * `page1.htm`, `page2.htm`, `cover3.jpg`) the way the book's Apache did:
 * `HTTP/1.1 200 OK` to an HTTP/1.0 or HTTP/1.1 request whose target is a path
 * (`GET /romeo.txt`) or an absolute URL (`GET http://127.0.0.1:8000/romeo.txt`),
 * with `Date`, `Server`, `Last-Modified`, `ETag`, `Accept-Ranges`,
 * `Content-Length`, `Connection: close` and `Content-Type` in that order, the
 * body, then it closes the connection. `HEAD` gets the same head and no body;
 * an unknown path gets 404, other methods 405 or 501, anything unreadable 400.
 *
 * It is a small server on `Deno.listen` that writes every byte of its answers
 * itself (the chapter's subject seen from the server's side): `Deno.serve`
 * would answer an HTTP/1.0 request with `HTTP/1.0` and lower-case headers.
 * The `Server` field says `Apache/2.4.7 (Ubuntu)`, as the book's server did,
 * so that the programs print what the book shows.
 *
 *     deno run --allow-net=127.0.0.1 --allow-read=data scripts/serve.ts [--port 8000]
 *
 * Permissions:
 * - `--allow-net=127.0.0.1`: listen on the loopback address (any port, so
 *   that `--port 0` can pick a free one).
 * - `--allow-read=data`: read the files it serves (run from the project's
 *   folder, or give the folder's path).
 *
 * The first line on stdout is `Serving the book's files on http://127.0.0.1:PORT/`;
 * one line per request goes to stderr.
 *
 * @module
 */

import { integerOption, parseCommandLine, secondsOption } from "./lib/args.ts";
import { RunError } from "./lib/errors.ts";
import { run } from "./lib/run.ts";
import { writeErr } from "./lib/stdio.ts";
import { watchdog, within } from "./lib/time_limit.ts";

const USAGE = `Usage: deno run --allow-net=127.0.0.1 --allow-read=data scripts/serve.ts [options]

Serves the book's files (the data/ folder) on http://127.0.0.1:PORT/ the way the
book's Apache server did. Stop it with Ctrl-C.

Options:
  --port PORT        port to listen on; 0 picks a free one (default 8000)
  --dir DIR          folder to serve (default: the project's data/ folder)
  --timeout SECONDS  close a connection whose request has not arrived by then (default 10)
  --stop-on-stdin-close
                     stop when standard input ends (for a program that starts
                     the mirror and closes its input to stop it)
  -h, --help         print this help
`;

/** What the book's server called itself. */
const SERVER = "Apache/2.4.7 (Ubuntu)";
/** Largest request head accepted, as Apache's default line limit. */
const MAX_REQUEST_HEAD = 8190;
const TYPES: Record<string, string> = {
  txt: "text/plain",
  htm: "text/html",
  html: "text/html",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  json: "application/json",
};
const KNOWN_METHODS = new Set(["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"]);
const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  501: "Not Implemented",
  505: "HTTP Version Not Supported",
};
const encoder = new TextEncoder();

run("serve", async () => {
  const { values } = parseCommandLine(USAGE, {
    port: { type: "string" },
    dir: { type: "string" },
    timeout: { type: "string" },
    "stop-on-stdin-close": { type: "boolean" },
  }, 0);
  const port = integerOption("port", values.port, 8000, 0, 65535);
  const timeoutMs = secondsOption("timeout", values.timeout, 10) * 1000;
  const dir = (values.dir ?? decodeURIComponent(new URL("../data", import.meta.url).pathname))
    .replace(/\/+$/, "");
  const info = await Deno.stat(dir).catch((error) => {
    if (error instanceof Deno.errors.NotFound) {
      throw new RunError(`cannot serve ${dir}`, "no such folder");
    }
    throw error;
  });
  if (!info.isDirectory) throw new RunError(`cannot serve ${dir}`, "not a folder");

  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ hostname: "127.0.0.1", port });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new RunError(`cannot listen on 127.0.0.1:${port}`, "address in use (try --port 0)");
    }
    throw error;
  }
  const actual = (listener.addr as Deno.NetAddr).port;
  Deno.stdout.writeSync(
    encoder.encode(`Serving the book's files on http://127.0.0.1:${actual}/\n`),
  );
  /** Answers being written: a stop lets them finish, and log. */
  const answering = new Set<Promise<void>>();
  if (values["stop-on-stdin-close"]) {
    // A signal can miss this process when a launcher stands between it and
    // the program that started it; the end of standard input cannot.
    (async () => {
      for await (const _ of Deno.stdin.readable) { /* ignored */ }
      listener.close();
      await within(Promise.allSettled(answering), 2000);
      Deno.exit(0);
    })();
  }
  for await (const conn of listener) {
    const answered = answer(conn, dir, timeoutMs);
    answering.add(answered);
    answered.finally(() => answering.delete(answered)).catch(() => {});
    answered
      .then(() => lingeringClose(conn))
      .catch(() => {/* the client went away */})
      .finally(() => {
        try {
          conn.close();
        } catch { /* already closed */ }
      });
  }
});

/**
 * Ends the response, then reads and drops what the client still sends (a
 * request body, the rest of a refused request) for up to a second, so that
 * closing with unread data does not reset the connection before the client
 * has read the answer.
 */
async function lingeringClose(conn: Deno.Conn): Promise<void> {
  await conn.closeWrite();
  const buffer = new Uint8Array(16384);
  let cancel = () => {};
  const deadline = new Promise<null>((resolve) => {
    cancel = watchdog(1000, () => resolve(null));
  });
  try {
    for (let dropped = 0; dropped < 1 << 20;) {
      const reading = conn.read(buffer);
      reading.catch(() => {/* closed below */});
      const n = await Promise.race([reading, deadline]);
      if (n === null) return;
      dropped += n;
    }
  } finally {
    cancel();
  }
}

/** Reads one request from `conn`, writes one response, and returns. */
async function answer(conn: Deno.Conn, dir: string, timeoutMs: number): Promise<void> {
  const peer = (conn.remoteAddr as Deno.NetAddr).hostname;
  const head = await readRequestHead(conn, timeoutMs);
  if (head === "closed") return;
  if (head === "timeout") return await respondError(conn, peer, "-", 408, "GET");
  if (head === "too large" || head === "tls") {
    return await respondError(conn, peer, head === "tls" ? "(TLS handshake)" : "-", 400, "GET");
  }
  const requestLine = head.split(/\r?\n/, 1)[0];
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/(\d)\.(\d)$/.exec(requestLine);
  if (!m) return await respondError(conn, peer, requestLine, 400, "GET");
  const [, method, target, major] = m;
  if (major !== "1") return await respondError(conn, peer, requestLine, 505, method);
  if (method !== "GET" && method !== "HEAD") {
    const status = KNOWN_METHODS.has(method) ? 405 : 501;
    return await respondError(conn, peer, requestLine, status, method);
  }
  const path = pathOf(target);
  if (path === null) return await respondError(conn, peer, requestLine, 400, method);
  if (path === "/") return await respondIndex(conn, dir, peer, requestLine, method);
  const file = await openServed(dir, path);
  if (file === null) return await respondError(conn, peer, requestLine, 404, method, path);
  try {
    const info = await file.stat();
    const mtime = info.mtime ?? new Date(0);
    const extension = /\.([^./]+)$/.exec(path)?.[1].toLowerCase() ?? "";
    const fields: [string, string][] = [
      ["Date", new Date().toUTCString()],
      ["Server", SERVER],
      ["Last-Modified", mtime.toUTCString()],
      ["ETag", `"${info.size.toString(16)}-${(mtime.getTime() * 1000).toString(16)}"`],
      ["Accept-Ranges", "bytes"],
      ["Content-Length", String(info.size)],
      ["Connection", "close"],
      ["Content-Type", TYPES[extension] ?? "application/octet-stream"],
    ];
    // The head and the start of the body leave in one write, as from Apache.
    const head = encoder.encode(responseHead(200, fields));
    const buffer = new Uint8Array(head.length + 65536);
    buffer.set(head);
    let filled = head.length;
    if (method === "GET") {
      let n: number | null;
      while ((n = await file.read(buffer.subarray(filled))) !== null) {
        await writeAll(conn, buffer.subarray(0, filled + n));
        filled = 0;
      }
    }
    if (filled > 0) await writeAll(conn, buffer.subarray(0, filled));
    log(peer, requestLine, 200, method === "GET" ? info.size : 0);
  } finally {
    file.close();
  }
}

type RequestHead = string | "closed" | "timeout" | "too large" | "tls";

/** Reads through the blank line that ends the request head (latin1). */
async function readRequestHead(conn: Deno.Conn, timeoutMs: number): Promise<RequestHead> {
  const buffer = new Uint8Array(MAX_REQUEST_HEAD + 1);
  let length = 0;
  let cancel = () => {};
  const deadline = new Promise<"timeout">((resolve) => {
    cancel = watchdog(timeoutMs, () => resolve("timeout"));
  });
  try {
    while (length <= MAX_REQUEST_HEAD) {
      const reading = conn.read(buffer.subarray(length));
      reading.catch(() => {/* seen below, or the connection is closed after a timeout */});
      const n = await Promise.race([reading, deadline]);
      if (n === "timeout") return length === 0 ? "closed" : "timeout";
      if (n === null) return length === 0 ? "closed" : latin1(buffer.subarray(0, length));
      length += n;
      // A TLS handshake record (https:// to this plain HTTP server): answered at once.
      if (buffer[0] === 0x16) return "tls";
      const text = latin1(buffer.subarray(0, length));
      const end = text.search(/\r?\n\r?\n/);
      if (end >= 0) return text.slice(0, end);
    }
    return "too large";
  } finally {
    cancel();
  }
}

/** The path an origin-form or absolute-form target asks for, or null when unreadable. */
function pathOf(target: string): string | null {
  let url: URL;
  if (target.startsWith("/")) {
    url = new URL(`http://localhost${target}`);
  } else if (/^https?:\/\/[^/?#]+/i.test(target) && URL.canParse(target)) {
    url = new URL(target);
  } else {
    return null;
  }
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
}

/** Opens the regular file `path` names inside `dir`, or null (no file, dot files, escapes). */
async function openServed(dir: string, path: string): Promise<Deno.FsFile | null> {
  const parts = path.split("/").slice(1);
  if (parts.some((part) => part === "" || part.startsWith(".") || part.includes("\0"))) {
    return null;
  }
  try {
    const file = await Deno.open(`${dir}/${parts.join("/")}`);
    if ((await file.stat()).isFile) return file;
    file.close();
    return null;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return null;
    }
    if (error instanceof Deno.errors.IsADirectory) return null;
    throw error;
  }
}

/** The list of the files served, as an HTML page of links. */
async function respondIndex(
  conn: Deno.Conn,
  dir: string,
  peer: string,
  requestLine: string,
  method: string,
): Promise<void> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && !entry.name.startsWith(".")) names.push(entry.name);
  }
  names.sort();
  const items = names.map((name) =>
    `<li><a href="${encodeURIComponent(name)}">${escapeHtml(name)}</a></li>\n`
  );
  const body = encoder.encode(
    `<!DOCTYPE html>\n<html><head>\n<title>Index of /</title>\n</head><body>\n` +
      `<h1>Index of /</h1>\n<ul>\n${items.join("")}</ul>\n</body></html>\n`,
  );
  const fields: [string, string][] = [
    ["Date", new Date().toUTCString()],
    ["Server", SERVER],
    ["Content-Length", String(body.length)],
    ["Connection", "close"],
    ["Content-Type", "text/html;charset=UTF-8"],
  ];
  await writeAll(conn, encoder.encode(responseHead(200, fields)));
  if (method === "GET") await writeAll(conn, body);
  log(peer, requestLine, 200, method === "GET" ? body.length : 0);
}

/** An error answer with a small Apache-like HTML body. */
async function respondError(
  conn: Deno.Conn,
  peer: string,
  requestLine: string,
  status: number,
  method: string,
  path = "",
): Promise<void> {
  const reason = REASONS[status];
  const explanation = status === 404
    ? `The requested URL ${escapeHtml(path)} was not found on this server.`
    : status === 405
    ? `The requested method ${escapeHtml(method)} is not allowed for this URL.`
    : status === 501
    ? `${escapeHtml(method)} is not supported by this server.`
    : status === 408
    ? "The server timed out waiting for the request."
    : status === 505
    ? "This server speaks HTTP/1.0 and HTTP/1.1 only."
    : "Your browser sent a request that this server could not understand.";
  const body = encoder.encode(
    `<!DOCTYPE html>\n<html><head>\n<title>${status} ${reason}</title>\n</head><body>\n` +
      `<h1>${reason}</h1>\n<p>${explanation}</p>\n<hr>\n` +
      `<address>${SERVER} Server at 127.0.0.1</address>\n</body></html>\n`,
  );
  const fields: [string, string][] = [["Date", new Date().toUTCString()], ["Server", SERVER]];
  if (status === 405) fields.push(["Allow", "GET,HEAD"]);
  fields.push(
    ["Content-Length", String(body.length)],
    ["Connection", "close"],
    ["Content-Type", "text/html; charset=iso-8859-1"],
  );
  await writeAll(conn, encoder.encode(responseHead(status, fields)));
  if (method !== "HEAD") await writeAll(conn, body);
  log(peer, requestLine, status, method !== "HEAD" ? body.length : 0);
}

function responseHead(status: number, fields: [string, string][]): string {
  const lines = fields.map(([name, value]) => `${name}: ${value}\r\n`).join("");
  return `HTTP/1.1 ${status} ${REASONS[status]}\r\n${lines}\r\n`;
}

function log(peer: string, requestLine: string, status: number, bytes: number): void {
  const shown = JSON.stringify(
    requestLine.length > 200 ? `${requestLine.slice(0, 200)}...` : requestLine,
  );
  writeErr(`${peer} [${new Date().toISOString()}] ${shown} ${status} ${bytes}\n`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function latin1(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await conn.write(bytes.subarray(done));
}
