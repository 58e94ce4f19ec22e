// Copyright netprog authors. MIT license.

/**
 * What every script shares: one-line errors with the right exit status, the
 * flag to add when a permission is missing, prompts answered on stdin, and
 * `--help`. Deno only.
 *
 * @module
 */

import {
  HeaderTooLargeError,
  HttpSyntaxError,
  UnsafeFileNameError,
  UrlTargetError,
} from "../mod.ts";
import { TerminalEscaper } from "../core/terminal.ts";

/**
 * Bad usage or a malformed URL: exit status 2.
 *
 * @example The line a usage error becomes
 * ```ts
 * import { describeError, UsageError } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new UsageError("cannot use --port \"x\"", "expected a whole number");
 * assert.deepEqual(describeError(error), ['cannot use --port "x": expected a whole number', 2]);
 * ```
 */
export class UsageError extends Error {
  /**
   * @param what What failed, such as `cannot use URL "x"`.
   * @param why Why it failed.
   */
  constructor(readonly what: string, readonly why: string) {
    super(`${what}: ${why}`);
    this.name = "UsageError";
  }
}

/**
 * A failure at run time: exit status 1.
 *
 * @example The line a run-time error becomes
 * ```ts
 * import { describeError, RunError } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new RunError("cannot connect to nosuch.invalid:80", "name not resolved");
 * assert.deepEqual(describeError(error), ["cannot connect to nosuch.invalid:80: name not resolved", 1]);
 * ```
 */
export class RunError extends Error {
  /**
   * @param what What failed, such as `cannot connect to h:80`.
   * @param why Why it failed.
   */
  constructor(readonly what: string, readonly why: string) {
    super(`${what}: ${why}`);
    this.name = "RunError";
  }
}

/**
 * Runs a script's body and turns every error into one line on stderr,
 * `NAME: what failed: why`, with exit status 2 for usage and malformed URLs,
 * 1 for run-time failures. Never a stack trace. Ctrl-C (SIGINT) runs the
 * clean-ups registered with {@linkcode onInterrupt}, prints
 * `NAME: stopped: interrupted by Ctrl-C` and exits with status 130.
 *
 * @param name The script's name, as in `socket1`.
 * @param body The script.
 * @returns When `body` succeeded; otherwise the process exits.
 *
 * @example A script's body
 * ```ts
 * import { run } from "./_cli.ts";
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
    writeErr(`${name}: stopped: interrupted by Ctrl-C\n`);
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", stop);
  try {
    await body();
  } catch (error) {
    const [line, status] = describeError(error);
    writeErr(`${name}: ${escapeControls(line)}\n`);
    Deno.exit(status);
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
  }
}

/**
 * Shows control characters (C0 but tab, DEL, C1, bidirectional controls)
 * escaped, as `\x1b` or `\u202e`, so that an error line quoting a URL or a
 * server's reason phrase cannot drive the terminal or reorder the line.
 *
 * @param text One line of text.
 * @returns The text, safe to print.
 *
 * @example An escape sequence in a URL
 * ```ts
 * import { escapeControls } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeControls('cannot use URL "\x1b[2J\u202e"'), 'cannot use URL "\\x1b[2J\\u202e"');
 * assert.equal(escapeControls("café\tnaïve"), "café\tnaïve");
 * ```
 */
