// Copyright netprog authors. MIT license.

// No program ever stops at Deno's permission prompt, however it is started: run on a terminal
// (a pseudo-terminal here) without --no-prompt, a program that lacks a permission says which flag
// to add, in one line, and exits; it never asks "Allow? [y/n/A]".

import assert from "node:assert/strict";
import { ROOT, startRawServer, writeAll } from "./_helpers.ts";
import { selfSignedCertificate } from "./_tls.ts";
import { onTerminal } from "./_pty.ts";

/** Runs `deno run <flags> scripts/<name>.ts <args>` on a terminal; a permission prompt kills it. */
function promptless(name: string, flags: string[], args: string[]) {
  const command = ["deno", "run", ...flags, `${ROOT}/scripts/${name}.ts`, ...args];
  return onTerminal(command, { stopAt: "Deno requests" });
}

/** A server that redirects everything to `location`. */
function redirector(location: () => string) {
  return startRawServer(async (conn) => {
    await writeAll(
      conn,
      `HTTP/1.1 302 Found\r\nLocation: ${location()}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
  });
}

Deno.test("no program reaches Deno's permission prompt on a terminal", async () => {
  await using other = startRawServer(async (conn) => {
    await writeAll(conn, "HTTP/1.0 200 OK\r\n\r\nelsewhere");
  });
  await using server = redirector(() => `${other.origin}/`);
  await using tls = await selfSignedCertificate();
  const allowed = [`--allow-net=127.0.0.1:${server.port}`];
  // The hint keeps the host already allowed where the program was using it.
  const missingNet = (kept: string) =>
    `no network permission for 127.0.0.1:${other.port}: ` +
    `run with --allow-net=${kept}127.0.0.1:${other.port}`;
  const cases: [string, string[], string[], string][] = [
    ["socket1", allowed, [`${other.origin}/`], missingNet("")],
    ["rawget", allowed, ["-L", `${server.origin}/`], missingNet(`127.0.0.1:${server.port},`)],
    ["urllib1", allowed, [`${server.origin}/`], missingNet(`127.0.0.1:${server.port},`)],
    [
      "rawget",
      allowed,
      ["--cacert", tls.certFile, `${server.origin}/`],
      `no read permission for ${tls.certFile}: run with --allow-read=${tls.certFile}`,
    ],
  ];
  for (const [name, flags, args, line] of cases) {
    const { shown, code } = await promptless(name, flags, args);
    const where = `${name} ${args.join(" ")}`;
    assert(!shown.includes("Deno requests"), `${where} stopped at Deno's prompt:\n${shown}`);
    assert.equal(code, 1, `${where}: ${shown}`);
    assert(shown.includes(`${name}: ${line}`), `${where}: ${shown}`);
  }
});

Deno.test("each script runs through its own shebang line, and still never prompts", async () => {
  await using server = startRawServer(async (conn) => {
    await writeAll(conn, "HTTP/1.0 200 OK\r\n\r\nhello");
  });
  for (const entry of Deno.readDirSync(`${ROOT}/scripts`)) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    const mode = Deno.statSync(`${ROOT}/scripts/${entry.name}`).mode ?? 0;
    assert((mode & 0o111) !== 0, `scripts/${entry.name} is not executable`);
  }
  // socket1's shebang allows the book's server only: a loopback URL is refused, with the flag.
  const { shown } = await onTerminal([`${ROOT}/scripts/socket1.ts`, `${server.origin}/`], {
    stopAt: "Deno requests",
  });
  assert(!shown.includes("Deno requests"), shown);
  assert(
    shown.includes(
      `socket1: no network permission for 127.0.0.1:${server.port}: ` +
        `run with --allow-net=data.pr4e.org:80,127.0.0.1:${server.port}`,
    ),
    shown,
  );
});
