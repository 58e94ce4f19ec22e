// Copyright netprog authors. MIT license.

// The raw-socket programs send the absolute URL in the request line, as the book's do; a server
// that takes a path only (python3 -m http.server) answers 404 to them and 200 to urllib1. Their
// --help says so, in the same words everywhere; the others' --help does not.

import assert from "node:assert/strict";
import { ABSOLUTE_URL_HELP } from "../scripts/lib/args.ts";
import { PROGRAMS } from "../scripts/lib/programs.ts";
import { ROOT, runScript } from "./_helpers.ts";

/** The programs whose request line is `GET <absolute URL> HTTP/1.0`. */
const ABSOLUTE_FORM = ["socket1", "socket2", "exercise1", "exercise2", "urljpeg", "exercise5"];

Deno.test("the absolute-URL programs' --help says a path-only server answers 404, the others' not", async () => {
  const problems: string[] = [];
  await Promise.all(PROGRAMS.map(async (program) => {
    const help = await runScript(program.name, ["--help"], { flags: [...program.flags] });
    const says = help.stdout.includes(`\n\n${ABSOLUTE_URL_HELP}\n`);
    if (says !== ABSOLUTE_FORM.includes(program.name)) {
      problems.push(`${program.name} --help ${says ? "says" : "does not say"} it`);
    }
  }));
  assert.deepEqual(problems.sort(), []);
});

/** A free port on 127.0.0.1 (free when asked). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

Deno.test("python3 -m http.server answers 404 to socket1 and 200 to urllib1, as the help says", async () => {
  const port = freePort();
  const server = new Deno.Command("python3", {
    args: ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", `${ROOT}/data`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const url = `http://127.0.0.1:${port}/romeo.txt`;
    for (let tries = 0; tries < 100; tries++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const flags = [`--allow-net=127.0.0.1:${port}`];
    const raw = await runScript("socket1", [url], { flags });
    assert.equal(raw.code, 0, raw.stderr);
    assert.match(raw.stdout, /^HTTP\/1\.0 404 /);
    const fetched = await runScript("urllib1", [url], { flags });
    assert.equal(fetched.code, 0, fetched.stderr);
    assert.match(fetched.stdout, /^But soft what light through yonder window breaks\n/);
  } finally {
    server.kill("SIGTERM");
    await server.status;
  }
});
