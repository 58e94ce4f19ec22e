// Copyright netprog authors. MIT license.

/**
 * The one list of the project's programs, `scripts/NAME.ts`: the chapter's
 * programs in the book's order, its exercises, the programs beyond the book,
 * and the tools that serve the others. For each: its permission flags (those
 * of its shebang line), the URL it fetches when given none, what it asks on
 * stdin, the files it writes, and an example run against the local mirror.
 * The demo runs the examples of the chapter's programs and exercises; the
 * tests read the list; `tests/programs_test.ts` checks it against what cannot
 * import it (each shebang line, `deno.json`'s tasks, each `--help`, the
 * README's table).
 *
 * @module
 */

import { MIRROR_ADDRESS } from "./mirror.ts";

/**
 * What a program is: `book`, a program of the chapter; `exercise`, one of
 * its exercises; `extra`, a program beyond the book; `crawler`, the book's
 * spider, which fetches pages into the crawl database (its example crawls
 * the mirror into a new database); `database`, a program
 * of the book's spider that works on the crawl database only (no network:
 * its example runs on a small database, not against the mirror); `tool`, a
 * program that serves the others (the mirror, the demo, the cover maker).
 */
export type ProgramKind = "book" | "exercise" | "extra" | "crawler" | "database" | "tool";

/** One question a program asks on stdin. */
export interface Prompt {
  /** What it prints to ask, exactly; `FILE` stands for the file's name. */
  text: string;
  /**
   * What spares the question: `URL` (a URL argument), an option such as
   * `--count`, or `new file` (it asks only when the file already exists).
   */
  unless: string;
}

/** A run of a program against the local mirror. */
export interface Example {
  /** Its arguments; one that starts with `/` is that path on the mirror. */
  args?: readonly string[];
  /** What is typed at its prompts, one a line; `/...` is that path on the mirror. */
  answers?: readonly string[];
}

/** One program of the project, `scripts/NAME.ts`. */
export interface Program {
  /** Its name: the script is `scripts/NAME.ts`. */
  name: string;
  /** What it is. */
  kind: ProgramKind;
  /** Its narrowest permission flags, in the order of its shebang line. */
  flags: readonly string[];
  /** The `deno task` that runs it, when the task's name is not the program's. */
  task?: string;
  /** The URL it fetches when it is given none and asks for none. */
  url?: string;
  /** What it asks on stdin, in order. */
  prompts: readonly Prompt[];
  /** The files it writes, relative to the folder it runs in. */
  writes: readonly string[];
  /**
   * A run against the local mirror (the chapter's programs, its exercises,
   * and rawget); for a `database` program, a run on a small crawl database.
   */
  example?: Example;
}

const BOOK_NET = "--allow-net=data.pr4e.org:80";
const ROMEO = "http://data.pr4e.org/romeo.txt";
const COVER = "http://data.pr4e.org/cover3.jpg";
/** The question of the programs that ask as the book's socket programs do. */
const ENTER: Prompt = { text: "Enter: ", unless: "URL" };
/** The question of the programs that ask as the book's urllib programs do. */
const ENTER_DASH: Prompt = { text: "Enter - ", unless: "URL" };
/** Flags of a program that writes FILE, beside its name first, then renamed into place. */
/** Flags of a program that reads the crawl database. */
const READ_DB = "--allow-read=spider.sqlite";
/** Flags of a program that changes the crawl database. */
const WRITE_DB = [READ_DB, "--allow-write=spider.sqlite"];
const writing = (file: string) => [
  BOOK_NET,
  `--allow-write=${file},${file}.part`,
  `--allow-read=${file}.part`,
];

/**
 * Every program, in the book's order, then the exercises, the program beyond
 * the book and the tools.
 *
 * @example The programs the demo runs, and their order
 * ```ts
 * import { PROGRAMS } from "./programs.ts";
 * import assert from "node:assert/strict";
 *
 * const demo = PROGRAMS.filter((p) => p.kind === "book" || p.kind === "exercise");
 * assert.equal(demo.length, 18);
 * assert.deepEqual(demo.slice(0, 3).map((p) => p.name), ["socket1", "socket2", "urljpeg"]);
 * assert.equal(demo.at(-1)?.name, "exercise5");
 * ```
 */
