// Copyright netprog authors. MIT license.

/**
 * Property fuzzing of the core {@linkcode ResponseParser}, with a seeded
 * generator so that every failure can be replayed.
 *
 * Two properties, one case each:
 * - a random valid response (status, headers, a framing by Content-Length,
 *   chunked with extensions and trailers, or close, and a random body) fed
 *   in pieces cut at random points parses exactly as the generator made it,
 *   and exactly as the whole input pushed at once;
 * - the same response mutated (bytes flipped, inserted, deleted, the input
 *   cut short, a line duplicated) either parses, the same way for every
 *   split, or throws the parser's own typed errors (`HttpSyntaxError`,
 *   `HeaderTooLargeError`), never anything else.
 *
 * The cases run in a worker watched by the main thread, so a parser that
 * hangs on an input is stopped and reported with the case that hung.
 *
 *     deno task fuzz [--cases N] [--seed S]
 *
 * @module
 */

import { HeaderTooLargeError, HttpSyntaxError, ResponseParser } from "../mod.ts";
import type { ResponseParserOptions } from "../mod.ts";

/**
 * The mulberry32 generator: 32 bits of state, floats in [0, 1).
 *
 * @param seed Any integer.
 * @returns A function returning the next float.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Convenience draws on top of {@linkcode mulberry32}. */
export class Random {
  #next: () => number;
  /** @param seed Any integer. */
  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }
  /** A float in [0, 1). */
  float(): number {
    return this.#next();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.#next() < p;
  }
  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** A response made by {@linkcode generateResponse}, with what it must parse to. */
export interface GeneratedResponse {
  /** The bytes on the wire. */
  bytes: Uint8Array;
  /** `"HTTP/1.0"` or `"HTTP/1.1"`. */
  version: string;
  /** The status code. */
  status: number;
  /** The reason phrase. */
  reason: string;
  /** Header fields as `[name, value]`, value trimmed. */
  headers: [string, string][];
  /** Bytes from the status line through the blank line. */
  headerLength: number;
  /** How the body is delimited. */
  framing: "content-length" | "chunked" | "close";
  /** The decoded body. */
  body: Uint8Array;
  /** Trailer fields of a chunked body. */
  trailers: [string, string][];
  /** The request method the response answers (`HEAD` means no body). */
  method: "GET" | "HEAD";
}

const TOKEN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_!#$%&'*+.^`|~";
const VALUE = 'abcdefghijklmnopqrstuvwxyz ABC0123456789-_.,;:/="()?@[]{}\t';
const REASONS = ["OK", "Not Found", "Moved Permanently", "", "Internal Server Error", "Teapot ok"];
const STATUSES = [200, 200, 200, 201, 206, 301, 302, 307, 400, 403, 404, 418, 500, 503, 299, 599];

function randomString(random: Random, alphabet: string, min: number, max: number): string {
  let text = "";
  for (let n = min + random.int(max - min + 1); n > 0; n--) {
    text += alphabet[random.int(alphabet.length)];
  }
  return text;
}

function randomValue(random: Random): string {
  const value = randomString(random, VALUE, 0, 40);
  return value.replace(/^[ \t]+|[ \t]+$/g, "");
}

function randomName(random: Random): string {
  const reserved = /^(content-length|transfer-encoding)$/i;
  let name = randomString(random, TOKEN, 1, 16);
  while (reserved.test(name)) name += "x";
  return name;
}

function randomCase(random: Random, text: string): string {
  return [...text].map((c) => random.chance(0.3) ? c.toUpperCase() : c).join("");
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}

/**
 * A random valid response.
 *
 * @param random The generator.
 * @returns The bytes and what they must parse to.
 */
