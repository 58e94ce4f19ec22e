// Copyright netprog authors. MIT license.

// curl3 names its file after the URL: whatever the URL, the file stays in the current folder
// (no "..", no "%2F", no absolute path, no NUL, no Windows reserved name, no over-long name), an
// existing file is replaced only on the answer "Y", and a planted symlink cannot redirect the write.

import assert from "node:assert/strict";
import { ROOT, runScript, type ScriptResult } from "./_helpers.ts";
import { loopbackFlags, shebangFlags, startFaultServer } from "./_fault_server.ts";
import { PROGRAMS } from "../scripts/lib/programs.ts";
import { atomicWriteFlags } from "../scripts/lib/atomic_file.ts";
import { hasChromium } from "../scripts/lib/cdp.ts";
import { writeRankedCrawl } from "./_spider_db.ts";

const HAVE_CURL3 = (() => {
  try {
    return Deno.statSync(`${ROOT}/scripts/curl3.ts`).isFile;
  } catch {
    return false;
  }
})();

/** A folder `work` inside a fresh parent holding a `victim` file outside `work`. */
async function sandbox(): Promise<{ parent: string; work: string; close(): Promise<void> }> {
  const parent = await Deno.makeTempDir({ prefix: "netprog-files-" });
  const work = `${parent}/work`;
  Deno.mkdirSync(work);
  Deno.writeTextFileSync(`${parent}/victim`, "precious");
  return { parent, work, close: () => Deno.remove(parent, { recursive: true }) };
}

/** Makes a symlink; python3 does it, as Deno wants unscoped permissions for symlinks. */
function symlink(target: string, path: string): void {
  const { success } = new Deno.Command("python3", {
    args: ["-c", "import os, sys; os.symlink(sys.argv[1], sys.argv[2])", target, path],
  }).outputSync();
  assert(success, `cannot make the symlink ${path}`);
}

/** Names in a folder, sorted. */
function list(folder: string): string[] {
  return [...Deno.readDirSync(folder)].map((entry) => entry.name).sort();
}

/** Runs curl3 for `url` (passed on the command line) in `cwd`, `--allow-*` from its shebang. */
async function curl3(
  origin: string,
  port: number,
  url: string,
  cwd: string,
  stdin?: string,
): Promise<ScriptResult> {
  const flags = loopbackFlags(shebangFlags("curl3", ROOT)!, `127.0.0.1:${port}`);
  return await runScript("curl3", [url.startsWith("http") ? url : `${origin}${url}`], {
    flags,
    cwd,
    stdin,
    timeoutMs: 20_000,
  });
}

function assertOneLineError(result: ScriptResult): void {
  assert.notEqual(result.code, 0, `exit status 0; stdout ${result.stdout}`);
  assert.match(result.stderr, /^curl3: [^\n]+\n$/, result.stderr);
}

/** URL paths whose last part must never become a file outside the folder, or a special one. */
const HOSTILE_PATHS = [
  "/",
  "/.",
  "/..",
  "/%2e",
  "/%2E%2E",
  "/.%2e",
  "/a/%2e%2e",
  "/..%2F..%2Fvictim",
  "/%2F..%2Fvictim",
  "/%2e%2e%2fvictim",
  "/%2Fetc%2Fpasswd",
  "/..%5C..%5Cvictim",
  "/a%5Cb",
  "/x%00.jpg",
  "/x%0A.jpg",
  "/x%1b%5b2J.jpg",
  "/CON",
  "/con.txt",
  "/NUL",
  "/aux.jpg",
  "/COM1",
  "/lpt9.png",
  `/${"a".repeat(300)}.jpg`,
  `/${"é".repeat(200)}`,
];

