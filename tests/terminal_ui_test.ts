// Copyright netprog authors. MIT license.

// What the programs draw on a terminal, under a pseudo-terminal of a given width (python3's pty
// module, the size set with TIOCSWINSZ): the progress line fits the width and is redrawn in place,
// the Ctrl-C line does not land on it; rawget does not pour a binary body onto the terminal; the
// spider's status line is erased before each page's line.

import assert from "node:assert/strict";
import { ROOT, runScript, startRawServer, tempFolder, writeAll } from "./_helpers.ts";
import { onTerminal as runOnTerminal } from "./_pty.ts";
import { flags, startSite, tree } from "./_spider_site.ts";

/** Runs `deno run --no-prompt FLAGS scripts/NAME.ts ARGS` on a terminal `columns` wide. */
async function onTerminal(
  name: string,
  flags: string[],
  args: string[],
  { columns = 40, interruptAt = "", cwd = ROOT } = {},
): Promise<{ code: number; shown: string }> {
  const command = ["deno", "run", "--no-prompt", ...flags, `${ROOT}/scripts/${name}.ts`, ...args];
  return await runOnTerminal(command, { columns, interruptAt, cwd });
}

/** The terminal's code that erases from the cursor to the end of the line. */
const ERASE_LINE = "\x1b[K";

/** What stays visible of each line drawn: the text after each `\r`, erase-line codes removed. */
function drawnLines(shown: string): string[] {
  return shown.split(/\r\n|\n|\r/).map((line) => line.replaceAll(ERASE_LINE, ""));
}

const SIZE = 2_000_000;

/** A server that sends a body of SIZE bytes slowly, in 20 pieces over about a second. */
function slowServer(contentType = "application/octet-stream", stall = false) {
  return startRawServer(async (conn) => {
    await writeAll(
      conn,
      `HTTP/1.1 200 OK\r\nContent-Length: ${SIZE}\r\nContent-Type: ${contentType}\r\n` +
        "Connection: close\r\n\r\n",
    );
    const piece = new Uint8Array(SIZE / 20).fill(65);
    for (let i = 0; i < 20; i++) {
      await writeAll(conn, piece);
      await new Promise((resolve) => setTimeout(resolve, stall && i >= 2 ? 60_000 : 50));
    }
  });
}

Deno.test("the progress line fits a 40-column terminal and is redrawn in place", async () => {
  await using server = slowServer();
  await using folder = await tempFolder("netprog-terminal-ui-");
  const out = `${folder.path}/big.bin`;
  const write = [`--allow-write=${out},${out}.part`, `--allow-read=${out}.part`];
  for (const name of ["rawget", "curl1"]) {
    const { code, shown } = await onTerminal(
      name,
      [`--allow-net=127.0.0.1:${server.port}`, ...write],
      ["-o", out, `${server.origin}/big.bin`],
    );
    assert.equal(code, 0, shown);
    const lines = drawnLines(shown);
    const draws = lines.filter((line) => /\d%/.test(line));
    assert(draws.length >= 3, `${name}: too few draws in ${JSON.stringify(shown)}`);
    assert.deepEqual(lines.filter((line) => line.length >= 40), [], `${name}: a line is too wide`);
    // Redrawn in place: one line feed in all, after the last draw.
    assert.equal(shown.split("\n").length - 1, 1, `${name}: ${JSON.stringify(shown)}`);
    assert.match(draws.at(-1)!, /^100% 1\.9 MiB of 1\.9 MiB$/);
    assert.equal(Deno.statSync(out).size, SIZE);
  }
});

