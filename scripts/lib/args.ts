// Copyright netprog authors. MIT license.

/**
 * Command lines: the option parser every program uses, and the one
 * declaration of each option several programs share (`--timeout`,
 * `--connect-timeout`, `--max-bytes`, `-o`), with its one range, its one
 * `--help` line, and its one reading. Deno only.
 *
 * @module
 */

import { quote } from "../../mod.ts";
import { UsageError } from "./errors.ts";
import { DEFAULT_TIME_LIMITS, type TimeLimits } from "./time_limit.ts";

/**
 * One option that {@linkcode parseCommandLine} accepts: a flag (`boolean`)
 * or an option that takes a value (`string`), with an optional one-letter
 * `short` name; `multiple` gathers every value given, in order.
 *
 * @example A repeated header option
 * ```ts
 * import type { OptionSpec } from "./args.ts";
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
 * import { type OptionSpecs, parseCommandLine } from "./args.ts";
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
 * import { parseCommandLine } from "./args.ts";
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
 * import { parseCommandLine } from "./args.ts";
 * import { UsageError } from "./errors.ts";
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
 * import { secondsOption } from "./args.ts";
 * import { UsageError } from "./errors.ts";
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
      `cannot use --${flag} ${quote(value)}`,
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
 * import { integerOption } from "./args.ts";
 * import { UsageError } from "./errors.ts";
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
    const range = max === Number.MAX_SAFE_INTEGER ? `, ${min} or more` : ` from ${min} to ${max}`;
    throw new UsageError(`cannot use --${flag} ${quote(value)}`, `expected a whole number${range}`);
  }
  return number;
}

/** The column where the descriptions of `--help` lines start. */
const COLUMN = 29;

/**
 * One line of `--help`: the option, then its description from a fixed
 * column (on the next line when the option is too long).
 *
 * @param option The option as shown, such as `--delay SECONDS`.
 * @param description What it does.
 * @returns The line, indented by two spaces, ending in a newline.
 *
 * @example The line of `--delay`
 * ```ts
 * import { helpLine } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   helpLine("--delay SECONDS", "sleep after each read"),
 *   "  --delay SECONDS            sleep after each read\n",
 * );
 * ```
 */
export function helpLine(option: string, description: string): string {
  const shown = `  ${option}`;
  const pad = shown.length < COLUMN - 1
    ? " ".repeat(COLUMN - shown.length)
    : `\n${" ".repeat(COLUMN)}`;
  return `${shown}${pad}${description}\n`;
}

/**
 * `--timeout SECONDS`: give up when no data arrives for this long.
 *
 * @example Parsed with another option
 * ```ts
 * import { parseCommandLine, TIMEOUT } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * const { values } = parseCommandLine("usage\n", { ...TIMEOUT }, 1, ["--timeout", "3"]);
 * assert.equal(values.timeout, "3");
 * ```
 */
export const TIMEOUT = { timeout: { type: "string" } } as const satisfies OptionSpecs;

/**
 * `--connect-timeout SECONDS`: give up connecting after this long.
 *
 * @example Its declaration
 * ```ts
 * import { CONNECT_TIMEOUT } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(CONNECT_TIMEOUT["connect-timeout"].type, "string");
 * ```
 */
export const CONNECT_TIMEOUT = {
  "connect-timeout": { type: "string" },
} as const satisfies OptionSpecs;

/**
 * `--max-bytes N`: refuse a body larger than N bytes.
 *
 * @example Its declaration
 * ```ts
 * import { MAX_BYTES } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_BYTES["max-bytes"].type, "string");
 * ```
 */
export const MAX_BYTES = { "max-bytes": { type: "string" } } as const satisfies OptionSpecs;

/**
 * `-o, --output PATH`: save as PATH instead.
 *
 * @example Its declaration
 * ```ts
 * import { OUTPUT } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(OUTPUT.output.short, "o");
 * ```
 */
export const OUTPUT = { output: { type: "string", short: "o" } } as const satisfies OptionSpecs;

/**
 * The `--help` line of {@linkcode TIMEOUT}.
 *
 * @example It names the default
 * ```ts
 * import { TIMEOUT_HELP } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(TIMEOUT_HELP, /^  --timeout SECONDS +give up .*\(default 30\)\n$/);
 * ```
 */
export const TIMEOUT_HELP: string = helpLine(
  "--timeout SECONDS",
  `give up when no data arrives for this long (default ${
    DEFAULT_TIME_LIMITS.idleTimeoutMs / 1000
  })`,
);

