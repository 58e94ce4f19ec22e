// Copyright netprog authors. MIT license.

// Every program against every fault of tests/_fault_server.ts: the result is correct, or one
// clear error line and a non-zero exit, within bounded time, with nothing left under the target
// file name. Then the volume tests (flat memory on gigabytes), the gzip bomb, redirects, and
// Ctrl-C during a download. Programs run with exactly their shebang's flags, pointed at loopback.

import assert from "node:assert/strict";
import { PROGRAMS as LISTED } from "../scripts/lib/programs.ts";
import { ROOT, runScript, type ScriptResult } from "./_helpers.ts";
import {
  FAULT_MODES,
  type FaultMode,
  type FaultServer,
  type FaultServerOptions,
  loopbackFlags,
  planFor,
  shebangFlags,
  startFaultServer,
  TRICKLE_IDLE_TIMEOUT_MS,
} from "./_fault_server.ts";

const decoder = new TextDecoder();

/** How a program's output is judged. */
type Family =
  | "raw-dump" // writes every byte received to stdout
  | "raw-count" // exercise2: first 3000 characters, then the total
  | "raw-body" // exercise5: the body only
  | "raw-parsed" // rawget: the body only, framed by the core parser
  | "raw-file" // urljpeg: the body after CRLFCRLF into stuff.jpg
  | "fetch-lines" // urllib1: each line stripped
  | "fetch-count" // exercise3: first 3000 characters of the body, then the total
  | "fetch-words" // urlwords: word counts as JSON
  | "fetch-links" // urlregex, urllinks, urllink2: one line per link (the sample has none)
  | "fetch-paragraphs" // exercise4: the number of p elements
  | "fetch-crawl" // urllink3
  | "download"; // curl1, curl2, curl3: the body into a file

/** Each program of the chapter (every program of the list but the tools) and its family. */
const FAMILY: Record<string, Family> = {
  socket1: "raw-dump",
  socket2: "raw-dump",
  exercise1: "raw-dump",
  exercise2: "raw-count",
  exercise5: "raw-body",
  urljpeg: "raw-file",
  urllib1: "fetch-lines",
  urllib2: "fetch-lines",
  exercise3: "fetch-count",
  urlwords: "fetch-words",
  urlregex: "fetch-links",
  urllinks: "fetch-links",
  urllink2: "fetch-links",
  urllink3: "fetch-crawl",
  exercise4: "fetch-paragraphs",
  curl1: "download",
  curl2: "download",
  curl3: "download",
  rawget: "raw-parsed",
};

interface Program {
  name: string;
  family: Family;
  /** Files the program writes on success (relative to its folder). */
  outputs: string[];
  /** Extra arguments after the URL. */
  extra?: string[];
  /** Text on stdin. */
  stdin?: string;
}

/**
 * The programs under test, from the one list: its files, and its questions answered by options.
 * Not the tools, nor the crawl database's programs (kind `database`): they make no request, so no
 * server fault can reach them; tests/spider_db_test.ts gives them their faults (a missing or
 * broken database, closed stdin). Nor the crawler (kind `crawler`): a server's fault is the
 * result of one page, which it records in its database and goes on (exit status 0), which none of
 * the expectations here describes; tests/spider_test.ts checks what it records.
 */
const PROGRAMS: Program[] = LISTED.filter((program) =>
  program.kind !== "tool" && program.kind !== "database" && program.kind !== "crawler"
).map((program) => ({
  name: program.name,
  family: FAMILY[program.name],
  outputs: [...program.writes],
  extra: [
    ...program.prompts.flatMap((prompt) =>
      prompt.unless.startsWith("--") ? [prompt.unless, "1"] : []
    ),
    ...(program.name === "rawget" ? ["-L"] : []),
  ],
}));

const RAW: Family[] = ["raw-dump", "raw-count", "raw-body", "raw-parsed", "raw-file"];

/** What each mode allows: the correct result, an error line, or either. */
type Expect = "correct" | "error" | "either";

/** The expectation of `mode` for a program of `family`. */
function expectation(mode: FaultMode, family: Family): Expect {
  const raw = RAW.includes(family);
  const dump = family === "raw-dump" || family === "raw-count";
  switch (mode) {
    case "whole":
    case "byte-per-write":
    case "split-head-end":
    case "close-delimited":
    case "chunked":
    case "chunk-extensions":
    case "chunk-trailers":
    case "utf8-split":
    case "non-utf8":
    case "invalid-utf8":
    case "terminal-escapes":
    case "redirect-chain":
    case "trickle":
      return "correct";
    case "stall-before-status":
    case "stall-mid-header":
    case "stall-mid-body":
    case "stall-mid-chunk":
    case "reset-mid-header":
    case "reset-mid-body":
    case "connect-blackhole":
      return "error";
    case "header-block-1mib":
    case "header-line-100kb":
    case "headers-10000":
      // Raw dumps show what came; the core parser refuses past its 64 KiB header limit.
      return dump
        ? "correct"
        : family === "raw-parsed" || family === "download"
        ? "error"
        : "either";
    case "close-before-status":
    case "close-mid-header":
    case "close-mid-chunk":
    case "close-short-body":
    case "chunk-no-final":
    case "garbage-status":
    case "binary-status":
    case "cl-invalid":
    case "cl-negative":
    case "cl-conflict":
    case "chunk-size-overlong":
    case "chunk-size-nonhex":
      // The book's raw programs do not interpret the response: showing what came is correct.
      return dump ? "correct" : raw ? "either" : "error";
    case "cl-with-chunked":
      return dump ? "correct" : "either";
    case "redirect-loop":
      return dump ? "correct" : raw ? "either" : "error";
    case "reason-escapes":
      return dump ? "correct" : raw ? "either" : "error";
    case "redirect-other-host":
    case "stream-zeros":
    case "gzip-bomb":
    case "endless-head":
    case "terminal-escapes-html":
    case "terminal-escapes-head":
      return "either";
  }
}

