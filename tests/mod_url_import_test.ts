// Copyright netprog authors. MIT license.

// mod.ts must be importable by URL, with no import map and no dependency: serve the project
// folder on loopback and import it from a fresh Deno process that has no config file.

import assert from "node:assert/strict";
import { ROOT } from "./_helpers.ts";

const TYPES: Record<string, string> = {
  ts: "application/typescript; charset=utf-8",
  json: "application/json",
};

Deno.test("mod.ts imports by URL from a plain static server, with no import map", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname);
    if (path.includes("..")) return new Response("bad path", { status: 400 });
    try {
      const body = await Deno.readFile(`${ROOT}${path}`);
      const type = TYPES[path.split(".").pop() ?? ""] ?? "application/octet-stream";
      return new Response(body, { headers: { "content-type": type } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const work = await Deno.makeTempDir({ prefix: "netprog-import-" });
  try {
    const program = `
      import * as netprog from "${origin}/mod.ts";
      const raw = new TextEncoder().encode(
        "HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n" +
          "5\\r\\nhello\\r\\n0\\r\\n\\r\\n",
      );
      const response = netprog.parseResponse(raw);
      console.log(JSON.stringify({
        status: response.status,
        type: response.headers.get("content-type"),
        body: new TextDecoder().decode(response.body),
        end: netprog.findHeaderEnd(raw),
        regex: netprog.extractLinksRegex('<a href="http://x.org/a">'),
        exports: Object.keys(netprog).sort(),
      }));
    `;
    const output = await new Deno.Command("deno", {
      args: [
        "run",
        "--no-prompt",
        "--no-config",
        "--no-lock",
        "--reload",
        `--allow-import=127.0.0.1:${server.addr.port}`,
        "-",
      ],
      cwd: work,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const writer = output.stdin.getWriter();
    await writer.write(new TextEncoder().encode(program));
    await writer.close();
    const result = await output.output();
    const stderr = new TextDecoder().decode(result.stderr);
    assert.equal(result.code, 0, stderr);
    const seen = JSON.parse(new TextDecoder().decode(result.stdout));
    assert.equal(seen.status, 200);
    assert.equal(seen.type, "text/plain");
    assert.equal(seen.body, "hello");
    assert.equal(seen.end, 69);
    assert.deepEqual(seen.regex, ["http://x.org/a"]);
    for (const name of ["ResponseParser", "parseUrlTarget", "extractLinksDom", "countWords"]) {
      assert.ok(seen.exports.includes(name), `mod.ts exports ${name}`);
    }
  } finally {
    await server.shutdown();
    await Deno.remove(work, { recursive: true });
  }
});