Deno.test({
  name: "curl3 never writes outside the current folder, whatever the URL's last part",
  ignore: !HAVE_CURL3,
  fn: async () => {
    await using server = await startFaultServer("whole");
    const failures: string[] = [];
    for (const path of HOSTILE_PATHS) {
      const box = await sandbox();
      try {
        const result = await curl3(server.origin, server.port, path, box.work);
        const outside = list(box.parent);
        if (Deno.readTextFileSync(`${box.parent}/victim`) !== "precious") {
          failures.push(`${path}: the file outside was changed`);
        }
        if (outside.join(",") !== "victim,work") {
          failures.push(`${path}: files appeared outside: ${outside.join(", ")}`);
        }
        const inside = list(box.work);
        if (result.code === 0) {
          // Accepted: one plain, portable file name, in the folder.
          const bad = inside.filter((name) =>
            name.length === 0 || name === "." || name === ".." || /[/\\]/.test(name) ||
            [...name].some((c) => c.charCodeAt(0) < 0x20) ||
            new TextEncoder().encode(name).length > 255 ||
            /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(name)
          );
          if (inside.length !== 1 || bad.length > 0) {
            failures.push(`${path}: accepted and wrote ${JSON.stringify(inside)}`);
          }
        } else {
          if (!/^curl3: [^\n]+\n$/.test(result.stderr)) {
            failures.push(`${path}: error is not one line: ${JSON.stringify(result.stderr)}`);
          }
          if (inside.length > 0) failures.push(`${path}: refused but wrote ${inside.join(", ")}`);
        }
        // The plainly unsafe names must be refused, not rewritten.
        if (/^\/(\.|\.\.|%2e|%2E%2E|\.%2e|CON|NUL|COM1)?$/.test(path) && result.code === 0) {
          failures.push(`${path}: accepted`);
        }
      } finally {
        await box.close();
      }
    }
    assert.deepEqual(failures, []);
  },
});

Deno.test({
  name: "curl3 refuses a reserved, empty or dot name with exit status 2",
  ignore: !HAVE_CURL3,
  fn: async () => {
    await using server = await startFaultServer("whole");
    for (const path of ["/", "/..", "/%2e%2e", "/NUL", "/x%00y"]) {
      const box = await sandbox();
      try {
        const result = await curl3(server.origin, server.port, path, box.work);
        assertOneLineError(result);
        assert.equal(result.code, 2, `${path}: ${result.stderr}`);
        assert.deepEqual(list(box.work), []);
      } finally {
        await box.close();
      }
    }
  },
});

Deno.test({
  name: "curl3 replaces an existing file only on the answer Y",
  ignore: !HAVE_CURL3,
  fn: async () => {
    await using server = await startFaultServer("whole");
    const answers: [string | undefined, boolean][] = [
      ["Y\n", true],
      ["  Y  \n", true],
      ["y\n", false],
      ["yes\n", false],
      ["Yes\n", false],
      ["YES\n", false],
      ["n\n", false],
      ["N\n", false],
      ["YY\n", false],
      ["\n", false],
      ["", false],
      [undefined, false],
    ];
    for (const [answer, replaced] of answers) {
      const box = await sandbox();
      try {
        Deno.writeTextFileSync(`${box.work}/cover3.jpg`, "old picture");
        const result = await curl3(server.origin, server.port, "/cover3.jpg", box.work, answer);
        const label = JSON.stringify(answer);
        assert.match(result.stdout, /Replace cover3\.jpg \(Y\/n\)\?/, `${label}: no question`);
        const now = Deno.readTextFileSync(`${box.work}/cover3.jpg`);
        if (replaced) {
          assert.equal(result.code, 0, `${label}: ${result.stderr}`);
          assert.match(result.stdout, /Replacing cover3\.jpg/);
          assert.equal(now, new TextDecoder().decode(server.body!), `${label}: not replaced`);
        } else {
          assert.equal(now, "old picture", `${label}: the file was changed`);
          if (result.code === 0) assert.match(result.stdout, /Data not copied/, label);
          else assertOneLineError(result);
        }
        assert.deepEqual(list(box.work), ["cover3.jpg"], `${label}: files left`);
      } finally {
        await box.close();
      }
    }
  },
});