export function generateResponse(random: Random): GeneratedResponse {
  const eol = random.chance(0.1) ? "\n" : "\r\n";
  const framing = random.pick(["content-length", "chunked", "close"] as const);
  // Chunked coding is HTTP/1.1 only.
  const version = framing !== "chunked" && random.chance(0.2) ? "HTTP/1.0" : "HTTP/1.1";
  // Sometimes a response that has no body whatever its headers say: 204, 304, or one to HEAD.
  const bodiless = framing === "content-length" && random.chance(0.1);
  const method = bodiless && random.chance(0.5) ? "HEAD" : "GET";
  const status = bodiless && method === "GET" ? random.pick([204, 304]) : random.pick(STATUSES);
  const reason = random.pick(REASONS);
  // Sometimes interim responses first (100 Continue, 103 Early Hints), which are skipped.
  let interim = "";
  for (let n = random.chance(0.1) ? 1 + random.int(2) : 0; n > 0; n--) {
    interim += random.chance(0.5)
      ? `HTTP/1.1 100 Continue${eol}${eol}`
      : `HTTP/1.1 103 Early Hints${eol}Link: </style.css>; rel=preload${eol}${eol}`;
  }
  const bodyLength = random.chance(0.05) ? random.int(5000) : random.int(300);
  const declared = random.chance(0.5)
    ? random.bytes(bodyLength)
    : latin1(randomString(random, VALUE + "\n\r", bodyLength, bodyLength));
  // A bodiless response may still declare the length of the body it would have had.
  const body = bodiless ? new Uint8Array(0) : declared;
  const headers: [string, string][] = [];
  const wire: string[] = [];
  const field = (name: string, value: string) => {
    headers.push([name, value]);
    const before = random.pick(["", " ", " ", "  ", "\t"]);
    const after = random.pick(["", "", " ", "\t "]);
    wire.push(`${name}:${before}${value}${after}${eol}`);
  };
  const extra = () => {
    for (let n = random.int(6); n > 0; n--) field(randomName(random), randomValue(random));
  };
  extra();
  if (framing === "content-length") {
    field(randomCase(random, "content-length"), String(bodiless ? declared.length : body.length));
  } else if (framing === "chunked") {
    field(randomCase(random, "transfer-encoding"), random.pick(["chunked", "Chunked"]));
  }
  extra();
  const statusLine = `${version} ${status}${
    reason === "" && random.chance(0.5) ? "" : ` ${reason}`
  }`;
  const headText = `${statusLine}${eol}${wire.join("")}${eol}`;
  const parts: Uint8Array[] = [latin1(interim + headText)];
  const trailers: [string, string][] = [];
  if (framing === "chunked") {
    let at = 0;
    while (at < body.length) {
      const size = Math.min(body.length - at, 1 + random.int(random.chance(0.3) ? 2000 : 40));
      let sizeText = size.toString(16);
      sizeText = random.chance(0.5) ? sizeText.toUpperCase() : sizeText;
      if (random.chance(0.1)) sizeText = `00${sizeText}`;
      const extension = random.chance(0.2)
        ? random.pick([";a=b", ";name", ';q="x;y"', " ;ext=1", ";a=b;c"])
        : "";
      parts.push(
        latin1(`${sizeText}${extension}${eol}`),
        body.subarray(at, at + size),
        latin1(eol),
      );
      at += size;
    }
    parts.push(latin1(`0${random.chance(0.2) ? ";last" : ""}${eol}`));
    for (let n = random.chance(0.3) ? 1 + random.int(3) : 0; n > 0; n--) {
      const name = randomName(random);
      const value = randomValue(random);
      trailers.push([name, value]);
      parts.push(latin1(`${name}: ${value}${eol}`));
    }
    parts.push(latin1(eol));
  } else {
    parts.push(body);
  }
  return {
    bytes: concat(parts),
    version,
    status,
    reason,
    headers,
    headerLength: headText.length,
    framing,
    body,
    trailers,
    method,
  };
}

/**
 * Mutates a response: one to three byte flips, insertions, deletions, a cut,
 * or a duplicated line.
 *
 * @param random The generator.
 * @param bytes The response.
 * @returns The mutated bytes and a description of what was done.
 */
export function mutate(random: Random, bytes: Uint8Array): { bytes: Uint8Array; what: string } {
  let out = bytes;
  const what: string[] = [];
  for (let n = 1 + random.int(3); n > 0; n--) {
    const at = random.int(out.length + 1);
    switch (random.int(6)) {
      case 0: {
        if (out.length === 0) break;
        const i = Math.min(at, out.length - 1);
        out = out.slice();
        out[i] ^= 1 << random.int(8);
        what.push(`flip@${i}`);
        break;
      }
      case 1: {
        const insert = random.chance(0.5)
          ? latin1(random.pick(["\r", "\n", "\r\n", ":", " ", ";", "0", "f", "\x00", "-1"]))
          : random.bytes(1 + random.int(4));
        out = concat([out.subarray(0, at), insert, out.subarray(at)]);
        what.push(`insert@${at}`);
        break;
      }
      case 2: {
        const length = 1 + random.int(4);
        out = concat([out.subarray(0, at), out.subarray(at + length)]);
        what.push(`delete@${at}+${length}`);
        break;
      }
      case 3:
        out = out.subarray(0, at);
        what.push(`cut@${at}`);
        break;
      case 4: {
        // Duplicate the line that contains `at`.
        let start = at;
        while (start > 0 && out[start - 1] !== 0x0a) start--;
        let end = at;
        while (end < out.length && out[end] !== 0x0a) end++;
        const line = out.subarray(start, Math.min(end + 1, out.length));
        out = concat([out.subarray(0, start), line, line, out.subarray(start + line.length)]);
        what.push(`dup-line@${start}`);
        break;
      }
      case 5: {
        const i = random.int(out.length + 1);
        out = concat([out.subarray(0, i), latin1(random.pick(["\xff", "HTTP/1.1 ", "9"]))]);
        what.push(`replace-tail@${i}`);
        break;
      }
    }
  }
  return { bytes: out, what: what.join(",") };
}

