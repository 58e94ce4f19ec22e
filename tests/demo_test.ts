// Copyright netprog authors. MIT license.

/**
 * `deno task demo`: the mirror on a free port and every program of the
 * chapter against it, with the task's own flags.
 */

import assert from "node:assert/strict";
import { ROOT, runScript } from "./_helpers.ts";
import { programNamed, PROGRAMS as ALL_PROGRAMS } from "../scripts/lib/programs.ts";

const DEMO_FLAGS = [...programNamed("demo").flags];
/** The programs the demo runs: the chapter's, then its exercises. */
const PROGRAMS = ALL_PROGRAMS
  .filter((program) => program.kind === "book" || program.kind === "exercise")
  .map((program) => program.name);

function scriptExists(name: string): boolean {
  try {
    return Deno.statSync(`${ROOT}/scripts/${name}.ts`).isFile;
  } catch {
    return false;
  }
}

/** The lines a program printed: from its `== NAME:` line to the next `== ` line. */
function section(stdout: string, name: string): string {
  const start = stdout.indexOf(`\n== ${name}: `);
  assert(start >= 0, `no section for ${name}`);
  const body = stdout.indexOf("\n", start + 1) + 1;
  const end = stdout.indexOf("\n== ", body - 1);
  return stdout.slice(body, end < 0 ? undefined : end + 1);
}

Deno.test("deno task demo runs every program of the chapter against the mirror", async (t) => {
  const tasks = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)).tasks;
  assert.equal(tasks.demo, `deno run --no-prompt ${DEMO_FLAGS.join(" ")} scripts/demo.ts`);

  const result = await runScript("demo", [], { flags: DEMO_FLAGS, timeoutMs: 300_000 });
  const { stdout } = result;
  const serving = /^Serving the book's files on http:\/\/127\.0\.0\.1:(\d+)\/$/m.exec(stdout);
  assert(serving, stdout.slice(0, 500));
  const port = Number(serving[1]);

  for (const name of PROGRAMS) {
    await t.step({
      name: `${name} ran and succeeded`,
      ignore: !scriptExists(name),
      fn: () => {
        const header = new RegExp(
          `^== ${name}: (echo \\S+ \\| |printf '[^']*' \\| )?deno run (--allow-[a-z]+=\\S+ )+scripts/${name}\\.ts( \\S+)?$`,
          "m",
        );
        assert.match(stdout, header);
        assert(stdout.includes(`--allow-net=127.0.0.1:${port} `), "flags point at the mirror");
        assert(!stdout.includes(`\n!! ${name}:`), `${name} failed:\n${section(stdout, name)}`);
      },
    });
  }

  await t.step("a missing script is reported, not run", () => {
    for (const name of PROGRAMS.filter((name) => !scriptExists(name))) {
      assert(
        stdout.includes(`\n== ${name}: not available (scripts/${name}.ts does not exist yet)\n`),
        name,
      );
    }
  });

  await t.step("socket1's section is the mirror's response to the book's request", async () => {
    assert(
      stdout.includes(
        `\n== socket1: deno run --allow-net=127.0.0.1:${port} scripts/socket1.ts http://127.0.0.1:${port}/romeo.txt\n`,
      ),
    );
    const printed = section(stdout, "socket1");
    assert(printed.startsWith("HTTP/1.1 200 OK\r\nDate: "), printed);
    assert(printed.endsWith(`\r\n\r\n${await Deno.readTextFile(`${ROOT}/data/romeo.txt`)}`));
  });

  await t.step("urljpeg's section adds up and stuff.jpg was written", async () => {
    const printed = section(stdout, "urljpeg");
    const headerLength = Number(/^Header length (\d+)$/m.exec(printed)![1]);
    const totals = [...printed.matchAll(/^\d+ (\d+)$/gm)].map((m) => Number(m[1]));
    const cover = await Deno.readFile(`${ROOT}/data/cover3.jpg`);
    assert.equal(totals.at(-1), headerLength + 4 + cover.length);
    assert.match(
      stdout,
      new RegExp(`^== files written: .*stuff\\.jpg \\(${cover.length} bytes\\)`, "m"),
    );
  });

  await t.step("the working folder is removed and the mirror stopped", async () => {
    const folder = /^== working folder: (\S+) \(removed at the end\)$/m.exec(stdout)![1];
    assert.throws(() => Deno.statSync(folder), Deno.errors.NotFound);
    await assert.rejects(
      Deno.connect({ hostname: "127.0.0.1", port }),
      Deno.errors.ConnectionRefused,
    );
  });

  await t.step("exit status 0, and a summary line", () => {
    const missing = PROGRAMS.filter((name) => !scriptExists(name));
    const ran = PROGRAMS.length - missing.length;
    assert.equal(result.code, 0, `stderr:\n${result.stderr}`);
    assert(
      stdout.endsWith(
        `== done: ${ran} of ${PROGRAMS.length} programs ran, ${ran} succeeded` +
          (missing.length > 0 ? `; not available: ${missing.join(", ")}` : "") + "\n",
      ),
      stdout.slice(-300),
    );
  });
});

Deno.test("demo --only runs the programs named, and refuses an unknown name", async () => {
  const result = await runScript("demo", ["--only", "socket1,exercise1"], { flags: DEMO_FLAGS });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^== socket1: /m);
  assert.match(result.stdout, /^== exercise1: /m);
  assert.doesNotMatch(result.stdout, /^== urljpeg: /m);
  assert(result.stdout.endsWith("== done: 2 of 2 programs ran, 2 succeeded\n"), result.stdout);

  const unknown = await runScript("demo", ["--only", "socket9"], { flags: DEMO_FLAGS });
  assert.equal(unknown.code, 2);
  assert.equal(
    unknown.stderr,
    'demo: cannot use --only "socket9": no program named socket9 (see --help)\n',
  );
});

Deno.test("demo reports a failing program and exits with status 1", async () => {
  // No program starts within a millisecond: it is stopped, and counted as failed.
  const result = await runScript("demo", ["--only", "socket1", "--timeout", "0.001"], {
    flags: DEMO_FLAGS,
  });
  assert.equal(result.code, 1);
  assert.match(result.stdout, /^!! socket1: stopped after 0\.001 seconds$/m);
  assert.equal(result.stderr, "demo: 1 program failed: socket1\n");
});
