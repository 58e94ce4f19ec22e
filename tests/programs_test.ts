// Copyright netprog authors. MIT license.

/**
 * scripts/lib/programs.ts against what cannot import it: every script is
 * listed; each shebang line, header comment and `--help` usage line has the
 * listed flags, and each `deno.json` task the task flags (those, with the
 * local mirror's default address allowed too, and run by task against it); `--help` names the listed default URL;
 * the listed prompts are what the program asks; the files it writes are
 * within its flags; the examples' pages are the mirror's; and the README's
 * table names every program.
 */

import assert from "node:assert/strict";
import {
  commandLine,
  type Program,
  programNamed,
  PROGRAMS,
  taskLine,
} from "../scripts/lib/programs.ts";
import { MIRROR_ADDRESS, mirrorArgs, startMirror } from "../scripts/lib/mirror.ts";
import { ROOT, runScript } from "./_helpers.ts";

/** A URL that spares a program its URL prompt and names the file cover3.jpg; nothing listens. */
const NOWHERE = "http://127.0.0.1:9/cover3.jpg";

/** The program's flags with its network pointed at {@linkcode NOWHERE}. */
const nowhereFlags = (program: Program) =>
  program.flags.map((flag) => flag.replace(/^--allow-net=.*$/, "--allow-net=127.0.0.1:9"));

/** The programs of the chapter and beyond it; not the tools. */
const USER_PROGRAMS = PROGRAMS.filter((program) => program.kind !== "tool");

/**
 * The programs that fetch: not those that work on the crawl database only,
 * which take no URL and reach no network (tests/spider_db_test.ts runs their
 * prompts).
 */
const NET_PROGRAMS = USER_PROGRAMS.filter((program) => program.kind !== "database");

Deno.test("every script in scripts/ is listed once, and every listed program has a script", () => {
  const scripts = [...Deno.readDirSync(`${ROOT}/scripts`)]
    .filter((entry) => entry.isFile && entry.name.endsWith(".ts") && !entry.name.startsWith("_"))
    .map((entry) => entry.name.slice(0, -3))
    .sort();
  const listed = PROGRAMS.map((program) => program.name);
  assert.equal(new Set(listed).size, listed.length, "a program is listed twice");
  assert.deepEqual([...listed].sort(), scripts);
});