/** The white space of Python's `str.split()` and `str.strip()`. */
const PY_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f" +
  "\\u205f\\u3000";
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "g");
const PY_SPLIT = new RegExp(`[${PY_SPACE}]+`);

function codePoints(text: string): string[] {
  return [...text];
}

function indexOfCrlfCrlf(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}

/** The body a correct client delivers for what `server` sent, or null when not known. */
function expectedBody(server: FaultServer, mode: FaultMode): Uint8Array | null {
  if (mode === "cl-with-chunked") return new TextEncoder().encode(SAMPLE_TEXT);
  return server.body;
}

const SAMPLE_TEXT = "But soft what light through yonder window breaks\n" +
  "It is the east and Juliet is the sun\n" +
  "Arise fair sun and kill the envious moon\n" +
  "Who is already sick and pale with grief\n";

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Why the result is not the correct one, or null when it is. */
function incorrect(
  program: Program,
  mode: FaultMode,
  server: FaultServer,
  result: ScriptResult,
  folder: string,
): string | null {
  if (result.code !== 0) return `exit status ${result.code}: ${result.stderr.trim()}`;
  const sent = server.sent;
  const body = expectedBody(server, mode);
  const out = result.stdoutBytes;
  switch (program.family) {
    case "raw-dump":
      if (sent === null) return null;
      return sameBytes(out, sent) ? null : `stdout is not the ${sent.length} bytes sent`;
    case "raw-count": {
      if (sent === null) return null;
      const text = codePoints(new TextDecoder("utf-8", { ignoreBOM: true }).decode(sent));
      const want = `${text.slice(0, 3000).join("")}\nTotal characters: ${text.length}\n`;
      return result.stdout === want ? null : `stdout differs: ${JSON.stringify(result.stdout)}`;
    }
    case "raw-body":
    case "raw-parsed": {
      if (sent === null) return null;
      const end = indexOfCrlfCrlf(sent);
      const after = sent.subarray(end + 4);
      if (sameBytes(out, after) || (body !== null && sameBytes(out, body))) return null;
      return `stdout is neither the bytes after CRLFCRLF nor the body`;
    }
    case "raw-file": {
      if (sent === null) return null;
      const end = indexOfCrlfCrlf(sent);
      const file = Deno.readFileSync(`${folder}/stuff.jpg`);
      if (!sameBytes(file, sent.subarray(end + 4))) {
        return "stuff.jpg is not the bytes after CRLFCRLF";
      }
      return result.stdout.includes(`Header length ${end}\n`)
        ? null
        : "no right Header length line";
    }
    case "download": {
      if (body === null) return null;
      // curl3 names the file after the URL; the others write cover3.jpg.
      const files = [...Deno.readDirSync(folder)].map((entry) => entry.name);
      if (files.length !== 1) return `wrote ${JSON.stringify(files)}, not one file`;
      const file = Deno.readFileSync(`${folder}/${files[0]}`);
      if (!sameBytes(file, body)) return `${files[0]} is ${file.length} bytes, not the body`;
      // curl1 prints nothing; curl2 and curl3 say how much they copied.
      const quiet = program.name === "curl1";
      if (
        quiet ? result.stdout === "" : result.stdout.includes(`${body.length} characters copied`)
      ) {
        return null;
      }
      return `stdout: ${JSON.stringify(result.stdout)}`;
    }
  }
  if (body === null) return null;
  const text = decoder.decode(body);
  switch (program.family) {
    case "fetch-lines": {
      const lines = text.split("\n");
      if (lines.at(-1) === "") lines.pop();
      const want = lines.map((line) => line.replace(PY_STRIP, "") + "\n").join("");
      return result.stdout === want ? null : `stdout differs: ${JSON.stringify(result.stdout)}`;
    }
    case "fetch-count": {
      const chars = codePoints(new TextDecoder("utf-8", { ignoreBOM: true }).decode(body));
      const want = `${chars.slice(0, 3000).join("")}\nTotal characters: ${chars.length}\n`;
      return result.stdout === want ? null : `stdout differs: ${JSON.stringify(result.stdout)}`;
    }
    case "fetch-words": {
      const words = text.split(PY_SPLIT).filter((word) => word !== "");
      let counted: Record<string, number>;
      try {
        counted = JSON.parse(result.stdout);
      } catch {
        return `stdout is not JSON: ${JSON.stringify(result.stdout)}`;
      }
      const total = Object.values(counted).reduce((sum, n) => sum + n, 0);
      return total === words.length ? null : `${total} words counted, ${words.length} in the body`;
    }
    case "fetch-links":
      return result.stdout === "" ? null : `links found in a page without links: ${result.stdout}`;
    case "fetch-paragraphs":
      return result.stdout === "0\n" ? null : `stdout: ${JSON.stringify(result.stdout)}`;
    case "fetch-crawl":
      return /Retrieving/.test(result.stdout) ? null : `stdout: ${JSON.stringify(result.stdout)}`;
  }
  return null;
}