export function escapeControls(text: string): string {
  let shown = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    const control = (code < 0x20 && code !== 0x09) || (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
    if (!control) shown += c;
    else if (code < 0x100) shown += `\\x${code.toString(16).padStart(2, "0")}`;
    else shown += `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return shown;
}

const interruptCleanups = new Set<() => void | Promise<void>>();

/**
 * Registers a clean-up (such as removing a partial file) that {@linkcode run}
 * runs when Ctrl-C stops the script, before it exits with status 130.
 *
 * @param cleanup What to do; may be async.
 * @returns A function that unregisters it, for when the work is done.
 *
 * @example Removing a partial file if Ctrl-C comes during the write
 * ```ts
 * import { onInterrupt } from "./_cli.ts";
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
 * The line (without the script name) and the exit status for an error.
 *
 * @param error What was thrown.
 * @returns The line and the exit status.
 *
 * @example A missing permission names the flag
 * ```ts
 * import { describeError } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new Deno.errors.NotCapable(
 *   'Requires net access to "127.0.0.1:9", run again with the --allow-net flag',
 * );
 * assert.deepEqual(describeError(error), [
 *   "no network permission for 127.0.0.1:9: run with --allow-net=127.0.0.1:9",
 *   1,
 * ]);
 * ```
 */
export function describeError(error: unknown): [string, number] {
  if (error instanceof UsageError) return [error.message, 2];
  if (error instanceof RunError) return [error.message, 1];
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return [permissionLine(error.message), 1];
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
  if (error instanceof Error) return [`failed: ${oneLine(error.message)}`, 1];
  return [`failed: ${oneLine(String(error))}`, 1];
}

/** `Requires net access to "h:80", run again with the --allow-net flag` → our hint. */
function permissionLine(message: string): string {
  const m = /Requires (\w+) access to (?:"([^"]*)"|<(\w+)>).*?(--allow-[a-z-]+)/.exec(message);
  if (!m) return `missing permission: ${oneLine(message)}`;
  const [, kind, quoted, placeholder, flag] = m;
  if (placeholder === "TMP") {
    return `no ${kind} permission for the temporary folder: run with ${flag}=/tmp (or the folder TMPDIR names)`;
  }
  const resource = quoted ?? placeholder;
  const noun = kind === "net" ? "network" : kind;
  return `no ${noun} permission for ${resource}: run with ${flag}=${resource}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function oneLine(text: string): string {
  return text.split("\n")[0].trim();
}

/**
 * Writes text to stderr.
 *
 * @param text The text.
 *
 * @example Writing nothing
 * ```ts
 * import { writeErr } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(writeErr(""), undefined);
 * ```
 */
export function writeErr(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}

/**
 * Writes all of `bytes` (or a string, as UTF-8) to stdout.
 *
 * @param bytes What to write.
 * @returns When everything is written.
 *
 * @example Writing nothing
 * ```ts
 * import { writeOut } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await writeOut(new Uint8Array(0)), undefined);
 * ```
 */
export async function writeOut(bytes: Uint8Array | string): Promise<void> {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  let done = 0;
  while (done < data.length) done += await Deno.stdout.write(data.subarray(done));
}

/**
 * Writes a server's bytes to stdout in order, without waiting for each write:
 * what arrives while a write is under way is gathered into the next one. A
 * program that receives many small reads (the book's `recv(512)`) thus makes
 * few large writes, and its next read runs while the last chunk is written.
 * Holds at most `highWaterMark` bytes before {@linkcode StdoutQueue.prototype.write}
 * waits. When stdout is a terminal, control bytes that could drive it (escape
 * sequences, bytes that are not UTF-8) are shown escaped, as `\x1b`; to a
 * pipe or a file the bytes go unchanged.
 *
 * @example Writing chunks, then waiting for all of them
 * ```ts
 * import { StdoutQueue } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * const out = new StdoutQueue(1 << 20, false);
 * await out.write(new Uint8Array(0));
 * await out.flush();
 * assert.equal(out.written, 0);
 * ```
 */
export class StdoutQueue {
  #parts: Uint8Array[] = [];
  #queued = 0;
  #writing: Promise<void> | undefined;
  #error: unknown;
  #written = 0;
  #escaper: TerminalEscaper | undefined;

  /**
   * @param highWaterMark Bytes held before `write` waits. @default {1048576}
   * @param escape Show control bytes escaped. @default {Deno.stdout.isTerminal()}
   */
  constructor(readonly highWaterMark: number = 1 << 20, escape = Deno.stdout.isTerminal()) {
    if (escape) this.#escaper = new TerminalEscaper();
  }

  /** Bytes written to stdout so far. */
  get written(): number {
    return this.#written;
  }

  /**
   * Queues `bytes` (not copied: do not change them afterwards).
   *
   * @param bytes What to write.
   * @returns At once, or when the queue is below the high-water mark again.
   */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.#error !== undefined) throw this.#error;
    if (this.#escaper !== undefined) bytes = this.#escaper.push(bytes);
    if (bytes.length === 0) return;
    this.#parts.push(bytes);
    this.#queued += bytes.length;
    this.#writing ??= this.#drain();
    if (this.#queued >= this.highWaterMark) await this.#writing;
    if (this.#error !== undefined) throw this.#error;
  }

  /**
   * Waits until everything queued is written (and, on a terminal, writes
   * what the escaper held back: the end of the stream is known now).
   *
   * @returns When stdout has every byte.
   */
  async flush(): Promise<void> {
    const held = this.#escaper?.flush();
    if (held !== undefined && held.length > 0) {
      this.#parts.push(held);
      this.#queued += held.length;
      this.#writing ??= this.#drain();
    }
    while (this.#writing !== undefined) await this.#writing;
    if (this.#error !== undefined) throw this.#error;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#parts.length > 0) {
        const parts = this.#parts;
        const size = this.#queued;
        this.#parts = [];
        this.#queued = 0;
        // Views that follow each other in one buffer are written as one view.
        const runs: Uint8Array[] = [];
        for (const part of parts) {
          const last = runs.at(-1);
          if (
            last !== undefined && last.buffer === part.buffer &&
            last.byteOffset + last.length === part.byteOffset
          ) {
            runs[runs.length - 1] = new Uint8Array(
              last.buffer,
              last.byteOffset,
              last.length + part.length,
            );
          } else {
            runs.push(part);
          }
        }
        for (const view of runs) await writeOut(view);
        this.#written += size;
      }
    } catch (error) {
      this.#error = error;
    } finally {
      this.#writing = undefined;
    }
  }
}

let stdinLines: AsyncIterator<string> | undefined;

/**
 * Writes `prompt` to stdout without a newline (as Python's `input()` does),
 * then reads one line from stdin, white space around it stripped. Closed or
 * empty stdin: a {@linkcode UsageError}.
 *
 * @param prompt The prompt, such as `Enter: `.
 * @param what What the answer is, for the error message.
 * @param source Where answers come from. @default {Deno.stdin.readable}
 * @returns The answer, white space around it stripped.
 *
 * @example Answers come one line at a time
 * ```ts
 * import { input, UsageError } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * const source = ReadableStream.from([new TextEncoder().encode(" http://127.0.0.1/ \n")]);
 * assert.equal(await input("", "a URL", source), "http://127.0.0.1/");
 * await assert.rejects(input("", "a URL", source), UsageError);
 * ```
 */
export async function input(
  prompt: string,
  what = "an answer",
  source?: ReadableStream<Uint8Array>,
): Promise<string> {
  await writeOut(prompt);
  let lines: AsyncIterator<string>;
  if (source === undefined) lines = stdinLines ??= readLines(Deno.stdin.readable);
  else {
    lines = otherLines.get(source) ?? readLines(source);
    otherLines.set(source, lines);
  }
  const next = await lines.next();
  const answer = next.done ? "" : next.value.trim();
  if (answer === "") {
    throw new UsageError(
      `cannot read ${what}`,
      next.done ? "standard input is closed" : "the answer is empty",
    );
  }
  return answer;
}

const otherLines = new WeakMap<ReadableStream<Uint8Array>, AsyncIterator<string>>();

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
    }
  }
  buffered += decoder.decode();
  if (buffered !== "") yield buffered;
}

/**
 * One option that {@linkcode parseCommandLine} accepts: a flag (`boolean`)
 * or an option that takes a value (`string`), with an optional one-letter
 * `short` name; `multiple` gathers every value given, in order.
 *
 * @example A repeated header option
 * ```ts
 * import type { OptionSpec } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * const header: OptionSpec = { type: "string", short: "H", multiple: true };
 * assert.equal(header.short, "H");
 * ```
 */
export interface OptionSpec {
  /** `boolean` for a flag, `string` for an option that takes a value. */
  type: "boolean" | "string";
  /** A one-letter name, used as `-x`. */
  short?: string;
  /** Whether the option may be repeated; its value is then the list. */
  multiple?: boolean;
}

/**
 * The option declarations that {@linkcode parseCommandLine} takes, by long
 * name (without the dashes).
 *
 * @example A string option with a short name
 * ```ts
 * import { type OptionSpecs, parseCommandLine } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * const options = { output: { type: "string", short: "o" } } satisfies OptionSpecs;
 * assert.equal(parseCommandLine("usage\n", options, 0, ["-o", "x.jpg"]).values.output, "x.jpg");
 * ```
 */
export type OptionSpecs = Record<string, OptionSpec>;

/**
 * Parses a script's arguments: `--name`, `--name VALUE`, `--name=VALUE`,
 * `-x`, `-x VALUE`, `-xVALUE`, flags grouped as `-iL`, and `--` before
 * arguments that start with a dash. A value that starts with a dash is
 * taken only in the `--name=-1` form, so a forgotten value is not silently
 * replaced by the next option. Positionals are allowed up to
 * `maxPositionals`. `--help` (or `-h`) prints `usage` to stdout and exits 0.
 * An unknown option, a missing value or too many arguments: a
 * {@linkcode UsageError}.
 *
 * @param usage The text `--help` prints, ending in a newline.
 * @param options The options the script accepts (`help` is added).
 * @param maxPositionals How many positional arguments the script accepts.
 * @param args The arguments. @default {Deno.args}
 * @returns The option values and the positionals.
 *
 * @example Reading a URL and a `--delay`
 * ```ts
 * import { parseCommandLine } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * const { values, positionals } = parseCommandLine("usage: ...\n", {
 *   delay: { type: "string" },
 * }, 1, ["http://127.0.0.1:8000/romeo.txt", "--delay", "0.25"]);
 * assert.equal(values.delay, "0.25");
 * assert.deepEqual(positionals, ["http://127.0.0.1:8000/romeo.txt"]);
 * ```
 *
 * @example What a mistake becomes
 * ```ts
 * import { parseCommandLine, UsageError } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => parseCommandLine("usage\n", {}, 1, ["--bogus"]),
 *   (error) => error instanceof UsageError && error.why === "unknown option '--bogus' (see --help)",
 * );
 * ```
 */
export function parseCommandLine<O extends OptionSpecs>(
  usage: string,
  options: O,
  maxPositionals = 1,
  args: string[] = Deno.args,
): {
  values: { [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : string };
  positionals: string[];
} {
  const specs: OptionSpecs = { ...options, help: { type: "boolean", short: "h" } };
  const shorts = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) shorts.set(spec.short, name);
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const bad = (why: string): never => {
    throw new UsageError("cannot parse the command line", `${why} (see --help)`);
  };
  /** A value for an option from the next argument: there, and not another option. */
  const isValue = (value: string | undefined): value is string =>
    value !== undefined && (!value.startsWith("-") || value === "-");
  const set = (name: string, value: string | boolean) => {
    if (!specs[name].multiple) values[name] = value;
    else ((values[name] ??= []) as (string | boolean)[]).push(value);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
      if (spec === undefined) bad(`unknown option '--${name}'`);
      if (spec!.type === "boolean") {
        if (eq !== -1) bad(`option '--${name}' does not take a value`);
        set(name, true);
      } else if (eq !== -1) set(name, arg.slice(eq + 1));
      else {
        const value = args[i + 1];
        if (!isValue(value)) {
          bad(
            `option '--${name} <value>' needs a value (--${name}=VALUE for one that starts with -)`,
          );
        }
        set(name, value);
        i++;
      }
    } else if (arg.startsWith("-") && arg !== "-") {
      for (let k = 1; k < arg.length; k++) {
        const letter = arg[k];
        const name = shorts.get(letter);
        if (name === undefined) bad(`unknown option '-${letter}'`);
        if (specs[name!].type === "boolean") {
          set(name!, true);
          continue;
        }
        let value: string | undefined = arg.slice(k + 1);
        if (value === "") {
          value = args[i + 1];
          if (!isValue(value)) bad(`option '-${letter} <value>' needs a value`);
          i++;
        }
        set(name!, value!);
        break;
      }
    } else positionals.push(arg);
  }
  if (values.help) {
    Deno.stdout.writeSync(new TextEncoder().encode(usage));
    Deno.exit(0);
  }
  if (positionals.length > maxPositionals) {
    bad(`unexpected argument "${positionals[maxPositionals]}"`);
  }
  return { values, positionals } as unknown as {
    values: { [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : string };
    positionals: string[];
  };
}

/**
 * Reads an option's value as a number of seconds, at least 0 (or more than 0
 * when `positive`). Absent: `fallback`. Anything else: a {@linkcode UsageError}.
 *
 * @param flag The option's name without dashes, for the message.
 * @param value The option's value as typed.
 * @param fallback The documented default.
 * @param positive Whether 0 is refused.
 * @returns The number of seconds.
 *
 * @example A `--timeout` value
 * ```ts
 * import { secondsOption, UsageError } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(secondsOption("timeout", "2.5", 30), 2.5);
 * assert.equal(secondsOption("timeout", undefined, 30), 30);
 * assert.throws(() => secondsOption("timeout", "soon", 30), UsageError);
 * ```
 */
export function secondsOption(
  flag: string,
  value: string | undefined,
  fallback: number,
  positive = true,
): number {
  if (value === undefined) return fallback;
  const seconds = Number(value);
  if (
    value.trim() === "" || !Number.isFinite(seconds) || seconds < 0 || (positive && seconds === 0)
  ) {
    throw new UsageError(
      `cannot use --${flag} "${value}"`,
      positive ? "expected a number of seconds above 0" : "expected a number of seconds",
    );
  }
  return seconds;
}

/**
 * Reads an option's value as a whole number in `[min, max]`. Absent:
 * `fallback`. Anything else: a {@linkcode UsageError}.
 *
 * @param flag The option's name without dashes, for the message.
 * @param value The option's value as typed.
 * @param fallback The documented default.
 * @param min The smallest value accepted.
 * @param max The largest value accepted.
 * @returns The number.
 *
 * @example A `--port` value
 * ```ts
 * import { integerOption, UsageError } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(integerOption("port", "8080", 8000, 0, 65535), 8080);
 * assert.throws(() => integerOption("port", "70000", 8000, 0, 65535), UsageError);
 * ```
 */
export function integerOption(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const number = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(
      `cannot use --${flag} "${value}"`,
      `expected a whole number from ${min} to ${max}`,
    );
  }
  return number;
}

/**
 * The permission flags that {@linkcode writeFileAtomic} needs for `path`:
 * write on the file and on `PATH.part` beside it, and read on `PATH.part`
 * (Deno asks for read access to the file it renames).
 *
 * @param path The file to be written.
 * @returns The flags, such as
 * `["--allow-write=stuff.jpg,stuff.jpg.part", "--allow-read=stuff.jpg.part"]`.
 *
 * @example The flags for the book's `stuff.jpg`
 * ```ts
 * import { atomicWriteFlags } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(atomicWriteFlags("stuff.jpg"), [
 *   "--allow-write=stuff.jpg,stuff.jpg.part",
 *   "--allow-read=stuff.jpg.part",
 * ]);
 * ```
 */
export function atomicWriteFlags(path: string): string[] {
  return [`--allow-write=${path},${path}.part`, `--allow-read=${path}.part`];
}

/**
 * Checks, before any work is done (so a download is not wasted), that
 * {@linkcode writeFileAtomic} will be allowed to write `path`. If not, throws
 * a {@linkcode RunError} that names each flag missing, in full.
 *
 * @param path The file to be written.
 * @returns When writing is allowed.
 *
 * @example Checking a file in a temporary folder
 * ```ts
 * import { requireAtomicWrite } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * // The tests run with --allow-read=/tmp --allow-write=/tmp.
 * const dir = await Deno.makeTempDir();
 * assert.equal(await requireAtomicWrite(`${dir}/stuff.jpg`), undefined);
 * await Deno.remove(dir);
 * ```
 */
export async function requireAtomicWrite(path: string): Promise<void> {
  const part = `${path}.part`;
  const [writeFlag, readFlag] = atomicWriteFlags(path);
  const missing: string[] = [];
  for (const target of [path, part]) {
    if ((await Deno.permissions.query({ name: "write", path: target })).state !== "granted") {
      missing.push(writeFlag);
      break;
    }
  }
  if ((await Deno.permissions.query({ name: "read", path: part })).state !== "granted") {
    missing.push(readFlag);
  }
  if (missing.length > 0) {
    throw new RunError(`no permission to write ${path}`, `run with ${missing.join(" ")}`);
  }
}

/**
 * Writes `data` to `path` so that a failure or Ctrl-C never leaves a partial
 * file under that name: the bytes go to `PATH.part` beside it first, which is
 * then renamed over `path` (replacing an existing file). Needs the flags
 * {@linkcode atomicWriteFlags} names.
 *
 * @param path Where the file goes.
 * @param data Its bytes.
 * @returns When the file is in place.
 *
 * @example Writing a file in a temporary folder
 * ```ts
 * import { writeFileAtomic } from "./_cli.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/stuff.jpg`, new Uint8Array([0xff, 0xd8, 0xff]));
 * assert.deepEqual(await Deno.readFile(`${dir}/stuff.jpg`), new Uint8Array([0xff, 0xd8, 0xff]));
 * assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name), ["stuff.jpg"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const part = `${path}.part`;
  const done = onInterrupt(() => Deno.remove(part).catch(() => {/* not written yet */}));
  try {
    await Deno.writeFile(part, data, { mode: 0o644 });
    await Deno.rename(part, path);
  } catch (error) {
    await Deno.remove(part).catch(() => {});
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw error;
    }
    const why = error instanceof Error ? oneLine(error.message) : String(error);
    throw new RunError(`cannot write ${path}`, why);
  } finally {
    done();
  }
}
