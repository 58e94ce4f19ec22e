// Copyright netprog authors. MIT license.

/**
 * Shared by the integration tests: spawn a script with its real permission
 * flags, start servers on loopback.
 *
 * @module
 */

/** The project's root folder. */
export const ROOT: string = decodeURIComponent(new URL("..", import.meta.url).pathname)
  .replace(/\/$/, "");

/** What a finished script produced. */
export interface ScriptResult {
  /** Exit status. */
  code: number;
  /** Signal name, if the process was killed by one. */
  signal: string | null;
  /** Everything written to stdout, as bytes. */
  stdoutBytes: Uint8Array;
  /** Stdout decoded as UTF-8. */
  stdout: string;
  /** Stderr decoded as UTF-8. */
  stderr: string;
}

/** Options for {@linkcode runScript}. */
export interface RunScriptOptions {
  /** Permission flags, exactly as a user would type them. */
  flags?: string[];
  /** Text or bytes fed to stdin; stdin is closed after it. When absent, stdin is null. */
  stdin?: string | Uint8Array;
  /** Working folder. @default {ROOT} */
  cwd?: string;
  /** Kill the process after this many milliseconds. @default {30000} */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/**
 * Runs `deno run --no-prompt <flags> scripts/<name>.ts <args>` and collects
 * its output. Never throws for a non-zero exit.
 */
export async function runScript(
  name: string,
  args: string[] = [],
  options: RunScriptOptions = {},
): Promise<ScriptResult> {
  const script = name.includes("/") ? name : `${ROOT}/scripts/${name}.ts`;
  const command = new Deno.Command("deno", {
    args: ["run", "--no-prompt", ...(options.flags ?? []), script, ...args],
    cwd: options.cwd ?? ROOT,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
  });
  const child = command.spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, options.timeoutMs ?? 30_000);
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    const data = typeof options.stdin === "string"
      ? new TextEncoder().encode(options.stdin)
      : options.stdin;
    await writer.write(data).catch(() => {});
    await writer.close().catch(() => {});
  }
  const output = await child.output();
  clearTimeout(timer);
  return {
    code: output.code,
    signal: output.signal,
    stdoutBytes: output.stdout,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

/** A raw TCP server on 127.0.0.1 whose handler writes whatever bytes it likes. */
export interface RawServer extends AsyncDisposable {
  /** The port it listens on. */
  port: number;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The request heads received so far, decoded as latin1. */
  requests: string[];
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Starts a raw TCP server on loopback. `handler` gets each connection and the
 * request head (through the blank line, latin1) and must write the response.
 * The connection is closed when the handler returns, unless it closed it.
 */
export function startRawServer(
  handler: (conn: Deno.Conn, requestHead: string) => Promise<void> | void,
): RawServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const requests: string[] = [];
  const open = new Set<Deno.Conn>();
  const serving = (async () => {
    for await (const conn of listener) {
      open.add(conn);
      (async () => {
        try {
          const head = await readRequestHead(conn);
          requests.push(head);
          await handler(conn, head);
        } catch { /* the client went away */ }
        open.delete(conn);
        try {
          conn.close();
        } catch { /* closed by the handler */ }
      })();
    }
  })().catch(() => {});
  const close = async () => {
    try {
      listener.close();
    } catch { /* already closed */ }
    for (const conn of open) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    await serving;
  };
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function readRequestHead(conn: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(65536);
  let text = "";
  while (!text.includes("\r\n\r\n") && !text.includes("\n\n")) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += latin1(buffer.subarray(0, n));
  }
  return text;
}

/** Decodes bytes one byte one character. */
export function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}

/** Writes all of `data` to a connection. */
export async function writeAll(conn: Deno.Conn, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  let done = 0;
  while (done < bytes.length) done += await conn.write(bytes.subarray(done));
}

/** The local mirror of the book's server: see scripts/lib/mirror.ts. */
export { type Mirror, mirrorCommand, startMirror } from "../scripts/lib/mirror.ts";

/**
 * A new temporary folder, removed with everything in it when the scope that holds it ends
 * (`await using folder = await tempFolder()`).
 *
 * @param prefix The start of the folder's name.
 * @returns The folder's path, disposable.
 */
export async function tempFolder(prefix = "netprog-"): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}
