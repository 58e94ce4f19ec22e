// Copyright netprog authors. MIT license.

// The npm package of the core, built from the same source (npm/build.ts), packed and installed
// with npm, works on the machine's Node.js with no flags: every example of the core's documentation
// (they import "@netprog/netprog" and the core's runtime-free assertions, core/_assert.ts) and every unit
// test of the core (compiled as it is, its imports pointed at the installed modules) runs there,
// and a TypeScript user's code type-checks against the package's declarations.

import assert from "node:assert/strict";
import { ROOT } from "./_helpers.ts";

const TYPESCRIPT = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)).imports.typescript;

/** Whether a command runs at all here. */
function have(command: string): boolean {
  try {
    return new Deno.Command(command, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Runs a command; its stdout, or a failed assertion with its stderr. */
async function sh(command: string, args: string[], cwd: string): Promise<string> {
  const output = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(output.stdout);
  assert(
    output.success,
    `${command} ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}${text}`,
  );
  return text;
}

/** `deno run` of a tool outside the project's config (TypeScript from npm): reads anywhere. */
function denoTool(args: string[], cwd: string): Promise<string> {
  return sh("deno", [
    "run",
    "--no-prompt",
    "--no-config",
    "--no-lock",
    "--allow-read",
    "--allow-env",
    ...args,
  ], cwd);
}

/** The ```ts examples in the JSDoc comments of a source file. */
function examples(source: string): string[] {
  return [...source.matchAll(/^\s*\* ```ts\n([\s\S]*?)^\s*\* ```$/gm)].map((m) =>
    m[1].split("\n").map((line) => line.replace(/^\s*\* ?/, "")).join("\n")
  );
}

/** Turns TypeScript into JavaScript with TypeScript's own compiler, in a child process. */
const TRANSPILE = `
import ts from "${TYPESCRIPT}";
const [from, to] = Deno.args;
for (const entry of Deno.readDirSync(from)) {
  if (!entry.name.endsWith(".ts")) continue;
  const { outputText } = ts.transpileModule(Deno.readTextFileSync(from + "/" + entry.name), {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
  });
  Deno.writeTextFileSync(to + "/" + entry.name.replace(/\\.ts$/, ".mjs"), outputText);
}
`;

Deno.test({
  name: "the npm package installs and runs every core example and unit test on Node.js, with types",
  ignore: !have("node") || !have("npm"),
  fn: async () => {
    const work = await Deno.makeTempDir({ prefix: "netprog-npm-" });
    try {
      const dist = `${work}/dist`;
      await sh("deno", [
        "run",
        "--no-prompt",
        `--allow-read=${ROOT},${dist}`,
        `--allow-write=${dist}`,
        "--allow-run=deno",
        `${ROOT}/npm/build.ts`,
        "--out",
        dist,
      ], ROOT);
      const tarball = (await sh("npm", ["pack", "--silent", "--pack-destination", work], dist))
        .trim();
      const project = `${work}/project`;
      Deno.mkdirSync(`${project}/examples`, { recursive: true });
      Deno.writeTextFileSync(`${project}/package.json`, '{"name":"user","private":true}\n');
      await sh(
        "npm",
        ["install", "--no-audit", "--no-fund", "--offline", `${work}/${tarball}`],
        project,
      );

      // Every example of mod.ts and core/, as the documentation shows it.
      const sources = [
        "mod.ts",
        ...[...Deno.readDirSync(`${ROOT}/core`)]
          .map((entry) => `core/${entry.name}`)
          .filter((name) =>
            name.endsWith(".ts") && !name.endsWith("_test.ts") && !name.includes("/_")
          ),
      ];
      let count = 0;
      for (const source of sources) {
        for (const example of examples(Deno.readTextFileSync(`${ROOT}/${source}`))) {
          assert(example.includes('from "@netprog/netprog"'), `${source}: ${example}`);
          Deno.writeTextFileSync(
            `${project}/examples/example${++count}.ts`,
            example.replace(/from "\.\/(core\/)?_assert\.ts"/g, 'from "./_assert.mjs"'),
          );
        }
      }
      assert(count > 50, `only ${count} examples`);
      // The examples' assertions: the core's own, which need no runtime.
      Deno.copyFileSync(`${ROOT}/core/_assert.ts`, `${project}/examples/_assert.ts`);
      Deno.writeTextFileSync(`${work}/transpile.ts`, TRANSPILE);
      await denoTool([
        `--allow-write=${project}/examples`,
        `${work}/transpile.ts`,
        `${project}/examples`,
        `${project}/examples`,
      ], work);
      const failures: string[] = [];
      for (let i = 1; i <= count; i++) {
        const output = await new Deno.Command("node", {
          args: [`examples/example${i}.mjs`],
          cwd: project,
          stdout: "piped",
          stderr: "piped",
        }).output();
        if (!output.success) {
          const why = new TextDecoder().decode(output.stderr).split("\n").filter((line) =>
            /Error/.test(line)
          )[0];
          failures.push(`example ${i}: ${why}`);
        }
      }
      assert.deepEqual(failures, [], `${failures.length} of ${count} examples failed on Node.js`);

      // The core's unit tests, compiled as they are, against the installed package's modules.
      const pkg = `${project}/node_modules/@netprog/netprog`;
      const unit = `${project}/unit`;
      Deno.mkdirSync(`${unit}/core`, { recursive: true });
      Deno.mkdirSync(`${unit}/tests/fixtures`, { recursive: true });
      const toPackage = (source: string) =>
        source
          .replace(/from "\.\/_assert\.ts"/g, 'from "./_assert.mjs"')
          .replace(/from "\.\.\/tests\/_scan\.ts"/g, 'from "../tests/_scan.mjs"')
          .replace(/from "\.\.\/mod\.ts"/g, `from "${pkg}/mod.js"`)
          .replace(/from "\.\/([a-z_]+)\.ts"/g, `from "${pkg}/core/$1.js"`);
      const unitTests = [...Deno.readDirSync(`${ROOT}/core`)].map((entry) => entry.name)
        .filter((name) => name.endsWith("_test.ts"));
      for (const name of [...unitTests, "_assert.ts"]) {
        Deno.writeTextFileSync(
          `${unit}/core/${name}`,
          toPackage(Deno.readTextFileSync(`${ROOT}/core/${name}`)),
        );
      }
      Deno.writeTextFileSync(
        `${unit}/tests/_scan.ts`,
        toPackage(Deno.readTextFileSync(`${ROOT}/tests/_scan.ts`)),
      );
      Deno.mkdirSync(`${unit}/tests/fixtures/http`);
      for (const entry of Deno.readDirSync(`${ROOT}/tests/fixtures/http`)) {
        const name = `tests/fixtures/http/${entry.name}`;
        Deno.copyFileSync(`${ROOT}/${name}`, `${unit}/${name}`);
      }
      for (const folder of [`${unit}/core`, `${unit}/tests`]) {
        await denoTool([
          `--allow-write=${folder}`,
          `${work}/transpile.ts`,
          folder,
          folder,
        ], work);
      }
      const report = await sh("node", [
        "--import",
        `${ROOT}/npm/runtime_shim.mjs`,
        "--test",
        ...unitTests.map((name) => `unit/core/${name.replace(/\.ts$/, ".mjs")}`),
      ], project);
      const passed = Number(/^# pass (\d+)$/m.exec(report)?.[1]);
      assert.match(report, /^# fail 0$/m, report.slice(-2000));
      assert(passed >= 100, `only ${passed} unit tests ran on Node.js`);

      // A TypeScript user's code type-checks against the declarations, resolved as Node resolves.
      Deno.writeTextFileSync(
        `${project}/user.ts`,
        'import { parseResponse, type ParsedResponse } from "@netprog/netprog";\n' +
          'const response: ParsedResponse = parseResponse(new TextEncoder().encode("HTTP/1.1 200 OK\\r\\n\\r\\n"));\n' +
          "const status: number = response.status;\nexport { status };\n",
      );
      await denoTool([
        `${TYPESCRIPT}/tsc`,
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--lib",
        "es2022,dom",
        "user.ts",
      ], project);
      console.log(
        `npm package on Node.js ${(await sh("node", ["--version"], work)).trim()}: ` +
          `${count} examples and ${passed} unit tests passed`,
      );
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});
