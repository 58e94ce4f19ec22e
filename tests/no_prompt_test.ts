// Copyright netprog authors. MIT license.

// No program ever stops at Deno's permission prompt, however it is started: run on a terminal
// (a pseudo-terminal here) without --no-prompt, a program that lacks a permission says which flag
// to add, in one line, and exits; it never asks "Allow? [y/n/A]".

import assert from "node:assert/strict";
import { ROOT, startRawServer, writeAll } from "./_helpers.ts";
import { selfSignedCertificate } from "./_tls.ts";

/** Runs a command on a pseudo-terminal; a permission prompt is answered by killing it. */
const ON_A_TERMINAL = `
import os, pty, sys, select, time, signal
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
deadline = time.time() + 30
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if not ready:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if b"Deno requests" in out:
        os.kill(pid, signal.SIGKILL)
        break
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.stdout.write("\\n[status %d]" % os.waitstatus_to_exitcode(status))
`;

/** Runs `deno run <flags> scripts/<name>.ts <args>` on a terminal: what it showed, and its status. */
async function onTerminal(
  name: string,
  flags: string[],
  args: string[],
): Promise<{ shown: string; code: number }> {
  const output = await new Deno.Command("python3", {
    args: ["-c", ON_A_TERMINAL, "deno", "run", ...flags, `${ROOT}/scripts/${name}.ts`, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  const at = text.lastIndexOf("\n[status ");
  return { shown: text.slice(0, at), code: Number(text.slice(at + 9, -1)) };
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
    const { shown, code } = await onTerminal(name, flags, args);
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
  const output = await new Deno.Command("python3", {
    args: ["-c", ON_A_TERMINAL, `${ROOT}/scripts/socket1.ts`, `${server.origin}/`],
    env: { NO_COLOR: "1" },
    stdout: "piped",
  }).output();
  const shown = new TextDecoder().decode(output.stdout);
  assert(!shown.includes("Deno requests"), shown);
  assert(
    shown.includes(
      `socket1: no network permission for 127.0.0.1:${server.port}: ` +
        `run with --allow-net=data.pr4e.org:80,127.0.0.1:${server.port}`,
    ),
    shown,
  );
});
