// Copyright netprog authors. MIT license.

/**
 * The fast download path of rawget, curl1, curl2, curl3 and exercise5: an
 * HTTP/1.x client on `Deno.connect` / `Deno.connectTls` and the core
 * {@linkcode ResponseParser}.
 *
 * What makes it fast (1 GiB from nginx on loopback, 2 cores, medians of 5):
 * - Large reads (1 MiB) into two buffers reused for the whole connection:
 *   curl2 took 0.71 s, against 1.28 s with 64 KiB reads.
 * - File blocks written with `writeSync`: 0.76 s, against 2.18 s with an
 *   awaited `write` per 100,000-byte block (a thread hand-off each).
 * - Stdout written with `writeSync` when it is not a terminal: exercise5 to
 *   /dev/null took 0.47 s, against 0.63 s.
 * - The next read is in flight before the last one's bytes are written. With
 *   blocking writes the kernel's socket buffer does most of that overlap:
 *   waiting for each write before reading measured the same (0.72 s).
 * - The chunked coding is removed in place: the parser hands out views into
 *   the read buffer that skip the chunk framing, so no body byte is copied
 *   or decoded as text on its way to the file (parsing alone runs at
 *   1.6–3 GB/s).
 * - Several URLs of one server: up to 128 requests are sent ahead
 *   (pipelining), written while the answers are read. 1,000 small GETs from
 *   nginx take 0.045–0.05 s for the whole `deno run` (curl, one process,
 *   one request at a time: 0.045–0.08 s). About half of that is fixed: an
 *   empty `deno run` takes 12 ms. What made the rest small: no `node:util`
 *   argument parser (5 ms to load), time limits that do not load Deno's
 *   timers (4 ms), a parser that decodes a whole head at once (1.9 µs a
 *   response, was 5.5), one URL parse each.
 *
 * Memory stays flat: two read buffers, whatever the size of the body.
 * Deno only.
 *
 * @module
 */

import {
  type BodyFraming,
  parseUrlTarget,
  type ResponseHead,
  ResponseParser,
  type UrlTarget,
} from "../mod.ts";
import { TerminalEscaper } from "../core/terminal.ts";
import { onInterrupt, RunError, UsageError } from "./_cli.ts";
import { connectTo, DEFAULT_NET_OPTIONS, endpoint, type NetOptions, watchdog } from "./_net.ts";
import { Progress } from "./_progress.ts";

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** Size of each of the two read buffers of a connection. */
export const READ_SIZE = 1 << 20;

/**
 * Options of {@linkcode FastConn.open}: time limits and, for TLS, the
 * certificates to trust besides the system's.
 *
 * @example Trusting one extra certificate
 * ```ts
 * import type { ConnOptions } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const options: ConnOptions = { idleTimeoutMs: 5000, caCerts: ["-----BEGIN CERTIFICATE-----"] };
 * assert.equal(options.caCerts?.length, 1);
 * ```
 */
export interface ConnOptions extends Partial<NetOptions> {
  /** PEM certificates trusted for `https` (as `Deno.connectTls` takes them). */
  caCerts?: string[];
  /** Size of each read buffer. @default {1048576} */
  readSize?: number;
}

/**
 * A connection with an idle time limit and two reusable read buffers.
 *
 * @example Reading what a loopback server sends
 * ```ts
 * import { FastConn } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const serving = listener.accept().then(async (conn) => {
 *   await conn.write(new TextEncoder().encode("hello"));
 *   conn.close();
 * });
 * const { port } = listener.addr as Deno.NetAddr;
 * const conn = await FastConn.open({ scheme: "http", hostname: "127.0.0.1", port });
 * const n = await conn.readInto(conn.buffers[0]);
 * assert.equal(new TextDecoder().decode(conn.buffers[0].subarray(0, n!)), "hello");
 * assert.equal(await conn.readInto(conn.buffers[0]), null);
 * conn.close();
 * await serving;
 * listener.close();
 * ```
 */
export class FastConn {
  /** The two read buffers, used in turn. */
  readonly buffers: [Uint8Array, Uint8Array];
  /** `host:port`, for messages. */
  readonly where: string;
  /** `scheme://host:port`, to tell whether a URL can use this connection. */
  readonly origin: string;
  /**
   * Bytes read past the end of the last response (a kept-alive connection):
   * a view into `buffers[leftoverIndex]`, not a copy, so that many pipelined
   * answers in one read cost no copying.
   */
  leftover: Uint8Array = EMPTY;
  /** Which of the two buffers `leftover` lies in. */
  leftoverIndex: 0 | 1 = 0;
  #conn: Deno.Conn;
  #idleTimeoutMs: number;
  #waitingSince = -1;
  #cancelTimer: (() => void) | undefined;
  #timedOut = false;
  #closed = false;

  private constructor(
    conn: Deno.Conn,
    target: Pick<UrlTarget, "scheme" | "hostname" | "port">,
    options: ConnOptions,
  ) {
    this.#conn = conn;
    this.where = endpoint(target);
    this.origin = `${target.scheme}://${this.where}`;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_NET_OPTIONS.idleTimeoutMs;
    const size = options.readSize ?? READ_SIZE;
    this.buffers = [new Uint8Array(size), new Uint8Array(size)];
  }