Deno.test({
  name: "curl3 never writes through a planted symlink",
  ignore: !HAVE_CURL3,
  fn: async () => {
    await using server = await startFaultServer("whole");
    // A symlink under the target name, answered Y: the link is replaced, not followed.
    {
      const box = await sandbox();
      try {
        symlink(`${box.parent}/victim`, `${box.work}/cover3.jpg`);
        const result = await curl3(server.origin, server.port, "/cover3.jpg", box.work, "Y\n");
        assert.equal(Deno.readTextFileSync(`${box.parent}/victim`), "precious");
        if (result.code === 0) {
          assert(!Deno.lstatSync(`${box.work}/cover3.jpg`).isSymlink, "still a symlink");
        } else {
          assertOneLineError(result);
        }
      } finally {
        await box.close();
      }
    }
    // A symlink under a name the program may write beside the target.
    for (const beside of ["cover3.jpg.part", ".cover3.jpg.part", "cover3.jpg.tmp"]) {
      const box = await sandbox();
      try {
        symlink(`${box.parent}/victim`, `${box.work}/${beside}`);
        const result = await curl3(server.origin, server.port, "/cover3.jpg", box.work);
        assert.equal(
          Deno.readTextFileSync(`${box.parent}/victim`),
          "precious",
          `${beside}: wrote through the symlink`,
        );
        if (result.code !== 0) assertOneLineError(result);
      } finally {
        await box.close();
      }
    }
  },
});

Deno.test({
  name: "curl3 leaves nothing under the target name when the download fails",
  ignore: !HAVE_CURL3,
  fn: async () => {
    for (const mode of ["close-short-body", "reset-mid-body", "stall-mid-body"] as const) {
      await using server = await startFaultServer(mode, { holdMs: 10_000 });
      const box = await sandbox();
      try {
        const flags = loopbackFlags(shebangFlags("curl3", ROOT)!, `127.0.0.1:${server.port}`);
        const result = await runScript("curl3", [`${server.origin}/cover3.jpg`, "--timeout", "1"], {
          flags,
          cwd: box.work,
          timeoutMs: 20_000,
        });
        assertOneLineError(result);
        assert.deepEqual(list(box.work), [], `${mode}: files left`);
      } finally {
        await box.close();
      }
    }
  },
});

Deno.test("file safety tests say loudly when curl3 is missing", () => {
  if (!HAVE_CURL3) {
    console.log("SKIP: scripts/curl3.ts is missing; its file safety tests are ignored");
  }
  assert(HAVE_CURL3, "scripts/curl3.ts is missing");
});

/** A program that writes a file: its arguments, the file, and the flags that allow it. */
interface Writer {
  label: string;
  name: string;
  args: (origin: string) => string[];
  file: string;
  flags: (port: number) => string[];
  stdin?: string;
  /** Prepares the working folder (a crawl database for the programs that read one). */
  setup?: (folder: string) => void;
  /** The program's kind in the list. */
  kind?: string;
}

/** Every program the list says writes a file, and rawget's -o and -O. */
const WRITERS: Writer[] = [
  ...PROGRAMS.filter((program) => program.writes.length > 0).map((program) => ({
    label: program.name,
    name: program.name,
    kind: program.kind,
    // make_cover paints its picture; the crawl database's programs read a crawl; the others
    // fetch a picture.
    args: (origin: string) =>
      program.name === "make_cover"
        ? ["--bytes", "20000"]
        : program.kind === "database"
        ? [...program.example?.args ?? []]
        : program.kind === "crawler"
        ? [`${origin}/cover3.jpg`, "--pages", "1"]
        : [`${origin}/cover3.jpg`],
    setup: program.kind === "database"
      ? (folder: string) => writeRankedCrawl(`${folder}/spider.sqlite`)
      : undefined,
    file: program.writes[0],
    flags: (port: number) => loopbackFlags([...program.flags], `127.0.0.1:${port}`),
    // curl3 asks before it replaces a file (a symlink under the name included).
    stdin: program.prompts.some((prompt) => prompt.unless === "new file") ? "Y\n" : undefined,
  })),
  {
    label: "rawget -o",
    name: "rawget",
    args: (origin) => ["-o", "saved.jpg", `${origin}/cover3.jpg`],
    file: "saved.jpg",
    flags: (port) => [`--allow-net=127.0.0.1:${port}`, ...atomicWriteFlags("saved.jpg")],
  },
  {
    label: "rawget -O",
    name: "rawget",
    args: (origin) => ["-O", `${origin}/cover3.jpg`],
    file: "cover3.jpg",
    flags: (port) => [`--allow-net=127.0.0.1:${port}`, "--allow-write=.", "--allow-read=."],
  },
];

