#!/usr/bin/env -S deno run --no-prompt --allow-read=bench,/tmp --allow-write=/tmp --allow-run=deno
// Copyright netprog authors. MIT license.

/**
 * `deno task bench`: runs each benchmark section as its own `deno run`
 * process with its own narrow flags, one after the other, shows their
 * output as it comes, and collects the JSON each writes.
 *
 *     deno task bench [--json PATH] [--only NAME,...]
 *
 * Each section is a standalone script that takes `--json PATH` and writes
 * its numbers there; this runner adds `--allow-write` for that one file to
 * the section's flags. A section whose script is absent is skipped. Exits 1
 * when a section fails (a bar not met, or an error).
 *
 * Permissions:
 * - `--allow-run=deno`: the sections.
 * - `--allow-read=bench,/tmp`: which section scripts exist; the sections' JSON.
 * - `--allow-write=/tmp`: a temp folder for the sections' JSON, and `--json PATH`
 *   (give a path under /tmp, or widen the flag for another folder).
 *
 * @module
 */

import { parseArgs } from "node:util";

/** One benchmark section: a standalone script and the flags it runs with. */
interface Section {
  /** Short name, the key in the JSON. */
  name: string;
  /** The script, relative to the project folder. */
  script: string;
  /** Its permission flags (the runner adds `--allow-write` for its JSON file). */
  flags: string[];
}

/** The sections, in the order they run. Add a section with one more line. */
const SECTIONS: Section[] = [
  { name: "parser", script: "bench/parser_bench.ts", flags: [] },
  {
    name: "dom",
    script: "bench/dom_bench.ts",
    flags: [
      // The corpus is wherever NETPROG_CORPUS says: a read list cannot name it in advance.
      "--allow-read",
      "--allow-env=NETPROG_CORPUS",
      "--allow-write=/tmp",
      "--allow-run=deno,/usr/bin/python3,apt-get",
    ],
  },
  {
    name: "download",
    script: "bench/download_bench.ts",
    flags: [
      "--allow-net=127.0.0.1",
      "--allow-read=/tmp,/usr/sbin/nginx,/usr/bin/time",
      "--allow-write=/tmp",
      "--allow-run=curl,wget,deno,df,/usr/sbin/nginx,/usr/bin/time,apt-get",
    ],
  },
  {
    name: "crawl",
    script: "bench/crawl_bench.ts",
    flags: [
      "--allow-net=127.0.0.1",
      "--allow-read=/tmp,/etc/passwd,/usr/sbin/nginx,/usr/lib/postgresql,scripts/spider.ts",
      "--allow-write=/tmp",
      "--allow-env=NETPROG_BOOK_SPIDER",
      "--allow-sys=loadavg",
      "--allow-run=deno,/usr/bin/python3,/usr/sbin/nginx,npm,apt-get,runuser",
    ],
  },
];

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

const { values } = parseArgs({
  args: Deno.args,
  options: { json: { type: "string" }, only: { type: "string" } },
});
const only = values.only?.split(",").map((name) => name.trim());
const unknown = only?.filter((name) => !SECTIONS.some((s) => s.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(
    `bench: unknown section ${unknown.join(", ")}: expected ${
      SECTIONS.map((s) => s.name).join(", ")
    }`,
  );
  Deno.exit(2);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

const results: Record<string, unknown> = {};
const failed: string[] = [];
const dir = await Deno.makeTempDir({ prefix: "netprog_bench_" });
try {
  for (const section of SECTIONS) {
    if (only !== undefined && !only.includes(section.name)) continue;
    console.log(`\n== ${section.name} (${section.script})`);
    if (!(await exists(`${ROOT}/${section.script}`))) {
      console.log("SKIP: not present");
      results[section.name] = { skipped: "not present" };
      continue;
    }
    const json = `${dir}/${section.name}.json`;
    const flags = [...section.flags];
    const writeAt = flags.findIndex((flag) => flag.startsWith("--allow-write="));
    if (writeAt === -1) flags.push(`--allow-write=${json}`);
    else flags[writeAt] += `,${json}`;
    const args = ["run", "--no-prompt", ...flags, section.script, "--json", json];
    console.log(`deno ${args.join(" ")}`);
    const started = performance.now();
    const { code } = await new Deno.Command("deno", {
      args,
      cwd: ROOT,
      stdout: "inherit",
      stderr: "inherit",
      env: { NO_COLOR: "1" },
    }).output();
    const seconds = (performance.now() - started) / 1000;
    console.log(`-- ${section.name}: exit ${code}, ${seconds.toFixed(1)} s`);
    if (code !== 0) failed.push(section.name);
    results[section.name] = (await exists(json))
      ? JSON.parse(await Deno.readTextFile(json))
      : { error: `exit ${code}, no JSON written` };
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}

if (values.json !== undefined) {
  const report = {
    date: new Date().toISOString(),
    deno: Deno.version.deno,
    cpus: navigator.hardwareConcurrency,
    failed,
    sections: results,
  };
  try {
    await Deno.writeTextFile(values.json, JSON.stringify(report, null, 2) + "\n");
    console.log(`\nbench: JSON written to ${values.json}`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable)) throw error;
    console.error(`bench: cannot write ${values.json}: run with --allow-write=${values.json}`);
    Deno.exit(2);
  }
}
console.log(
  `\nbench: ${failed.length === 0 ? "every section passed" : `failed: ${failed.join(", ")}`}`,
);
if (failed.length > 0) Deno.exit(1);