/**
 * The `--help` line of {@linkcode CONNECT_TIMEOUT}.
 *
 * @example It names the default
 * ```ts
 * import { CONNECT_TIMEOUT_HELP } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(CONNECT_TIMEOUT_HELP, /\(default 10\)\n$/);
 * ```
 */
export const CONNECT_TIMEOUT_HELP: string = helpLine(
  "--connect-timeout SECONDS",
  `give up connecting after this long (default ${DEFAULT_TIME_LIMITS.connectTimeoutMs / 1000})`,
);

/**
 * The options of a program on a raw socket: {@linkcode CONNECT_TIMEOUT}
 * and {@linkcode TIMEOUT}.
 *
 * @example Parsing them
 * ```ts
 * import { NET_OPTIONS, parseCommandLine, timeLimits } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * const { values } = parseCommandLine("usage\n", NET_OPTIONS, 1, ["--timeout", "3"]);
 * assert.equal(timeLimits(values).idleTimeoutMs, 3000);
 * ```
 */
export const NET_OPTIONS = { ...CONNECT_TIMEOUT, ...TIMEOUT } as const satisfies OptionSpecs;

/**
 * The `--help` lines of {@linkcode NET_OPTIONS}.
 *
 * @example Both options are described
 * ```ts
 * import { NET_HELP } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert(NET_HELP.includes("--connect-timeout SECONDS") && NET_HELP.includes("--timeout SECONDS"));
 * ```
 */
export const NET_HELP: string = CONNECT_TIMEOUT_HELP + TIMEOUT_HELP;

/**
 * The `--help` lines of the raw-socket programs that send the absolute URL
 * in the request line, as the book's do (`GET http://host/path HTTP/1.0`):
 * a server that takes only a path there answers 404 to them.
 *
 * @example Two lines that name the server that refuses it
 * ```ts
 * import { ABSOLUTE_URL_HELP } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ABSOLUTE_URL_HELP.split("\n").length, 3);
 * assert.match(ABSOLUTE_URL_HELP, /python3 -m http\.server\) answers 404/);
 * ```
 */
export const ABSOLUTE_URL_HELP: string =
  "The request line carries the whole URL, as in the book: a server that takes a\n" +
  "path only (such as python3 -m http.server) answers 404 where urllib1 gets 200.\n";

/**
 * The `--help` line of {@linkcode MAX_BYTES} with a program's default.
 *
 * @param fallback The program's default, or `Infinity` for no limit.
 * @returns The line.
 *
 * @example A program that holds the body, and one that streams it
 * ```ts
 * import { maxBytesHelp } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(maxBytesHelp(64 * 1024 * 1024), /\(default 67108864, 64 MiB\)\n$/);
 * assert.match(maxBytesHelp(Infinity), /\(default: no limit\)\n$/);
 * ```
 */
export function maxBytesHelp(fallback: number): string {
  const shown = fallback === Infinity
    ? "default: no limit"
    : `default ${fallback}, ${fallback / (1024 * 1024)} MiB`;
  return helpLine("--max-bytes N", `refuse a body larger than N bytes (${shown})`);
}

/**
 * Reads `--timeout` and `--connect-timeout` (each a number of seconds above
 * 0); a bad value is a {@linkcode UsageError}.
 *
 * @param values The parsed option values.
 * @returns The time limits, the documented defaults where absent.
 *
 * @example Half a second to connect
 * ```ts
 * import { timeLimits } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(timeLimits({ "connect-timeout": "0.5" }), {
 *   connectTimeoutMs: 500,
 *   idleTimeoutMs: 30_000,
 * });
 * ```
 */
export function timeLimits(values: { timeout?: string; "connect-timeout"?: string }): TimeLimits {
  const { connectTimeoutMs, idleTimeoutMs } = DEFAULT_TIME_LIMITS;
  return {
    connectTimeoutMs:
      secondsOption("connect-timeout", values["connect-timeout"], connectTimeoutMs / 1000) * 1000,
    idleTimeoutMs: secondsOption("timeout", values.timeout, idleTimeoutMs / 1000) * 1000,
  };
}

/**
 * Reads `--max-bytes`: a whole number from 1 to 2^53 - 1; a bad value is a
 * {@linkcode UsageError}.
 *
 * @param values The parsed option values.
 * @param fallback The program's default (`Infinity`: no limit).
 * @returns The limit in bytes.
 *
 * @example A limit and the default
 * ```ts
 * import { maxBytes } from "./args.ts";
 * import { UsageError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(maxBytes({ "max-bytes": "1000" }, Infinity), 1000);
 * assert.equal(maxBytes({}, Infinity), Infinity);
 * assert.throws(() => maxBytes({ "max-bytes": "0" }, Infinity), UsageError);
 * ```
 */
