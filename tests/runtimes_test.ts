// Copyright netprog authors. MIT license.

// The core's unit tests, unchanged, on the other runtimes it claims: Bun, and Node.js 22 on the
// TypeScript source (type stripping), through one small shim (npm/runtime_shim.mjs). .ci/run puts
// them on PATH as `bun` and `node22` (from npm); without them each case prints one SKIP line. The
// built package on the machine's own Node.js is tests/npm_package_test.ts.

import assert from "node:assert/strict";
import { ROOT } from "./_helpers.ts";

/** Whether a command runs here. */
function have(command: string): boolean {
  try {
    return new Deno.Command(command, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

const TESTS = [...Deno.readDirSync(`${ROOT}/core`)].map((entry) => entry.name)
  .filter((name) => name.endsWith("_test.ts")).sort().map((name) => `core/${name}`);

/** How many `Deno.test` cases the core's test files hold. */
const CASES = TESTS.reduce(
  (sum, file) =>
    sum + (Deno.readTextFileSync(`${ROOT}/${file}`).match(/^Deno\.test\(/gm) ?? []).length,
  0,
);

async function runTests(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  assert(output.success, `${command} failed:\n${text.slice(-3000)}`);
  return text;
}

Deno.test("the core's unit tests pass on Bun", async () => {
  if (!have("bun")) {
    console.log("SKIP: bun is not on PATH (.ci/run installs it from npm): the core's tests on Bun");
    return;
  }
  const text = await runTests("bun", [
    "test",
    "--preload",
    "./npm/runtime_shim.mjs",
    ...TESTS.map((t) => `./${t}`),
  ]);
  assert.match(text, new RegExp(`\\b${CASES} pass\\b`), text.slice(-500));
  assert.match(text, /\b0 fail\b/);
});

Deno.test("the core's unit tests pass on Node.js 22, on the TypeScript source", async () => {
  if (!have("node22")) {
    console.log(
      "SKIP: node22 is not on PATH (.ci/run installs Node.js 22 from npm): the core's tests on it",
    );
    return;
  }
  const text = await runTests("node22", [
    "--experimental-strip-types",
    "--no-warnings",
    "--import",
    "./npm/runtime_shim.mjs",
    "--test",
    ...TESTS,
  ]);
  assert.match(text, new RegExp(`^# pass ${CASES}$`, "m"), text.slice(-500));
  assert.match(text, /^# fail 0$/m);
});