Deno.test("each shebang line and header comment has the listed flags", () => {
  const problems: string[] = [];
  for (const program of PROGRAMS) {
    const source = Deno.readTextFileSync(`${ROOT}/scripts/${program.name}.ts`);
    const shebang = `#!/usr/bin/env -S deno run ${program.flags.join(" ")}`;
    if (source.split("\n", 1)[0] !== shebang) {
      problems.push(`scripts/${program.name}.ts: the first line is not ${shebang}`);
    }
    const header = source.slice(source.indexOf("/**"), source.indexOf("*/"));
    if (!header.replace(/\n \*\s*/g, " ").includes(commandLine(program))) {
      problems.push(`scripts/${program.name}.ts: the header comment lacks ${commandLine(program)}`);
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("each program's deno.json task runs it with its task flags", () => {
  const tasks: Record<string, string> = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`))
    .tasks;
  const problems = PROGRAMS.flatMap((program) => {
    const task = program.task ?? program.name;
    const want = taskLine(program);
    return tasks[task] === want ? [] : [`task ${task}: ${tasks[task]}, not ${want}`];
  });
  assert.deepEqual(problems, []);
});

Deno.test("every program's task may reach the mirror at serve's default address", async () => {
  const tasks: Record<string, string> = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`))
    .tasks;
  const problems = NET_PROGRAMS.flatMap((program) => {
    const task = tasks[program.task ?? program.name] ?? "";
    const net = /--allow-net=(\S+)/.exec(task)?.[1].split(",") ?? [];
    const shebang = /--allow-net=(\S+)/.exec(commandLine(program))?.[1].split(",") ?? [];
    return [
      ...(net.includes(MIRROR_ADDRESS) ? [] : [`task ${program.name} cannot reach the mirror`]),
      ...(shebang.includes(MIRROR_ADDRESS) ? [`${program.name}'s shebang allows the mirror`] : []),
      ...(shebang.every((host) => net.includes(host)) ? [] : [`task ${program.name} lost a host`]),
    ];
  });
  assert.deepEqual(problems, []);
  const help = await runScript("serve", ["--help"], { flags: [...programNamed("serve").flags] });
  const port = /--port PORT .*\(default (\d+)\)/.exec(help.stdout)?.[1];
  assert.equal(`127.0.0.1:${port}`, MIRROR_ADDRESS, "serve's default port is not the mirror's");
});

/** Whether nothing listens on the mirror's default address. */
function mirrorAddressFree(): boolean {
  const [hostname, port] = MIRROR_ADDRESS.split(":");
  try {
    Deno.listen({ hostname, port: Number(port) }).close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) return false;
    throw error;
  }
}

Deno.test("deno task NAME URL works against a mirror on serve's default address", async (t) => {
  if (!mirrorAddressFree()) {
    console.warn(`SKIP deno task against the mirror: ${MIRROR_ADDRESS} is taken`);
    return;
  }
  await using mirror = await startMirror(["--port", MIRROR_ADDRESS.split(":")[1]]);
  const romeo = `${mirror.origin}/romeo.txt`;
  assert.equal(`${mirror.origin}/`, `http://${MIRROR_ADDRESS}/`);
  const cases: [string, string, RegExp][] = [
    ["socket1", romeo, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nBut soft what light/],
    ["urllib1", romeo, /^But soft what light through yonder window breaks\n/],
    ["rawget", romeo, /^But soft what light through yonder window breaks\n/],
    ["exercise5", romeo, /^But soft what light through yonder window breaks\n/],
  ];
  for (const [task, url, want] of cases) {
    await t.step(`deno task ${task} ${url}`, async () => {
      const output = await new Deno.Command("deno", {
        args: ["task", "-q", task, url],
        cwd: ROOT,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, stderr);
      assert.match(new TextDecoder().decode(output.stdout), want);
    });
  }
});

Deno.test("each --help starts with the listed command line and names the listed default URL", async () => {
  const problems: string[] = [];
  await Promise.all(PROGRAMS.map(async (program) => {
    const help = await runScript(program.name, ["--help"], { flags: [...program.flags] });
    const usage = `Usage: ${commandLine(program)}`;
    const first = help.stdout.split("\n", 1)[0];
    if (help.code !== 0) problems.push(`${program.name} --help: exit status ${help.code}`);
    if (first !== usage && !first.startsWith(`${usage} `)) {
      problems.push(`${program.name} --help: "${first}" does not start with "${usage}"`);
    }
    const text = help.stdout.replace(/\s+/g, " ");
    if (program.url !== undefined && !text.includes(`defaults to ${program.url}`)) {
      problems.push(`${program.name} --help: does not say "defaults to ${program.url}"`);
    }
  }));
  assert.deepEqual(problems.sort(), []);
});

Deno.test("a program asks what the list says, and with a URL only what a URL does not spare", async () => {
  const problems: string[] = [];
  await Promise.all(NET_PROGRAMS.map(async (program) => {
    const folder = await Deno.makeTempDir({ prefix: "netprog-prompts-" });
    try {
      // A file of the name the URL gives, for the question asked only when it exists.
      Deno.writeTextFileSync(`${folder}/cover3.jpg`, "old");
      const asked = async (args: string[]) =>
        (await runScript(program.name, args, {
          flags: nowhereFlags(program),
          stdin: "",
          cwd: folder,
        })).stdout;
      const show = (text: string) => text.replace("FILE", "cover3.jpg");
      const first = program.prompts[0];
      if (first?.unless === "URL") {
        const stdout = await asked([]);
        if (!stdout.startsWith(show(first.text))) {
          problems.push(`${program.name}: asked ${JSON.stringify(stdout)}, not "${first.text}"`);
        }
      }
      const rest = program.prompts.find((prompt) => prompt.unless !== "URL");
      const stdout = await asked([NOWHERE]);
      // The crawler prints its webs (one line, as the book's) before it asks how many pages.
      const after = program.kind === "crawler" ? stdout.replace(/^\[.*\]\n/, "") : stdout;
      if (rest === undefined ? stdout !== "" : !after.startsWith(show(rest.text))) {
        problems.push(
          `${program.name} URL: printed ${JSON.stringify(stdout)}, ` +
            (rest === undefined ? "expected nothing" : `expected "${rest.text}"`),
        );
      }
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  }));
  assert.deepEqual(problems.sort(), []);
});

Deno.test("the files a program writes are within its --allow-write flag", () => {
  const problems: string[] = [];
  for (const program of PROGRAMS) {
    const allowed = program.flags.find((flag) => flag.startsWith("--allow-write="))
      ?.slice("--allow-write=".length).split(",") ?? [];
    for (const file of program.writes) {
      if (!allowed.some((item) => item === file || item === "." || file.startsWith(`${item}/`))) {
        problems.push(`${program.name} writes ${file}, which its flags do not allow`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("the examples ask the mirror for its own files, and the mirror runs with serve's flags", () => {
  for (const program of PROGRAMS) {
    const { args = [], answers = [] } = program.example ?? {};
    for (const path of [...args, ...answers].filter((word) => word.startsWith("/"))) {
      assert(Deno.statSync(`${ROOT}/data${path}`).isFile, `${program.name}: no data${path}`);
    }
  }
  assert.deepEqual(
    USER_PROGRAMS.filter((program) => program.example === undefined).map((p) => p.name),
    [],
    "programs with no example run",
  );
  const serve = PROGRAMS.find((program) => program.name === "serve")!;
  assert.deepEqual(
    mirrorArgs().slice(2, 2 + serve.flags.length),
    serve.flags.map((flag) => flag.replace(/^--allow-read=data$/, `--allow-read=${ROOT}/data`)),
  );
});

/** The names a README table row gives, with `` `a1` ... `a5` `` meaning a1 to a5. */
function namesInRow(row: string): string[] {
  const cell = row.split("|")[1] ?? "";
  const range = /`([a-z_]+)(\d+)` \.\.\. `\1(\d+)`/.exec(cell);
  if (range !== null) {
    const [, stem, from, to] = range;
    return Array.from({ length: Number(to) - Number(from) + 1 }, (_, i) => stem + (+from + i));
  }
  return [...cell.matchAll(/`([a-z_0-9]+)`/g)].map((m) => m[1]);
}

Deno.test("namesInRow reads names and ranges", () => {
  assert.deepEqual(namesInRow("| `socket1`, `socket2` | the simplest |"), ["socket1", "socket2"]);
  assert.deepEqual(namesInRow("| `exercise1` ... `exercise3` | exercises |"), [
    "exercise1",
    "exercise2",
    "exercise3",
  ]);
});

Deno.test("the README's programs table names every program but the tools", () => {
  const readme = Deno.readTextFileSync(`${ROOT}/README.md`).split("\n");
  const start = readme.findIndex((line) => /^\| script\s+\|/.test(line));
  assert(start >= 0, "README.md has no table that starts with | script |");
  const rows = [];
  for (let i = start + 2; readme[i]?.startsWith("|"); i++) rows.push(readme[i]);
  const named = rows.flatMap(namesInRow);
  assert.deepEqual(
    USER_PROGRAMS.map((program) => program.name).filter((name) => !named.includes(name)),
    [],
  );
  assert.deepEqual(named.filter((name) => !PROGRAMS.some((p) => p.name === name)), []);
});