  /**
   * Connects: plain TCP for `http`, TLS for `https`, trusting `caCerts` too.
   * Errors as {@linkcode connectTo} throws them.
   *
   * @param target Where to connect.
   * @param options Time limits, certificates, read size.
   * @returns The connection.
   */
  static async open(
    target: Pick<UrlTarget, "scheme" | "hostname" | "port">,
    options: ConnOptions = {},
  ): Promise<FastConn> {
    let conn: Deno.Conn;
    if (target.scheme === "https" && options.caCerts !== undefined) {
      conn = await connectTlsWithCerts(target, options);
    } else {
      conn = await connectTo(target, options);
    }
    try {
      (conn as Deno.TcpConn).setNoDelay?.(true);
    } catch { /* not a TCP connection */ }
    return new FastConn(conn, target, options);
  }

  /**
   * Sends all of `bytes`.
   *
   * @param bytes What to send.
   * @returns When everything is written.
   */
  async send(bytes: Uint8Array): Promise<void> {
    let done = 0;
    try {
      while (done < bytes.length) done += await this.#conn.write(bytes.subarray(done));
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) throw error;
      throw new RunError(`cannot send to ${this.where}`, failure(error));
    }
  }

  /**
   * Reads into `buffer`; null when the server has closed the connection (a
   * TLS peer that closes without `close_notify` counts as closed). No byte
   * for the idle time limit: a {@linkcode RunError}.
   *
   * @param buffer Where the bytes go.
   * @returns How many bytes were read, or null at the end.
   */
  async readInto(buffer: Uint8Array): Promise<number | null> {
    this.#waitingSince = Date.now();
    this.#cancelTimer ??= watchdog(this.#idleTimeoutMs, this.#check);
    try {
      return await this.#conn.read(buffer);
    } catch (error) {
      if (this.#timedOut) {
        const seconds = this.#idleTimeoutMs / 1000;
        throw new RunError(
          `cannot read from ${this.where}`,
          `no data for ${seconds} second${seconds === 1 ? "" : "s"}`,
        );
      }
      if (error instanceof Deno.errors.UnexpectedEof) return null;
      throw new RunError(`cannot read from ${this.where}`, failure(error));
    } finally {
      this.#waitingSince = -1;
    }
  }

  /** One timer for the whole connection: it counts only time spent waiting in a read. */
  #check = () => {
    this.#cancelTimer = undefined;
    if (this.#waitingSince < 0 || this.#closed) return;
    const waited = Date.now() - this.#waitingSince;
    if (waited >= this.#idleTimeoutMs) {
      this.#timedOut = true;
      this.close();
    } else {
      this.#cancelTimer = watchdog(this.#idleTimeoutMs - waited, this.#check);
    }
  };

  /** Closes the connection (again is harmless). */
  close(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }

  /** Whether {@linkcode FastConn.prototype.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }
}

/** `Deno.connectTls` with extra trusted certificates, within the connect time limit. */
async function connectTlsWithCerts(
  target: Pick<UrlTarget, "hostname" | "port">,
  options: ConnOptions,
): Promise<Deno.Conn> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_NET_OPTIONS.connectTimeoutMs;
  const where = endpoint(target);
  let cancelTimer: (() => void) | undefined;
  let conn: Deno.TlsConn | undefined;
  const connecting = (async () => {
    conn = await Deno.connectTls({
      hostname: target.hostname,
      port: target.port,
      caCerts: options.caCerts,
    });
    await conn.handshake();
    return conn;
  })();
  const timeout = new Promise<never>((_, reject) => {
    cancelTimer = watchdog(timeoutMs, () => {
      const seconds = timeoutMs / 1000;
      reject(new RunError(`cannot connect to ${where}`, `no answer within ${seconds} seconds`));
    });
  });
  try {
    return await Promise.race([connecting, timeout]);
  } catch (error) {
    connecting.then((c) => c.close(), () => {});
    if (error instanceof RunError || error instanceof Deno.errors.NotCapable) throw error;
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    if (error instanceof Deno.errors.ConnectionRefused) {
      throw new RunError(`cannot connect to ${where}`, "connection refused");
    }
    throw new RunError(`cannot connect to ${where}`, `TLS handshake failed: ${message}`);
  } finally {
    cancelTimer?.();
  }
}

function failure(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionReset) return "connection reset by the server";
  if (error instanceof Deno.errors.BrokenPipe) return "the server closed the connection";
  if (error instanceof Deno.errors.ConnectionAborted) return "connection aborted";
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}

/**
 * Where body bytes go. `write` receives views into a read buffer; the
 * buffer is not reused before the returned promise settles, so the views
 * may be written without a copy.
 *
 * @example A sink that counts
 * ```ts
 * import type { BodySink } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * let count = 0;
 * const sink: BodySink = {
 *   write: (views) => {
 *     for (const view of views) count += view.length;
 *     return Promise.resolve();
 *   },
 * };
 * await sink.write([new Uint8Array(3)]);
 * assert.equal(count, 3);
 * ```
 */
export interface BodySink {
  /** Takes the views of one read, in order. */
  write(views: Uint8Array[]): Promise<void>;
}