export const PROGRAMS: readonly Program[] = [
  {
    name: "socket1",
    kind: "book",
    flags: [BOOK_NET],
    url: ROMEO,
    prompts: [],
    writes: [],
    example: { args: ["/romeo.txt"] },
  },
  {
    name: "socket2",
    kind: "book",
    flags: [BOOK_NET],
    prompts: [ENTER],
    writes: [],
    example: { answers: ["/romeo.txt"] },
  },
  {
    name: "urljpeg",
    kind: "book",
    flags: writing("stuff.jpg"),
    url: COVER,
    prompts: [],
    writes: ["stuff.jpg"],
    example: { args: ["/cover3.jpg"] },
  },
  {
    name: "urllib1",
    kind: "book",
    flags: [BOOK_NET],
    url: ROMEO,
    prompts: [],
    writes: [],
    example: { args: ["/romeo.txt"] },
  },
  {
    name: "urllib2",
    kind: "book",
    flags: ["--allow-net=www.dr-chuck.com:80"],
    url: "http://www.dr-chuck.com/page1.htm",
    prompts: [],
    writes: [],
    example: { args: ["/page1.htm"] },
  },
  {
    name: "urlwords",
    kind: "book",
    flags: [BOOK_NET],
    url: ROMEO,
    prompts: [],
    writes: [],
    example: { args: ["/romeo.txt"] },
  },
  {
    name: "urlregex",
    kind: "book",
    flags: [BOOK_NET],
    prompts: [ENTER_DASH],
    writes: [],
    example: { answers: ["/page1.htm"] },
  },
  {
    name: "urllinks",
    kind: "book",
    flags: [BOOK_NET],
    prompts: [ENTER_DASH],
    writes: [],
    example: { answers: ["/page1.htm"] },
  },
  {
    name: "urllink2",
    kind: "book",
    flags: [BOOK_NET],
    prompts: [ENTER_DASH],
    writes: [],
    example: { answers: ["/page2.htm"] },
  },
  {
    name: "urllink3",
    kind: "book",
    flags: [BOOK_NET],
    prompts: [ENTER_DASH, { text: "How many to retrieve - ", unless: "--count" }],
    writes: [],
    example: { answers: ["/page2.htm", "2"] },
  },
  {
    name: "curl1",
    kind: "book",
    flags: writing("cover3.jpg"),
    url: COVER,
    prompts: [],
    writes: ["cover3.jpg"],
    example: { args: ["/cover3.jpg"] },
  },
  {
    name: "curl2",
    kind: "book",
    flags: writing("cover3.jpg"),
    url: COVER,
    prompts: [],
    writes: ["cover3.jpg"],
    example: { args: ["/cover3.jpg"] },
  },
  {
    name: "curl3",
    kind: "book",
    flags: [BOOK_NET, "--allow-read=.", "--allow-write=."],
    prompts: [
      { text: `Please enter a URL like ${COVER}\n`, unless: "URL" },
      { text: "Replace FILE (Y/n)?", unless: "new file" },
    ],
    writes: ["cover3.jpg"],
    example: { answers: ["/cover3.jpg", "Y"] },
  },
  {
    name: "exercise1",
    kind: "exercise",
    flags: [BOOK_NET],
    prompts: [ENTER],
    writes: [],
    example: { answers: ["/romeo.txt"] },
  },
  {
    name: "exercise2",
    kind: "exercise",
    flags: [BOOK_NET],
    prompts: [ENTER],
    writes: [],
    example: { answers: ["/intro-short.txt"] },
  },
  {
    name: "exercise3",
    kind: "exercise",
    flags: [BOOK_NET],
    prompts: [ENTER_DASH],
    writes: [],
    example: { args: ["/intro-short.txt"] },
  },
  {
    name: "exercise4",
    kind: "exercise",
    flags: [BOOK_NET],
    prompts: [ENTER_DASH],
    writes: [],
    example: { args: ["/page1.htm"] },
  },
  {
    name: "exercise5",
    kind: "exercise",
    flags: [BOOK_NET],
    url: ROMEO,
    prompts: [],
    writes: [],
    example: { args: ["/romeo.txt"] },
  },
  {
    name: "rawget",
    kind: "extra",
    flags: [BOOK_NET],
    url: ROMEO,
    prompts: [],
    writes: [],
    example: { args: ["/romeo.txt"] },
  },
  {
    name: "spider",
    kind: "crawler",
    // Not a permission: a small young generation keeps a long crawl's memory down (spider.ts).
    flags: [
      "--allow-net=www.dr-chuck.com:80",
      ...WRITE_DB,
      "--v8-flags=--max-semi-space-size=8,--expose-gc",
    ],
    prompts: [
      { text: "Enter web url or enter: ", unless: "URL" },
      { text: "How many pages:", unless: "--pages" },
    ],
    writes: ["spider.sqlite"],
    example: { args: ["/site/index.html", "--pages", "8", "--delay", "0.2"] },
  },
  {
    name: "sprank",
    kind: "database",
    flags: WRITE_DB,
    prompts: [{ text: "How many iterations:", unless: "--iterations" }],
    writes: [],
    example: { args: ["--iterations", "20"] },
  },
  {
    name: "spreset",
    kind: "database",
    flags: WRITE_DB,
    prompts: [],
    writes: [],
    example: { args: [] },
  },
  {
    name: "spdump",
    kind: "database",
    flags: [READ_DB],
    prompts: [],
    writes: [],
    example: { args: [] },
  },
  {
    name: "spjson",
    kind: "database",
    flags: [
      "--allow-read=spider.sqlite,spider.json.part",
      "--allow-write=spider.json,spider.json.part",
    ],
    prompts: [{ text: "How many nodes? ", unless: "--nodes" }],
    writes: ["spider.json"],
    example: { args: ["--nodes", "3"] },
  },
  {
    name: "serve",
    kind: "tool",
    flags: ["--allow-net=127.0.0.1", "--allow-read=data"],
    prompts: [],
    writes: [],
  },
  {
    name: "demo",
    kind: "tool",
    flags: ["--allow-run=deno", "--allow-read=scripts,/tmp", "--allow-write=/tmp"],
    prompts: [],
    writes: [],
  },
  {
    name: "make_cover",
    kind: "tool",
    task: "make-cover",
    flags: [
      "--allow-run=chromium",
      "--allow-net=127.0.0.1",
      "--allow-write=/tmp,data/cover3.jpg,data/cover3.jpg.part",
      "--allow-read=/tmp,data/cover3.jpg.part",
    ],
    prompts: [],
    writes: ["data/cover3.jpg"],
  },
];

