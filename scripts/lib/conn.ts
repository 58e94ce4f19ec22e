// Copyright netprog authors. MIT license.

/**
 * The one connection of every raw-socket program: plain TCP for `http`, TLS
 * for `https` (with extra trusted certificates if given), within one
 * connect time limit and one idle time limit, and one wording of every
 * network failure (`cannot connect to HOST:PORT: name not resolved`). A
 * missing network permission is passed on as it is, so that `run()` names
 * the flag. Deno only: the one file of the programs that calls
 * `Deno.connect` and `Deno.connectTls`.
 *
 * @module
 */

import type { UrlTarget } from "../../mod.ts";
import { RunError } from "./errors.ts";
import { MIRROR_ADDRESS } from "./mirror.ts";
import { isPermissionError, requirePermission } from "./run.ts";
import type { BodySink } from "./sinks.ts";
import {
  DEFAULT_TIME_LIMITS,
  IdleLimit,
  inSeconds,
  type TimeLimits,
  watchdog,
} from "./time_limit.ts";

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** Size of each of the two read buffers of a connection. */
const READ_SIZE = 1 << 20;

/**
 * Options of {@linkcode Conn.open}: time limits and, for TLS, the
 * certificates to trust besides the system's.
 *
 * @example Trusting one extra certificate
 * ```ts
 * import type { ConnectOptions } from "./conn.ts";
 * import assert from "node:assert/strict";
 *
 * const options: ConnectOptions = { idleTimeoutMs: 5000, caCerts: ["-----BEGIN CERTIFICATE-----"] };
 * assert.equal(options.caCerts?.length, 1);
 * ```
 */
export interface ConnectOptions extends Partial<TimeLimits> {
  /** PEM certificates trusted for `https`, besides the system's. */
  caCerts?: string[];
  /** Size of each of the two read buffers. @default {1048576} */
  readSize?: number;
}

/**
 * `host:port` as the messages show it (an IPv6 address in brackets).
 *
 * @param target Where to connect.
 * @returns Such as `data.pr4e.org:80` or `[::1]:8000`.
 *
 * @example An IPv6 address
 * ```ts
 * import { endpoint } from "./conn.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(endpoint({ hostname: "::1", port: 8000 }), "[::1]:8000");
 * assert.equal(endpoint({ hostname: "data.pr4e.org", port: 80 }), "data.pr4e.org:80");
 * ```
 */
export function endpoint(target: Pick<UrlTarget, "hostname" | "port">): string {
  const host = target.hostname.includes(":") ? `[${target.hostname}]` : target.hostname;
  return `${host}:${target.port}`;
}

/**
 * Why a connection could not be made or went wrong, in a few words: the one
 * wording for what `Deno.connect`, `Deno.connectTls`, a read, a write or
 * `fetch` threw.
 *
 * @param error What was thrown (or its message).
 * @returns Such as `name not resolved` or `connection refused`.
 *
 * @example The same failure from a socket and from fetch
 * ```ts
 * import { networkFailure } from "./conn.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(networkFailure(new Deno.errors.ConnectionRefused("refused")), "connection refused");
 * assert.equal(
 *   networkFailure("dns error: failed to lookup address information: Name or service not known"),
 *   "name not resolved",
 * );
 * ```
 */
export function networkFailure(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
  if (error instanceof Deno.errors.ConnectionRefused || /connection refused/i.test(message)) {
    return "connection refused";
  }
  if (error instanceof Deno.errors.ConnectionReset || /connection reset/i.test(message)) {
    return "connection reset by the server";
  }
  if (error instanceof Deno.errors.BrokenPipe) return "the server closed the connection";
  if (error instanceof Deno.errors.ConnectionAborted) return "connection aborted";
  if (error instanceof Deno.errors.TimedOut) return "timed out";
  if (/Temporary failure in name resolution/i.test(message)) {
    return "name not resolved (no name server reachable)";
  }
  if (/failed to lookup address|Name or service not known|No address associated/i.test(message)) {
    return "name not resolved";
  }
  if (/network is unreachable/i.test(message)) return "network unreachable";
  if (/InvalidContentType|corrupt message/i.test(message)) {
    return `the server did not answer in TLS (${PLAIN_HINT})`;
  }
  if (error instanceof Deno.errors.InvalidData || /certificate|tls|handshake/i.test(message)) {
    return `TLS handshake failed: ${message}`;
  }
  return message.replace(/\s*\(os error \d+\)$/, "");
}

/** What a TLS failure against a plain HTTP server suggests. */
const PLAIN_HINT = "is it a plain HTTP server? try http://";

/**
 * The reason for a failed connect, with a hint where one helps: a refused
 * connection to the local mirror's address (127.0.0.1:8000) suggests
 * starting it.
 *
 * @param target Where the connection went.
 * @param why The reason, as {@linkcode networkFailure} words it.
 * @returns The reason, with the hint if any.
 *
 * @example The mirror is not running
 * ```ts
 * import { refusedHint } from "./conn.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   refusedHint({ hostname: "127.0.0.1", port: 8000 }, "connection refused"),
 *   "connection refused (start the local mirror with: deno task serve)",
 * );
 * assert.equal(refusedHint({ hostname: "127.0.0.1", port: 9 }, "connection refused"), "connection refused");
 * ```
 */
