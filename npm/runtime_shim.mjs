// Copyright netprog authors. MIT license.

// Lets the core's unit tests, written for `deno test`, run on Bun (`bun test --preload`) and on
// Node.js (`node --import ... --test`): `Deno.test` becomes the runtime's own test function, and
// the three file reads the parser's fixture tests make become Node's.

import { readdir, readFile } from "node:fs/promises";

const runner = "Bun" in globalThis ? await import("bun:test") : await import("node:test");

globalThis.Deno = {
  test: (name, fn) => runner.test(name, fn),
  readDir: async function* (url) {
    for (const entry of await readdir(url, { withFileTypes: true })) {
      yield { name: entry.name, isFile: entry.isFile(), isDirectory: entry.isDirectory() };
    }
  },
  readFile: async (url) => new Uint8Array(await readFile(url)),
  readTextFile: (url) => readFile(url, "utf8"),
};
