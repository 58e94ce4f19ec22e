// Copyright netprog authors. MIT license.

// Every TypeScript block of the README runs as written, and prints what its comments say. The
// example host in the blocks' imports stands for a server of the repository's files: an import map
// points it at this checkout.

import assert from "node:assert/strict";
import { ROOT } from "./_helpers.ts";

const HOST = "https://example.org/netprog/v0.2.0/";

/** The ```ts blocks of the README, in order. */
function typeScriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/** What a block says it prints: the `// ...` comment after each `console.log(...)`. */
function promised(block: string): string[] {
  return [...block.matchAll(/^console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
}

Deno.test("every TypeScript block of the README runs as written and prints what it says", async () => {
  const blocks = typeScriptBlocks(Deno.readTextFileSync(`${ROOT}/README.md`));
  assert(blocks.length >= 2, `only ${blocks.length} blocks found`);
  const dir = await Deno.makeTempDir({ prefix: "netprog-readme-" });
  try {
    const config = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`));
    const map = { imports: { ...config.imports, [HOST]: new URL(`file://${ROOT}/`).href } };
    Deno.writeTextFileSync(`${dir}/map.json`, JSON.stringify(map));
    for (const [i, block] of blocks.entries()) {
      assert(block.includes(HOST), `block ${i + 1} does not import from ${HOST}`);
      const file = `${dir}/block${i + 1}.ts`;
      Deno.writeTextFileSync(file, block);
      const output = await new Deno.Command("deno", {
        args: [
          "run",
          "--no-prompt",
          "--no-config",
          "--no-lock",
          `--import-map=${dir}/map.json`,
          file,
        ],
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, `block ${i + 1}: ${stderr}`);
      const printed = new TextDecoder().decode(output.stdout).trimEnd().split("\n");
      assert.deepEqual(printed, promised(block), `block ${i + 1}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
