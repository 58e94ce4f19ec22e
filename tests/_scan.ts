// Copyright netprog authors. MIT license.

/**
 * Split-point scanning for the response parser: feed an input cut at every
 * split point and into three pieces at many split pairs, and check that each
 * result equals the one-shot result. Also loads the parser fixtures
 * (`tests/fixtures/http/NAME.http` raw bytes, `NAME.json` expected result).
 *
 * @module
 */

import {
  HeaderTooLargeError,
  HttpSyntaxError,
  ResponseParser,
  type ResponseParserOptions,
} from "../mod.ts";

/** What feeding an input produced, in a form that compares structurally. */
export type ScanOutcome =
  | {
    kind: "parsed";
    version: string;
    status: number;
    reason: string;
    headers: [string, string][];
    headerLength: number;
    framing: string | null;
    /** The body, base64. */
    body: string;
    trailers: [string, string][] | null;
    /** Bytes of the input that belong to the message. */
    consumed: number;
    /** How many times `onHead` was called. */
    heads: number;
  }
  | { kind: "error"; name: string; code: string; offset: number; message: string };

function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return btoa(text);
}

/**
 * Feeds `bytes` cut at `cuts` (sorted offsets) to a fresh parser, then calls
 * `finish()` unless the message completed first, and records the outcome.
 * Errors other than the parser's own are rethrown.
 *
 * @param bytes The input.
 * @param cuts Sorted cut points, each in 1..bytes.length - 1.
 * @param options Parser options.
 * @returns The outcome.
 */
export function feedSplit(
  bytes: Uint8Array,
  cuts: number[],
  options: ResponseParserOptions = {},
): ScanOutcome {
  const parts: Uint8Array[] = [];
  let trailers: [string, string][] | null = null;
  let heads = 0;
  const parser = new ResponseParser({
    ...options,
    onHead: () => void heads++,
    onBody: (chunk) => void parts.push(chunk.slice()),
    onTrailers: (list) => void (trailers = list.entries.map(([n, v]) => [n, v])),
  });
  let consumed = 0;
  try {
    let start = 0;
    let done = false;
    for (const cut of [...cuts, bytes.length]) {
      const piece = bytes.subarray(start, cut);
      const taken = parser.push(piece);
      consumed += taken;
      if (taken < piece.length) {
        if (!parser.complete) throw new Error("push left bytes of an unfinished message");
        done = true;
        break;
      }
      start = cut;
    }
    if (!done) parser.finish();
  } catch (error) {
    if (error instanceof HttpSyntaxError || error instanceof HeaderTooLargeError) {
      const { name, code, offset, message } = error;
      return { kind: "error", name, code, offset, message };
    }
    throw error;
  }
  const head = parser.head;
  if (head === null || !parser.complete) throw new Error("finish() left the message unfinished");
  if (consumed !== parser.offset) {
    throw new Error(`push returned ${consumed} bytes in all but offset is ${parser.offset}`);
  }
  const body = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += part.length;
  }
  return {
    kind: "parsed",
    version: head.version,
    status: head.status,
    reason: head.reason,
    headers: head.headers.entries.map(([n, v]) => [n, v]),
    headerLength: head.headerLength,
    framing: parser.framing,
    body: base64(body),
    trailers,
    consumed,
    heads,
  };
}

/** What {@linkcode scanSplits} did. */
export interface ScanReport {
  /** The one-shot outcome every split was compared with. */
  whole: ScanOutcome;
  /** How many split feeds were compared. */
  feeds: number;
}

/**
 * Feeds `bytes` whole, then cut in two at every split point 1..length - 1,
 * then one byte at a time, then in three pieces at many split pairs (every
 * pair up to `allPairsUpTo` bytes, else pairs on a stride that keeps the
 * count near `pairBudget`), and throws at the first outcome that differs
 * from the whole one.
 *
 * @param bytes The input.
 * @param options Parser options.
 * @param allPairsUpTo Inputs this long or shorter try every pair.
 * @param pairBudget About how many pairs to try on longer inputs.
 * @returns The one-shot outcome and the number of feeds compared.
 */