export function maxBytes(values: { "max-bytes"?: string }, fallback: number): number {
  const value = values["max-bytes"];
  if (value === undefined) return fallback;
  return integerOption("max-bytes", value, 0, 1, Number.MAX_SAFE_INTEGER);
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
 * import { parseHeaderArg } from "./args.ts";
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
      `cannot use header ${quote(text)}`,
      'expected "Name: value" on one line',
    );
  }
  return [name, text.slice(colon + 1).trim()];
}

/**
 * The largest page a program that holds it accepts by default: 64 MiB.
 *
 * @example In bytes
 * ```ts
 * import { PAGE_MAX_BYTES } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PAGE_MAX_BYTES, 67108864);
 * ```
 */
export const PAGE_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The options of a program that fetches a page and holds it:
 * {@linkcode TIMEOUT} and {@linkcode MAX_BYTES}.
 *
 * @example Parsing them
 * ```ts
 * import { PAGE_OPTIONS, pageLimits, parseCommandLine } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * const { values } = parseCommandLine("usage\n", PAGE_OPTIONS, 1, ["--max-bytes", "1000"]);
 * assert.deepEqual(pageLimits(values), { idleTimeoutMs: 30_000, maxBytes: 1000 });
 * ```
 */
export const PAGE_OPTIONS = { ...TIMEOUT, ...MAX_BYTES } as const satisfies OptionSpecs;

/**
 * The `--help` lines of {@linkcode PAGE_OPTIONS}.
 *
 * @example The page limit's default
 * ```ts
 * import { PAGE_HELP } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(PAGE_HELP, /--max-bytes N .*\(default 67108864, 64 MiB\)/);
 * ```
 */
export const PAGE_HELP: string = TIMEOUT_HELP + maxBytesHelp(PAGE_MAX_BYTES);

/**
 * Reads {@linkcode PAGE_OPTIONS}.
 *
 * @param values The parsed option values.
 * @returns The idle time limit and the size limit of the page.
 *
 * @example The defaults
 * ```ts
 * import { pageLimits } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(pageLimits({}), { idleTimeoutMs: 30_000, maxBytes: 67108864 });
 * ```
 */
export function pageLimits(
  values: { timeout?: string; "max-bytes"?: string },
): { idleTimeoutMs: number; maxBytes: number } {
  return {
    idleTimeoutMs: timeLimits(values).idleTimeoutMs,
    maxBytes: maxBytes(values, PAGE_MAX_BYTES),
  };
}

/**
 * The options of a program that downloads to a file or holds the body:
 * {@linkcode NET_OPTIONS}, {@linkcode OUTPUT} and {@linkcode MAX_BYTES}.
 *
 * @example Parsing them
 * ```ts
 * import { DOWNLOAD_OPTIONS, downloadLimits, parseCommandLine } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * const { values } = parseCommandLine("usage\n", DOWNLOAD_OPTIONS, 1, ["-o", "x.jpg"]);
 * assert.equal(values.output, "x.jpg");
 * assert.equal(downloadLimits(values, Infinity).maxBytes, Infinity);
 * ```
 */
export const DOWNLOAD_OPTIONS = {
  ...NET_OPTIONS,
  ...OUTPUT,
  ...MAX_BYTES,
} as const satisfies OptionSpecs;

/**
 * Reads the time limits and `--max-bytes` of {@linkcode DOWNLOAD_OPTIONS}.
 *
 * @param values The parsed option values.
 * @param fallback The program's size limit when `--max-bytes` is absent (`Infinity`: none).
 * @returns The time limits and the size limit.
 *
 * @example A limit of one kilobyte
 * ```ts
 * import { downloadLimits } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(downloadLimits({ "max-bytes": "1000" }, Infinity), {
 *   connectTimeoutMs: 10_000,
 *   idleTimeoutMs: 30_000,
 *   maxBytes: 1000,
 * });
 * ```
 */
export function downloadLimits(
  values: { timeout?: string; "connect-timeout"?: string; "max-bytes"?: string },
  fallback: number,
): TimeLimits & { maxBytes: number } {
  return { ...timeLimits(values), maxBytes: maxBytes(values, fallback) };
}
