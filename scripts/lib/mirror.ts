// Copyright netprog authors. MIT license.

/**
 * Starts the local mirror of the book's server (`scripts/serve.ts`) on a free
 * port, as the demo and the tests need it: a child `deno run --no-prompt`
 * with the mirror's own narrow flags, `--port 0` and `--stop-on-stdin-close`;
 * the port read from its first line; its request log kept; and a stop that
 * closes its input (which reaches the server even when a launcher stands
 * between it and us), sends SIGTERM too, and cancels its pipes rather than
 * reading them to the end. Deno only; the caller needs `--allow-run=deno`.
 *
 * @module
 */

import { RunError } from "./errors.ts";
import { watchdog, within } from "./time_limit.ts";

/**
 * The address of the local mirror when it is started with no `--port`
 * (`deno task serve`, `scripts/serve.ts`): every program's task may connect
 * to it too, since a task cannot be given a flag.
 *
 * @example The mirror's address
 * ```ts
 * import { MIRROR_ADDRESS } from "./mirror.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MIRROR_ADDRESS, "127.0.0.1:8000");
 * ```
 */
export const MIRROR_ADDRESS = "127.0.0.1:8000";

const SERVE = decodeURIComponent(new URL("../serve.ts", import.meta.url).pathname);
const DATA = decodeURIComponent(new URL("../../data", import.meta.url).pathname);

/** How long the mirror may take to print its address, in milliseconds. */
const START_TIMEOUT_MS = 30_000;
/** How long it may take to exit once told to, before it gets SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;

/** The mirror's first line on stdout, with the port it listens on. */
const FIRST_LINE = /^Serving the book's files on http:\/\/127\.0\.0\.1:(\d+)\/$/;

/**
 * The command that runs `scripts/serve.ts --port 0` with its own narrow flags
 * (`--allow-net=127.0.0.1`, and `--allow-read` of the project's `data/`
 * folder by its full path, so that any working folder will do) and more
 * `args`; stdout and stderr piped.
 *
 * @param args More arguments for serve.ts, such as `["--timeout", "0.5"]`.
 * @param stdin `"piped"` to stop it by closing its input (with
 * `--stop-on-stdin-close`), `"null"` otherwise.
 * @returns The command, not yet spawned.
 *
 * @example The mirror's usage line
 * ```ts
 * import { mirrorCommand } from "./mirror.ts";
 * import assert from "node:assert/strict";
 *
 * const { code, stdout } = await mirrorCommand(["--help"], "null").output();
 * assert.equal(code, 0);
 * const usage = new TextDecoder().decode(stdout).split("\n")[0];
 * assert.equal(usage, "Usage: deno run --allow-net=127.0.0.1 --allow-read=data scripts/serve.ts [options]");
 * ```
 */
export function mirrorCommand(args: readonly string[], stdin: "null" | "piped"): Deno.Command {
  return new Deno.Command("deno", {
    args: mirrorArgs(args),
    stdin,
    stdout: "piped",
    stderr: "piped",
  });
}

/**
 * The arguments of `deno` that run the mirror on a free port.
 *
 * @param args More arguments for serve.ts.
 * @returns `run --no-prompt FLAGS .../scripts/serve.ts --port 0 ARGS`.
 *
 * @example The mirror's flags and a free port
 * ```ts
 * import { mirrorArgs } from "./mirror.ts";
 * import assert from "node:assert/strict";
 *
 * const args = mirrorArgs(["--timeout", "0.5"]);
 * assert.deepEqual(args.slice(0, 3), ["run", "--no-prompt", "--allow-net=127.0.0.1"]);
 * assert.match(args[3], /^--allow-read=\/.*\/data$/);
 * assert.match(args[4], /\/scripts\/serve\.ts$/);
 * assert.deepEqual(args.slice(5), ["--port", "0", "--timeout", "0.5"]);
 * ```
 */
export function mirrorArgs(args: readonly string[] = []): string[] {
  return [
    "run",
    "--no-prompt",
    "--allow-net=127.0.0.1",
    `--allow-read=${DATA}`,
    SERVE,
    "--port",
    "0",
    ...args,
  ];
}

/** The local mirror of the book's server, started by {@linkcode startMirror}. */
export interface Mirror extends AsyncDisposable {
  /** The port it listens on. */
  port: number;
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  origin: string;
  /** Its first line: `Serving the book's files on http://127.0.0.1:PORT/`. */
  firstLine: string;
  /** The request log it wrote to stderr so far. */
  log(): string;
  /** Stops it and waits for it to exit; calling it again waits for the first call. */
  close(): Promise<void>;
}

/**
 * Starts `scripts/serve.ts` on a free port with its own narrow flags, and
 * waits for its first line on stdout.
 *
 * @param args More arguments for serve.ts, such as `["--timeout", "0.5"]`.
 * @returns The running mirror; close it (or `await using` it) to stop it.
 *
 * @example The book's first file, from the mirror
 * ```ts
 * import { startMirror } from "./mirror.ts";
 * import assert from "node:assert/strict";
 *
 * await using mirror = await startMirror();
 * assert.match(mirror.firstLine, /^Serving the book's files on http:\/\/127\.0\.0\.1:\d+\/$/);
 * const response = await fetch(`${mirror.origin}/romeo.txt`);
 * assert.match(await response.text(), /^But soft what light through yonder window breaks\n/);
 * await mirror.close();
 * assert.match(mirror.log(), /"GET \/romeo\.txt HTTP\/1\.1" 200 167\n/);
 * ```
 */
export async function startMirror(args: readonly string[] = []): Promise<Mirror> {
  const child = mirrorCommand([...args, "--stop-on-stdin-close"], "piped").spawn();
  let log = "";
  const logReader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const logged = (async () => {
    for (let read = await logReader.read(); !read.done; read = await logReader.read()) {
      log += read.value;
    }
  })().catch(() => {});
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();

  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      // The end of its input stops the mirror once the answers under way are
      // written and logged; a signal is only the fallback.
      await child.stdin.close().catch(() => {});
      for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        if (await within(child.status, STOP_TIMEOUT_MS)) break;
        try {
          child.kill(signal);
        } catch { /* already gone */ }
      }
      await child.status;
      // Cancelled rather than read to the end: a launcher between us and the
      // server (npm's Node.js shim for deno) can leave the server holding them.
      await reader.cancel().catch(() => {});
      await within(logged, 1_000);
      await logReader.cancel().catch(() => {});
      await logged;
    })();

  let text = "";
  const cancelStop = watchdog(START_TIMEOUT_MS, () => close());
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    cancelStop();
  }
  const firstLine = text.split("\n", 1)[0];
  const m = FIRST_LINE.exec(firstLine);
  if (m === null) {
    await close();
    const why = firstLine || log.trim().split("\n").pop() || "it printed nothing";
    throw new RunError("cannot start the mirror", why);
  }
  const port = Number(m[1]);
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    firstLine,
    log: () => log,
    close,
    [Symbol.asyncDispose]: close,
  };
}