Deno.test("on a wide terminal the progress line has its bar, rate and time left", async () => {
  await using server = slowServer();
  await using folder = await tempFolder("netprog-terminal-ui-");
  const out = `${folder.path}/big.bin`;
  const { code, shown } = await onTerminal(
    "rawget",
    [
      `--allow-net=127.0.0.1:${server.port}`,
      `--allow-write=${out},${out}.part`,
      `--allow-read=${out}.part`,
    ],
    ["-o", out, `${server.origin}/big.bin`],
    { columns: 120 },
  );
  assert.equal(code, 0, shown);
  assert.match(
    shown.replaceAll(ERASE_LINE, "<erase line>"),
    /\r\[#{20}\] 100% 1\.9 MiB of 1\.9 MiB {2}\S+ \S+\/s {2}ETA 0:00<erase line>\r?\n/,
  );
});

Deno.test("Ctrl-C during a download: the bar is erased and the line stands alone", async () => {
  await using server = slowServer("application/octet-stream", true);
  await using folder = await tempFolder("netprog-terminal-ui-");
  const out = `${folder.path}/big.bin`;
  const { code, shown } = await onTerminal(
    "rawget",
    [
      `--allow-net=127.0.0.1:${server.port}`,
      `--allow-write=${out},${out}.part`,
      `--allow-read=${out}.part`,
    ],
    ["-o", out, `${server.origin}/big.bin`],
    { interruptAt: "%" },
  );
  assert.equal(code, 130, shown);
  // The bar's line is erased (\r, erase line) before the message is written.
  assert.match(
    shown.replaceAll(ERASE_LINE, "<erase line>"),
    /\d%[^\n]*\r<erase line>rawget: stopped: interrupted by Ctrl-C\r?\n$/,
  );
  assert.throws(() => Deno.statSync(out), Deno.errors.NotFound);
});

Deno.test("curl1's --help says the progress line is drawn on stderr on a terminal", async () => {
  const help = await runScript("curl1", ["--help"]);
  assert.match(help.stdout.replace(/\s+/g, " "), /when stderr is a terminal, a progress line/);
});

/** A server that answers every request with `body` and the Content-Type given, if any. */
function bodyServer(body: Uint8Array, contentType: string | null) {
  return startRawServer(async (conn) => {
    const type = contentType === null ? "" : `Content-Type: ${contentType}\r\n`;
    await writeAll(
      conn,
      `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${type}Connection: close\r\n\r\n`,
    );
    await writeAll(conn, body);
  });
}

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
const TEXT_WITH_NUL = new TextEncoder().encode("MARK-BEFORE\0MARK-AFTER\n");
const REFUSAL =
  "rawget: not writing binary output to the terminal: use -o FILE, or -o - to force it";

Deno.test("rawget does not write a binary body to a terminal, and says to use -o", async () => {
  const cases: [string, Uint8Array, string | null][] = [
    ["a JPEG, by its Content-Type", JPEG, "image/jpeg"],
    ["an octet stream", TEXT_WITH_NUL, "application/octet-stream; charset=binary"],
    ["a NUL byte, with no Content-Type", TEXT_WITH_NUL, null],
    ["a NUL byte, sent as text", TEXT_WITH_NUL, "text/plain"],
  ];
  for (const [what, body, type] of cases) {
    await using server = bodyServer(body, type);
    const { code, shown } = await onTerminal(
      "rawget",
      [`--allow-net=127.0.0.1:${server.port}`],
      [`${server.origin}/file`],
      { columns: 80 },
    );
    assert.equal(code, 1, `${what}: ${JSON.stringify(shown)}`);
    assert(shown.endsWith(`${REFUSAL}\r\n`), `${what}: ${JSON.stringify(shown)}`);
    assert(!shown.includes("MARK") && !shown.includes("JFIF"), `${what}: a body byte was written`);
  }
});

Deno.test("rawget -o - writes a binary body to the terminal; text and JSON go there as ever", async () => {
  await using jpeg = bodyServer(TEXT_WITH_NUL, "image/jpeg");
  const forced = await onTerminal(
    "rawget",
    [`--allow-net=127.0.0.1:${jpeg.port}`],
    ["-o", "-", `${jpeg.origin}/file`],
  );
  assert.equal(forced.code, 0, forced.shown);
  // On a terminal the NUL is shown escaped, as every control byte is.
  assert.match(forced.shown, /MARK-BEFORE\\x00MARK-AFTER\r\n$/);
  for (const type of ["text/plain; charset=utf-8", "application/json", "image/svg+xml", null]) {
    await using server = bodyServer(new TextEncoder().encode('{"MARK": 1}\n'), type);
    const { code, shown } = await onTerminal(
      "rawget",
      [`--allow-net=127.0.0.1:${server.port}`],
      [`${server.origin}/file`],
    );
    assert.equal(code, 0, `${type}: ${shown}`);
    assert(shown.endsWith('{"MARK": 1}\r\n'), `${type}: ${JSON.stringify(shown)}`);
  }
});

Deno.test("rawget's binary body piped or to a file is written unchanged", async () => {
  await using server = bodyServer(JPEG, "image/jpeg");
  const flags = [`--allow-net=127.0.0.1:${server.port}`];
  for (const args of [[], ["-o", "-"]]) {
    const piped = await runScript("rawget", [...args, `${server.origin}/cover.jpg`], { flags });
    assert.equal(piped.code, 0, piped.stderr);
    assert.deepEqual(piped.stdoutBytes, JPEG);
    assert.equal(piped.stderr, "");
  }
  await using folder = await tempFolder("netprog-terminal-ui-");
  const out = `${folder.path}/cover.jpg`;
  const { code, shown } = await onTerminal(
    "rawget",
    [...flags, `--allow-write=${out},${out}.part`, `--allow-read=${out}.part`],
    ["-o", out, `${server.origin}/cover.jpg`],
  );
  assert.equal(code, 0, shown);
  assert.deepEqual(Deno.readFileSync(out), JPEG);
});

Deno.test("the spider's status line fits the terminal, and each page's line starts on a line of its own", async () => {
  await using site = startSite({ pages: tree(6) });
  await using folder = await tempFolder("netprog-terminal-ui-");
  const { code, shown } = await onTerminal(
    "spider",
    flags(site.port),
    [`${site.origin}/p1.htm`, "--pages", "10", "--delay", "0.25"],
    { columns: 50, cwd: folder.path },
  );
  assert.equal(code, 0, shown);
  const lines = drawnLines(shown);
  const status = lines.filter((line) => /^spider: \d+ page\(s\), /.test(line));
  assert(status.length >= 3, `too few draws in ${JSON.stringify(shown)}`);
  assert.deepEqual(status.filter((line) => line.length >= 50), [], "a status line is too wide");
  assert(status.some((line) => /pages\/s, [1-9]\d* queued/.test(line)), status.join("\n"));
  assert.match(lines.at(-2)!, /^spider: 6 page\(s\) requested in [\d.]+ s/);
  // Every page's line is whole: the status line was erased before it.
  const pages = shown.split(/\r\n|\n/).filter((line) => /\d+ http:/.test(line));
  assert.equal(pages.length, 6, JSON.stringify(shown));
  for (const line of pages) {
    const last = line.split("\r").at(-1)!;
    const visible = last.replace(ERASE_LINE, "");
    assert.match(visible, /^\d+ http:\/\/127\.0\.0\.1:\d+\/p\d\.htm \(\d+\) \d$/);
    assert(line === visible || last === `${ERASE_LINE}${visible}`, JSON.stringify(line));
  }
});