/**
 * The HTTP request for `target` as bytes: request line in origin form,
 * `Host`, `User-Agent`, `Accept`, `Accept-Encoding: identity` (no
 * compression: the bytes saved are the bytes sent) and, when asked,
 * `Connection: close`. An extra header replaces a default one of the same
 * name (any case); an extra header with an empty value removes it.
 *
 * @param method `GET` or `HEAD`.
 * @param target Where the request goes.
 * @param options Version, `Connection: close`, extra headers.
 * @returns The request, ending with the blank line.
 *
 * @example The request curl2 sends
 * ```ts
 * import { requestBytes } from "./_fast.ts";
 * import { parseUrlTarget } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const target = parseUrlTarget("http://data.pr4e.org/cover3.jpg");
 * assert.equal(
 *   new TextDecoder().decode(requestBytes("GET", target, { close: true })),
 *   "GET /cover3.jpg HTTP/1.1\r\nHost: data.pr4e.org\r\nUser-Agent: netprog/0.1\r\n" +
 *     "Accept: *\/*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n",
 * );
 * ```
 */
export function requestBytes(
  method: string,
  target: UrlTarget,
  options: { http10?: boolean; close?: boolean; headers?: [string, string][] } = {},
): Uint8Array {
  return encoder.encode(requestText(method, target, options));
}

/** The text of {@linkcode requestBytes}: pipelined requests are encoded together. */
function requestText(
  method: string,
  target: UrlTarget,
  options: { http10?: boolean; close?: boolean; headers?: [string, string][] },
): string {
  const fields: [string, string][] = [
    ["Host", target.host],
    ["User-Agent", "netprog/0.1"],
    ["Accept", "*/*"],
    ["Accept-Encoding", "identity"],
  ];
  if (options.close) fields.push(["Connection", "close"]);
  for (const [name, value] of options.headers ?? []) {
    const at = fields.findIndex(([key]) => key.toLowerCase() === name.toLowerCase());
    if (at >= 0) fields.splice(at, 1);
    if (value !== "") fields.push([name, value]);
  }
  let head = `${method} ${target.path} ${options.http10 ? "HTTP/1.0" : "HTTP/1.1"}\r\n`;
  for (const [name, value] of fields) head += `${name}: ${value}\r\n`;
  return head + "\r\n";
}

/**
 * Parses a `-H "Name: value"` argument. A missing colon, a bad name, or a
 * line break: a {@linkcode UsageError}.
 *
 * @param text The argument as typed.
 * @returns The name and the value (white space around it removed).
 *
 * @example An extra header
 * ```ts
 * import { parseHeaderArg } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseHeaderArg("Accept: text/plain"), ["Accept", "text/plain"]);
 * assert.throws(() => parseHeaderArg("no colon"));
 * ```
 */
export function parseHeaderArg(text: string): [string, string] {
  const colon = text.indexOf(":");
  const name = colon > 0 ? text.slice(0, colon) : "";
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(text)) {
    throw new UsageError(
      `cannot use header ${JSON.stringify(text)}`,
      'expected "Name: value" on one line',
    );
  }
  return [name, text.slice(colon + 1).trim()];
}

/**
 * What {@linkcode receiveResponse} found.
 *
 * @example Reading the fields of a result
 * ```ts
 * import type { ResponseResult } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const check = (result: ResponseResult) => result.reusable && result.framing !== "close";
 * assert.equal(typeof check, "function");
 * ```
 */
export interface ResponseResult {
  /** Status line and headers. */
  head: ResponseHead;
  /** How the body was delimited. */
  framing: BodyFraming;
  /** Body bytes received (after removing the chunked coding). */
  bodyBytes: number;
  /** Whether the connection may carry another request. */
  reusable: boolean;
}

/**
 * Options of {@linkcode receiveResponse}.
 *
 * @example Counting the body of a GET
 * ```ts
 * import type { ReceiveOptions } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const options: ReceiveOptions = { method: "GET", sinkFor: () => null, maxBytes: 1 << 20 };
 * assert.equal(options.sinkFor({} as never), null);
 * ```
 */
export interface ReceiveOptions {
  /** The request method (`HEAD` means no body). @default {"GET"} */
  method?: string;
  /**
   * Called once with the head, before any body byte is delivered: where the
   * body goes, or null to read and drop it. May throw to stop.
   */
  sinkFor: (head: ResponseHead) => BodySink | null;
  /** Largest body accepted, in bytes. @default {Infinity} */
  maxBytes?: number;
  /** Whether the request asked the server to close. @default {false} */
  sentClose?: boolean;
}

