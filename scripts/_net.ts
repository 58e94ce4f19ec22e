// Copyright netprog authors. MIT license.

/**
 * What the raw-socket scripts share: connect to a {@linkcode UrlTarget} with
 * `Deno.connect` (http) or `Deno.connectTls` (https) within a time limit,
 * send bytes, and read until the server closes with a given read size and an
 * idle time limit. Failures become one clear {@linkcode RunError}: name not
 * resolved, connection refused, no answer in time. A missing network
 * permission is rethrown as it is, so that `run()` names the flag. Deno only.
 *
 * @module
 */

import type { UrlTarget } from "../mod.ts";
import { RunError, secondsOption } from "./_cli.ts";

/**
 * Time limits of a connection.
 *
 * @example Two seconds to connect, five without data
 * ```ts
 * import type { NetOptions } from "./_net.ts";
 * import { netOptions } from "./_net.ts";
 * import assert from "node:assert/strict";
 *
 * const options: NetOptions = netOptions({ "connect-timeout": "2", timeout: "5" });
 * assert.deepEqual(options, { connectTimeoutMs: 2000, idleTimeoutMs: 5000 });
 * ```
 */
export interface NetOptions {
  /** Give up connecting (and the TLS handshake) after this many milliseconds. @default {10000} */
  connectTimeoutMs: number;
  /** Give up when no byte arrives for this many milliseconds. @default {30000} */
  idleTimeoutMs: number;
}

/**
 * The documented defaults: 10 s to connect, 30 s without data.
 *
 * @example What no option gives
 * ```ts
 * import { DEFAULT_NET_OPTIONS, netOptions } from "./_net.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(netOptions({}), DEFAULT_NET_OPTIONS);
 * assert.equal(DEFAULT_NET_OPTIONS.connectTimeoutMs, 10_000);
 * ```
 */
export const DEFAULT_NET_OPTIONS: Readonly<NetOptions> = {
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
};

/**
 * The `parseCommandLine` declarations of `--timeout` and `--connect-timeout`.
 *
 * @example Parsing a script's arguments
 * ```ts
 * import { NET_ARGS, netOptions } from "./_net.ts";
 * import { parseCommandLine } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * const { values } = parseCommandLine("usage\n", NET_ARGS, 1, ["--timeout", "3"]);
 * assert.equal(netOptions(values).idleTimeoutMs, 3000);
 * ```
 */
export const NET_ARGS = {
  timeout: { type: "string" },
  "connect-timeout": { type: "string" },
} as const;

/**
 * The `--help` lines that describe {@linkcode NET_ARGS}.
 *
 * @example Every option is described
 * ```ts
 * import { NET_ARGS, NET_USAGE } from "./_net.ts";
 * import assert from "node:assert/strict";
 *
 * for (const name of Object.keys(NET_ARGS)) assert(NET_USAGE.includes(`--${name} SECONDS`));
 * ```
 */
export const NET_USAGE =
  `  --connect-timeout SECONDS  give up connecting after this long (default 10)
  --timeout SECONDS          give up when no data arrives for this long (default 30)
`;

/**
 * Turns the values of `--connect-timeout` and `--timeout` into
 * {@linkcode NetOptions}; a bad value is a usage error.
 *
 * @param values The parsed option values.
 * @returns The time limits.
 *
 * @example Half a second to connect
 * ```ts
 * import { netOptions } from "./_net.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(netOptions({ "connect-timeout": "0.5" }), {
 *   connectTimeoutMs: 500,
 *   idleTimeoutMs: 30_000,
 * });
 * ```
 */
export function netOptions(
  values: { timeout?: string; "connect-timeout"?: string },
): NetOptions {
  return {
    connectTimeoutMs: secondsOption(
      "connect-timeout",
      values["connect-timeout"],
      DEFAULT_NET_OPTIONS.connectTimeoutMs / 1000,
    ) * 1000,
    idleTimeoutMs:
      secondsOption("timeout", values.timeout, DEFAULT_NET_OPTIONS.idleTimeoutMs / 1000) *
      1000,
  };
}

/**
 * `host:port` as the messages show it (an IPv6 address in brackets).
 *
 * @param target Where to connect.
 * @returns Such as `data.pr4e.org:80` or `[::1]:8000`.
 *
 * @example An IPv6 address
 * ```ts
 * import { endpoint } from "./_net.ts";
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

/** The cell {@linkcode watchdog} waits on; nothing ever wakes it. */
const NEVER_WOKEN = new Int32Array(new SharedArrayBuffer(4));

