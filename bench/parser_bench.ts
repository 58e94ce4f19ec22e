#!/usr/bin/env -S deno run --no-prompt
// Copyright netprog authors. MIT license.

/**
 * Throughput of the core {@linkcode ResponseParser} next to a naive parser
 * that concatenates every chunk so far and searches it with `indexOf` for
 * CRLFCRLF on every chunk (the book's `data = data + chunk` then `find`), and
 * decodes chunked bodies the same way (concatenate, search for CRLF).
 *
 * Run: `deno run --no-prompt bench/parser_bench.ts [--json PATH]`
 * Permissions: none; `--json PATH` writes the numbers as JSON and then needs
 * `--allow-write=PATH`.
 *
 * Each case is run 5 times; the table shows the median MB/s (10^6 bytes per
 * second) of each parser and their ratio.
 *
 * @module
 */

import { ResponseParser } from "../mod.ts";

const encoder = new TextEncoder();
const RUNS = 5;

/** Builds a response with a Content-Length body of `size` bytes after `head` extra header bytes. */
function lengthResponse(size: number, extraHeader = 0): Uint8Array {
  const fill = extraHeader > 0 ? `X-Fill: ${"a".repeat(extraHeader)}\r\n` : "";
  const head = encoder.encode(`HTTP/1.1 200 OK\r\n${fill}Content-Length: ${size}\r\n\r\n`);
  const bytes = new Uint8Array(head.length + size);
  bytes.set(head);
  for (let i = head.length; i < bytes.length; i++) bytes[i] = 97 + (i % 26);
  return bytes;
}

/** Builds a chunked response of `size` body bytes in chunks of `chunkSize`. */
function chunkedResponse(size: number, chunkSize: number): Uint8Array {
  const head = encoder.encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  const count = Math.ceil(size / chunkSize);
  const sizeLine = encoder.encode(`${chunkSize.toString(16)}\r\n`);
  const bytes = new Uint8Array(head.length + count * (sizeLine.length + chunkSize + 2) + 5);
  bytes.set(head);
  let at = head.length;
  for (let c = 0; c < count; c++) {
    bytes.set(sizeLine, at);
    at += sizeLine.length;
    bytes.fill(98, at, at + chunkSize);
    at += chunkSize;
    bytes[at++] = 13;
    bytes[at++] = 10;
  }
  bytes.set(encoder.encode("0\r\n\r\n"), at);
  return bytes;
}

function split(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
  return pieces;
}