/**
 * Reads one response from `conn`, feeding the core parser from the two read
 * buffers in turn, with the next read in flight while the sink writes the
 * body bytes of the last one. Bytes past the end of the response stay in
 * `conn.leftover` for the next one.
 *
 * @param conn The connection, the request already sent.
 * @param options Method, where the body goes, size limit.
 * @returns The head, framing, body size and whether the connection can be reused.
 *
 * @example A chunked response, body delivered without the framing
 * ```ts
 * import { FastConn, receiveResponse } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const serving = listener.accept().then(async (conn) => {
 *   await conn.write(new TextEncoder().encode(
 *     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
 *   ));
 *   conn.close();
 * });
 * const { port } = listener.addr as Deno.NetAddr;
 * const conn = await FastConn.open({ scheme: "http", hostname: "127.0.0.1", port });
 * let body = "";
 * const result = await receiveResponse(conn, {
 *   sinkFor: () => ({
 *     write: (views) => {
 *       for (const view of views) body += new TextDecoder().decode(view);
 *       return Promise.resolve();
 *     },
 *   }),
 * });
 * assert.equal(body, "abcde");
 * assert.equal(result.framing, "chunked");
 * assert.equal(result.bodyBytes, 5);
 * conn.close();
 * await serving;
 * listener.close();
 * ```
 */
export async function receiveResponse(
  conn: FastConn,
  options: ReceiveOptions,
): Promise<ResponseResult> {
  const maxBytes = options.maxBytes ?? Infinity;
  let views: Uint8Array[] = [];
  const parser = new ResponseParser({
    method: options.method ?? "GET",
    onBody: (view) => void views.push(view),
  });
  let sink: BodySink | null | undefined;
  let bodyBytes = 0;
  let pending: Promise<void> = Promise.resolve();
  let reading: Promise<number | null> | null = null;
  // Start in the buffer that holds the leftover; the next read goes into the other one.
  let k: 0 | 1 = conn.leftoverIndex;
  let data: Uint8Array | null = conn.leftover.length > 0 ? conn.leftover : null;
  conn.leftover = EMPTY;
  try {
    while (true) {
      if (data === null) {
        reading ??= conn.readInto(conn.buffers[k]);
        const n = await reading;
        reading = null;
        if (n === null) {
          if (parser.offset === 0) {
            throw new RunError(
              `cannot read from ${conn.where}`,
              "the server closed the connection before answering",
            );
          }
          parser.finish();
          break;
        }
        data = conn.buffers[k].subarray(0, n);
      }
      views = [];
      const used = parser.push(data);
      if (sink === undefined && parser.head !== null) {
        sink = options.sinkFor(parser.head);
        const length = parser.framing === "content-length"
          ? Number(parser.head.headers.get("content-length"))
          : NaN;
        if (sink !== null && length > maxBytes) tooLarge(conn, maxBytes);
      }
      for (const view of views) bodyBytes += view.length;
      if (sink !== null && bodyBytes > maxBytes) tooLarge(conn, maxBytes);
      // The previous write still holds the other buffer: wait for it before reading into it.
      await pending;
      if (parser.complete) {
        if (used < data.length) {
          conn.leftover = data.subarray(used);
          conn.leftoverIndex = k;
        }
        if (sink) pending = sink.write(views);
        break;
      }
      k = k === 0 ? 1 : 0;
      reading = conn.readInto(conn.buffers[k]);
      if (sink) pending = sink.write(views);
      data = null;
    }
    await pending;
  } catch (error) {
    reading?.catch(() => {});
    pending.catch(() => {});
    conn.close();
    throw error;
  }
  const head = parser.head!;
  const connection = (head.headers.get("connection") ?? "").toLowerCase();
  const reusable = !options.sentClose && head.version === "HTTP/1.1" &&
    !/(^|,)\s*close\s*(,|$)/.test(connection) && parser.framing !== "close";
  return { head, framing: parser.framing!, bodyBytes, reusable };
}

function tooLarge(conn: FastConn, maxBytes: number): never {
  throw new RunError(
    `cannot read from ${conn.where}`,
    `the body is larger than ${maxBytes} bytes (raise --max-bytes)`,
  );
}

/**
 * Writes the views it is given to an open file in blocks of at most
 * `blockSize` bytes (curl2's 100,000), in order. The writes are synchronous:
 * a write to a file never waits for the network, and on this machine kind
 * `writeSync` runs about three times as fast as `await write` for blocks of this
 * size (no hand-off to a thread per write). The next read is already in
 * flight while the blocks are written, and the kernel's socket buffer keeps
 * filling meanwhile, so reading and writing still overlap.
 *
 * @param file The open file.
 * @param blockSize Largest single write. @default {100000}
 * @returns A sink.
 *
 * @example Writing 250,000 bytes in three writes
 * ```ts
 * import { blockWriter } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const sizes: number[] = [];
 * const file = { writeSync: (bytes: Uint8Array) => (sizes.push(bytes.length), bytes.length) };
 * await blockWriter(file).write([new Uint8Array(250_000)]);
 * assert.deepEqual(sizes, [100_000, 100_000, 50_000]);
 * ```
 */