export function refusedHint(target: Pick<UrlTarget, "hostname" | "port">, why: string): string {
  if (why !== "connection refused" || `${target.hostname}:${target.port}` !== MIRROR_ADDRESS) {
    return why;
  }
  return "connection refused (start the local mirror with: deno task serve)";
}

/**
 * Connects to the target: TCP for `http`, TLS (handshake included) for
 * `https`, all within the connect time limit.
 */
async function connect(
  target: Pick<UrlTarget, "scheme" | "hostname" | "port">,
  options: ConnectOptions,
): Promise<Deno.Conn> {
  await requirePermission({ name: "net", host: endpoint(target) });
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_TIME_LIMITS.connectTimeoutMs;
  const controller = new AbortController();
  let timedOut = false;
  let handshaking = false;
  const cancelTimer = watchdog(timeoutMs, () => {
    timedOut = true;
    controller.abort();
  });
  let conn: Deno.Conn | undefined;
  try {
    const { hostname, port } = target;
    if (target.scheme === "https") {
      const tls = await whileNotAborted(
        Deno.connectTls({ hostname, port, caCerts: options.caCerts }),
        controller.signal,
      );
      conn = tls;
      handshaking = true;
      await whileNotAborted(tls.handshake(), controller.signal);
    } else {
      conn = await Deno.connect({ hostname, port, signal: controller.signal });
    }
    return conn;
  } catch (error) {
    try {
      conn?.close();
    } catch { /* already closed */ }
    if (isPermissionError(error)) throw error;
    const why = !timedOut
      ? networkFailure(error)
      : handshaking
      ? `no TLS answer within ${inSeconds(timeoutMs)} (${PLAIN_HINT})`
      : `no answer within ${inSeconds(timeoutMs)}`;
    throw new RunError(`cannot connect to ${endpoint(target)}`, refusedHint(target, why));
  } finally {
    cancelTimer();
  }
}

