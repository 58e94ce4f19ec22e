// Copyright netprog authors. MIT license.

// Every program that writes to stdout stops at once, quietly, when its reader goes away (`| head`):
// no stack trace, no error line, exit status 141 (what a shell shows for cat or grep stopped by
// SIGPIPE), and no more reading from the network. A small body must not turn into an error either.

import assert from "node:assert/strict";
import { ROOT, startRawServer, writeAll } from "./_helpers.ts";
import { CLOSED_STDOUT_STATUS } from "../scripts/lib/errors.ts";
import { type Program, PROGRAMS } from "../scripts/lib/programs.ts";
import { loopbackFlags } from "./_fault_server.ts";

const encoder = new TextEncoder();

/** A page with words and links, about `size` bytes. */
function page(size: number): string {
  const line = '<p>But soft what light <a href="http://127.0.0.1/next.htm">next</a></p>\n';
  return line.repeat(Math.ceil(size / line.length));
}

const SMALL = page(300);
const BIG = page(4 * 1024 * 1024);

/** Programs that print the body as it streams in: given an endless one. */
const STREAMING = new Set([
  "socket1",
  "socket2",
  "exercise1",
  "exercise5",
  "urllib1",
  "urllib2",
  "rawget",
]);
/** Programs that print a line or two whatever the page: they may finish before their reader goes. */
const SHORT = new Set(["urlwords", "exercise4", "curl2", "curl3", "urllink3"]);

/**
 * Every program of the list that fetches and writes to stdout (all but the tools, curl1, which
 * prints nothing, and the crawl database's programs, which fetch nothing: tests/spider_db_test.ts
 * closes their stdout).
 */
const STDOUT_PROGRAMS = PROGRAMS.filter((program) =>
  program.kind !== "tool" && program.kind !== "database" && program.name !== "curl1"
);

/** The arguments for `url`, with every question that has an option answered by it. */
function argsFor(program: Program, url: string): string[] {
  const args = [url];
  for (const prompt of program.prompts) {
    if (prompt.unless.startsWith("--")) args.push(prompt.unless, "1");
  }
  return args;
}

/** Serves `/small` and `/big` with a Content-Length, and `/endless` until the client goes. */
function startServer() {
  return startRawServer(async (conn, head) => {
    const path = head.split(" ")[1] ?? "";
    if (path.endsWith("/endless")) {
      await writeAll(conn, "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n");
      const block = encoder.encode(page(64 * 1024));
      while (true) await writeAll(conn, block);
    }
    const body = encoder.encode(path.endsWith("/big") ? BIG : SMALL);
    await writeAll(
      conn,
      `HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    await writeAll(conn, body);
  });
}

/**
 * Runs a program with its stdout read for `readFirst` bytes (0: not at all) and then closed.
 * Returns its exit status and stderr.
 */
async function runWithClosedStdout(
  program: Program,
  url: string,
  port: number,
  readFirst: number,
): Promise<{ code: number; stderr: string; ms: number }> {
  const cwd = await Deno.makeTempDir();
  const started = performance.now();
  try {
    const child = new Deno.Command("deno", {
      args: [
        "run",
        "--no-prompt",
        ...loopbackFlags([...program.flags], `127.0.0.1:${port}`),
        `${ROOT}/scripts/${program.name}.ts`,
        ...argsFor(program, url),
      ],
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const stderr = new Response(child.stderr).text();
    let seen = 0;
    if (readFirst > 0) {
      const reader = child.stdout.getReader();
      while (seen < readFirst) {
        const next = await reader.read();
        if (next.done) break;
        seen += next.value.length;
      }
      await reader.cancel();
    } else {
      await child.stdout.cancel();
    }
    const status = await child.status;
    clearTimeout(killer);
    return { code: status.code, stderr: await stderr, ms: performance.now() - started };
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

Deno.test("a closed stdout ends every program quietly, with status 141, on small and large bodies", async () => {
  await using server = startServer();
  const failures: string[] = [];
  for (const program of STDOUT_PROGRAMS) {
    // Small body, the reader gone before anything is written: the first write ends the program.
    const small = await runWithClosedStdout(program, `${server.origin}/small`, server.port, 0);
    if (small.code !== CLOSED_STDOUT_STATUS || small.stderr !== "") {
      failures.push(
        `${program.name} small: status ${small.code}, stderr ${JSON.stringify(small.stderr)}`,
      );
    }
    // Large body (endless where the program streams it): the reader takes 10 bytes and goes.
    const path = STREAMING.has(program.name) ? "/endless" : "/big";
    const large = await runWithClosedStdout(program, `${server.origin}${path}`, server.port, 10);
    const finished = SHORT.has(program.name) && large.code === 0;
    if ((large.code !== CLOSED_STDOUT_STATUS && !finished) || large.stderr !== "") {
      failures.push(
        `${program.name} ${path}: status ${large.code} after ${Math.round(large.ms)} ms, stderr ${
          JSON.stringify(large.stderr)
        }`,
      );
    }
  }
  assert.deepEqual(failures, []);
});