/** Random cut points for `length` bytes, sorted, without repeats. */
export function randomCuts(random: Random, length: number): number[] {
  const count = random.chance(0.2) ? length : random.int(8);
  if (count >= length) return Array.from({ length: Math.max(0, length - 1) }, (_, i) => i + 1);
  const cuts = new Set<number>();
  for (let i = 0; i < count; i++) cuts.add(1 + random.int(Math.max(1, length - 1)));
  return [...cuts].sort((a, b) => a - b);
}

/** What feeding bytes to a parser came to. */
export type Outcome =
  | {
    kind: "parsed";
    version: string;
    status: number;
    reason: string;
    headers: [string, string][];
    headerLength: number;
    framing: string | null;
    body: number[];
    trailers: [string, string][];
    consumed: number;
    complete: boolean;
  }
  | { kind: "error"; name: string; code: string; offset: number; message: string }
  | { kind: "foreign"; error: string };

/**
 * Feeds `bytes` cut at `cuts` to a fresh parser, then `finish()` when all
 * bytes were taken, and records what came out.
 *
 * @param bytes The input.
 * @param cuts Sorted cut points.
 * @param options Parser options (limits, method).
 * @returns The outcome; `foreign` for any error that is not the parser's own.
 */
export function feed(
  bytes: Uint8Array,
  cuts: number[],
  options: ResponseParserOptions = {},
): Outcome {
  const body: number[] = [];
  let trailers: [string, string][] = [];
  let heads = 0;
  const parser = new ResponseParser({
    ...options,
    onHead: () => void heads++,
    onBody: (chunk) => {
      for (const byte of chunk) body.push(byte);
    },
    onTrailers: (list) => void (trailers = list.entries.map(([n, v]) => [n, v])),
  });
  let consumed = 0;
  try {
    let start = 0;
    let done = false;
    for (const cut of [...cuts, bytes.length]) {
      const piece = bytes.subarray(start, cut);
      const taken = parser.push(piece);
      if (!Number.isInteger(taken) || taken < 0 || taken > piece.length) {
        return { kind: "foreign", error: `push returned ${taken} for ${piece.length} bytes` };
      }
      consumed += taken;
      if (taken < piece.length) {
        if (!parser.complete) {
          return { kind: "foreign", error: "push left bytes but the message is not complete" };
        }
        done = true;
        break;
      }
      start = cut;
    }
    if (!done) parser.finish();
    const head = parser.head;
    if (head === null || !parser.complete) {
      return { kind: "foreign", error: "finish() returned but the message is not complete" };
    }
    if (heads !== 1) return { kind: "foreign", error: `onHead called ${heads} times` };
    return {
      kind: "parsed",
      version: head.version,
      status: head.status,
      reason: head.reason,
      headers: head.headers.entries.map(([n, v]) => [n, v]),
      headerLength: head.headerLength,
      framing: parser.framing,
      body,
      trailers,
      consumed,
      complete: parser.complete,
    };
  } catch (error) {
    if (error instanceof HttpSyntaxError || error instanceof HeaderTooLargeError) {
      return {
        kind: "error",
        name: error.name,
        code: error.code,
        offset: error.offset,
        message: error.message,
      };
    }
    return {
      kind: "foreign",
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

/** One case that broke a property. */
export interface FuzzFailure {
  /** The case number (replay with the same seed). */
  index: number;
  /** Which property broke. */
  property: string;
  /** What went wrong. */
  detail: string;
  /** The input, hex, cut to 2000 digits. */
  hex: string;
  /** The cut points used (at most 40 kept; `cutCount` says how many there were). */
  cuts: number[];
  /** How many cut points there were. */
  cutCount: number;
}

/** What a fuzz run found. */
export interface FuzzReport {
  /** The seed. */
  seed: number;
  /** Cases tried (each: one valid response and one mutation of it). */
  cases: number;
  /** Parse calls made in all (each case tries several splits). */
  feeds: number;
  /** Mutated inputs that parsed. */
  mutantsParsed: number;
  /** Mutated inputs rejected, by error code. */
  rejections: Record<string, number>;
  /** Failures, at most 20 kept. */
  failures: FuzzFailure[];
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 1000), (b) => b.toString(16).padStart(2, "0")).join("");
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Runs `cases` cases from `seed`. `onCase` is called before each case (a
 * watchdog uses it to see progress).
 *
 * @param seed The seed.
 * @param cases How many cases.
 * @param onCase Called with the case number before it runs.
 * @returns The report.
 */
export function runFuzz(
  seed: number,
  cases: number,
  onCase: (index: number) => void = () => {},
): FuzzReport {
  const report: FuzzReport = {
    seed,
    cases: 0,
    feeds: 0,
    mutantsParsed: 0,
    rejections: {},
    failures: [],
  };
  const fail = (
    index: number,
    property: string,
    detail: string,
    input: Uint8Array,
    cuts: number[],
  ) => {
    if (report.failures.length < 20) {
      report.failures.push({
        index,
        property,
        detail,
        hex: hex(input),
        cuts: cuts.slice(0, 40),
        cutCount: cuts.length,
      });
    }
  };
  for (let index = 0; index < cases; index++) {
    onCase(index);
    // One generator per case: case N replays alone from (seed, N).
    const random = new Random((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    const response = generateResponse(random);
    const small = random.chance(0.1);
    const options: ResponseParserOptions = small
      ? { maxHeaderSize: 64 + random.int(400), method: response.method }
      : { method: response.method };

    // Property 1: a valid response parses as generated, for every split.
    const whole = feed(response.bytes, [], options);
    report.feeds++;
    if (!small || whole.kind === "parsed") {
      if (whole.kind !== "parsed") {
        fail(index, "valid parses", JSON.stringify(whole), response.bytes, []);
      } else {
        const wanted = {
          version: response.version,
          status: response.status,
          reason: response.reason,
          headers: response.headers,
          headerLength: response.headerLength,
          body: Array.from(response.body),
          trailers: response.trailers,
          consumed: response.bytes.length,
        };
        const got = {
          version: whole.version,
          status: whole.status,
          reason: whole.reason,
          headers: whole.headers,
          headerLength: whole.headerLength,
          body: whole.body,
          trailers: whole.trailers,
          consumed: whole.consumed,
        };
        if (JSON.stringify(wanted) !== JSON.stringify(got)) {
          fail(
            index,
            "valid parses as generated",
            `wanted ${JSON.stringify(wanted).slice(0, 400)} got ${
              JSON.stringify(got).slice(0, 400)
            }`,
            response.bytes,
            [],
          );
        }
      }
    } else if (whole.kind === "foreign" || whole.code !== "HEADER_TOO_LARGE") {
      fail(
        index,
        "small limit gives HeaderTooLargeError",
        JSON.stringify(whole),
        response.bytes,
        [],
      );
    }
    for (let split = 0; split < 3; split++) {
      const cuts = randomCuts(random, response.bytes.length);
      const outcome = feed(response.bytes, cuts, options);
      report.feeds++;
      if (!sameOutcome(outcome, whole)) {
        fail(
          index,
          "split equals whole (valid)",
          `${JSON.stringify(outcome).slice(0, 300)} vs ${JSON.stringify(whole).slice(0, 300)}`,
          response.bytes,
          cuts,
        );
        break;
      }
    }

    // Property 2: a mutant parses or throws the parser's own errors, the same for every split.
    const mutant = mutate(random, response.bytes);
    const mutantWhole = feed(mutant.bytes, [], options);
    report.feeds++;
    if (mutantWhole.kind === "foreign") {
      fail(index, `typed errors only (${mutant.what})`, mutantWhole.error, mutant.bytes, []);
    } else if (mutantWhole.kind === "parsed") {
      report.mutantsParsed++;
    } else {
      report.rejections[mutantWhole.code] = (report.rejections[mutantWhole.code] ?? 0) + 1;
    }
    for (let split = 0; split < 2; split++) {
      const cuts = randomCuts(random, mutant.bytes.length);
      const outcome = feed(mutant.bytes, cuts, options);
      report.feeds++;
      if (outcome.kind === "foreign") {
        fail(index, `typed errors only (${mutant.what})`, outcome.error, mutant.bytes, cuts);
        break;
      }
      if (!sameOutcome(outcome, mutantWhole)) {
        fail(
          index,
          `split equals whole (${mutant.what})`,
          `${JSON.stringify(outcome).slice(0, 300)} vs ${
            JSON.stringify(mutantWhole).slice(0, 300)
          }`,
          mutant.bytes,
          cuts,
        );
        break;
      }
    }
    report.cases++;
  }
  return report;
}

/** Messages between the watchdog and the worker. */
type FromWorker =
  | { type: "progress"; index: number }
  | { type: "done"; report: FuzzReport }
  | { type: "crash"; error: string };

/**
 * Runs {@linkcode runFuzz} in a worker. When the worker shows no progress
 * for `stallMs`, it is stopped and the case it was on is reported as hung.
 *
 * @param seed The seed.
 * @param cases How many cases.
 * @param stallMs How long one case may take.
 * @param onProgress Called now and then with the number of cases done.
 * @returns The report; a hang is a failure in it.
 */
export function runFuzzWatched(
  seed: number,
  cases: number,
  stallMs = 10_000,
  onProgress: (done: number) => void = () => {},
): Promise<FuzzReport> {
  const worker = new Worker(import.meta.url, { type: "module" });
  const { promise, resolve, reject } = Promise.withResolvers<FuzzReport>();
  let current = 0;
  let lastSeen = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - lastSeen < stallMs) return;
    clearInterval(watchdog);
    worker.terminate();
    resolve({
      seed,
      cases: current,
      feeds: 0,
      mutantsParsed: 0,
      rejections: {},
      failures: [{
        index: current,
        property: "never hangs",
        detail: `no progress for ${stallMs} ms`,
        hex: "",
        cuts: [],
        cutCount: 0,
      }],
    });
  }, 250);
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    lastSeen = Date.now();
    if (message.type === "progress") {
      current = message.index;
      onProgress(current);
      return;
    }
    clearInterval(watchdog);
    worker.terminate();
    if (message.type === "done") resolve(message.report);
    else reject(new Error(`Cannot fuzz: the worker failed: ${message.error}`));
  };
  worker.onerror = (event) => {
    event.preventDefault();
    clearInterval(watchdog);
    worker.terminate();
    reject(new Error(`Cannot fuzz: the worker failed: ${event.message}`));
  };
  worker.postMessage({ seed, cases });
  return promise;
}

