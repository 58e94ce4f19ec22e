// Copyright netprog authors. MIT license.

// Error lines that lead somewhere: https:// to a plain HTTP server says so at once and suggests
// http:// (a handshake that gets no answer says so too: tests/socket_scripts_test.ts); a refused
// connection to the mirror's address suggests starting it; a control byte in what the user typed
// is shown as the programs show it on a terminal (\x1b, not \u001b).

import assert from "node:assert/strict";
import { runScript, startMirror, startRawServer, writeAll } from "./_helpers.ts";

const PLAIN = "(is it a plain HTTP server? try http://)";

Deno.test("https:// to the plain HTTP mirror says so at once and suggests http://", async () => {
  await using mirror = await startMirror();
  const url = `https://127.0.0.1:${mirror.port}/romeo.txt`;
  for (const name of ["socket1", "urllib1", "rawget"]) {
    const started = performance.now();
    const result = await runScript(name, [url], {
      flags: [`--allow-net=127.0.0.1:${mirror.port}`],
    });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(result.code, 1, `${name}: ${result.stderr}`);
    assert.match(result.stderr, /^\w+: cannot (connect to|retrieve) [^\n]*did not answer in TLS/);
    assert(result.stderr.endsWith(`${PLAIN}\n`), result.stderr);
    assert(seconds < 5, `${name} took ${seconds.toFixed(1)} s`);
  }
});

Deno.test("a refused connection to the mirror's address suggests deno task serve", async () => {
  let free = true;
  try {
    Deno.listen({ hostname: "127.0.0.1", port: 8000 }).close();
  } catch {
    free = false;
  }
  if (!free) {
    console.log("SKIP: 127.0.0.1:8000 is in use, so a refused connection cannot be shown there");
    return;
  }
  for (const name of ["socket1", "urllib1"]) {
    const result = await runScript(name, ["http://127.0.0.1:8000/romeo.txt"], {
      flags: ["--allow-net=127.0.0.1:8000"],
    });
    assert.equal(
      result.stderr,
      `${name}: cannot connect to 127.0.0.1:8000: connection refused ` +
        "(start the local mirror with: deno task serve)\n",
    );
  }
});

Deno.test("an escape in a typed URL is shown as \\x1b, as on a terminal", async () => {
  const result = await runScript("socket1", ["http://a\x1b[2J.example:99999/"], { flags: [] });
  assert.equal(result.code, 2);
  assert(result.stderr.includes("a\\x1b[2J.example"), result.stderr);
  assert(!result.stderr.includes("\\u001b"), result.stderr);
});

Deno.test("a missing network permission's hint keeps the hosts already allowed", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const other = (closed.addr as Deno.NetAddr).port;
  closed.close();
  // rawget -L, sent by a redirect to a port it may not reach: the hint keeps the first one.
  await using server = startRawServer(async (conn) => {
    await writeAll(
      conn,
      `HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:${other}/\r\nContent-Length: 0\r\n\r\n`,
    );
  });
  const result = await runScript("rawget", ["-L", `${server.origin}/`], {
    flags: [`--allow-net=127.0.0.1:${server.port}`],
  });
  assert.equal(
    result.stderr,
    `rawget: no network permission for 127.0.0.1:${other}: ` +
      `run with --allow-net=127.0.0.1:${server.port},127.0.0.1:${other}\n`,
  );
  // socket1 allowed the book's host, as its shebang does: it stays in the hint.
  const socket1 = await runScript("socket1", [`http://127.0.0.1:${other}/`], {
    flags: ["--allow-net=data.pr4e.org:80"],
  });
  assert.equal(
    socket1.stderr,
    `socket1: no network permission for 127.0.0.1:${other}: ` +
      `run with --allow-net=data.pr4e.org:80,127.0.0.1:${other}\n`,
  );
});
