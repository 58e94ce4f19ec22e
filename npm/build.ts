#!/usr/bin/env -S deno run --no-prompt --allow-read=. --allow-write=npm/dist --allow-run=deno
// Copyright netprog authors. MIT license.

/**
 * Builds the npm package of the core, from the same source as the Deno one:
 * `mod.ts` and `core/` compiled by TypeScript's own compiler to ES modules
 * (`.js`, imports ending in `.js`) with their declarations (`.d.ts`), and a
 * `package.json`, the README and the LICENSE beside them. The result
 * installs with `npm install` and runs on Node 18 and later with no flags.
 *
 *     deno run --no-prompt --allow-read=. --allow-write=npm/dist --allow-run=deno npm/build.ts [--out DIR]
 *
 * Permissions:
 * - `--allow-read=.`: the sources, deno.json (the version), README and LICENSE,
 *   and the declarations it fixes up in npm/dist.
 * - `--allow-write=npm/dist`: the package (with `--out DIR`, allow DIR for
 *   reading and writing instead).
 * - `--allow-run=deno`: TypeScript's compiler (npm `typescript`, pinned in
 *   deno.json) runs in a child `deno run`; it reads its own files from Deno's
 *   npm cache, wherever that is, so the child may read anywhere and write only
 *   the package's folder.
 *
 * @module
 */

import { parseCommandLine } from "../scripts/lib/args.ts";
import { RunError } from "../scripts/lib/errors.ts";
import { run } from "../scripts/lib/run.ts";
import { stdout } from "../scripts/lib/stdio.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");

const USAGE =
  `Usage: deno run --no-prompt --allow-read=. --allow-write=npm/dist --allow-run=deno npm/build.ts [--out DIR]

Builds the npm package of the core into npm/dist (or DIR): ES modules, their
type declarations, package.json, README.md and LICENSE.

Options:
  --out DIR                  write the package there (allow it with --allow-write)
  -h, --help                 print this help
`;

/** Every `.ts` specifier of a relative import or export, as it must read in a `.d.ts` file. */
function jsSpecifiers(declarations: string): string {
  return declarations.replace(/(from\s+"\.{1,2}\/[^"]*)\.ts"/g, '$1.js"');
}

run("build-npm", async () => {
  const { values } = parseCommandLine(USAGE, { out: { type: "string" } }, 0);
  const out = values.out ?? `${ROOT}/npm/dist`;
  await Deno.remove(out, { recursive: true }).catch(() => {});
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const tsc = await new Deno.Command("deno", {
    args: [
      "run",
      "--no-prompt",
      "--allow-read",
      `--allow-write=${out}`,
      "--allow-env",
      `${config.imports.typescript}/tsc`,
      "--declaration",
      "--allowImportingTsExtensions",
      "--rewriteRelativeImportExtensions",
      "--target",
      "es2022",
      "--module",
      "es2022",
      "--moduleResolution",
      "bundler",
      "--lib",
      "es2022,dom",
      "--strict",
      "--skipLibCheck",
      "--outDir",
      out,
      `${ROOT}/mod.ts`,
    ],
    cwd: ROOT,
    stdin: "null",
  }).output();
  if (!tsc.success) {
    throw new RunError("cannot compile the core", new TextDecoder().decode(tsc.stdout).trim());
  }
  for await (const entry of Deno.readDir(`${out}/core`)) {
    if (entry.name.endsWith(".d.ts")) {
      const path = `${out}/core/${entry.name}`;
      await Deno.writeTextFile(path, jsSpecifiers(await Deno.readTextFile(path)));
    }
  }
  await Deno.writeTextFile(
    `${out}/mod.d.ts`,
    jsSpecifiers(await Deno.readTextFile(`${out}/mod.d.ts`)),
  );
  const manifest = {
    name: config.name,
    version: config.version,
    description: 'The "Networked programs" chapter of Python for Everybody as a runtime-agnostic ' +
      "core: an incremental HTTP/1.x response parser, links, words and a terminal escaper",
    license: config.license,
    type: "module",
    exports: { ".": { types: "./mod.d.ts", default: "./mod.js" } },
    types: "./mod.d.ts",
    engines: { node: ">=18" },
    sideEffects: false,
  };
  await Deno.writeTextFile(`${out}/package.json`, JSON.stringify(manifest, null, 2) + "\n");
  for (const name of ["README.md", "LICENSE"]) {
    await Deno.copyFile(`${ROOT}/${name}`, `${out}/${name}`);
  }
  await stdout.print(`Built the npm package ${config.name}@${config.version} in ${out}\n`);
});