/** Why the result is not one clean error line, or null when it is. */
function unclean(program: Program, result: ScriptResult, folder: string): string | null {
  if (result.signal !== null) return `killed by ${result.signal}: it did not end in time`;
  if (result.code === 0) return "exit status 0";
  if (!new RegExp(`^${program.name}: [^\\n]+\\n$`).test(result.stderr)) {
    return `stderr is not one "${program.name}: ..." line: ${
      JSON.stringify(result.stderr.slice(0, 500))
    }`;
  }
  if (hasControl(result.stderr.slice(0, -1))) {
    return `the error line carries control characters: ${JSON.stringify(result.stderr)}`;
  }
  const left = [...Deno.readDirSync(folder)].map((entry) => entry.name);
  if (left.length > 0) return `left files behind after an error: ${left.join(", ")}`;
  return null;
}

/** Does `text` hold a character that could drive a terminal (C0 but tab, DEL, C1, bidi)? */
function hasControl(text: string): boolean {
  return [...text].some((c) => {
    const code = c.codePointAt(0)!;
    return (code < 0x20 && code !== 0x09) || (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
  });
}

/** The options a program accepts, read from its `--help`. */
const helpCache = new Map<string, Promise<string>>();
function helpOf(name: string): Promise<string> {
  if (!helpCache.has(name)) {
    helpCache.set(name, runScript(name, ["--help"]).then((result) => result.stdout));
  }
  return helpCache.get(name)!;
}

/** The idle and connect timeouts given to a program, in seconds. */
interface TimeLimits {
  idle: number;
  connect: number;
}

/**
 * Against a server that goes quiet on purpose (the stall modes, the black hole): the timeouts
 * must fire, and soon, so that a stall ends fast. A busy machine only makes them fire later.
 */
const QUICK: TimeLimits = { idle: 1, connect: 2 };

/**
 * Against a server that never goes quiet: nothing there is about the timeouts, so they are far
 * above any wait a busy machine adds (at load 7 on 2 cores a process can wait for the CPU for
 * a second), and still end a program that hangs well before its run is killed.
 */
const PATIENT: TimeLimits = { idle: 15, connect: 15 };

/**
 * Against `trickle`: an idle timeout 20 times the pause between two pieces, shorter than the
 * whole response (see TRICKLE_IDLE_TIMEOUT_MS).
 */
const TRICKLE: TimeLimits = { idle: TRICKLE_IDLE_TIMEOUT_MS / 1000, connect: PATIENT.connect };

/** The time limits (and `--max-bytes`) for a program, in the options it has. */
async function limitArgs(
  name: string,
  maxBytes?: number,
  limits: TimeLimits = PATIENT,
): Promise<string[]> {
  const help = await helpOf(name);
  const args: string[] = [];
  if (help.includes("--timeout")) args.push("--timeout", String(limits.idle));
  if (help.includes("--connect-timeout")) args.push("--connect-timeout", String(limits.connect));
  if (maxBytes !== undefined && help.includes("--max-bytes")) {
    args.push("--max-bytes", String(maxBytes));
  }
  return args;
}

function scriptExists(name: string): boolean {
  try {
    return Deno.statSync(`${ROOT}/scripts/${name}.ts`).isFile;
  } catch {
    return false;
  }
}

/** Runs `program` against `server` in a fresh folder; returns why it failed, or null. */
async function tryProgram(
  program: Program,
  mode: FaultMode,
  server: FaultServer,
  path = "/",
  extraFlags: string[] = [],
): Promise<string | null> {
  const flags = shebangFlags(program.name, ROOT);
  if (flags === null) return "no shebang";
  const folder = await Deno.makeTempDir({ prefix: `netprog-fault-${program.name}-` });
  const expect = expectation(mode, program.family);
  // A correct result must not hang on the clock: only where an error is allowed may the
  // timeouts be short (they end the stalls).
  const limits = mode === "trickle" ? TRICKLE : expect === "correct" ? PATIENT : QUICK;
  try {
    const result = await runScript(
      program.name,
      [
        `${server.origin}${path}`,
        ...(program.extra ?? []),
        ...await limitArgs(program.name, undefined, limits),
      ],
      {
        flags: [...loopbackFlags(flags, `127.0.0.1:${server.port}`), ...extraFlags],
        cwd: folder,
        stdin: program.stdin,
        // Quick limits must end a stall in bounded time; patient runs end by themselves.
        timeoutMs: limits === QUICK ? 20_000 : 60_000,
      },
    );
    const wrong = result.signal === null
      ? incorrect(program, mode, server, result, folder)
      : "killed";
    const dirty = unclean(program, result, folder);
    if (expect === "correct") return wrong;
    if (expect === "error") return dirty;
    if (result.code === 0) return wrong;
    return dirty;
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

/** Runs tasks with at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (queue.length > 0) await task(queue.shift()!);
    }),
  );
}

const AVAILABLE = PROGRAMS.filter((program) => scriptExists(program.name));

Deno.test("fault tests cover every program of the chapter", () => {
  const missing = PROGRAMS.filter((program) => !scriptExists(program.name)).map((p) => p.name);
  assert.deepEqual(missing, [], "scripts missing: their fault tests cannot run");
  const unknown = PROGRAMS.filter((program) => program.family === undefined).map((p) => p.name);
  assert.deepEqual(unknown, [], "programs of the list with no fault family: say what they print");
});

Deno.test("trickle outlasts its idle timeout, and no pause comes near it", async () => {
  const { steps } = await planFor("trickle", {}, "http://127.0.0.1:1");
  const pauses = steps.flatMap((step) => step.kind === "pause" ? [step.ms] : []);
  const total = pauses.reduce((sum, ms) => sum + ms, 0);
  assert.ok(total > TRICKLE_IDLE_TIMEOUT_MS, `${total} ms of pauses in all`);
  assert.ok(
    Math.max(...pauses) * 10 <= TRICKLE_IDLE_TIMEOUT_MS,
    `a pause of ${Math.max(...pauses)} ms`,
  );
  assert.equal(TRICKLE.idle * 1000, TRICKLE_IDLE_TIMEOUT_MS);
});

/** The modes run against every program; the volume and redirect ones have their own tests. */
const MATRIX_MODES = (Object.keys(FAULT_MODES) as FaultMode[]).filter((mode) =>
  ![
    "stream-zeros",
    "gzip-bomb",
    "endless-head",
    "redirect-other-host",
    "terminal-escapes-html",
    "terminal-escapes-head",
  ]
    .includes(mode)
);

for (const mode of MATRIX_MODES) {
  const variants: FaultServerOptions[] = mode === "split-head-end"
    ? [0, 1, 2, 3, 4].map((splitAt) => ({ splitAt }))
    : [{}];
  Deno.test(`every program survives "${mode}": ${FAULT_MODES[mode]}`, async () => {
    const failures: string[] = [];
    for (const options of variants) {
      await using server = await startFaultServer(mode, { holdMs: 60_000, ...options });
      const path = mode === "redirect-chain"
        ? "/hop0"
        : mode === "redirect-loop"
        ? "/a"
        : "/cover3.jpg";
      // A trickle run mostly waits (4.8 s of pauses for a few hundred bytes): twice as many at once.
      await pool(AVAILABLE, mode === "trickle" ? 8 : 4, async (program) => {
        const why = await tryProgram(program, mode, server, path);
        const label = options.splitAt === undefined ? "" : ` (split at ${options.splitAt})`;
        if (why !== null) failures.push(`${program.name}${label}: ${why}`);
      });
    }
    assert.deepEqual(failures, [], `${mode} (${expectationSummary(mode)})`);
  });
}

function expectationSummary(mode: FaultMode): string {
  const byFamily = new Map<Expect, Family[]>();
  for (const program of PROGRAMS) {
    const expect = expectation(mode, program.family);
    if (!byFamily.get(expect)?.includes(program.family)) {
      byFamily.set(expect, [...(byFamily.get(expect) ?? []), program.family]);
    }
  }
  return [...byFamily].map(([expect, families]) => `${expect}: ${families.join(" ")}`).join("; ");
}

Deno.test("a redirect to another host hits the permission wall with one line naming the flag", async () => {
  const other = "http://localhost:8765/elsewhere";
  await using server = await startFaultServer("redirect-other-host", { otherOrigin: other });
  const fetchers = AVAILABLE.filter((program) => !RAW.includes(program.family));
  const failures: string[] = [];
  await pool(fetchers, 4, async (program) => {
    const flags = loopbackFlags(shebangFlags(program.name, ROOT)!, `127.0.0.1:${server.port}`);
    const folder = await Deno.makeTempDir({ prefix: "netprog-redirect-" });
    try {
      const result = await runScript(
        program.name,
        [`${server.origin}/cover3.jpg`, ...(program.extra ?? []), ...await limitArgs(program.name)],
        { flags, cwd: folder, timeoutMs: 20_000 },
      );
      const dirty = unclean(program, result, folder);
      if (dirty !== null) failures.push(`${program.name}: ${dirty}`);
      else if (!/--allow-net=(\S+,)?localhost:8765\n$/.test(result.stderr)) {
        failures.push(`${program.name}: no flag named: ${result.stderr.trim()}`);
      }
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  });
  assert.deepEqual(failures, []);
});

Deno.test("a gzip bomb is refused at --max-bytes decoded, or never decoded", async () => {
  // 1 GiB of zeros, about 1 MiB on the wire; the limit is 4 MB decoded.
  const limit = 4_000_000;
  await using server = await startFaultServer("gzip-bomb", { size: 1 << 30 });
  const holders = AVAILABLE.filter((program) =>
    !RAW.includes(program.family) && program.family !== "fetch-lines" &&
    program.family !== "fetch-count"
  );
  const failures: string[] = [];
  await pool(holders, 2, async (program) => {
    const flags = loopbackFlags(shebangFlags(program.name, ROOT)!, `127.0.0.1:${server.port}`);
    const folder = await Deno.makeTempDir({ prefix: "netprog-bomb-" });
    try {
      const help = await helpOf(program.name);
      if (!help.includes("--max-bytes") && program.family !== "download") {
        failures.push(`${program.name}: holds the page but has no --max-bytes`);
        return;
      }
      const result = await runScript(
        program.name,
        [
          `${server.origin}/cover3.jpg`,
          ...(program.extra ?? []),
          ...await limitArgs(program.name, limit),
        ],
        { flags, cwd: folder, timeoutMs: 60_000 },
      );
      if (result.code === 0 && program.family === "download") {
        // A download that keeps the content coding writes the small compressed file: fine.
        const written = Deno.statSync(`${folder}/${program.outputs[0]}`).size;
        if (written > limit) failures.push(`${program.name}: decoded ${written} bytes to disk`);
        return;
      }
      const dirty = unclean(program, result, folder);
      if (dirty !== null) failures.push(`${program.name}: ${dirty}`);
      else if (!new RegExp(`larger than ${limit} bytes`).test(result.stderr)) {
        failures.push(`${program.name}: not refused for size: ${result.stderr.trim()}`);
      }
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  });
  assert.deepEqual(failures, []);
});

Deno.test("programs that hold the whole body refuse one over --max-bytes", async () => {
  await using server = await startFaultServer("stream-zeros", { size: 8_000_000 });
  const holders = AVAILABLE.filter((program) => ["urljpeg", "curl1"].includes(program.name));
  const failures: string[] = [];
  for (const program of holders) {
    const flags = loopbackFlags(shebangFlags(program.name, ROOT)!, `127.0.0.1:${server.port}`);
    const folder = await Deno.makeTempDir({ prefix: "netprog-max-" });
    try {
      const result = await runScript(
        program.name,
        [`${server.origin}/cover3.jpg`, ...await limitArgs(program.name, 1_000_000)],
        { flags, cwd: folder, timeoutMs: 30_000 },
      );
      const dirty = unclean(program, result, folder);
      if (dirty !== null) failures.push(`${program.name}: ${dirty}`);
      else if (!/larger than 1000000 bytes/.test(result.stderr)) {
        failures.push(`${program.name}: not refused for size: ${result.stderr.trim()}`);
      }
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  }
  assert.deepEqual(failures, []);
});

/** Free bytes on the file system that holds `path`, asked of python3 (Deno has no statfs). */
async function freeBytes(path: string): Promise<number> {
  const output = await new Deno.Command("python3", {
    args: ["-c", "import shutil, sys; print(shutil.disk_usage(sys.argv[1]).free)", path],
    stdout: "piped",
    stderr: "null",
  }).output();
  return Number(decoder.decode(output.stdout).trim());
}

/**
 * Runs a script under python3, which reports the peak resident memory of the process it waited
 * for (`ru_maxrss` of its children, in KiB). Deno cannot read another process's peak.
 */
async function runMeasured(
  name: string,
  args: string[],
  flags: string[],
  cwd: string,
  stdout: "null" | "piped",
  timeoutMs: number,
): Promise<{ code: number; stderr: string; peakKiB: number; seconds: number }> {
  const measure = [
    "import resource, subprocess, sys",
    "out = subprocess.DEVNULL if sys.argv[1] == 'null' else None",
    "status = subprocess.run(sys.argv[2:], stdout=out).returncode",
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss",
    "sys.stderr.write('\\npeak-rss-kib %d\\n' % peak)",
    "sys.exit(status if status >= 0 else 128 - status)",
  ].join("\n");
  const started = performance.now();
  const child = new Deno.Command("python3", {
    args: [
      "-c",
      measure,
      stdout,
      "deno",
      "run",
      "--no-prompt",
      ...flags,
      `${ROOT}/scripts/${name}.ts`,
      ...args,
    ],
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const output = await child.output();
  clearTimeout(timer);
  const stderr = decoder.decode(output.stderr);
  const m = /\npeak-rss-kib (\d+)\n$/.exec(stderr);
  return {
    code: output.code,
    stderr: m ? stderr.slice(0, m.index) : stderr,
    peakKiB: m ? Number(m[1]) : NaN,
    seconds: (performance.now() - started) / 1000,
  };
}

const SLOW = Deno.env.get("NETPROG_SLOW_TESTS") === "1";
const STDOUT_BYTES = SLOW ? 10 * 1024 ** 3 : 1024 ** 3;
const MEMORY_LIMIT_KIB = 200 * 1024;

Deno.test(`a ${SLOW ? "10" : "1"} GiB body streamed to stdout keeps memory flat`, async () => {
  const streamers = AVAILABLE.filter((program) => ["socket1", "exercise5"].includes(program.name));
  assert(streamers.length > 0, "no streaming program to test");
  await using server = await startFaultServer("stream-zeros", { size: STDOUT_BYTES });
  const failures: string[] = [];
  for (const program of streamers) {
    const flags = loopbackFlags(shebangFlags(program.name, ROOT)!, `127.0.0.1:${server.port}`);
    const run = await runMeasured(
      program.name,
      [`${server.origin}/`, ...await limitArgs(program.name)],
      flags,
      ROOT,
      "null",
      SLOW ? 3_600_000 : 600_000,
    );
    console.log(
      `${program.name}: ${STDOUT_BYTES} bytes to stdout, peak RSS ${
        (run.peakKiB / 1024).toFixed(1)
      } MiB, ${run.seconds.toFixed(1)} s`,
    );
    if (run.code !== 0) failures.push(`${program.name}: exit ${run.code}: ${run.stderr.trim()}`);
    else if (!(run.peakKiB < MEMORY_LIMIT_KIB)) {
      failures.push(`${program.name}: peak RSS ${run.peakKiB} KiB`);
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("a 1 GiB body downloaded to a file keeps memory flat, and the file is complete", async () => {
  const size = 1024 ** 3;
  const folder = await Deno.makeTempDir({ prefix: "netprog-big-" });
  try {
    const free = await freeBytes(folder);
    if (!(free > 3 * size)) {
      console.log(`SKIP: only ${free} bytes free in ${folder}; a 1 GiB download needs 3 GiB`);
      return;
    }
    const downloaders = AVAILABLE.filter((program) => ["curl2", "curl3"].includes(program.name));
    assert(downloaders.length > 0, "no streaming download program to test");
    await using server = await startFaultServer("stream-zeros", { size });
    const failures: string[] = [];
    for (const program of downloaders) {
      const flags = loopbackFlags(shebangFlags(program.name, ROOT)!, `127.0.0.1:${server.port}`);
      const run = await runMeasured(
        program.name,
        [`${server.origin}/cover3.jpg`, ...await limitArgs(program.name)],
        flags,
        folder,
        "null",
        600_000,
      );
      console.log(
        `${program.name}: ${size} bytes to a file, peak RSS ${
          (run.peakKiB / 1024).toFixed(1)
        } MiB, ${run.seconds.toFixed(1)} s`,
      );
      if (run.code !== 0) failures.push(`${program.name}: exit ${run.code}: ${run.stderr.trim()}`);
      else if (!(run.peakKiB < MEMORY_LIMIT_KIB)) {
        failures.push(`${program.name}: peak RSS ${run.peakKiB} KiB`);
      } else {
        const written = Deno.statSync(`${folder}/cover3.jpg`).size;
        if (written !== size) failures.push(`${program.name}: wrote ${written} bytes`);
      }
      await Deno.remove(`${folder}/cover3.jpg`).catch(() => {});
    }
    assert.deepEqual(failures, []);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("Ctrl-C during a download removes the partial file and exits 130", async () => {
  // Twice: while the server is quiet, and while bytes pour in (writes in flight at the signal).
  await using quiet = await startFaultServer("stall-mid-body", { holdMs: 30_000 });
  await using pouring = await startFaultServer("stream-zeros", { size: 64 * 1024 ** 3 });
  const downloaders = AVAILABLE.filter((program) =>
    program.family === "download" || program.family === "raw-file"
  );
  assert(downloaders.length > 0, "no download program to test");
  const failures: string[] = [];
  // Pouring: the streaming downloads only (the others would stop at their size limit first).
  const runs = [
    ...downloaders.map((program) => ({ program, server: quiet })),
    ...downloaders.filter((program) => ["curl2", "curl3"].includes(program.name))
      .map((program) => ({ program, server: pouring })),
  ];
  for (const { program, server } of runs) {
    const flags = loopbackFlags(shebangFlags(program.name, ROOT)!, `127.0.0.1:${server.port}`);
    const folder = await Deno.makeTempDir({ prefix: "netprog-sigint-" });
    try {
      const child = new Deno.Command("deno", {
        args: [
          "run",
          "--no-prompt",
          ...flags,
          `${ROOT}/scripts/${program.name}.ts`,
          `${server.origin}/cover3.jpg`,
        ],
        cwd: folder,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      // Wait until the request has arrived and the first body bytes are on their way.
      const before = server.requests.length;
      for (let i = 0; i < 200 && server.requests.length === before; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.kill("SIGINT");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const output = await child.output();
      clearTimeout(killer);
      const left = [...Deno.readDirSync(folder)].map((entry) => entry.name);
      const stderr = decoder.decode(output.stderr);
      const label = `${program.name} (${server.mode})`;
      if (output.code !== 130) {
        failures.push(`${label}: exit ${output.code} (${output.signal}): ${stderr.trim()}`);
      } else if (left.length > 0) {
        failures.push(`${label}: left ${left.join(", ")}`);
      } else if (!/^[a-z0-9]+: [^\n]+\n$/.test(stderr)) {
        failures.push(`${label}: stderr ${JSON.stringify(stderr)}`);
      }
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("urllib1 streams lines with flat memory, and an endless line is bounded", async () => {
  if (!scriptExists("urllib1")) throw new Error("scripts/urllib1.ts is missing");
  const size = 256 * 1024 * 1024;
  const flags = (port: number) =>
    loopbackFlags(shebangFlags("urllib1", ROOT)!, `127.0.0.1:${port}`);
  {
    const fill = new TextEncoder().encode("But soft what light through yonder window breaks\n");
    await using server = await startFaultServer("stream-zeros", { size, fill });
    const run = await runMeasured(
      "urllib1",
      [`${server.origin}/`],
      flags(server.port),
      ROOT,
      "null",
      120_000,
    );
    console.log(`urllib1: ${size} bytes of lines, peak RSS ${(run.peakKiB / 1024).toFixed(1)} MiB`);
    assert.equal(run.code, 0, run.stderr);
    assert(run.peakKiB < MEMORY_LIMIT_KIB, `peak RSS ${run.peakKiB} KiB`);
  }
  {
    // One line of 256 MiB: a clear refusal, or a result, in bounded time and memory.
    await using server = await startFaultServer("stream-zeros", { size });
    const run = await runMeasured(
      "urllib1",
      [`${server.origin}/`],
      flags(server.port),
      ROOT,
      "null",
      120_000,
    );
    console.log(
      `urllib1: one line of ${size} bytes, exit ${run.code}, peak RSS ${
        (run.peakKiB / 1024).toFixed(1)
      } MiB, ${run.seconds.toFixed(1)} s`,
    );
    assert(Number.isFinite(run.peakKiB), `did not end in 120 s: ${run.stderr}`);
    if (run.code !== 0) assert.match(run.stderr, /^urllib1: [^\n]+\n$/);
    assert(run.peakKiB < 1024 * 1024, `peak RSS ${run.peakKiB} KiB for one line`);
  }
});

/** Answers a careless user may give, as the URL argument or at the prompt. */
const CARELESS: { input: (origin: string) => string; invalid: boolean }[] = [
  { input: () => "", invalid: true },
  { input: () => "not a url", invalid: true },
  { input: () => "data.pr4e.org/romeo.txt", invalid: true },
  { input: () => "file:///etc/passwd", invalid: true },
  { input: () => "ftp://127.0.0.1/x", invalid: true },
  { input: () => "javascript:alert(1)", invalid: true },
  { input: () => "http://", invalid: true },
  { input: () => "http://127.0.0.1:99999/", invalid: true },
  { input: () => "http://[::1/", invalid: true },
  { input: () => "http://exa mple.com/", invalid: true },
  { input: () => "http://\x1b]0;owned\x07/", invalid: true },
  { input: () => "\x1b[2J\x00\x01\x7f", invalid: true },
  { input: () => "\u009b2J\u202e not a url", invalid: true },
  { input: () => "x".repeat(100_000), invalid: true },
  { input: (origin) => `${origin}/\x1b]0;owned\x07.txt`, invalid: false },
  { input: (origin) => `${origin}/${"a".repeat(100_000)}`, invalid: false },
  { input: (origin) => `  ${origin}/romeo.txt  `, invalid: false },
];

/** Programs that prompt for a URL (answer on stdin) and programs that take it as an argument. */
const PROMPTING = [
  "socket2",
  "exercise1",
  "exercise2",
  "urlregex",
  "urllinks",
  "exercise3",
  "curl3",
];
const ARGUMENT = ["socket1", "urljpeg", "urllib1", "urlwords", "curl2", "exercise5", "rawget"];

Deno.test("a careless user's URL gives a result or one clean error line, never a stack trace", async () => {
  await using server = await startFaultServer("whole");
  const failures: string[] = [];
  const jobs = CARELESS.flatMap((careless, i) =>
    [...PROMPTING, ...ARGUMENT].filter(scriptExists)
      // A command line cannot carry a NUL: those answers only go to a prompt.
      .filter((name) => PROMPTING.includes(name) || !careless.input("").includes("\0"))
      .map((name) => ({ careless, i, name }))
  );
  await pool(jobs, 4, async ({ careless, i, name }) => {
    const flags = loopbackFlags(shebangFlags(name, ROOT)!, `127.0.0.1:${server.port}`);
    const url = careless.input(server.origin);
    const prompting = PROMPTING.includes(name);
    const folder = await Deno.makeTempDir({ prefix: "netprog-careless-" });
    try {
      const result = await runScript(
        name,
        [...(prompting ? [] : [url]), ...await limitArgs(name)],
        { flags, cwd: folder, stdin: prompting ? `${url}\nY\n` : undefined, timeoutMs: 20_000 },
      );
      const label = `${name} #${i} ${JSON.stringify(url.slice(0, 40))}`;
      if (result.signal !== null) failures.push(`${label}: did not end`);
      else if (careless.invalid && result.code !== 2) {
        failures.push(`${label}: exit ${result.code}, not 2: ${result.stderr.slice(0, 200)}`);
      } else if (result.code !== 0) {
        const program = PROGRAMS.find((p) => p.name === name)!;
        const dirty = unclean(program, result, folder);
        if (dirty !== null) failures.push(`${label}: ${dirty}`);
      }
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  });
  assert.deepEqual(failures, []);
});

Deno.test("raw downloads follow at most 10 redirects, and say so past that", async () => {
  const downloaders = AVAILABLE.filter((program) => program.family === "download");
  const rawget = scriptExists("rawget");
  assert(downloaders.length > 0 || rawget, "no raw download program to test");
  const failures: string[] = [];
  for (const hops of [10, 11]) {
    await using server = await startFaultServer("redirect-chain", { hops });
    const runs = [
      ...downloaders.map((program) => ({ name: program.name, args: [] as string[] })),
      ...(rawget ? [{ name: "rawget", args: ["-L"] }] : []),
    ];
    for (const { name, args } of runs) {
      const flags = loopbackFlags(shebangFlags(name, ROOT)!, `127.0.0.1:${server.port}`);
      const folder = await Deno.makeTempDir({ prefix: "netprog-hops-" });
      try {
        const result = await runScript(
          name,
          [`${server.origin}/hop0`, ...args, ...await limitArgs(name)],
          { flags, cwd: folder, timeoutMs: 20_000, stdin: "Y\n" },
        );
        if (hops <= 10 && result.code !== 0) {
          failures.push(`${name}: ${hops} redirects: exit ${result.code}: ${result.stderr.trim()}`);
        }
        if (hops > 10) {
          const program = PROGRAMS.find((p) => p.name === name) ??
            { name, family: "download" as const, outputs: [] };
          const dirty = unclean(program, result, folder);
          if (dirty !== null) failures.push(`${name}: ${hops} redirects: ${dirty}`);
          else if (!/redirect/.test(result.stderr)) {
            failures.push(`${name}: ${hops} redirects: ${result.stderr.trim()}`);
          }
        }
      } finally {
        await Deno.remove(folder, { recursive: true });
      }
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("every network program documents an overridable idle timeout, and holders a size limit", async () => {
  const failures: string[] = [];
  for (const program of AVAILABLE) {
    const help = await helpOf(program.name);
    if (!/--timeout SECONDS[^\n]*\(default \d+/.test(help)) {
      failures.push(`${program.name}: no --timeout with its default in --help`);
    }
    const holds = ["raw-file", "fetch-words", "fetch-links", "fetch-paragraphs", "fetch-crawl"]
      .includes(program.family) || program.name === "curl1";
    if (holds && !/--max-bytes N[^\n]*\(default/.test(help)) {
      failures.push(`${program.name}: holds the body but --help shows no --max-bytes default`);
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("a header that never ends: parsers stop at their limit, streamers keep memory flat", async () => {
  const size = 256 * 1024 * 1024;
  await using server = await startFaultServer("endless-head", { size });
  const failures: string[] = [];
  for (const program of AVAILABLE) {
    if (program.family === "fetch-crawl" || program.name === "socket2") continue;
    const flags = loopbackFlags(shebangFlags(program.name, ROOT)!, `127.0.0.1:${server.port}`);
    const folder = await Deno.makeTempDir({ prefix: "netprog-endless-" });
    try {
      const run = await runMeasured(
        program.name,
        [`${server.origin}/cover3.jpg`, ...(program.extra ?? []), ...await limitArgs(program.name)],
        flags,
        folder,
        "null",
        120_000,
      );
      const left = [...Deno.readDirSync(folder)].map((entry) => entry.name);
      const label = `${program.name}: exit ${run.code}, peak RSS ${
        (run.peakKiB / 1024).toFixed(1)
      } MiB`;
      console.log(`endless header, ${size} bytes: ${label}`);
      if (!Number.isFinite(run.peakKiB)) failures.push(`${program.name}: did not end`);
      else if (!(run.peakKiB < MEMORY_LIMIT_KIB)) failures.push(label);
      else if (run.code !== 0 && !new RegExp(`^${program.name}: [^\\n]+\\n$`).test(run.stderr)) {
        failures.push(`${label}: stderr ${JSON.stringify(run.stderr.slice(0, 300))}`);
      } else if (run.code !== 0 && left.length > 0) {
        failures.push(`${label}: left ${left.join(", ")}`);
      } else if (run.code === 0 && !["raw-dump", "raw-count"].includes(program.family)) {
        failures.push(`${label}: a response with no end of headers was accepted`);
      }
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("a prompt answered by closed input gives one error line and exit status 2", async () => {
  const failures: string[] = [];
  await pool([...PROMPTING, "urllink3"].filter(scriptExists), 4, async (name) => {
    const folder = await Deno.makeTempDir({ prefix: "netprog-closed-" });
    try {
      const flags = loopbackFlags(shebangFlags(name, ROOT)!, "127.0.0.1:9");
      const result = await runScript(name, [], { flags, cwd: folder, timeoutMs: 20_000 });
      if (result.code !== 2 || !new RegExp(`^${name}: [^\\n]+\\n$`).test(result.stderr)) {
        failures.push(`${name}: exit ${result.code}: ${JSON.stringify(result.stderr)}`);
      }
      const left = [...Deno.readDirSync(folder)];
      if (left.length > 0) failures.push(`${name}: left ${left.map((entry) => entry.name)}`);
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  });
  assert.deepEqual(failures, []);
});