/**
 * Calls `fire` after `ms` milliseconds unless the returned function is
 * called first: the time limits of connects and reads. It waits with
 * `Atomics.waitAsync` on a cell that nothing wakes, so the wait times out.
 * Unlike `setTimeout` this is part of the JavaScript engine: Deno loads its
 * Node-compatible timers (about 4 ms) at the first `setTimeout`, a cost
 * every raw-socket program would pay at start. Nor does it keep the program
 * alive: it guards a connect or a read in flight, which does.
 *
 * @param ms Milliseconds to wait (0 or less fires as soon as possible).
 * @param fire What to do then.
 * @returns A function that cancels it.
 *
 * @example One watchdog fires, one is cancelled in time
 * ```ts
 * import { watchdog } from "./_net.ts";
 * import assert from "node:assert/strict";
 *
 * const fired: string[] = [];
 * const cancel = watchdog(10, () => fired.push("cancelled"));
 * cancel();
 * watchdog(20, () => fired.push("fired"));
 * // A watchdog keeps nothing alive: a timer does here, as a read in flight would.
 * await new Promise((resolve) => setTimeout(resolve, 200));
 * assert.deepEqual(fired, ["fired"]);
 * ```
 */
export function watchdog(ms: number, fire: () => void): () => void {
  let cancelled = false;
  const done = () => {
    if (!cancelled) fire();
  };
  const waiting = Atomics.waitAsync(NEVER_WOKEN, 0, 0, Math.max(0, ms));
  if (waiting.async) waiting.value.then(done);
  else queueMicrotask(done);
  return () => {
    cancelled = true;
  };
}

/**
 * Connects to the target's host and port: plain TCP for `http`, TLS for
 * `https` (handshake included). Throws a {@linkcode RunError}
 * `cannot connect to HOST:PORT: why`, or the permission error as it is.
 *
 * @param target Where to connect.
 * @param options Time limits.
 * @returns The open connection.
 *
 * @example A refused connection
 * ```ts
 * import { connectTo } from "./_net.ts";
 * import { RunError } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const { port } = listener.addr as Deno.NetAddr;
 * listener.close(); // nothing listens there now
 * await assert.rejects(
 *   connectTo({ scheme: "http", hostname: "127.0.0.1", port }),
 *   new RunError(`cannot connect to 127.0.0.1:${port}`, "connection refused"),
 * );
 * ```
 */
export async function connectTo(
  target: Pick<UrlTarget, "scheme" | "hostname" | "port">,
  options: Partial<NetOptions> = {},
): Promise<Deno.Conn> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_NET_OPTIONS.connectTimeoutMs;
  const where = endpoint(target);
  const controller = new AbortController();
  let timedOut = false;
  const cancelTimer = watchdog(timeoutMs, () => {
    timedOut = true;
    controller.abort();
  });
  let conn: Deno.Conn | undefined;
  try {
    if (target.scheme === "https") {
      const tls = await withAbort(
        Deno.connectTls({ hostname: target.hostname, port: target.port }),
        controller.signal,
      );
      conn = tls;
      await withAbort(tls.handshake(), controller.signal);
    } else {
      conn = await Deno.connect({
        hostname: target.hostname,
        port: target.port,
        signal: controller.signal,
      });
    }
    return conn;
  } catch (error) {
    try {
      conn?.close();
    } catch { /* already closed */ }
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw error;
    }
    const seconds = timeoutMs / 1000;
    const why = timedOut
      ? `no answer within ${seconds} second${seconds === 1 ? "" : "s"}`
      : connectFailure(error);
    throw new RunError(`cannot connect to ${where}`, why);
  } finally {
    cancelTimer();
  }
}

/** Rejects when `signal` aborts; the late value of `promise` is closed if it is a resource. */
function withAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
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

/** Why a connection could not be made, in a few words. */
function connectFailure(error: unknown): string {
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  if (error instanceof Deno.errors.ConnectionRefused) return "connection refused";
  if (error instanceof Deno.errors.TimedOut) return "timed out";
  if (error instanceof Deno.errors.ConnectionReset) return "connection reset by the server";
  if (/failed to lookup address|Name or service not known|No address associated/i.test(message)) {
    return "name not resolved";
  }
  if (/Temporary failure in name resolution/i.test(message)) {
    return "name not resolved (no name server reachable)";
  }
  if (/network is unreachable/i.test(message)) return "network unreachable";
  if (error instanceof Deno.errors.InvalidData || /certificate|tls|handshake/i.test(message)) {
    return `TLS handshake failed: ${message}`;
  }
  return message;
}

/**
 * Writes all of `data` (a string is sent as UTF-8) to the connection.
 *
 * @param conn The connection.
 * @param data What to send.
 * @param where `host:port`, for the message when the server has gone.
 * @returns When everything is written.
 *
 * @example Sending a request and reading the answer
 * ```ts
 * import { connectTo, readChunks, sendAll } from "./_net.ts";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const serving = (async () => {
 *   const conn = await listener.accept();
 *   await conn.read(new Uint8Array(1024));
 *   await conn.write(new TextEncoder().encode("HTTP/1.0 200 OK\r\n\r\nhello"));
 *   conn.close();
 * })();
 * const { port } = listener.addr as Deno.NetAddr;
 * const conn = await connectTo({ scheme: "http", hostname: "127.0.0.1", port });
 * await sendAll(conn, `GET http://127.0.0.1:${port}/ HTTP/1.0\r\n\r\n`);
 * let received = "";
 * for await (const chunk of readChunks(conn, { size: 4 })) {
 *   assert(chunk.length <= 4);
 *   received += new TextDecoder().decode(chunk);
 * }
 * assert.equal(received, "HTTP/1.0 200 OK\r\n\r\nhello");
 * await serving;
 * listener.close();
 * ```
 */
