#!/usr/bin/env -S deno run --no-prompt --allow-run=deno --allow-read=web,core,mod.ts,deno.json,data/page1.htm --allow-write=web/dist
// Copyright netprog authors. MIT license.

/**
 * build: bundles the page (web/main.ts and the core it imports) with esbuild
 * into web/dist/: index.html, style.css and main.js. main.js is a classic
 * script (an IIFE, not an ES module), so the page works from any static host
 * and from a file:// URL, where Chromium refuses module scripts. The book's
 * sample page, data/page1.htm, is written into main.js as a string (the
 * constant SAMPLE_PAGE), so the page's "Try the book's page1.htm" button needs
 * no request; the repository keeps the one copy in data/.
 *
 *     deno run --no-prompt --allow-run=deno --allow-read=web,core,mod.ts,deno.json,data/page1.htm --allow-write=web/dist web/build.ts
 *
 * esbuild's JavaScript API starts esbuild's own binary from Deno's npm cache
 * and hands it the whole environment. So that no task line needs an unscoped
 * flag, this program first asks `deno info --json` where the npm cache is,
 * then runs itself again in a child `deno run` whose `--allow-run` names that
 * one binary. Permissions:
 * - `--allow-run=deno`: `deno info` and the child `deno run`.
 * - `--allow-read=web,core,mod.ts,deno.json,data/page1.htm`: the sources,
 *   deno.json for esbuild's version, and the sample page.
 * - `--allow-write=web/dist`: the output.
 * - the child also gets `--allow-env` (esbuild copies the environment into
 *   its process; Deno cannot scope that to names) and
 *   `--allow-run=<the esbuild binary>`.
 *
 * @module
 */

import { RunError } from "../scripts/lib/errors.ts";
import { requirePermission, run } from "../scripts/lib/run.ts";

/**
 * The flags `deno run web/build.ts` needs, as its shebang and `deno task
 * build:web` give them (paths relative to the project folder).
 *
 * @example The page's sample is read too
 * ```ts
 * import { BUILD_FLAGS } from "./build.ts";
 * import assert from "node:assert/strict";
 *
 * assert(BUILD_FLAGS.includes("--allow-read=web,core,mod.ts,deno.json,data/page1.htm"));
 * ```
 */
export const BUILD_FLAGS: readonly string[] = [
  "--allow-run=deno",
  "--allow-read=web,core,mod.ts,deno.json,data/page1.htm",
  "--allow-write=web/dist",
];

const WEB = new URL(".", import.meta.url);
const DIST = new URL("dist/", WEB);
const ROOT = new URL("..", WEB);
/** The book's sample page, written into main.js as SAMPLE_PAGE. */
const SAMPLE = new URL("data/page1.htm", ROOT);

/** Where Deno keeps esbuild's binary for this platform. */
async function esbuildBinary(): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const version = String(config.imports.esbuild).replace(/^npm:esbuild@/, "");
  const info = await new Deno.Command("deno", {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).output();
  if (!info.success) throw new RunError("cannot find esbuild", "deno info --json failed");
  const { npmCache } = JSON.parse(new TextDecoder().decode(info.stdout));
  const arch = Deno.build.arch === "x86_64" ? "x64" : "arm64";
  const os = Deno.build.os === "windows" ? "win32" : Deno.build.os;
  const folder = `${npmCache}/registry.npmjs.org/@esbuild/${os}-${arch}/${version}`;
  return os === "win32" ? `${folder}/esbuild.exe` : `${folder}/bin/esbuild`;
}

/** Bundles with esbuild's API; needs the child's permissions. Returns main.js's size. */
async function bundle(): Promise<number> {
  const esbuild = await import("esbuild");
  const sample = await Deno.readTextFile(SAMPLE);
  await Deno.mkdir(DIST, { recursive: true });
  try {
    const result = await esbuild.build({
      entryPoints: [new URL("main.ts", WEB).pathname],
      outfile: new URL("main.js", DIST).pathname,
      bundle: true,
      format: "iife",
      minify: true,
      target: ["chrome100", "firefox100", "safari15"],
      legalComments: "none",
      logLevel: "error",
      metafile: true,
      // A JSON string is a JavaScript string literal: the text, not code.
      define: { SAMPLE_PAGE: JSON.stringify(sample) },
    }).catch((error) => {
      const count = Array.isArray(error?.errors) ? error.errors.length : 0;
      if (count === 0) throw error;
      throw new RunError("cannot bundle web/main.ts", `${count} error(s), shown above`);
    });
    for (const name of ["index.html", "style.css"]) {
      await Deno.copyFile(new URL(name, WEB), new URL(name, DIST));
    }
    return Object.values(result.metafile.outputs).reduce((sum, out) => sum + out.bytes, 0);
  } finally {
    await esbuild.stop();
  }
}

/** Runs this program again with the narrow flags esbuild needs. */
async function bundleInChild(): Promise<void> {
  // The child is given no more than this program was given.
  await requirePermission({ name: "read", path: SAMPLE.pathname });
  const binary = await esbuildBinary();
  const path = (name: string) => new URL(name, ROOT).pathname;
  const status = await new Deno.Command("deno", {
    args: [
      "run",
      "--no-prompt",
      "--allow-env",
      `--allow-run=${binary}`,
      `--allow-read=${
        ["web", "core", "mod.ts", "deno.json", "data/page1.htm"].map(path).join(",")
      }`,
      `--allow-write=${path("web/dist")}`,
      new URL(import.meta.url).pathname,
      "--bundle",
    ],
    stdin: "null",
  }).spawn().status;
  // The child has said what failed, on one line of its own.
  if (!status.success) Deno.exit(status.code);
}

if (import.meta.main) {
  await run("build", async () => {
    if (Deno.args[0] === "--bundle") {
      const bytes = await bundle();
      console.log(`Built ${DIST.pathname} (main.js: ${bytes} bytes)`);
    } else {
      await bundleInChild();
    }
  });
}
