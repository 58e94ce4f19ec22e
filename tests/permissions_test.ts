// Copyright netprog authors. MIT license.

// Every script runs with exactly the flags its shebang documents (pointed at a loopback server)
// and works; with any one permission less it stops with one line naming the flag to add. No
// shebang, task or README line asks for -A or an unscoped --allow-net/-read/-write/-run.

import assert from "node:assert/strict";
import { ROOT, runScript, type ScriptResult, startMirror } from "./_helpers.ts";
import { loopbackFlags, shebangFlags as readShebangFlags } from "./_fault_server.ts";
import { PROGRAMS } from "../scripts/lib/programs.ts";
import { writeRankedCrawl, writeSmallCrawl } from "./_spider_db.ts";

/** The scripts users run: every `scripts/*.ts` but the `_`-prefixed modules they share. */
function scriptNames(): string[] {
  return [...Deno.readDirSync(`${ROOT}/scripts`)]
    .filter((entry) => entry.isFile && entry.name.endsWith(".ts") && !entry.name.startsWith("_"))
    .map((entry) => entry.name.slice(0, -3))
    .sort();
}

/** The flags of a script's shebang line, `#!/usr/bin/env -S deno run FLAGS`. */
function shebangFlags(name: string): string[] {
  const flags = readShebangFlags(name, ROOT);
  assert(flags, `scripts/${name}.ts: the first line is not a "deno run FLAGS" shebang`);
  return flags;
}

/** Flags that must always carry a scope (`=value`). */
const SCOPED = ["net", "read", "write", "run"];

