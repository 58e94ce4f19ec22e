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

/** Bad usage or a malformed URL: exit status 2. */
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

/** A failure at run time: exit status 1. */
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
 * 1 for run-time failures, 130 for Ctrl-C. Never a stack trace.
 *
 * @param name The script's name, as in `socket1`.
 * @param body The script.
 */
export async function run(name: string, body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (error) {
    const [line, status] = describeError(error);
    writeErr(`${name}: ${line}\n`);
    Deno.exit(status);
  }
}

/** The line (without the script name) and exit status for an error. */
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
  const m = /Requires (\w+) access to "([^"]*)".*?(--allow-[a-z-]+)/.exec(message);
  if (!m) return `missing permission: ${oneLine(message)}`;
  const [, kind, resource, flag] = m;
  const noun = kind === "net" ? "network" : kind;
  return `no ${noun} permission for ${resource}: run with ${flag}=${resource}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function oneLine(text: string): string {
  return text.split("\n")[0].trim();
}

/** Writes text to stderr. */
export function writeErr(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}

/** Writes all of `bytes` to stdout. */
export async function writeOut(bytes: Uint8Array | string): Promise<void> {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  let done = 0;
  while (done < data.length) done += await Deno.stdout.write(data.subarray(done));
}

let stdinLines: AsyncIterator<string> | undefined;

/**
 * Writes `prompt` to stdout without a newline (as Python's `input()` does),
 * then reads one line from stdin, white space around it stripped. Closed or
 * empty stdin: a {@linkcode UsageError}.
 *
 * @param prompt The prompt, such as `Enter: `.
 * @param what What the answer is, for the error message.
 */
export async function input(prompt: string, what = "an answer"): Promise<string> {
  await writeOut(prompt);
  stdinLines ??= readLines(Deno.stdin.readable);
  const next = await stdinLines.next();
  const answer = next.done ? "" : next.value.trim();
  if (answer === "") {
    throw new UsageError(
      `cannot read ${what}`,
      next.done ? "standard input is closed" : "the answer is empty",
    );
  }
  return answer;
}

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
