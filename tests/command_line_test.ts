// Copyright netprog authors. MIT license.

/** parseCommandLine: every form of option the scripts' usage texts show. */

import assert from "node:assert/strict";
import { parseCommandLine } from "../scripts/lib/args.ts";
import { UsageError } from "../scripts/lib/errors.ts";

const OPTIONS = {
  include: { type: "boolean", short: "i" },
  location: { type: "boolean", short: "L" },
  output: { type: "string", short: "o" },
  header: { type: "string", short: "H", multiple: true },
  timeout: { type: "string" },
} as const;

function parse(args: string[], maxPositionals = Infinity) {
  return parseCommandLine("usage\n", OPTIONS, maxPositionals, args);
}

function why(args: string[], maxPositionals = Infinity): string {
  try {
    parse(args, maxPositionals);
  } catch (error) {
    assert(error instanceof UsageError, String(error));
    assert.equal(error.what, "cannot parse the command line");
    return error.why;
  }
  assert.fail(`no error for ${JSON.stringify(args)}`);
}

Deno.test("parseCommandLine reads long, short, grouped and inline options", () => {
  const { values, positionals } = parse([
    "http://a/",
    "-iL",
    "--timeout=2.5",
    "-ofile.txt",
    "-H",
    "A: 1",
    "--header",
    "B: 2",
    "http://b/",
  ]);
  assert.deepEqual(values, {
    include: true,
    location: true,
    timeout: "2.5",
    output: "file.txt",
    header: ["A: 1", "B: 2"],
  });
  assert.deepEqual(positionals, ["http://a/", "http://b/"]);
});

Deno.test("parseCommandLine takes a value after a short string option in a group", () => {
  const { values } = parse(["-io", "x.jpg"]);
  assert.equal(values.include, true);
  assert.equal(values.output, "x.jpg");
});

Deno.test("parseCommandLine treats what follows -- and a lone - as positionals", () => {
  assert.deepEqual(parse(["-", "--", "--include", "-o"]).positionals, ["-", "--include", "-o"]);
  assert.deepEqual(parse(["--timeout=-1"]).values.timeout, "-1");
});

Deno.test("parseCommandLine refuses unknown options, missing values and extra arguments", () => {
  assert.equal(why(["--bogus"]), "unknown option '--bogus' (see --help)");
  assert.equal(why(["-z"]), "unknown option '-z' (see --help)");
  assert.equal(why(["-iz"]), "unknown option '-z' (see --help)");
  assert.equal(why(["--include=yes"]), "option '--include' does not take a value (see --help)");
  assert.match(why(["--timeout"]), /^option '--timeout <value>' needs a value/);
  assert.match(why(["--timeout", "-1"]), /--timeout=VALUE for one that starts with -/);
  assert.match(why(["-o"]), /^option '-o <value>' needs a value/);
  assert.equal(why(["a", "b"], 1), 'unexpected argument "b" (see --help)');
  assert.equal(why(["--__proto__"]), "unknown option '--__proto__' (see --help)");
  assert.equal(why(["--toString"]), "unknown option '--toString' (see --help)");
});