Deno.test("no program that writes a file writes through a planted symlink", async () => {
  await using server = await startFaultServer("whole");
  const failures: string[] = [];
  const chromium = await hasChromium();
  for (const writer of WRITERS) {
    if (writer.name === "make_cover" && !chromium) {
      console.log("SKIP: make_cover's planted-symlink cases: Chromium is not installed");
      continue;
    }
    // The crawler writes no part file (SQLite updates its database in place): only its file.
    const plantings = writer.kind === "crawler"
      ? [writer.file]
      : [`${writer.file}.part`, writer.file];
    for (const planted of plantings) {
      const box = await sandbox();
      try {
        const folder = writer.file.includes("/")
          ? writer.file.slice(0, writer.file.lastIndexOf("/"))
          : "";
        if (folder !== "") Deno.mkdirSync(`${box.work}/${folder}`, { recursive: true });
        writer.setup?.(box.work);
        symlink(`${box.parent}/victim`, `${box.work}/${planted}`);
        const result = await runScript(writer.name, writer.args(server.origin), {
          flags: writer.flags(server.port),
          cwd: box.work,
          stdin: writer.stdin,
          timeoutMs: 60_000,
        });
        const where = `${writer.label} with a symlink at ${planted}`;
        if (Deno.readTextFileSync(`${box.parent}/victim`) !== "precious") {
          failures.push(`${where}: wrote through it`);
        }
        // The crawler's database is updated in place by SQLite (there is no part file to rename
        // over it): a symlink under its name to a file that is not a database is refused, and
        // the file it points to is left as it was (checked above).
        if (
          writer.kind === "crawler" && planted === writer.file && result.code === 1 &&
          result.stderr === `${writer.name}: cannot open ${writer.file}: file is not a database\n`
        ) continue;
        if (result.code !== 0) {
          failures.push(`${where}: status ${result.code}, ${result.stderr.trim()}`);
          continue;
        }
        const saved = Deno.lstatSync(`${box.work}/${writer.file}`);
        if (!saved.isFile || saved.size === 0) failures.push(`${where}: no file saved`);
        const beside = folder === "" ? box.work : `${box.work}/${folder}`;
        if (list(beside).some((name) => name.endsWith(".part"))) {
          failures.push(`${where}: a part file is left`);
        }
      } finally {
        await box.close();
      }
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("a FIFO given as the output is written into, not renamed over", async () => {
  await using server = await startFaultServer("whole");
  const box = await sandbox();
  try {
    const fifo = `${box.work}/pipe`;
    const { success } = new Deno.Command("python3", {
      args: ["-c", "import os, sys; os.mkfifo(sys.argv[1])", fifo],
    }).outputSync();
    assert(success, "cannot make a FIFO");
    const net = `--allow-net=127.0.0.1:${server.port}`;
    const url = `${server.origin}/cover3.jpg`;
    const reading = new Deno.Command("python3", {
      args: ["-c", "import sys; print(len(open(sys.argv[1], 'rb').read()))", fifo],
      stdout: "piped",
    }).output();
    const written = await runScript("rawget", ["-o", fifo, url], {
      flags: [net, `--allow-write=${fifo},${fifo}.part`, `--allow-read=${fifo},${fifo}.part`],
      timeoutMs: 20_000,
    });
    assert.equal(written.code, 0, written.stderr);
    const received = Number(new TextDecoder().decode((await reading).stdout));
    assert(received > 0, "nothing came through the FIFO");
    assert(Deno.lstatSync(fifo).isFifo, "the FIFO was replaced");
    assert.deepEqual(list(box.work), ["pipe"]);
  } finally {
    await box.close();
  }
});