/** The core parser; returns the body length seen. */
function runParser(pieces: Uint8Array[]): number {
  let body = 0;
  const parser = new ResponseParser({ onBody: (chunk) => void (body += chunk.length) });
  for (const piece of pieces) parser.push(piece);
  parser.finish();
  return body;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

const CRLFCRLF = [13, 10, 13, 10];

function indexOfBytes(haystack: Uint8Array, needle: number[]): number {
  let i = haystack.indexOf(needle[0]);
  while (i !== -1 && i <= haystack.length - needle.length) {
    let k = 1;
    while (k < needle.length && haystack[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
    i = haystack.indexOf(needle[0], i + 1);
  }
  return -1;
}

/**
 * The naive parser: concatenate all chunks so far and search from the start
 * on every chunk until the header end is found; then pass a Content-Length
 * body on, or decode a chunked body by concatenating what is left and
 * searching for each CRLF again.
 */
function runNaive(pieces: Uint8Array[]): number {
  let data: Uint8Array = new Uint8Array(0);
  let body = 0;
  let headerEnd = -1;
  let chunked = false;
  let pending: Uint8Array = new Uint8Array(0);
  for (const piece of pieces) {
    if (headerEnd === -1) {
      data = concat(data, piece);
      headerEnd = indexOfBytes(data, CRLFCRLF);
      if (headerEnd === -1) continue;
      const head = new TextDecoder("latin1").decode(data.subarray(0, headerEnd)).toLowerCase();
      chunked = head.includes("transfer-encoding: chunked");
      const rest = data.subarray(headerEnd + 4);
      if (!chunked) body += rest.length;
      else pending = rest;
      if (!chunked) continue;
    } else if (!chunked) {
      body += piece.length;
      continue;
    } else {
      pending = concat(pending, piece);
    }
    for (;;) {
      const lineEnd = indexOfBytes(pending, [13, 10]);
      if (lineEnd === -1) break;
      const size = parseInt(new TextDecoder().decode(pending.subarray(0, lineEnd)), 16);
      if (size === 0 || pending.length < lineEnd + 2 + size + 2) break;
      body += size;
      pending = pending.subarray(lineEnd + 2 + size + 2);
    }
  }
  return body;
}

interface CaseResult {
  name: string;
  bytes: number;
  chunking: number;
  parserMBps: number;
  naiveMBps: number;
  ratio: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(run: (pieces: Uint8Array[]) => number, pieces: Uint8Array[], bytes: number) {
  const speeds: number[] = [];
  let body = -1;
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    body = run(pieces);
    const seconds = (performance.now() - start) / 1000;
    speeds.push(bytes / 1e6 / Math.max(seconds, 1e-6));
  }
  return { speed: median(speeds), body };
}

function benchCase(
  name: string,
  bytes: Uint8Array,
  chunking: number,
  bodySize: number,
): CaseResult {
  const pieces = split(bytes, chunking);
  const parser = measure(runParser, pieces, bytes.length);
  const naive = measure(runNaive, pieces, bytes.length);
  if (parser.body !== bodySize || naive.body !== bodySize) {
    throw new Error(
      `Cannot trust case ${name}: body ${parser.body} and ${naive.body}, not ${bodySize}`,
    );
  }
  return {
    name,
    bytes: bytes.length,
    chunking,
    parserMBps: Math.round(parser.speed * 10) / 10,
    naiveMBps: Math.round(naive.speed * 10) / 10,
    ratio: Math.round((parser.speed / naive.speed) * 100) / 100,
  };
}

const jsonAt = Deno.args.indexOf("--json");
const jsonPath = jsonAt === -1 ? null : Deno.args[jsonAt + 1];
if (jsonPath === undefined || (jsonPath !== null && jsonPath.startsWith("--"))) {
  console.error("parser_bench: cannot write JSON: --json needs a path");
  Deno.exit(2);
}
if (
  jsonPath !== null &&
  Deno.permissions.querySync({ name: "write", path: jsonPath }).state !== "granted"
) {
  console.error(`parser_bench: cannot write ${jsonPath}: run again with --allow-write=${jsonPath}`);
  Deno.exit(2);
}

const MiB = 1024 * 1024;
const results: CaseResult[] = [
  benchCase("Content-Length 64 MiB", lengthResponse(64 * MiB), 64 * 1024, 64 * MiB),
  benchCase(
    "chunked 64 MiB, 32 KiB chunks",
    chunkedResponse(64 * MiB, 32 * 1024),
    64 * 1024,
    64 * MiB,
  ),
  benchCase("Content-Length 2 MiB", lengthResponse(2 * MiB), 1, 2 * MiB),
  benchCase("64 KiB header + 256 KiB body", lengthResponse(256 * 1024, 65000), 1, 256 * 1024),
];

const rows = [["case", "bytes", "chunk", "parser MB/s", "naive MB/s", "ratio"]];
for (const r of results) {
  rows.push([
    r.name,
    String(r.bytes),
    String(r.chunking),
    String(r.parserMBps),
    String(r.naiveMBps),
    `${r.ratio}x`,
  ]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
for (const row of rows) {
  console.log(
    row.map((cell, c) => c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join("  "),
  );
}
console.log(
  `median of ${RUNS} runs each; naive = concatenate all chunks so far, indexOf CRLFCRLF per chunk`,
);

if (jsonPath !== null) {
  await Deno.writeTextFile(jsonPath, JSON.stringify({ runs: RUNS, results }, null, 2) + "\n");
}
