#!/usr/bin/env -S deno run --no-prompt --allow-run=deno --allow-read=web,core,mod.ts,deno.json,data/page1.htm --allow-write=web/dist
// Copyright netprog authors. MIT license.

/**
 * build: bundles the pages with esbuild into web/dist/: the links page
 * (web/main.ts and the core it imports) as index.html, style.css and
 * main.js, and the link graph page (web/graph.ts, with sigma, graphology and
 * ForceAtlas2 from npm) as graph.html, graph.css and graph.js. Each script
 * is a classic script (an IIFE, not an ES module), so the pages work from
 * any static host and from a file:// URL, where Chromium refuses module
 * scripts. The book's
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

import type { Plugin } from "esbuild";
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

/**
 * Where the npm packages of the graph page are: each package the page
 * imports by name (`roots`: name to folder), and for each package folder,
 * the folders of the packages it imports (`deps`). esbuild cannot read
 * deno.json's `npm:` imports, and Deno's npm cache has no node_modules
 * folders to search, so the bundle resolves names through this map.
 */
interface NpmFolders {
  roots: Record<string, string>;
  deps: Record<string, Record<string, string>>;
}

/** Asks `deno info --json web/graph.ts` where its npm packages are, and theirs. */
async function npmFolders(): Promise<NpmFolders> {
  const info = await new Deno.Command("deno", {
    args: ["info", "--json", new URL("graph.ts", WEB).pathname],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (!info.success) {
    const why = new TextDecoder().decode(info.stderr).trim().split("\n")[0];
    throw new RunError("cannot find the npm packages of web/graph.ts", why);
  }
  const { modules, npmPackages } = JSON.parse(new TextDecoder().decode(info.stdout)) as {
    modules: { kind?: string; npmPackage?: string }[];
    npmPackages: Record<string, { name: string; dependencies: string[]; localPath: string }>;
  };
  const folders: NpmFolders = { roots: {}, deps: {} };
  const todo: string[] = [];
  for (const module of modules) {
    if (module.kind !== "npm" || module.npmPackage === undefined) continue;
    const found = npmPackages[module.npmPackage];
    folders.roots[found.name] = found.localPath;
    todo.push(module.npmPackage);
  }
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    const found = npmPackages[id];
    if (found.localPath in folders.deps) continue;
    folders.deps[found.localPath] = {};
    for (const dep of found.dependencies) {
      folders.deps[found.localPath][npmPackages[dep].name] = npmPackages[dep].localPath;
      todo.push(dep);
    }
  }
  return folders;
}

/** An esbuild plugin that finds a package by name in the folders {@linkcode npmFolders} gave. */
function npmResolver(folders: NpmFolders): Plugin {
  return {
    name: "deno-npm-cache",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === "by-folder") return undefined;
        const parts = args.path.split("/");
        const cut = args.path.startsWith("@") ? 2 : 1;
        const name = parts.slice(0, cut).join("/");
        const owner = Object.keys(folders.deps).find((folder) =>
          args.importer.startsWith(`${folder}/`)
        );
        const folder = owner === undefined ? folders.roots[name] : folders.deps[owner][name];
        if (folder === undefined) return undefined;
        return await build.resolve(`./${parts.slice(cut).join("/")}`, {
          kind: args.kind,
          resolveDir: folder,
          pluginData: "by-folder",
        });
      });
    },
  };
}

/** The pages' files copied as they are. */
const COPIED = ["index.html", "style.css", "graph.html", "graph.css"];

/** Bundles with esbuild's API; needs the child's permissions. Returns each script's size. */
async function bundle(folders: NpmFolders): Promise<Record<string, number>> {
  const esbuild = await import("esbuild");
  const sample = await Deno.readTextFile(SAMPLE);
  await Deno.mkdir(DIST, { recursive: true });
  try {
    const result = await esbuild.build({
      entryPoints: {
        main: new URL("main.ts", WEB).pathname,
        graph: new URL("graph.ts", WEB).pathname,
      },
      outdir: DIST.pathname,
      plugins: [npmResolver(folders)],
      mainFields: ["module", "main"],
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
      throw new RunError("cannot bundle the pages", `${count} error(s), shown above`);
    });
    for (const name of COPIED) {
      await Deno.copyFile(new URL(name, WEB), new URL(name, DIST));
    }
    return Object.fromEntries(
      Object.entries(result.metafile?.outputs ?? {}).map(([path, out]) => [
        path.split("/").pop()!,
        out.bytes,
      ]),
    );
  } finally {
    await esbuild.stop();
  }
}

/** Runs this program again with the narrow flags esbuild needs. */
async function bundleInChild(): Promise<void> {
  // The child is given no more than this program was given.
  await requirePermission({ name: "read", path: SAMPLE.pathname });
  const binary = await esbuildBinary();
  const folders = await npmFolders();
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
      JSON.stringify(folders),
    ],
    stdin: "null",
  }).spawn().status;
  // The child has said what failed, on one line of its own.
  if (!status.success) Deno.exit(status.code);
}

if (import.meta.main) {
  await run("build", async () => {
    if (Deno.args[0] === "--bundle") {
      const sizes = Object.entries(await bundle(JSON.parse(Deno.args[1]))).map(([name, bytes]) =>
        `${name}: ${bytes} bytes`
      );
      console.log(`Built ${DIST.pathname} (${sizes.join(", ")})`);
    } else {
      await bundleInChild();
    }
  });
}