export function scanSplits(
  bytes: Uint8Array,
  options: ResponseParserOptions = {},
  allPairsUpTo = 160,
  pairBudget = 4000,
): ScanReport {
  const whole = feedSplit(bytes, [], options);
  const expected = JSON.stringify(whole);
  let feeds = 0;
  const check = (cuts: number[]) => {
    feeds++;
    const actual = JSON.stringify(feedSplit(bytes, cuts, options));
    if (actual !== expected) {
      throw new Error(`Split at [${cuts}] differs:\n  split: ${actual}\n  whole: ${expected}`);
    }
  };
  const n = bytes.length;
  for (let k = 1; k < n; k++) check([k]);
  if (n > 1) check(Array.from({ length: n - 1 }, (_, k) => k + 1));
  const stride = n <= allPairsUpTo ? 1 : Math.max(1, Math.ceil(n / Math.sqrt(2 * pairBudget)));
  for (let a = 1; a < n; a += stride) {
    for (let b = a + 1; b < n; b += stride) check([a, b]);
  }
  return { whole, feeds };
}

/** One parser fixture. */
export interface HttpFixture {
  /** The file name without extension. */
  name: string;
  /** The raw response. */
  bytes: Uint8Array;
  /** The expected result, as written in `NAME.json`. */
  expected: Record<string, unknown>;
}

/** The folder holding the parser fixtures. */
export const FIXTURE_DIR: URL = new URL("./fixtures/http/", import.meta.url);

/**
 * Loads every `NAME.http` with its `NAME.json` from {@linkcode FIXTURE_DIR},
 * sorted by name.
 *
 * @returns The fixtures.
 */
export async function loadHttpFixtures(): Promise<HttpFixture[]> {
  const fixtures: HttpFixture[] = [];
  for await (const entry of Deno.readDir(FIXTURE_DIR)) {
    if (!entry.isFile || !entry.name.endsWith(".http")) continue;
    const name = entry.name.slice(0, -".http".length);
    const bytes = await Deno.readFile(new URL(entry.name, FIXTURE_DIR));
    const expected = JSON.parse(await Deno.readTextFile(new URL(`${name}.json`, FIXTURE_DIR)));
    fixtures.push({ name, bytes, expected });
  }
  return fixtures.sort((a, b) => a.name < b.name ? -1 : 1);
}

/**
 * Parser options named in a fixture's JSON (`method`, `maxHeaderSize`).
 *
 * @param expected The fixture's JSON.
 * @returns The options.
 */
export function fixtureOptions(expected: Record<string, unknown>): ResponseParserOptions {
  const options: ResponseParserOptions = {};
  if (typeof expected.method === "string") options.method = expected.method;
  if (typeof expected.maxHeaderSize === "number") options.maxHeaderSize = expected.maxHeaderSize;
  return options;
}

/**
 * The outcome a fixture's JSON describes, comparable with
 * {@linkcode feedSplit}'s (error messages are not compared: `message` is
 * taken from `actual`).
 *
 * @param expected The fixture's JSON.
 * @param actual The outcome to compare with (only its message is used).
 * @returns The expected outcome.
 */
export function expectedOutcome(
  expected: Record<string, unknown>,
  actual: ScanOutcome,
): ScanOutcome {
  if (typeof expected.error === "string") {
    return {
      kind: "error",
      name: String(expected.name ?? "HttpSyntaxError"),
      code: expected.error,
      offset: Number(expected.offset),
      message: actual.kind === "error" ? actual.message : "(an error)",
    };
  }
  const body = typeof expected.bodyBase64 === "string"
    ? expected.bodyBase64
    : base64(new TextEncoder().encode(String(expected.body ?? "")));
  const trailers = expected.framing === "chunked" ? expected.trailers as [string, string][] : null;
  return {
    kind: "parsed",
    version: String(expected.version),
    status: Number(expected.status),
    reason: String(expected.reason),
    headers: expected.headers as [string, string][],
    headerLength: Number(expected.headerLength),
    framing: String(expected.framing),
    body,
    trailers,
    consumed: Number(expected.consumed),
    heads: 1,
  };
}
