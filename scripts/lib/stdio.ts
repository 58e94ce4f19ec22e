// Copyright netprog authors. MIT license.

/**
 * The one stdout of every program, stderr lines, and prompts. Deno only.
 *
 * @module
 */

import { TerminalEscaper } from "../../core/terminal.ts";
import { RunError, StdoutClosedError, UsageError } from "./errors.ts";
import { clearProgress } from "./progress.ts";
import type { BodySink } from "./sinks.ts";
import { watchdog } from "./time_limit.ts";

const encoder = new TextEncoder();

/** Pieces smaller than this are gathered before they are written. */
const SMALL = 64 * 1024;

/**
 * Where a {@linkcode Stdout} writes: `Deno.stdout`, or a stand-in in tests.
 *
 * @example A stand-in that keeps what is written
 * ```ts
 * import type { Output } from "./stdio.ts";
 * import assert from "node:assert/strict";
 *
 * const kept: number[] = [];
 * const output: Output = {
 *   writeSync: (bytes) => (kept.push(...bytes), bytes.length),
 *   write: (bytes) => Promise.resolve((kept.push(...bytes), bytes.length)),
 * };
 * assert.equal(output.writeSync(new Uint8Array([1, 2])), 2);
 * ```
 */
export interface Output {
  /** Writes some of `bytes` and returns how many, blocking. */
  writeSync(bytes: Uint8Array): number;
  /** Writes some of `bytes` and returns how many. */
  write(bytes: Uint8Array): Promise<number>;
}

/**
 * A program's standard output. Piped or redirected, the bytes go out
 * unchanged: small pieces are gathered (up to 64 KiB) and written together
 * as soon as the program waits (for the network, say), so that a thousand
 * small bodies that arrive in one read cost one write, yet nothing waits
 * in the buffer while the program does; large pieces are written as they
 * are. The writes block (about 25% faster to /dev/null than awaited ones,
 * and a slow reader slows the download, as with curl). On a terminal, every write goes out at once, with anything that could
 * drive the terminal (escape sequences, bytes that are not UTF-8,
 * bidirectional overrides) shown escaped, as `\x1b` (the core's
 * {@linkcode TerminalEscaper}). When the reader goes away (`| head`), a
 * write throws {@linkcode StdoutClosedError} and `run()` ends the program
 * quietly. It is a `BodySink`: a download can write into it.
 *
 * @example What a closed pipe does
 * ```ts
 * import { Stdout } from "./stdio.ts";
 * import { StdoutClosedError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const out = new Stdout({
 *   terminal: false,
 *   output: {
 *     writeSync: () => {
 *       throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
 *     },
 *     write: () => Promise.reject(new Deno.errors.BrokenPipe()),
 *   },
 * });
 * await out.print("held in the buffer\n");
 * await assert.rejects(out.flush(), StdoutClosedError);
 * assert.equal(out.closed, true);
 * ```
 */
export class Stdout implements BodySink {
  /** Whether the output is shown escaped, as on a terminal. */
  readonly terminal: boolean;
  #output: Output;
  #escaper: TerminalEscaper | null;
  #buffer = new Uint8Array(SMALL);
  #buffered = 0;
  #flushScheduled = false;
  #error: Error | undefined;
  #closed = false;

  /**
   * @param options `terminal`: escape and write at once (default: whether
   * stdout is a terminal); `output`: where to write (default `Deno.stdout`).
   */
  constructor(options: { terminal?: boolean; output?: Output } = {}) {
    this.#output = options.output ?? Deno.stdout;
    this.terminal = options.terminal ?? Deno.stdout.isTerminal();
    this.#escaper = this.terminal ? new TerminalEscaper() : null;
  }

  /** Whether the reader has gone away. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Writes bytes, in order: one array, or the views of one read. They may
   * be reused once this resolves.
   *
   * @param data The bytes.
   * @returns When they are written (or, piped, buffered).
   */
  async write(data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    if (this.#error !== undefined) throw this.#error;
    const views = data instanceof Uint8Array ? [data] : data;
    for (const view of views) {
      if (this.#escaper !== null) await this.#writeAll(this.#escaper.push(view));
      else {
        if (this.#buffered + view.length > SMALL) this.#flushBuffer();
        if (view.length >= SMALL) this.#writeAllSync(view);
        else {
          this.#buffer.set(view, this.#buffered);
          this.#buffered += view.length;
          if (!this.#flushScheduled) {
            // A timer runs only once the program waits: what came in one burst goes out together.
            this.#flushScheduled = true;
            watchdog(1, this.#flushWhenIdle);
          }
        }
      }
    }
  }

  /**
   * Writes text as UTF-8.
   *
   * @param text The text.
   * @returns When it is written (or, piped, buffered).
   */
  print(text: string): Promise<void> {
    return this.write(encoder.encode(text));
  }

  /**
   * Writes what is buffered (before a prompt, or at the end).
   *
   * @returns When it is written.
   */
  flush(): Promise<void> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    try {
      this.#flushBuffer();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Ends the output: on a terminal, what the escaper held back (the start
   * of a character, a carriage return) is written too.
   *
   * @returns When everything is written.
   */
  async end(): Promise<void> {
    const held = this.#escaper?.flush();
    if (held !== undefined && held.length > 0) await this.#writeAll(held);
    await this.flush();
  }

  #flushWhenIdle = () => {
    this.#flushScheduled = false;
    try {
      this.#flushBuffer();
    } catch (error) {
      this.#error = error as Error; // thrown at the next write
    }
  };

  #flushBuffer(): void {
    if (this.#buffered === 0) return;
    const bytes = this.#buffer.subarray(0, this.#buffered);
    this.#buffered = 0;
    this.#writeAllSync(bytes);
  }

  #writeAllSync(bytes: Uint8Array): void {
    try {
      let done = 0;
      while (done < bytes.length) done += this.#output.writeSync(bytes.subarray(done));
    } catch (error) {
      throw this.#failure(error);
    }
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    try {
      let done = 0;
      while (done < bytes.length) done += await this.#output.write(bytes.subarray(done));
    } catch (error) {
      throw this.#failure(error);
    }
  }

  #failure(error: unknown): Error {
    if (error instanceof Deno.errors.BrokenPipe || this.#closed) {
      this.#closed = true;
      this.#buffered = 0;
      return new StdoutClosedError();
    }
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return new RunError("cannot write to standard output", why);
  }
}

/**
 * The program's stdout: every program writes through this one.
 *
 * @example Writing nothing
 * ```ts
 * import { stdout } from "./stdio.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await stdout.print(""), undefined);
 * ```
 */
export const stdout: Stdout = new Stdout();

/**
 * Writes text to stderr, at once, on a line of its own: a progress line on
 * the screen is erased first ({@linkcode clearProgress}).
 *
 * @param text The text.
 *
 * @example Writing nothing
 * ```ts
 * import { writeErr } from "./stdio.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(writeErr(""), undefined);
 * ```
 */
export function writeErr(text: string): void {
  if (text !== "") clearProgress();
  try {
    Deno.stderr.writeSync(encoder.encode(text));
  } catch { /* nowhere left to say it */ }
}

let stdinLines: AsyncIterator<string> | undefined;
const otherLines = new WeakMap<ReadableStream<Uint8Array>, AsyncIterator<string>>();

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
 * import { input } from "./stdio.ts";
 * import { UsageError } from "./errors.ts";
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
  await stdout.print(prompt);
  await stdout.flush();
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