export async function sendAll(
  conn: Deno.Conn,
  data: Uint8Array | string,
  where = "the server",
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  let done = 0;
  try {
    while (done < bytes.length) done += await conn.write(bytes.subarray(done));
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) throw error;
    throw new RunError(`cannot send to ${where}`, readFailure(error));
  }
}

/**
 * Options for {@linkcode readChunks}.
 *
 * @example The book's `recv(512)` with a five-second limit
 * ```ts
 * import type { ReadOptions } from "./_net.ts";
 * import assert from "node:assert/strict";
 *
 * const options: ReadOptions = { size: 512, idleTimeoutMs: 5000, where: "data.pr4e.org:80" };
 * assert.equal(options.size, 512);
 * ```
 */
export interface ReadOptions {
  /** Largest read, in bytes (the book's `recv(512)`). */
  size: number;
  /** Give up when no byte arrives for this many milliseconds. @default {30000} */
  idleTimeoutMs?: number;
  /** `host:port`, for messages. @default {"the server"} */
  where?: string;
}

/**
 * Reads from `conn` until the server closes it, one read of at most
 * `options.size` bytes at a time, and yields what each read returned (never
 * overwritten afterwards, so chunks may be kept). Closes the connection at the end. A TLS
 * peer that closes without `close_notify` counts as a close. No data for
 * `idleTimeoutMs`: a {@linkcode RunError}.
 *
 * @param conn The connection.
 * @param options Read size and time limit.
 * @returns The chunks, in order.
 *
 * @example Reading a response in chunks of at most 4 bytes
 * ```ts
 * import { connectTo, readChunks, sendAll } from "./_net.ts";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const serving = (async () => {
 *   const conn = await listener.accept();
 *   await conn.read(new Uint8Array(1024));
 *   await conn.write(new TextEncoder().encode("HTTP/1.0 200 OK\r\n\r\nhello"));
 *   conn.close();
 * })();
 * const { port } = listener.addr as Deno.NetAddr;
 * const conn = await connectTo({ scheme: "http", hostname: "127.0.0.1", port });
 * await sendAll(conn, `GET http://127.0.0.1:${port}/ HTTP/1.0\r\n\r\n`);
 * let received = "";
 * for await (const chunk of readChunks(conn, { size: 4 })) {
 *   assert(chunk.length <= 4);
 *   received += new TextDecoder().decode(chunk);
 * }
 * assert.equal(received, "HTTP/1.0 200 OK\r\n\r\nhello");
 * await serving;
 * listener.close();
 * ```
 */
export async function* readChunks(
  conn: Deno.Conn,
  options: ReadOptions,
): AsyncGenerator<Uint8Array> {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_NET_OPTIONS.idleTimeoutMs;
  const where = options.where ?? "the server";
  // One timer for the whole stream, not one per read: it counts only the time
  // spent waiting in a read (not the time the caller spends on a chunk) and
  // closes the connection when that passes the limit.
  let waitingSince = -1;
  let timedOut = false;
  const check = () => {
    const waited = waitingSince < 0 ? 0 : Date.now() - waitingSince;
    if (waited >= idleTimeoutMs) {
      timedOut = true;
      try {
        conn.close();
      } catch { /* already closed */ }
    } else {
      cancelTimer = watchdog(idleTimeoutMs - waited, check);
    }
  };
  let cancelTimer = watchdog(idleTimeoutMs, check);
  // Reads land side by side in a 64 KiB slab, and each chunk is a view of
  // it: far fewer allocations than one array per read, and no byte is ever
  // overwritten once yielded.
  const slabSize = Math.max(options.size, 65536);
  let slab = new Uint8Array(slabSize);
  let used = 0;
  try {
    while (true) {
      if (slabSize - used < options.size) {
        slab = new Uint8Array(slabSize);
        used = 0;
      }
      const buffer = slab.subarray(used, used + options.size);
      let n: number | null;
      waitingSince = Date.now();
      try {
        n = await conn.read(buffer);
      } catch (error) {
        if (timedOut) {
          const seconds = idleTimeoutMs / 1000;
          throw new RunError(
            `cannot read from ${where}`,
            `no data for ${seconds} second${seconds === 1 ? "" : "s"}`,
          );
        }
        if (error instanceof Deno.errors.UnexpectedEof) n = null;
        else throw new RunError(`cannot read from ${where}`, readFailure(error));
      } finally {
        waitingSince = -1;
      }
      if (n === null) return;
      used += n;
      yield buffer.subarray(0, n);
    }
  } finally {
    cancelTimer();
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}

function readFailure(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionReset) return "connection reset by the server";
  if (error instanceof Deno.errors.BrokenPipe) return "the server closed the connection";
  if (error instanceof Deno.errors.ConnectionAborted) return "connection aborted";
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}
