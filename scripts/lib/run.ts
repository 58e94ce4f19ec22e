// Copyright netprog authors. MIT license.

/**
 * How every program runs: one line on stderr for any error with the right
 * exit status, the flag to add when a permission is missing, clean-ups on
 * Ctrl-C, and a quiet stop when the reader of stdout goes away. Deno only.
 *
 * @module
 */

import {
  escapeControls,
  HeaderTooLargeError,
  HttpSyntaxError,
  UnsafeFileNameError,
  UrlTargetError,
} from "../../mod.ts";
import { CLOSED_STDOUT_STATUS, RunError, StdoutClosedError, UsageError } from "./errors.ts";
import { stdout, writeErr } from "./stdio.ts";

const interruptCleanups = new Set<() => void | Promise<void>>();

/**
 * Runs a program's body. Every error becomes one line on stderr,
 * `NAME: what failed: why`, with exit status 2 for usage and malformed URLs,
 * 1 for run-time failures; never a stack trace. What the program wrote to
 * stdout before is written first. A closed stdout (`| head`) ends the
 * program at once with no line and status 141
 * ({@linkcode CLOSED_STDOUT_STATUS}). Ctrl-C (SIGINT) runs the clean-ups
 * registered with {@linkcode onInterrupt}, prints
 * `NAME: stopped: interrupted by Ctrl-C` and exits with status 130.
 *
 * @param name The program's name, as in `socket1`.
 * @param body The program.
 * @returns When `body` succeeded and its output is written; otherwise the process exits.
 *
 * @example A program's body
 * ```ts
 * import { run } from "./run.ts";
 * import assert from "node:assert/strict";
 *
 * let ran = false;
 * await run("example", () => {
 *   ran = true;
 * });
 * assert(ran);
 * ```
 */
export async function run(name: string, body: () => Promise<void> | void): Promise<void> {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const cleanup of interruptCleanups) {
      try {
        await cleanup();
      } catch { /* stopping anyway: the line below says so */ }
    }
    await stdout.flush().catch(() => {});
    writeErr(`${name}: stopped: interrupted by Ctrl-C\n`);
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", stop);
  try {
    await body();
    await stdout.end();
  } catch (error) {
    if (stdout.closed || error instanceof StdoutClosedError) Deno.exit(CLOSED_STDOUT_STATUS);
    // What came before a failure is shown too.
    await stdout.end().catch(() => {});
    if (stdout.closed) Deno.exit(CLOSED_STDOUT_STATUS);
    const [line, status] = describeError(error, await hostsGranted(name, error));
    writeErr(`${name}: ${escapeControls(line)}\n`);
    Deno.exit(status);
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
  }
}

/**
 * Registers a clean-up (such as removing a partial file) that {@linkcode run}
 * runs when Ctrl-C stops the program, before it exits with status 130.
 *
 * @param cleanup What to do; may be async.
 * @returns A function that unregisters it, for when the work is done.
 *
 * @example Removing a partial file if Ctrl-C comes during the write
 * ```ts
 * import { onInterrupt } from "./run.ts";
 * import assert from "node:assert/strict";
 *
 * let removed = false;
 * const done = onInterrupt(() => {
 *   removed = true;
 * });
 * // ... write the file ...
 * done();
 * assert(!removed);
 * ```
 */
export function onInterrupt(cleanup: () => void | Promise<void>): () => void {
  interruptCleanups.add(cleanup);
  return () => void interruptCleanups.delete(cleanup);
}

/**
 * The line (without the program's name) and the exit status for an error.
 *
 * @param error What was thrown.
 * @param keep For a missing network permission: hosts already allowed, which
 * the hint keeps beside the new one. @default {[]}
 * @returns The line and the exit status.
 *
 * @example A missing permission names the flag
 * ```ts
 * import { describeError } from "./run.ts";
 * import { UsageError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new Deno.errors.NotCapable(
 *   'Requires net access to "127.0.0.1:9", run again with the --allow-net flag',
 * );
 * assert.deepEqual(describeError(error), [
 *   "no network permission for 127.0.0.1:9: run with --allow-net=127.0.0.1:9",
 *   1,
 * ]);
 * assert.deepEqual(describeError(error, ["data.pr4e.org:80"]), [
 *   "no network permission for 127.0.0.1:9: run with --allow-net=data.pr4e.org:80,127.0.0.1:9",
 *   1,
 * ]);
 * assert.deepEqual(describeError(new UsageError("cannot use --port \"x\"", "expected a number")), [
 *   'cannot use --port "x": expected a number',
 *   2,
 * ]);
 * ```
 */
export function describeError(error: unknown, keep: readonly string[] = []): [string, number] {
  if (error instanceof UsageError) return [error.message, 2];
  if (error instanceof RunError) return [error.message, 1];
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return [permissionLine(error.message, keep), 1];
  }
  if (error instanceof UrlTargetError || error instanceof UnsafeFileNameError) {
    return [lowerFirst(error.message), 2];
  }
  if (error instanceof HttpSyntaxError) {
    return [`cannot read response: ${lowerFirst(error.message)} (byte ${error.offset})`, 1];
  }
  if (error instanceof HeaderTooLargeError) {
    return [`cannot read response: ${lowerFirst(error.message)}`, 1];
  }
  if (error instanceof Error) return [`failed: ${firstLine(error.message)}`, 1];
  return [`failed: ${firstLine(String(error))}`, 1];
}

