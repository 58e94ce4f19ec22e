#!/usr/bin/env -S deno run --no-prompt --allow-run=deno --allow-read=web,core,mod.ts,deno.json,data/page1.htm --allow-write=web/dist --allow-net=127.0.0.1
// Copyright netprog authors. MIT license.

/**
 * serve: builds the page (web/build.ts) and serves web/dist/ on loopback.
 *
 *     deno task web [--port 8080] [--no-build]
 *
 * Permissions: those of web/build.ts (`--allow-run=deno`, `--allow-read` of
 * the sources, `--allow-write=web/dist`), and `--allow-net=127.0.0.1` to
 * listen on the loopback address only (any port, so `--port 0` picks a free
 * one). The first line on stdout is `Serving the page on http://127.0.0.1:PORT/`.
 *
 * @module
 */

import { BUILD_FLAGS } from "./build.ts";
import { integerOption, parseCommandLine } from "../scripts/lib/args.ts";
import { RunError } from "../scripts/lib/errors.ts";
import { run } from "../scripts/lib/run.ts";

const DIST = new URL("dist/", import.meta.url);
const TYPES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "main.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
  "graph.html": "text/html; charset=utf-8",
  "graph.js": "text/javascript; charset=utf-8",
  "graph.css": "text/css; charset=utf-8",
};
/** The same policy as the page's meta tag, plus what only a header can say. */
const POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const USAGE = `Usage: deno task web [--port PORT] [--no-build]

Builds the page into web/dist/ (as deno task build:web does) and serves it on
http://127.0.0.1:PORT/. Stop it with Ctrl-C.

Options:
  --port PORT   port to listen on; 0 picks a free one (default 8080)
  --no-build    serve web/dist/ as it is
  -h, --help    print this help
`;

/** Builds web/dist/ with web/build.ts in a child process with its own flags. */
async function build(): Promise<void> {
  const status = await new Deno.Command("deno", {
    args: [
      "run",
      "--no-prompt",
      ...BUILD_FLAGS,
      new URL("build.ts", import.meta.url).pathname,
    ],
    cwd: new URL("..", import.meta.url).pathname,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  if (!status.success) throw new RunError("cannot build the page", `exit status ${status.code}`);
}

await run("web", async () => {
  const { values } = parseCommandLine(USAGE, {
    port: { type: "string" },
    "no-build": { type: "boolean" },
  }, 0);
  const port = integerOption("port", values.port, 8080, 0, 65535);
  if (!values["no-build"]) await build();
  // Only these files are served; every other path is 404, so nothing else is reachable.
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: ({ port }) => console.log(`Serving the page on http://127.0.0.1:${port}/`),
  }, async (request) => {
    const path = new URL(request.url).pathname;
    const name = path === "/" ? "index.html" : path.slice(1);
    const type = TYPES[name];
    if (type === undefined || (request.method !== "GET" && request.method !== "HEAD")) {
      return new Response("Not found\n", { status: 404 });
    }
    const body = await Deno.readFile(new URL(name, DIST));
    return new Response(request.method === "HEAD" ? null : body, {
      headers: {
        "content-type": type,
        "content-security-policy": POLICY,
        "x-content-type-options": "nosniff",
        "cache-control": "no-cache",
      },
    });
  });
  await server.finished;
});