export function blockWriter(
  file: { writeSync(bytes: Uint8Array): number },
  blockSize = 100_000,
): BodySink {
  return {
    write(views) {
      try {
        for (const view of views) {
          for (let at = 0; at < view.length; at += blockSize) {
            const block = view.subarray(at, Math.min(view.length, at + blockSize));
            let done = 0;
            while (done < block.length) done += file.writeSync(block.subarray(done));
          }
        }
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

/**
 * A file written beside its final name (`PATH.part`, created new, never
 * through a symlink) and renamed into place only when complete. Ctrl-C or a
 * failure removes the part file. Needs `--allow-write=PATH,PATH.part` and
 * `--allow-read=PATH.part` (Deno checks read access on rename).
 *
 * @example Writing a file atomically
 * ```ts
 * import { AtomicFile } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const file = await AtomicFile.create(`${dir}/cover3.jpg`);
 * await file.sink.write([new Uint8Array([1, 2, 3])]);
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["cover3.jpg.part"]);
 * await file.commit();
 * assert.deepEqual(await Deno.readFile(`${dir}/cover3.jpg`), new Uint8Array([1, 2, 3]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class AtomicFile {
  /** The final path. */
  readonly path: string;
  /** The part file's path. */
  readonly part: string;
  /** Writes into the part file in blocks of at most 100,000 bytes. */
  readonly sink: BodySink;
  #file: Deno.FsFile;
  #unregister: () => void;
  #open = true;

  private constructor(path: string, file: Deno.FsFile, blockSize: number) {
    this.path = path;
    this.part = `${path}.part`;
    this.#file = file;
    this.sink = blockWriter(file, blockSize);
    this.#unregister = onInterrupt(() => this.#removeOnInterrupt());
  }

  /**
   * Creates `PATH.part` (a stale one, or a symlink under that name, is
   * removed first, never followed).
   *
   * @param path The final path.
   * @param blockSize Largest single write. @default {100000}
   * @returns The open part file.
   */
  static async create(path: string, blockSize = 100_000): Promise<AtomicFile> {
    const part = `${path}.part`;
    const open = () => Deno.open(part, { write: true, createNew: true, mode: 0o644 });
    let file: Deno.FsFile;
    try {
      try {
        file = await open();
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        await Deno.remove(part);
        file = await open();
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) throw error;
      throw new RunError(`cannot write ${path}`, failure(error));
    }
    return new AtomicFile(path, file, blockSize);
  }

  /** Closes the part file and renames it to the final path. */
  async commit(): Promise<void> {
    try {
      this.#close();
      await Deno.rename(this.part, this.path);
    } catch (error) {
      await this.abort();
      if (error instanceof Deno.errors.NotCapable) throw error;
      throw new RunError(`cannot write ${this.path}`, failure(error));
    } finally {
      this.#unregister();
    }
  }

  /** Closes and removes the part file (again is harmless). */
  async abort(): Promise<void> {
    this.#close();
    this.#unregister();
    await Deno.remove(this.part).catch(() => {});
  }

  /**
   * Ctrl-C: removes the part file at once and leaves it open. The process
   * exits right after; a write still in flight lands in the removed file
   * instead of failing on a closed one (which would turn exit status 130
   * into an error).
   */
  #removeOnInterrupt(): void {
    this.#unregister();
    try {
      Deno.removeSync(this.part);
    } catch { /* not there: nothing to remove */ }
  }

  #close(): void {
    if (!this.#open) return;
    this.#open = false;
    try {
      this.#file.close();
    } catch { /* already closed */ }
  }
}

/**
 * A sink that writes to stdout, in order. Small pieces (under 64 KiB) are
 * copied into one buffer and written together, so that many small bodies
 * (rawget with a thousand URLs) cost a few writes, not one each; large ones
 * are written as they are. On a terminal (by default: when stdout is one),
 * bytes that could drive it (escape sequences, bytes that are not UTF-8) are
 * shown escaped, as `\x1b`; piped or redirected, the bytes are written
 * unchanged, with `writeSync` (a blocking write, as curl's: about 25% faster
 * to /dev/null than an awaited write on this machine kind). Call `end()`
 * after the last write (also on failure): it writes what is still buffered.
 *
 * @param escape Show control bytes escaped. @default {Deno.stdout.isTerminal()}
 * @returns The sink.
 *
 * @example Writing nothing
 * ```ts
 * import { stdoutSink } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const out = stdoutSink(false);
 * assert.equal(await out.write([new Uint8Array(0)]), undefined);
 * await out.end();
 * ```
 */
export function stdoutSink(
  escape: boolean = Deno.stdout.isTerminal(),
): BodySink & { end(): Promise<void> } {
  const escaper = escape ? new TerminalEscaper() : null;
  const small = 64 * 1024;
  const buffer = new Uint8Array(small);
  let buffered = 0;
  const writeAll = async (bytes: Uint8Array) => {
    let done = 0;
    if (escaper === null) {
      while (done < bytes.length) done += Deno.stdout.writeSync(bytes.subarray(done));
    }
    while (done < bytes.length) done += await Deno.stdout.write(bytes.subarray(done));
  };
  const flush = async () => {
    if (buffered === 0) return;
    const bytes = buffer.subarray(0, buffered);
    buffered = 0;
    await writeAll(bytes);
  };
  return {
    async write(views) {
      for (const view of views) {
        const bytes = escaper ? escaper.push(view) : view;
        if (buffered + bytes.length > small) await flush();
        if (bytes.length >= small) await writeAll(bytes);
        else {
          buffer.set(bytes, buffered);
          buffered += bytes.length;
        }
      }
    },
    async end() {
      if (escaper) {
        const rest = escaper.flush();
        if (buffered + rest.length > small) await flush();
        buffer.set(rest, buffered);
        buffered += rest.length;
      }
      await flush();
    },
  };
}

/**
 * A sink that keeps a copy of every byte, for a program that holds the
 * whole body (curl1).
 *
 * @example Gathering a body
 * ```ts
 * import { MemorySink } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const sink = new MemorySink();
 * await sink.write([new Uint8Array([1, 2]), new Uint8Array([3])]);
 * assert.deepEqual(sink.bytes(), new Uint8Array([1, 2, 3]));
 * ```
 */
export class MemorySink implements BodySink {
  #parts: Uint8Array[] = [];
  #size = 0;

  /**
   * Copies the views.
   *
   * @param views Body bytes.
   * @returns At once.
   */
  write(views: Uint8Array[]): Promise<void> {
    for (const view of views) {
      this.#parts.push(view.slice());
      this.#size += view.length;
    }
    return Promise.resolve();
  }

  /**
   * The whole body in one array.
   *
   * @returns The bytes.
   */
  bytes(): Uint8Array {
    if (this.#parts.length === 1) return this.#parts[0];
    const all = new Uint8Array(this.#size);
    let at = 0;
    for (const part of this.#parts) {
      all.set(part, at);
      at += part.length;
    }
    this.#parts = [all];
    return all;
  }
}

/**
 * Options of {@linkcode HttpClient.prototype.get}.
 *
 * @example Following redirects for a HEAD request
 * ```ts
 * import type { GetOptions } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const options: GetOptions = { method: "HEAD", follow: true, sinkFor: () => null };
 * assert.equal(options.follow, true);
 * ```
 */
export interface GetOptions {
  /** `GET` or `HEAD`. @default {"GET"} */
  method?: string;
  /** Follow redirects (301, 302, 303, 307, 308 with a `Location`). @default {false} */
  follow?: boolean;
  /** Most redirects followed. @default {10} */
  maxRedirects?: number;
  /** Send `HTTP/1.0` requests. @default {false} */
  http10?: boolean;
  /** Ask the server to close after this response. @default {false} */
  close?: boolean;
  /** Extra request headers. */
  headers?: [string, string][];
  /** Largest body accepted. @default {Infinity} */
  maxBytes?: number;
  /**
   * Where the body of the final response goes (null: dropped). `url` is the
   * URL that answered, after redirects. Redirect bodies are always dropped.
   */
  sinkFor: (head: ResponseHead, url: string) => BodySink | null;
  /** Called with the head of every response, redirects included. */
  onHead?: (head: ResponseHead, url: string) => void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * An HTTP/1.1 client that keeps one connection open between requests to
 * the same origin (keep-alive), and follows redirects when asked.
 *
 * @example Two requests over one connection
 * ```ts
 * import { HttpClient } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * let connections = 0;
 * const serving = (async () => {
 *   const conn = await listener.accept();
 *   connections++;
 *   const buffer = new Uint8Array(4096);
 *   for (let i = 0; i < 2; i++) {
 *     await conn.read(buffer);
 *     await conn.write(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
 *   }
 *   conn.close();
 * })();
 * const { port } = listener.addr as Deno.NetAddr;
 * const client = new HttpClient();
 * for (let i = 0; i < 2; i++) {
 *   const result = await client.get(`http://127.0.0.1:${port}/`, { sinkFor: () => null });
 *   assert.equal(result.head.status, 200);
 * }
 * client.close();
 * await serving;
 * listener.close();
 * assert.equal(connections, 1);
 * ```
 */
export class HttpClient {
  #options: ConnOptions;
  #conn: FastConn | null = null;

  /** @param options Time limits, certificates, read size. */
  constructor(options: ConnOptions = {}) {
    this.#options = options;
  }

  /**
   * Requests `url` (following redirects when asked) and delivers the final
   * body to the sink `sinkFor` chooses.
   *
   * @param url The absolute `http://` or `https://` URL.
   * @param options Method, redirects, headers, where the body goes.
   * @returns The final response, and the URL that gave it.
   */
  async get(url: string, options: GetOptions): Promise<ResponseResult & { url: string }> {
    const maxRedirects = options.maxRedirects ?? 10;
    const seen: string[] = [];
    let target = parseUrlTarget(url);
    while (true) {
      seen.push(target.url);
      const result = await this.#exchange(target, options, (head) => {
        options.onHead?.(head, target.url);
        if (options.follow && REDIRECTS.has(head.status) && head.headers.has("location")) {
          return null;
        }
        return options.sinkFor(head, target.url);
      });
      const location = result.head.headers.get("location");
      if (!options.follow || !REDIRECTS.has(result.head.status) || location === null) {
        return { ...result, url: target.url };
      }
      let next: string;
      try {
        next = new URL(location, target.url).href;
      } catch {
        throw new RunError(
          `cannot follow the redirect from ${target.url}`,
          `the location ${JSON.stringify(location)} is not a URL`,
        );
      }
      const nextTarget = parseTarget(next, target.url);
      if (seen.includes(nextTarget.url)) {
        throw new RunError(
          `cannot follow the redirect from ${target.url}`,
          `redirect loop back to ${next}`,
        );
      }
      if (seen.length > maxRedirects) {
        throw new RunError(
          `cannot follow the redirect from ${target.url}`,
          `more than ${maxRedirects} redirects`,
        );
      }
      target = nextTarget;
    }
  }

  async #exchange(
    target: UrlTarget,
    options: GetOptions,
    sinkFor: (head: ResponseHead) => BodySink | null,
    retry = true,
  ): Promise<ResponseResult> {
    const origin = `${target.scheme}://${endpoint(target)}`;
    let conn = this.#conn;
    this.#conn = null;
    if (conn !== null && (conn.origin !== origin || conn.closed)) {
      conn.close();
      conn = null;
    }
    const close = options.close || options.http10;
    const request = requestBytes(options.method ?? "GET", target, {
      http10: options.http10,
      close: options.close,
      headers: options.headers,
    });
    const reused = conn !== null;
    conn ??= await FastConn.open(target, this.#options);
    let result: ResponseResult;
    try {
      await conn.send(request);
      result = await receiveResponse(conn, {
        method: options.method,
        sinkFor,
        maxBytes: options.maxBytes,
        sentClose: close,
      });
    } catch (error) {
      conn.close();
      // A kept-alive connection the server closed before answering: try once more on a new one.
      if (
        reused && retry && error instanceof RunError &&
        (error.why.includes("before answering") || error.what.startsWith("cannot send"))
      ) {
        return this.#exchange(target, options, sinkFor, false);
      }
      throw error;
    }
    if (result.reusable) this.#conn = conn;
    else conn.close();
    return result;
  }

  /**
   * Requests every URL in order without following redirects, sending up to
   * `depth` requests ahead on a kept-alive connection (HTTP/1.1
   * pipelining): the answers still come, and are delivered, one at a time
   * in order, but the round trips overlap. When the server closes the
   * connection, the requests it did not answer are sent again on a new one;
   * a server that closes without answering a pipelined request gets the
   * rest one at a time.
   *
   * @param targets The URLs, as {@linkcode parseUrlTarget} reads them.
   * @param options Method, headers, size limit; `sinkFor` gets the URL's index too.
   * @param depth Most requests sent ahead. @default {128}
   * @returns When every response is delivered.
   */
  async pipeline(
    targets: UrlTarget[],
    options: Omit<GetOptions, "follow" | "sinkFor" | "close" | "http10"> & {
      sinkFor: (head: ResponseHead, url: string, index: number) => BodySink | null;
    },
    depth = 128,
  ): Promise<void> {
    const origins = targets.map((target) => `${target.scheme}://${endpoint(target)}`);
    const method = options.method ?? "GET";
    let done = 0;
    let sent = 0;
    let conn = this.#conn;
    this.#conn = null;
    let answered = 0;
    // The batch of requests being written. Answers are read while it is in
    // flight: a server that stops reading until its answers are read cannot
    // stall us, and it has the next requests at hand as soon as it can take them.
    let sending: Promise<void> | null = null;
    try {
      while (done < targets.length) {
        if (conn !== null && (conn.closed || (sent === done && conn.origin !== origins[done]))) {
          conn.close();
          conn = null;
        }
        if (conn === null) {
          sending = null; // that connection is gone; its requests are sent again
          conn = await FastConn.open(targets[done], this.#options);
          sent = done;
          answered = 0;
        }
        // Refill when half the window is answered: one write carries several requests.
        if (sent < targets.length && sent - done <= depth / 2 && origins[sent] === conn.origin) {
          if (sending !== null) await sending;
          let batch = "";
          while (sent < targets.length && sent - done < depth && origins[sent] === conn.origin) {
            batch += requestText(method, targets[sent], { headers: options.headers });
            sent++;
          }
          sending = conn.send(encoder.encode(batch));
          sending.catch(
            () => {/* awaited before the next batch, or dropped with its connection */},
          );
        }
        const index = done;
        let result: ResponseResult;
        try {
          result = await receiveResponse(conn, {
            method,
            maxBytes: options.maxBytes,
            sinkFor: (head) => {
              options.onHead?.(head, targets[index].url);
              return options.sinkFor(head, targets[index].url, index);
            },
          });
        } catch (error) {
          const unanswered = error instanceof RunError && error.why.includes("before answering");
          if (!unanswered || answered === 0 && depth === 1) throw error;
          // Closed before answering: start again from this request, one at a time if it was the first.
          if (answered === 0) depth = 1;
          conn = null;
          sent = done;
          continue;
        }
        done++;
        answered++;
        if (!result.reusable) {
          conn.close();
          conn = null;
          sent = done;
        }
      }
      if (sending !== null) await sending;
    } finally {
      if (conn !== null && !conn.closed && sent === done) this.#conn = conn;
      else conn?.close();
    }
  }

  /** Closes the kept connection, if any. */
  close(): void {
    this.#conn?.close();
    this.#conn = null;
  }
}

/** Parses `url` as a target; a redirect to something that is not http(s) is a run-time error. */
function parseTarget(url: string, from: string): UrlTarget {
  try {
    return parseUrlTarget(url);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RunError(
      `cannot follow the redirect from ${from}`,
      why.charAt(0).toLowerCase() + why.slice(1),
    );
  }
}

/**
 * Counts the bytes that pass through `sink`.
 *
 * @param sink Where the bytes go (null: dropped).
 * @param onBytes Called with the size of each view.
 * @returns A sink that counts, then writes.
 *
 * @example Counting what is dropped
 * ```ts
 * import { countingSink } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * let total = 0;
 * await countingSink(null, (n) => total += n).write([new Uint8Array(7), new Uint8Array(3)]);
 * assert.equal(total, 10);
 * ```
 */
export function countingSink(sink: BodySink | null, onBytes: (n: number) => void): BodySink {
  return {
    write(views) {
      for (const view of views) onBytes(view.length);
      return sink === null ? Promise.resolve() : sink.write(views);
    },
  };
}

/**
 * Options of {@linkcode download}.
 *
 * @example A download limited to 1 MB
 * ```ts
 * import type { DownloadOptions } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const options: DownloadOptions = { maxBytes: 1_000_000, progress: false };
 * assert.equal(options.progress, false);
 * ```
 */
export interface DownloadOptions extends ConnOptions {
  /** Largest body accepted. @default {Infinity} */
  maxBytes?: number;
  /** Show a progress line on stderr (only drawn on a terminal). @default {true} */
  progress?: boolean;
}

/**
 * Downloads `url` as the book's `urllib.request.urlopen()` does: redirects
 * followed (at most 10, a loop is an error), an HTTP error status (4xx, 5xx)
 * is a {@linkcode RunError}, the body goes to `sink`. A progress line is
 * drawn on stderr when it is a terminal.
 *
 * @param url The absolute URL.
 * @param sink Where the body goes.
 * @param options Time limits, size limit, progress.
 * @returns The number of body bytes.
 *
 * @example Downloading into memory from a loopback server
 * ```ts
 * import { download, MemorySink } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const serving = listener.accept().then(async (conn) => {
 *   await conn.read(new Uint8Array(4096));
 *   await conn.write(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
 *   conn.close();
 * });
 * const { port } = listener.addr as Deno.NetAddr;
 * const sink = new MemorySink();
 * assert.equal(await download(`http://127.0.0.1:${port}/`, sink, { progress: false }), 5);
 * assert.equal(new TextDecoder().decode(sink.bytes()), "hello");
 * await serving;
 * listener.close();
 * ```
 */
export async function download(
  url: string,
  sink: BodySink,
  options: DownloadOptions = {},
): Promise<number> {
  const client = new HttpClient(options);
  let progress: Progress | undefined;
  try {
    const result = await client.get(url, {
      follow: true,
      close: true,
      maxBytes: options.maxBytes,
      sinkFor: (head, at) => {
        if (head.status >= 400) {
          throw new RunError(`cannot retrieve ${at}`, `${head.status} ${head.reason}`.trim());
        }
        const length = Number(head.headers.get("content-length") ?? NaN);
        progress = new Progress(
          Number.isSafeInteger(length) ? length : null,
          options.progress !== false && Deno.stderr.isTerminal(),
        );
        return countingSink(sink, (n) => progress!.add(n));
      },
    });
    return result.bodyBytes;
  } finally {
    progress?.done();
    client.close();
  }
}

/**
 * Reads `conn` until the server closes it, with the next read in flight
 * while `sink` writes what `take` kept of the last one (a view, or null for
 * nothing). For programs that do not parse the response, such as exercise5.
 *
 * @param conn The connection, the request already sent.
 * @param take Picks the part of each chunk to keep (a view into it).
 * @param sink Where the kept bytes go.
 * @returns The number of bytes read.
 *
 * @example Keeping what follows the first byte
 * ```ts
 * import { FastConn, MemorySink, pumpRaw } from "./_fast.ts";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const serving = listener.accept().then(async (conn) => {
 *   await conn.write(new TextEncoder().encode("xhello"));
 *   conn.close();
 * });
 * const { port } = listener.addr as Deno.NetAddr;
 * const conn = await FastConn.open({ scheme: "http", hostname: "127.0.0.1", port });
 * const sink = new MemorySink();
 * let first = true;
 * const read = await pumpRaw(conn, (chunk) => {
 *   const kept = first ? chunk.subarray(1) : chunk;
 *   first = false;
 *   return kept;
 * }, sink);
 * assert.equal(read, 6);
 * assert.equal(new TextDecoder().decode(sink.bytes()), "hello");
 * await serving;
 * listener.close();
 * ```
 */
export async function pumpRaw(
  conn: FastConn,
  take: (chunk: Uint8Array) => Uint8Array | null,
  sink: BodySink,
): Promise<number> {
  let pending: Promise<void> = Promise.resolve();
  let k = 0;
  let reading: Promise<number | null> = conn.readInto(conn.buffers[k]);
  let total = 0;
  try {
    while (true) {
      const n = await reading;
      if (n === null) break;
      total += n;
      const kept = take(conn.buffers[k].subarray(0, n));
      await pending;
      k ^= 1;
      reading = conn.readInto(conn.buffers[k]);
      pending = kept !== null && kept.length > 0 ? sink.write([kept]) : Promise.resolve();
    }
    await pending;
  } catch (error) {
    reading.catch(() => {});
    pending.catch(() => {});
    throw error;
  } finally {
    conn.close();
  }
  return total;
}