/**
 * Checks a permission with `Deno.permissions.query`, which never prompts,
 * and throws Deno's own `NotCapable` error when it is not granted, so that
 * {@linkcode run} names the flag to add. Called before every connect, fetch,
 * read or run: a program never stops at Deno's permission prompt, however
 * it was started (a shebang, `deno run` without `--no-prompt`).
 *
 * @param descriptor The permission, such as `{ name: "net", host: "127.0.0.1:8000" }`.
 * @returns When it is granted.
 *
 * @example A permission this test has, and one it has not
 * ```ts
 * import { describeError, requirePermission } from "./run.ts";
 * import assert from "node:assert/strict";
 *
 * // The tests may connect to 127.0.0.1, and to nothing else.
 * await requirePermission({ name: "net", host: "127.0.0.1:8000" });
 * await assert.rejects(requirePermission({ name: "net", host: "example.org:80" }), (error) =>
 *   describeError(error)[0] ===
 *     "no network permission for example.org:80: run with --allow-net=example.org:80");
 * await assert.rejects(requirePermission({ name: "env", variable: "NETPROG_NONE" }), (error) =>
 *   describeError(error)[0] ===
 *     "no env permission for NETPROG_NONE: run with --allow-env=NETPROG_NONE");
 * ```
 */
export async function requirePermission(descriptor: Deno.PermissionDescriptor): Promise<void> {
  if ((await Deno.permissions.query(descriptor)).state === "granted") return;
  const [what, flag] = descriptor.name === "net"
    ? [descriptor.host, "--allow-net"]
    : descriptor.name === "read" || descriptor.name === "write"
    ? [String(descriptor.path), `--allow-${descriptor.name}`]
    : descriptor.name === "run"
    ? [String(descriptor.command), "--allow-run"]
    : descriptor.name === "env"
    ? [descriptor.variable, "--allow-env"]
    : [undefined, `--allow-${descriptor.name}`];
  throw new Deno.errors.NotCapable(
    what === undefined
      ? `Requires ${descriptor.name} access, run again with the ${flag} flag`
      : `Requires ${descriptor.name} access to "${what}", run again with the ${flag} flag`,
  );
}

/**
 * Whether an error is a missing permission, which is passed on as it is so
 * that {@linkcode run} names the flag to add.
 *
 * @param error What was thrown.
 * @returns True for Deno's `NotCapable` and `PermissionDenied`.
 *
 * @example A permission error and another
 * ```ts
 * import { isPermissionError } from "./run.ts";
 * import assert from "node:assert/strict";
 *
 * assert(isPermissionError(new Deno.errors.NotCapable("Requires net access")));
 * assert(!isPermissionError(new Deno.errors.ConnectionRefused("refused")));
 * ```
 */
export function isPermissionError(error: unknown): boolean {
  return error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied;
}

/**
 * The first line of an error's message, trimmed.
 *
 * @param error What was thrown.
 * @returns One line.
 *
 * @example A message on two lines
 * ```ts
 * import { firstLine } from "./run.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(firstLine(new Error("No such file\n    at open")), "No such file");
 * assert.equal(firstLine("plain"), "plain");
 * ```
 */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0].trim();
}

/** `Requires net access to "h:80", run again with the --allow-net flag` → our hint. */
function permissionLine(message: string, keep: readonly string[]): string {
  const m = /Requires (\w+) access to (?:"([^"]*)"|<(\w+)>).*?(--allow-[a-z-]+)/.exec(message);
  if (!m) return `missing permission: ${firstLine(message)}`;
  const [, kind, quoted, placeholder, flag] = m;
  if (placeholder === "TMP") {
    return `no ${kind} permission for the temporary folder: run with ${flag}=/tmp (or the folder TMPDIR names)`;
  }
  const resource = quoted ?? placeholder;
  const noun = kind === "net" ? "network" : kind;
  const allow = kind === "net"
    ? [...keep.filter((host) => host !== resource), resource]
    : [resource];
  return `no ${noun} permission for ${resource}: run with ${flag}=${allow.join(",")}`;
}

/**
 * For a missing network permission: the hosts of the program's own flags,
 * of the local mirror's address and of the URLs on its command line that
 * are allowed now, so that the hint keeps them and the program still
 * reaches them. The program list is loaded only then.
 */
async function hostsGranted(name: string, error: unknown): Promise<string[]> {
  if (!isPermissionError(error) || !(error as Error).message.includes("Requires net access")) {
    return [];
  }
  const [{ PROGRAMS }, { MIRROR_ADDRESS }] = await Promise.all([
    import("./programs.ts"),
    import("./mirror.ts"),
  ]);
  const hosts = new Set<string>();
  for (const flag of PROGRAMS.find((program) => program.name === name)?.flags ?? []) {
    if (flag.startsWith("--allow-net=")) flag.slice(12).split(",").forEach((h) => hosts.add(h));
  }
  hosts.add(MIRROR_ADDRESS);
  for (const arg of Deno.args) {
    if (!/^https?:\/\//i.test(arg) || !URL.canParse(arg)) continue;
    const url = new URL(arg);
    hosts.add(`${url.hostname}:${url.port || (url.protocol === "https:" ? 443 : 80)}`);
  }
  const granted: string[] = [];
  for (const host of hosts) {
    if ((await Deno.permissions.query({ name: "net", host })).state === "granted") {
      granted.push(host);
    }
  }
  return granted;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