/**
 * The program of that name.
 *
 * @param name The program's name, as in `socket1`.
 * @returns Its entry in {@linkcode PROGRAMS}.
 * @throws {Error} When there is no such program.
 *
 * @example The flags of the program that writes stuff.jpg
 * ```ts
 * import { programNamed } from "./programs.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(programNamed("urljpeg").flags, [
 *   "--allow-net=data.pr4e.org:80",
 *   "--allow-write=stuff.jpg,stuff.jpg.part",
 *   "--allow-read=stuff.jpg.part",
 * ]);
 * assert.throws(() => programNamed("socket9"), /no program named socket9/);
 * ```
 */
export function programNamed(name: string): Program {
  const found = PROGRAMS.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no program named ${name}`);
  return found;
}

/**
 * The command line that runs a program with its flags, as its `--help`, its
 * header comment and the README show it (or, with `noPrompt`, as its
 * `deno.json` task runs it).
 *
 * @param program The program.
 * @param noPrompt Add `--no-prompt`, so that a missing permission fails at once.
 * @returns `deno run [--no-prompt] FLAGS scripts/NAME.ts`.
 * @see {@linkcode taskLine} for the line of its `deno.json` task, which may allow more.
 *
 * @example The command lines of socket1
 * ```ts
 * import { commandLine, programNamed } from "./programs.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   commandLine(programNamed("socket1")),
 *   "deno run --allow-net=data.pr4e.org:80 scripts/socket1.ts",
 * );
 * assert.equal(
 *   commandLine(programNamed("socket1"), true),
 *   "deno run --no-prompt --allow-net=data.pr4e.org:80 scripts/socket1.ts",
 * );
 * ```
 */
export function commandLine(program: Program, noPrompt = false): string {
  const flags = noPrompt ? ["--no-prompt", ...program.flags] : program.flags;
  return ["deno", "run", ...flags, `scripts/${program.name}.ts`].join(" ");
}

/**
 * The flags of a program's `deno.json` task: its shebang's flags, with
 * `--no-prompt` first (a missing permission fails at once) and, for the
 * programs of the chapter and beyond it (not the tools), the local mirror's
 * default address {@linkcode MIRROR_ADDRESS} added to its `--allow-net`, so
 * that `deno task NAME http://127.0.0.1:8000/...` works against
 * `deno task serve`. The shebang keeps the narrowest flags.
 *
 * @param program The program.
 * @returns The flags, in order.
 *
 * @example socket1's task may reach the book's server and the mirror
 * ```ts
 * import { programNamed, taskFlags } from "./programs.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(taskFlags(programNamed("socket1")), [
 *   "--no-prompt",
 *   "--allow-net=data.pr4e.org:80,127.0.0.1:8000",
 * ]);
 * assert.deepEqual(taskFlags(programNamed("serve")), [
 *   "--no-prompt",
 *   "--allow-net=127.0.0.1",
 *   "--allow-read=data",
 * ]);
 * ```
 */
export function taskFlags(program: Program): string[] {
  const flags = program.kind === "tool"
    ? program.flags
    : program.flags.map((flag) =>
      flag.startsWith("--allow-net=") ? `${flag},${MIRROR_ADDRESS}` : flag
    );
  return ["--no-prompt", ...flags];
}

/**
 * The command line of a program's `deno.json` task.
 *
 * @param program The program.
 * @returns `deno run --no-prompt TASK_FLAGS scripts/NAME.ts` (see {@linkcode taskFlags}).
 *
 * @example The task of rawget
 * ```ts
 * import { programNamed, taskLine } from "./programs.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   taskLine(programNamed("rawget")),
 *   "deno run --no-prompt --allow-net=data.pr4e.org:80,127.0.0.1:8000 scripts/rawget.ts",
 * );
 * ```
 */
export function taskLine(program: Program): string {
  return ["deno", "run", ...taskFlags(program), `scripts/${program.name}.ts`].join(" ");
}