/** Problems with one command line's permission flags. */
function flagProblems(line: string): string[] {
  const problems: string[] = [];
  for (const m of line.matchAll(/(?<=^|\s)(-A|--allow-all)(?=\s|$|")/g)) {
    problems.push(`"${m[1]}" grants everything`);
  }
  for (const m of line.matchAll(/--allow-([a-z]+)(=\S*)?/g)) {
    if (SCOPED.includes(m[1]) && (m[2] === undefined || m[2] === "=")) {
      problems.push(`--allow-${m[1]} without a scope`);
    }
  }
  return problems;
}

Deno.test("flagProblems finds -A, --allow-all and unscoped flags", () => {
  assert.deepEqual(flagProblems("deno run -A x.ts"), ['"-A" grants everything']);
  assert.deepEqual(flagProblems("deno run --allow-all x.ts"), ['"--allow-all" grants everything']);
  assert.deepEqual(flagProblems("deno run --allow-net x.ts"), ["--allow-net without a scope"]);
  assert.deepEqual(flagProblems("deno run --allow-read --allow-write= x"), [
    "--allow-read without a scope",
    "--allow-write without a scope",
  ]);
  assert.deepEqual(flagProblems("deno run --allow-net=127.0.0.1:80 --allow-read=. x.ts"), []);
});

Deno.test("no shebang asks for -A or an unscoped --allow-net/read/write/run", () => {
  const names = scriptNames();
  assert(names.length >= 10, `only ${names.length} scripts found`);
  const problems = names.flatMap((name) =>
    flagProblems(shebangFlags(name).join(" ")).map((p) => `scripts/${name}.ts: ${p}`)
  );
  assert.deepEqual(problems, []);
});

/**
 * Developer tasks that read the external corpus wherever NETPROG_CORPUS names
 * it: a read list cannot name that folder in advance (an empty item in one is
 * an error), so they read without a list. No program and no learner's task
 * does.
 */
const CORPUS_READERS: Record<string, string> = {
  test: "--allow-read without a scope",
  "bench:web": "--allow-read without a scope",
};

Deno.test("no deno.json task asks for -A or an unscoped flag, and every task has --no-prompt", () => {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`));
  const problems: string[] = [];
  for (const [task, value] of Object.entries(config.tasks as Record<string, unknown>)) {
    const command = typeof value === "string" ? value : (value as { command?: string }).command;
    if (command === undefined) continue;
    const found = flagProblems(command).filter((problem) => problem !== CORPUS_READERS[task]);
    problems.push(...found.map((p) => `task ${task}: ${p}`));
    if (/\bdeno (run|test)\b/.test(command) && !command.includes("--no-prompt")) {
      problems.push(`task ${task}: deno run/test without --no-prompt`);
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("no README or SECURITY line asks for -A or an unscoped flag", () => {
  const problems: string[] = [];
  for (const file of ["README.md", "SECURITY.md"]) {
    let text: string;
    try {
      text = Deno.readTextFileSync(`${ROOT}/${file}`);
    } catch {
      continue;
    }
    text.split("\n").forEach((line, i) => {
      if (!/deno |--allow-|(^|\s)-A(\s|$)/.test(line)) return;
      // Prose that names a forbidden flag to forbid it is fine; commands are not.
      if (!/deno (run|test|task|install)|#!/.test(line)) return;
      problems.push(...flagProblems(line).map((p) => `${file}:${i + 1}: ${p}`));
    });
  }
  assert.deepEqual(problems, []);
});

/** How one script is run for the permission proof. */
interface Scenario {
  /** Arguments after the script, given the mirror's origin. */
  args: (origin: string) => string[];
  /** Text on stdin, given the mirror's origin. */
  stdin?: (origin: string) => string;
  /** Run in the project root (relative paths in the shebang mean the project's folders). */
  inRoot?: boolean;
  /** Prepares the working folder. */
  setup?: (folder: string) => void;
  /** What a good run leaves behind, checked after exit status 0. */
  check?: (result: ScriptResult, folder: string) => void;
  /** Why the script is not run here (static checks still apply). */
  skip?: string;
}

const hasFile = (file: string) => (_: ScriptResult, folder: string) => {
  assert(Deno.statSync(`${folder}/${file}`).size > 0, `${file} is empty`);
};

/** Where a scenario differs from the program's example run in scripts/lib/programs.ts. */
const SPECIAL: Record<string, Partial<Scenario>> = {
  curl3: {
    // The example's "Y" answers the question to replace the cover3.jpg already there.
    setup: (folder) => Deno.writeTextFileSync(`${folder}/cover3.jpg`, "old"),
    check: (result, folder) => {
      assert.match(result.stdout, /Replacing cover3\.jpg/);
      assert(Deno.statSync(`${folder}/cover3.jpg`).size > 3, "cover3.jpg was not replaced");
    },
  },
  demo: { args: () => ["--timeout", "60"], inRoot: true },
  serve: { skip: "a server that runs until stopped: tests/mirror_test.ts runs it" },
  // spjson needs ranks that differ (sprank's), or it has nothing to scale.
  spjson: { setup: (folder) => writeRankedCrawl(`${folder}/spider.sqlite`) },
  make_cover: { skip: "a maintainer's tool that rewrites data/cover3.jpg" },
};

/** Each program's example run against the mirror; what it writes must be there after. */
const SCENARIOS: Record<string, Scenario> = Object.fromEntries(PROGRAMS.map((program) => {
  const onMirror = (origin: string) => (word: string) =>
    word.startsWith("/") ? `${origin}${word}` : word;
  const { args = [], answers = [] } = program.example ?? {};
  const scenario: Scenario = {
    args: (origin) => args.map(onMirror(origin)),
    stdin: answers.length === 0
      ? undefined
      : (origin) => answers.map((answer) => `${onMirror(origin)(answer)}\n`).join(""),
    check: (result, folder) => program.writes.forEach((file) => hasFile(file)(result, folder)),
    // The crawl database's programs run on a small crawl in their folder.
    setup: program.kind === "database"
      ? (folder) => writeSmallCrawl(`${folder}/spider.sqlite`)
      : undefined,
  };
  return [program.name, { ...scenario, ...SPECIAL[program.name] }];
}));

/**
 * Every way to take one permission away: each item of a list, or the whole
 * flag. A flag that grants nothing (`--v8-flags=...`) is kept.
 */
function oneLess(flags: string[]): { without: string; flags: string[] }[] {
  const variants: { without: string; flags: string[] }[] = [];
  flags.forEach((flag, i) => {
    if (!flag.startsWith("--allow-")) return;
    const m = /^(--allow-[a-z]+)=(.+)$/.exec(flag);
    const items = m ? m[2].split(",") : [];
    if (items.length <= 1) {
      variants.push({ without: flag, flags: flags.filter((_, k) => k !== i) });
      return;
    }
    items.forEach((item, k) => {
      const rest = items.filter((_, j) => j !== k).join(",");
      variants.push({
        without: `${m![1]}=${item}`,
        flags: flags.map((f, j) => (j === i ? `${m![1]}=${rest}` : f)),
      });
    });
  });
  return variants;
}

Deno.test("oneLess takes away each listed item in turn", () => {
  assert.deepEqual(oneLess(["--allow-net=a:1", "--allow-write=x,y", "--v8-flags=--x"]), [
    { without: "--allow-net=a:1", flags: ["--allow-write=x,y", "--v8-flags=--x"] },
    { without: "--allow-write=x", flags: ["--allow-net=a:1", "--allow-write=y", "--v8-flags=--x"] },
    { without: "--allow-write=y", flags: ["--allow-net=a:1", "--allow-write=x", "--v8-flags=--x"] },
  ]);
});

/**
 * Whether the flags left still grant what `without` took away: a path inside
 * a folder that another item of the same flag allows, as the demo's
 * `--allow-read=scripts` is inside its `--allow-read=/tmp` when the project
 * itself sits under /tmp. `base` is the folder relative paths start from.
 */
function stillGranted(variant: { without: string; flags: string[] }, base: string): boolean {
  const m = /^--allow-(read|write)=(.+)$/.exec(variant.without);
  if (!m) return false;
  const absolute = (path: string) =>
    (path.startsWith("/") ? path : `${base}/${path}`).replace(/\/(\.)?$/, "");
  const taken = absolute(m[2]);
  const prefix = `--allow-${m[1]}=`;
  const rest = variant.flags.find((flag) => flag.startsWith(prefix))?.slice(prefix.length);
  return (rest?.split(",") ?? []).some((item) => {
    const allowed = absolute(item);
    return taken === allowed || taken.startsWith(`${allowed}/`);
  });
}

Deno.test("stillGranted sees a path inside a folder that is still allowed", () => {
  const variant = { without: "--allow-read=scripts", flags: ["--allow-read=/tmp"] };
  assert.equal(stillGranted(variant, "/tmp/repo"), true);
  assert.equal(stillGranted(variant, "/work/repo"), false);
  assert.equal(stillGranted({ without: "--allow-net=a:1", flags: [] }, "/tmp"), false);
  assert.equal(
    stillGranted({ without: "--allow-write=x", flags: ["--allow-write=."] }, "/work"),
    true,
  );
});

async function runIn(name: string, scenario: Scenario, flags: string[], origin: string) {
  const folder = scenario.inRoot ? ROOT : await Deno.makeTempDir({ prefix: "netprog-perm-" });
  try {
    scenario.setup?.(folder);
    const result = await runScript(name, scenario.args(origin), {
      flags,
      stdin: scenario.stdin?.(origin),
      cwd: folder,
      timeoutMs: 60_000,
    });
    return result;
  } finally {
    if (!scenario.inRoot) await Deno.remove(folder, { recursive: true }).catch(() => {});
  }
}

Deno.test("every script works with exactly its shebang's flags, and stops with a hint with one less", async (t) => {
  await using mirror = await startMirror();
  const hostPort = `127.0.0.1:${mirror.port}`;
  const names = scriptNames();
  const missing = names.filter((name) => SCENARIOS[name] === undefined);
  assert.deepEqual(missing, [], "scripts missing from scripts/lib/programs.ts: add them");
  for (const name of names) {
    const scenario = SCENARIOS[name];
    if (scenario.skip) {
      console.log(`permissions: scripts/${name}.ts not run (${scenario.skip})`);
      continue;
    }
    const flags = loopbackFlags(shebangFlags(name), hostPort);
    await t.step(`${name} with ${flags.join(" ")}`, async () => {
      const folder = scenario.inRoot ? ROOT : await Deno.makeTempDir({ prefix: "netprog-perm-" });
      try {
        scenario.setup?.(folder);
        const result = await runScript(name, scenario.args(mirror.origin), {
          flags,
          stdin: scenario.stdin?.(mirror.origin),
          cwd: folder,
          timeoutMs: 90_000,
        });
        assert.equal(result.code, 0, `exit status; stderr: ${result.stderr}`);
        scenario.check?.(result, folder);
      } finally {
        if (!scenario.inRoot) await Deno.remove(folder, { recursive: true });
      }
    });
    for (const variant of oneLess(flags)) {
      const base = scenario.inRoot ? ROOT : "/tmp/netprog-perm-folder";
      const ignore = stillGranted(variant, base);
      if (ignore) {
        console.log(`permissions: ${name} without ${variant.without} not run (still granted here)`);
      }
      await t.step({
        name: `${name} without ${variant.without}`,
        ignore,
        fn: async () => {
          const result = await runIn(name, scenario, variant.flags, mirror.origin);
          const kind = /^--allow-([a-z]+)/.exec(variant.without)![1];
          assert.notEqual(result.code, 0, `${name} works without ${variant.without}`);
          assert.match(
            result.stderr,
            new RegExp(`^${name}: [^\\n]*run with --allow-${kind}=[^\\n]*\\n$`),
            `stderr: ${result.stderr}`,
          );
        },
      });
    }
  }
});
