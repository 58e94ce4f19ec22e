#!/usr/bin/env -S deno run --allow-run=deno --allow-read=scripts,/tmp --allow-write=/tmp
// Copyright netprog authors. MIT license.

/**
 * demo: the whole chapter with no network. Starts the local mirror of the
 * book's server (`scripts/serve.ts`) on a free port, then runs every program
 * of the chapter against it, one after the other (the book's programs and
 * its exercises of `scripts/lib/programs.ts`, each run as its example there
 * says), each with its own permission flags (those of its shebang line, with
 * the book's host replaced by the mirror's `127.0.0.1:PORT`) and with its
 * prompts answered on stdin.
 * Each program is introduced by one line naming it and the command; its
 * output follows as it prints it. The programs run in a new temporary folder,
 * so the files they write (`stuff.jpg`, `cover3.jpg`) land there; the folder
 * is removed at the end. A program whose script does not exist is reported as
 * not available. The exit status is 1 when any program failed. Its own
 * permissions are checked before anything starts, so a missing flag is named
 * at once.
 *
 *     deno run --allow-run=deno --allow-read=scripts,/tmp --allow-write=/tmp scripts/demo.ts
 *
 * Permissions:
 * - `--allow-run=deno`: start the mirror and each program, every one with its
 *   own narrow flags.
 * - `--allow-read=scripts`: find each program.
 * - `--allow-read=/tmp` and `--allow-write=/tmp`: create the temporary
 *   working folder, list what the programs wrote, remove it.
 *
 * @module
 */

import { parseCommandLine } from "./lib/args.ts";
import { RunError, UsageError } from "./lib/errors.ts";
import { onInterrupt, run } from "./lib/run.ts";
import { stdout } from "./lib/stdio.ts";
import { watchdog } from "./lib/time_limit.ts";
import { startMirror } from "./lib/mirror.ts";
import { commandLine, type Program, programNamed, PROGRAMS } from "./lib/programs.ts";

const USAGE =
  `Usage: deno run --allow-run=deno --allow-read=scripts,/tmp --allow-write=/tmp scripts/demo.ts [options]

Starts the local mirror of the book's server on a free port and runs every
program of the chapter against it, in a temporary folder removed at the end.

Options:
  --only NAMES       run only these programs (comma-separated, such as socket1,urljpeg)
  --timeout SECONDS  stop a program that runs longer than this (default 60)
  -h, --help         print this help
`;

/** Every program of the chapter, in the book's order, then the exercises. */
const CHAPTER = PROGRAMS.filter((program) =>
  program.kind === "book" || program.kind === "exercise"
);

const SCRIPTS = decodeURIComponent(new URL(".", import.meta.url).pathname);
const encoder = new TextEncoder();

run("demo", async () => {
  const { values } = parseCommandLine(USAGE, {
    only: { type: "string" },
    timeout: { type: "string" },
  }, 0);
  const timeoutSeconds = values.timeout === undefined ? 60 : Number(values.timeout);
  if (!(timeoutSeconds > 0)) {
    throw new UsageError(
      `cannot use --timeout "${values.timeout}"`,
      "expected a number of seconds above 0",
    );
  }
  let programs = CHAPTER;
  if (values.only !== undefined) {
    const names = values.only.split(",").map((name) => name.trim()).filter((name) => name);
    const unknown = names.filter((name) => !CHAPTER.some((program) => program.name === name));
    if (unknown.length > 0 || names.length === 0) {
      throw new UsageError(
        `cannot use --only "${values.only}"`,
        `no program named ${unknown[0] ?? "at all"} (see --help)`,
      );
    }
    programs = CHAPTER.filter((program) => names.includes(program.name));
  }

  // Check every permission first, so that a missing flag costs no waiting.
  await requirePermission({ name: "run", command: "deno" }, "deno");
  await requirePermission({ name: "read", path: SCRIPTS }, "scripts");
  const folder = await Deno.makeTempDir({ prefix: "netprog-demo-" });
  try {
    await requirePermission({ name: "read", path: folder }, folder.replace(/\/[^/]+$/, ""));
  } catch (error) {
    await Deno.remove(folder);
    throw error;
  }
  const mirror = await startMirror();
  const cleanUp = async () => {
    await mirror.close();
    await Deno.remove(folder, { recursive: true }).catch(() => {});
  };
  const cleanUpOnInterrupt = onInterrupt(cleanUp);

  const failed: string[] = [];
  const missing: string[] = [];
  try {
    await stdout.print(
      `== serve: ${commandLine(programNamed("serve"))} --port 0\n` +
        `${mirror.firstLine}\n` +
        `== working folder: ${folder} (removed at the end)\n`,
    );
    for (const program of programs) {
      const outcome = await runProgram(program, mirror.port, folder, timeoutSeconds);
      if (outcome === "missing") missing.push(program.name);
      else if (outcome !== 0) failed.push(program.name);
    }
    const written: string[] = [];
    for await (const entry of Deno.readDir(folder)) {
      const { size } = await Deno.stat(`${folder}/${entry.name}`);
      written.push(`${entry.name} (${size} bytes)`);
    }
    written.sort();
    await stdout.print(`== files written: ${written.length > 0 ? written.join(", ") : "none"}\n`);
  } finally {
    cleanUpOnInterrupt();
    await cleanUp();
  }
  const ran = programs.length - missing.length;
  await stdout.print(
    `== done: ${ran} of ${programs.length} programs ran, ${ran - failed.length} succeeded` +
      (failed.length > 0 ? `; failed: ${failed.join(", ")}` : "") +
      (missing.length > 0 ? `; not available: ${missing.join(", ")}` : "") + "\n",
  );
  if (failed.length > 0) {
    throw new RunError(
      `${failed.length} program${failed.length === 1 ? "" : "s"} failed`,
      failed.join(", "),
    );
  }
});