/** Rejects when `signal` aborts; a late connection is closed. */
function whileNotAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(new DOMException("Aborted", "AbortError"));
      promise.then((value) => {
        try {
          (value as { close?: () => void })?.close?.();
        } catch { /* already closed */ }
      }, () => {});
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * An open connection with an idle time limit: the time spent waiting in a
 * read counts, and no byte for `idleTimeoutMs` closes it with
 * `cannot read from HOST:PORT: no data for N seconds`. Read it the book's
 * way ({@linkcode Conn.prototype.chunks}, one `recv(512)` after another),
 * or fast (two large buffers in turn, {@linkcode Conn.prototype.readInto}).
 *
 * @example Sending a request and reading the answer 4 bytes at a time
 * ```ts
 * import { Conn } from "./conn.ts";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const serving = listener.accept().then(async (conn) => {
 *   await conn.read(new Uint8Array(1024));
 *   await conn.write(new TextEncoder().encode("HTTP/1.0 200 OK\r\n\r\nhello"));
 *   conn.close();
 * });
 * const { port } = listener.addr as Deno.NetAddr;
 * const conn = await Conn.open({ scheme: "http", hostname: "127.0.0.1", port });
 * await conn.send(`GET http://127.0.0.1:${port}/ HTTP/1.0\r\n\r\n`);
 * let received = "";
 * for await (const chunk of conn.chunks(4)) {
 *   assert(chunk.length <= 4);
 *   received += new TextDecoder().decode(chunk);
 * }
 * assert.equal(received, "HTTP/1.0 200 OK\r\n\r\nhello");
 * await serving;
 * listener.close();
 * ```
 *
 * @example A refused connection
 * ```ts
 * import { Conn } from "./conn.ts";
 * import { RunError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const { port } = listener.addr as Deno.NetAddr;
 * listener.close(); // nothing listens there now
 * await assert.rejects(
 *   Conn.open({ scheme: "http", hostname: "127.0.0.1", port }),
 *   new RunError(`cannot connect to 127.0.0.1:${port}`, "connection refused"),
 * );
 * ```
 */
export class Conn {
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
  #idle: IdleLimit;
  #readSize: number;
  #buffers: [Uint8Array, Uint8Array] | undefined;
  #closed = false;

  private constructor(
    conn: Deno.Conn,
    target: Pick<UrlTarget, "scheme" | "hostname" | "port">,
    options: ConnectOptions,
  ) {
    this.#conn = conn;
    this.where = endpoint(target);
    this.origin = `${target.scheme}://${this.where}`;
    this.#idle = new IdleLimit(
      options.idleTimeoutMs ?? DEFAULT_TIME_LIMITS.idleTimeoutMs,
      () => this.close(),
    );
    this.#readSize = options.readSize ?? READ_SIZE;
  }

  /**
   * Connects. Failures are `RunError`s such as
   * `cannot connect to HOST:PORT: connection refused`; a missing permission
   * is passed on as it is.
   *
   * @param target Where to connect.
   * @param options Time limits, certificates, read size.
   * @returns The open connection.
   */
  static async open(
    target: Pick<UrlTarget, "scheme" | "hostname" | "port">,
    options: ConnectOptions = {},
  ): Promise<Conn> {
    const conn = await connect(target, options);
    try {
      (conn as Deno.TcpConn).setNoDelay?.(true);
    } catch { /* not a TCP connection */ }
    return new Conn(conn, target, options);
  }

  /** The two read buffers of the fast path, used in turn (made at first use). */
  get buffers(): [Uint8Array, Uint8Array] {
    return this.#buffers ??= [new Uint8Array(this.#readSize), new Uint8Array(this.#readSize)];
  }

  /** Whether {@linkcode Conn.prototype.close} was called (or the idle limit closed it). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends all of `data` (a string is sent as UTF-8).
   *
   * @param data What to send.
   * @returns When everything is written.
   */
  async send(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    let done = 0;
    try {
      while (done < bytes.length) done += await this.#conn.write(bytes.subarray(done));
    } catch (error) {
      if (isPermissionError(error)) throw error;
      throw new RunError(`cannot send to ${this.where}`, networkFailure(error));
    }
  }

  /**
   * Reads into `buffer`; null when the server has closed the connection (a
   * TLS peer that closes without `close_notify` counts as closed).
   *
   * @param buffer Where the bytes go.
   * @returns How many bytes were read, or null at the end.
   */
  async readInto(buffer: Uint8Array): Promise<number | null> {
    this.#idle.begin();
    try {
      return await this.#conn.read(buffer);
    } catch (error) {
      if (this.#idle.expired) {
        throw new RunError(
          `cannot read from ${this.where}`,
          `no data for ${inSeconds(this.#idle.ms)}`,
        );
      }
      if (error instanceof Deno.errors.UnexpectedEof) return null;
      throw new RunError(`cannot read from ${this.where}`, networkFailure(error));
    } finally {
      this.#idle.end();
    }
  }

  /**
   * Reads until the server closes the connection, one read of at most
   * `size` bytes at a time (the book's `recv(size)`), and yields what each
   * read returned. A chunk is never overwritten afterwards, so chunks may be
   * kept. Closes the connection at the end.
   *
   * @param size Largest read, in bytes.
   * @returns The chunks, in order.
   */
  async *chunks(size: number): AsyncGenerator<Uint8Array> {
    // Reads land side by side in a 64 KiB slab, and each chunk is a view of
    // it: far fewer allocations than one array per read.
    const slabSize = Math.max(size, 65536);
    let slab = new Uint8Array(slabSize);
    let used = 0;
    try {
      while (true) {
        if (slabSize - used < size) {
          slab = new Uint8Array(slabSize);
          used = 0;
        }
        const buffer = slab.subarray(used, used + size);
        const n = await this.readInto(buffer);
        if (n === null) return;
        used += n;
        yield buffer.subarray(0, n);
      }
    } finally {
      this.close();
    }
  }

  /**
   * Reads until the server closes the connection, with the next read in
   * flight while `sink` writes what `take` kept of the last one (a view
   * into it, or null for nothing). For a program that does not parse the
   * response, such as exercise5. Closes the connection at the end.
   *
   * @param take Picks the part of each chunk to keep.
   * @param sink Where the kept bytes go.
   * @returns The number of bytes read.
   *
   * @example Keeping what follows the first byte
   * ```ts
   * import { Conn } from "./conn.ts";
   * import { MemorySink } from "./sinks.ts";
   * import assert from "node:assert/strict";
   *
   * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const serving = listener.accept().then(async (conn) => {
   *   await conn.write(new TextEncoder().encode("xhello"));
   *   conn.close();
   * });
   * const { port } = listener.addr as Deno.NetAddr;
   * const conn = await Conn.open({ scheme: "http", hostname: "127.0.0.1", port });
   * const sink = new MemorySink();
   * let first = true;
   * const read = await conn.pump((chunk) => {
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
  async pump(take: (chunk: Uint8Array) => Uint8Array | null, sink: BodySink): Promise<number> {
    const buffers = this.buffers;
    let pending: Promise<void> = Promise.resolve();
    let k = 0;
    let reading: Promise<number | null> = this.readInto(buffers[k]);
    let total = 0;
    try {
      while (true) {
        const n = await reading;
        if (n === null) break;
        total += n;
        const kept = take(buffers[k].subarray(0, n));
        await pending;
        k ^= 1;
        reading = this.readInto(buffers[k]);
        pending = kept !== null && kept.length > 0 ? sink.write([kept]) : Promise.resolve();
        pending.catch(() => {}); // a failed write is thrown by the next await of it
      }
      await pending;
    } catch (error) {
      reading.catch(() => {});
      pending.catch(() => {});
      throw error;
    } finally {
      this.close();
    }
    return total;
  }

  /** Closes the connection (again is harmless). */
  close(): void {
    this.#idle.stop();
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }
}
