// Copyright netprog authors. MIT license.

// A server's bytes cannot drive the user's terminal: run under a pseudo-terminal (python3's pty
// module), the programs show escape sequences escaped; piped, their output stays byte-exact.

import assert from "node:assert/strict";
import { ROOT, runScript } from "./_helpers.ts";
import { loopbackFlags, shebangFlags, startFaultServer } from "./_fault_server.ts";

/** Runs a command with a pseudo-terminal as stdin, stdout and stderr; returns what it showed. */
async function underPty(
  command: string[],
  cwd: string,
): Promise<{ code: number; shown: Uint8Array }> {
  const runner = [
    "import os, pty, select, sys",
    "pid, fd = pty.fork()",
    "if pid == 0:",
    "    os.execvp(sys.argv[1], sys.argv[1:])",
    "out = b''",
    "while True:",
    "    ready, _, _ = select.select([fd], [], [], 30)",
    "    if not ready:",
    "        break",
    "    try:",
    "        data = os.read(fd, 65536)",
    "    except OSError:",
    "        break",
    "    if not data:",
    "        break",
    "    out += data",
    "_, status = os.waitpid(pid, 0)",
    "sys.stdout.buffer.write(out)",
    "sys.exit(os.waitstatus_to_exitcode(status))",
  ].join("\n");
  const output = await new Deno.Command("python3", {
    args: ["-c", runner, ...command],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", TERM: "xterm" },
  }).output();
  return { code: output.code, shown: output.stdout };
}

/** Offsets of bytes that could drive a terminal: C0 controls but tab, LF and CR before LF; DEL. */
function drivingBytes(bytes: Uint8Array): string[] {
  const found: string[] = [];
  const text = new TextDecoder().decode(bytes);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0d && (text[i + 1] === "\n" || (text[i + 1] === "\r" && text[i + 2] === "\n"))) {
      continue; // the terminal's own CRLF (the pty turns LF into CRLF)
    }
    if (
      (code < 0x20 && code !== 0x09 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)
    ) {
      found.push(`0x${code.toString(16)} at ${i}`);
    }
  }
  return found;
}

/** The programs that print what a server sent: text, and what they find in HTML. */
const PRINTERS = [
  "socket1",
  "socket2",
  "exercise1",
  "exercise2",
  "exercise5",
  "urllib1",
  "exercise3",
];
const HTML_PRINTERS = ["urlregex", "urllinks", "urllink2"];
/** Programs that print the server's header block. */
const HEAD_PRINTERS = ["socket1", "urljpeg", "rawget"];

function exists(name: string): boolean {
  try {
    return Deno.statSync(`${ROOT}/scripts/${name}.ts`).isFile;
  } catch {
    return false;
  }
}

for (
  const [mode, printers] of [
    ["terminal-escapes", PRINTERS],
    ["terminal-escapes-html", HTML_PRINTERS],
    ["terminal-escapes-head", HEAD_PRINTERS],
  ] as const
) {
  Deno.test(`on a terminal, escape sequences in ${mode} are shown escaped, never sent`, async () => {
    await using server = await startFaultServer(mode);
    const failures: string[] = [];
    const missing = printers.filter((name) => !exists(name));
    for (const name of printers.filter(exists)) {
      const flags = loopbackFlags(shebangFlags(name, ROOT)!, `127.0.0.1:${server.port}`);
      // A folder of its own: urljpeg writes stuff.jpg where it runs.
      const folder = await Deno.makeTempDir({ prefix: "netprog-pty-" });
      const { code, shown } = await underPty(
        [
          "deno",
          "run",
          "--no-prompt",
          ...flags,
          `${ROOT}/scripts/${name}.ts`,
          `${server.origin}/`,
          ...(name === "rawget" ? ["-i"] : []),
        ],
        folder,
      ).finally(() => Deno.remove(folder, { recursive: true }));
      const text = new TextDecoder().decode(shown);
      if (code !== 0) failures.push(`${name}: exit ${code}: ${text.slice(0, 300)}`);
      const driving = drivingBytes(shown);
      if (driving.length > 0) failures.push(`${name}: sent to the terminal: ${driving.join(", ")}`);
      if (!text.includes("\\x1b]0;owned")) {
        failures.push(`${name}: the title sequence is not shown`);
      }
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(missing, [], "programs missing from this test");
  });
}

Deno.test("piped, the raw-socket programs write the server's bytes unchanged", async () => {
  await using server = await startFaultServer("terminal-escapes");
  const flags = loopbackFlags(shebangFlags("socket1", ROOT)!, `127.0.0.1:${server.port}`);
  const result = await runScript("socket1", [`${server.origin}/`], { flags });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.stdoutBytes, server.sent);
});

Deno.test("on a terminal, the book's text comes through as it is", async () => {
  await using server = await startFaultServer("utf8-split");
  const flags = loopbackFlags(shebangFlags("socket1", ROOT)!, `127.0.0.1:${server.port}`);
  const { code, shown } = await underPty(
    ["deno", "run", "--no-prompt", ...flags, `${ROOT}/scripts/socket1.ts`, `${server.origin}/`],
    ROOT,
  );
  assert.equal(code, 0);
  // The pty turns every LF into CRLF; undo that (and the server's CRLF), and the text is the same.
  const text = new TextDecoder().decode(shown).replace(/\r+\n/g, "\n");
  assert.equal(text, new TextDecoder().decode(server.sent!).replace(/\r+\n/g, "\n"));
});