/**
 * Throws the error that `run()` turns into `no KIND permission for WHAT: run
 * with --allow-KIND=WHAT` unless the permission is granted.
 */
async function requirePermission(descriptor: Deno.PermissionDescriptor, what: string) {
  if ((await Deno.permissions.query(descriptor)).state === "granted") return;
  throw new Deno.errors.NotCapable(
    `Requires ${descriptor.name} access to "${what}", run again with the --allow-${descriptor.name} flag`,
  );
}

/** Runs one program against the mirror; its exit status, or "missing". */
async function runProgram(
  program: Program,
  port: number,
  folder: string,
  timeoutSeconds: number,
): Promise<number | "missing"> {
  const script = `${SCRIPTS}${program.name}.ts`;
  try {
    await Deno.stat(script);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    await stdout.print(
      `== ${program.name}: not available (scripts/${program.name}.ts does not exist yet)\n`,
    );
    return "missing";
  }
  const origin = `http://127.0.0.1:${port}`;
  const flags = loopbackFlags(program.flags, `127.0.0.1:${port}`);
  const onMirror = (word: string) => word.startsWith("/") ? `${origin}${word}` : word;
  const args = (program.example?.args ?? []).map(onMirror);
  const answers = (program.example?.answers ?? []).map(onMirror);
  const command = ["deno", "run", ...flags, `scripts/${program.name}.ts`, ...args].join(" ");
  const typed = answers.length === 0
    ? ""
    : answers.length === 1
    ? `echo ${answers[0]} | `
    : `printf '${answers.join("\\n")}\\n' | `;
  await stdout.print(`== ${program.name}: ${typed}${command}\n`);

  const child = new Deno.Command("deno", {
    args: ["run", "--no-prompt", ...flags, script, ...args],
    cwd: folder,
    stdin: answers.length === 0 ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const cancelKill = watchdog(timeoutSeconds * 1000, () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  });
  if (answers.length > 0) {
    const writer = child.stdin.getWriter();
    await writer.write(encoder.encode(answers.map((answer) => `${answer}\n`).join(""))).catch(
      () => {},
    );
    await writer.close().catch(() => {});
  }
  let last = 10;
  const showOutput = async () => {
    for await (const chunk of child.stdout) {
      await stdout.write(chunk);
      if (chunk.length > 0) last = chunk[chunk.length - 1];
    }
  };
  const showErrors = async () => {
    for await (const chunk of child.stderr) {
      await stdout.flush(); // what the program printed before comes first
      let done = 0;
      while (done < chunk.length) done += await Deno.stderr.write(chunk.subarray(done));
    }
  };
  await Promise.all([showOutput(), showErrors()]);
  const status = await child.status;
  cancelKill();
  if (last !== 10) await stdout.print("\n");
  if (status.signal === "SIGKILL") {
    await stdout.print(`!! ${program.name}: stopped after ${timeoutSeconds} seconds\n`);
    return 124;
  }
  if (status.code !== 0) await stdout.print(`!! ${program.name}: exit status ${status.code}\n`);
  return status.code;
}

/**
 * A program's permission flags, with every `--allow-net` pointed at the
 * mirror instead (added when it has none).
 */
function loopbackFlags(flags: readonly string[], hostPort: string): string[] {
  const adjusted = flags.map((flag) =>
    flag.startsWith("--allow-net") ? `--allow-net=${hostPort}` : flag
  );
  if (!adjusted.some((flag) => flag.startsWith("--allow-net"))) {
    adjusted.unshift(`--allow-net=${hostPort}`);
  }
  return adjusted;
}