interface WorkerScope {
  onmessage: ((event: MessageEvent<{ seed: number; cases: number }>) => void) | null;
  postMessage(message: FromWorker): void;
}

const scope = globalThis as unknown as { WorkerGlobalScope?: abstract new () => unknown };
if (scope.WorkerGlobalScope !== undefined && globalThis instanceof scope.WorkerGlobalScope) {
  const self = globalThis as unknown as WorkerScope;
  self.onmessage = (event) => {
    const { seed, cases } = event.data;
    try {
      let lastPost = 0;
      const report = runFuzz(seed, cases, (index) => {
        const now = Date.now();
        if (now - lastPost > 100) {
          lastPost = now;
          self.postMessage({ type: "progress", index });
        }
      });
      self.postMessage({ type: "done", report });
    } catch (error) {
      self.postMessage({ type: "crash", error: String(error) });
    }
  };
} else if (import.meta.main) {
  const { parseArgs } = await import("node:util");
  const { values } = parseArgs({
    args: Deno.args,
    options: { cases: { type: "string" }, seed: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log(
      "Usage: deno task fuzz [--cases N] [--seed S]  (default 100000 cases, a random seed)",
    );
    Deno.exit(0);
  }
  const cases = Number(values.cases ?? 100_000);
  const seed = values.seed === undefined
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(values.seed);
  if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed)) {
    console.error("fuzz: cannot use the arguments: --cases and --seed take whole numbers");
    Deno.exit(2);
  }
  console.log(`fuzz: seed ${seed}, ${cases} cases`);
  const started = Date.now();
  const report = await runFuzzWatched(seed, cases, 10_000, (done) => {
    if (Deno.stderr.isTerminal()) {
      Deno.stderr.writeSync(new TextEncoder().encode(`\rfuzz: ${done} cases`));
    }
  });
  if (Deno.stderr.isTerminal()) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
  console.log(
    `fuzz: ${report.cases} cases tried (${report.feeds} parses) in ${
      ((Date.now() - started) / 1000).toFixed(1)
    } s; mutants parsed: ${report.mutantsParsed}; rejected: ${JSON.stringify(report.rejections)}`,
  );
  for (const failure of report.failures) {
    console.log(
      `FAIL case ${failure.index} [${failure.property}]: ${failure.detail}\n  ${failure.cutCount} cuts ${
        JSON.stringify(failure.cuts)
      }\n  input ${failure.hex}`,
    );
  }
  console.log(
    report.failures.length === 0 ? "fuzz: no failure" : `fuzz: ${report.failures.length} failures`,
  );
  Deno.exit(report.failures.length === 0 ? 0 : 1);
}
