// Copyright netprog authors. MIT license.

/**
 * The local mirror (scripts/serve.ts), spoken to over raw TCP on loopback:
 * the book's Apache answers byte for byte in shape, every file of data/
 * served unchanged, HEAD, errors, and nothing outside data/.
 */

import assert from "node:assert/strict";
import { latin1, mirrorCommand, ROOT, runScript, startMirror, writeAll } from "./_helpers.ts";

const APACHE_ORDER = [
  "Date",
  "Server",
  "Last-Modified",
  "ETag",
  "Accept-Ranges",
  "Content-Length",
  "Connection",
  "Content-Type",
];
const IMF_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;

/** Sends `request` (in pieces of `pieceSize` bytes when given) and reads until the server closes. */
async function exchange(
  port: number,
  request: string | Uint8Array,
  pieceSize?: number,
): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const bytes = typeof request === "string" ? new TextEncoder().encode(request) : request;
  if (pieceSize === undefined) await writeAll(conn, bytes);
  else {
    for (let i = 0; i < bytes.length; i += pieceSize) {
      await writeAll(conn, bytes.subarray(i, i + pieceSize));
    }
  }
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  let n: number | null;
  while ((n = await conn.read(buffer)) !== null) chunks.push(buffer.slice(0, n));
  conn.close();
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

interface Answer {
  statusLine: string;
  fields: [string, string][];
  body: Uint8Array;
}

/** Splits a response at its first CRLFCRLF; every head line must end in CRLF. */
function split(response: Uint8Array): Answer {
  const text = latin1(response);
  const end = text.indexOf("\r\n\r\n");
  assert(end > 0, `no CRLFCRLF in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const fields = lines.map((line): [string, string] => {
    const colon = line.indexOf(": ");
    assert(colon > 0, `not a header line: ${JSON.stringify(line)}`);
    return [line.slice(0, colon), line.slice(colon + 2)];
  });
  return { statusLine, fields, body: response.slice(end + 4) };
}

function field(answer: Answer, name: string): string | undefined {
  return answer.fields.find(([key]) => key === name)?.[1];
}

/** SHA-256 of the book's files as data/ must hold them: any change to a byte shows here. */
const BOOK_FILE_SHA256: Record<string, string> = {
  "romeo.txt": "925661fb468da950828f44e4c37cde024baaf84db5a315455ea8ecb9348b12cf",
  "intro-short.txt": "6cff9221fdbe05eeaff2b6cb3a133ae709048364cae8527014b90c67422d87cb",
  "page1.htm": "0e3f9a32d4b6c4a79da88dbcd91dae9d1ca5305a959160ed744ca766870d7975",
  "page2.htm": "b732ce50e23ddd9c05befae521ebd79f9cc6e354845e163c164c2f2809b359db",
};

Deno.test("mirror data files are the book's files byte for byte, and cover3.jpg is a real JPEG", async () => {
  for (const [name, sha256] of Object.entries(BOOK_FILE_SHA256)) {
    const digest = await crypto.subtle.digest(
      "SHA-256",
      await Deno.readFile(`${ROOT}/data/${name}`),
    );
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    assert.equal(hex, sha256, name);
  }
  const jpeg = await Deno.readFile(`${ROOT}/data/cover3.jpg`);
  assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  assert.deepEqual([...jpeg.subarray(-2)], [0xff, 0xd9]);
  assert(jpeg.length > 200_000 && jpeg.length < 260_000, `${jpeg.length} bytes`);
});

Deno.test("mirror answers the book's requests as the book's Apache did", async (t) => {
  await using mirror = await startMirror();
  const romeo = await Deno.readFile(`${ROOT}/data/romeo.txt`);
  const info = await Deno.stat(`${ROOT}/data/romeo.txt`);

  await t.step(
    "HTTP/1.1 200 OK to an HTTP/1.0 request in absolute form, headers in Apache's order",
    async () => {
      const answer = split(
        await exchange(mirror.port, `GET ${mirror.origin}/romeo.txt HTTP/1.0\r\n\r\n`),
      );
      assert.equal(answer.statusLine, "HTTP/1.1 200 OK");
      assert.deepEqual(answer.fields.map(([name]) => name), APACHE_ORDER);
      assert.match(field(answer, "Date")!, IMF_DATE);
      assert.equal(field(answer, "Server"), "Apache/2.4.7 (Ubuntu)");
      assert.equal(field(answer, "Last-Modified"), info.mtime!.toUTCString());
      assert.match(field(answer, "ETag")!, /^"a7-[0-9a-f]+"$/);
      assert.equal(field(answer, "Accept-Ranges"), "bytes");
      assert.equal(field(answer, "Content-Length"), "167");
      assert.equal(field(answer, "Connection"), "close");
      assert.equal(field(answer, "Content-Type"), "text/plain");
      assert.deepEqual(answer.body, romeo);
    },
  );

  await t.step("origin-form HTTP/1.1 request, and bare LF line ends", async () => {
    for (
      const request of ["GET /romeo.txt HTTP/1.1\r\nHost: x\r\n\r\n", "GET /romeo.txt HTTP/1.0\n\n"]
    ) {
      const answer = split(await exchange(mirror.port, request));
      assert.equal(answer.statusLine, "HTTP/1.1 200 OK");
      assert.deepEqual(answer.body, romeo);
    }
  });

  await t.step("a request that arrives one byte at a time", async () => {
    const answer = split(
      await exchange(mirror.port, `GET ${mirror.origin}/romeo.txt HTTP/1.0\r\n\r\n`, 1),
    );
    assert.equal(answer.statusLine, "HTTP/1.1 200 OK");
    assert.deepEqual(answer.body, romeo);
  });

  await t.step("every file of data/, unchanged, with its content type", async () => {
    const types: Record<string, string> = {
      "romeo.txt": "text/plain",
      "intro-short.txt": "text/plain",
      "page1.htm": "text/html",
      "page2.htm": "text/html",
      "cover3.jpg": "image/jpeg",
    };
    for (const [name, type] of Object.entries(types)) {
      const file = await Deno.readFile(`${ROOT}/data/${name}`);
      const answer = split(await exchange(mirror.port, `GET /${name} HTTP/1.0\r\n\r\n`));
      assert.equal(answer.statusLine, "HTTP/1.1 200 OK", name);
      assert.equal(field(answer, "Content-Type"), type, name);
      assert.equal(field(answer, "Content-Length"), String(file.length), name);
      assert.match(field(answer, "ETag")!, new RegExp(`^"${file.length.toString(16)}-`), name);
      assert.deepEqual(answer.body, file, name);
    }
  });

  await t.step("HEAD gets the same head and no body", async () => {
    const get = split(await exchange(mirror.port, "GET /page1.htm HTTP/1.0\r\n\r\n"));
    const head = split(await exchange(mirror.port, "HEAD /page1.htm HTTP/1.0\r\n\r\n"));
    assert.equal(head.statusLine, "HTTP/1.1 200 OK");
    assert.deepEqual(head.fields.map(([name]) => name), APACHE_ORDER);
    assert.equal(field(head, "Content-Length"), "128");
    assert.equal(field(head, "ETag"), field(get, "ETag"));
    assert.equal(head.body.length, 0);
  });

  await t.step("404 with a small HTML page for an unknown path", async () => {
    const answer = split(await exchange(mirror.port, "GET /nosuch.txt HTTP/1.0\r\n\r\n"));
    assert.equal(answer.statusLine, "HTTP/1.1 404 Not Found");
    assert.deepEqual(answer.fields.map(([name]) => name), [
      "Date",
      "Server",
      "Content-Length",
      "Connection",
      "Content-Type",
    ]);
    assert.equal(field(answer, "Content-Type"), "text/html; charset=iso-8859-1");
    assert.equal(field(answer, "Content-Length"), String(answer.body.length));
    const html = new TextDecoder().decode(answer.body);
    assert.match(html, /<title>404 Not Found<\/title>/);
    assert.match(html, /The requested URL \/nosuch\.txt was not found on this server\./);
  });

  await t.step("nothing outside data/ and no hidden files", async () => {
    for (
      const target of [
        "/../deno.json",
        "/%2e%2e/deno.json",
        "/..%2fdeno.json",
        "/.git/config",
        `http://127.0.0.1:${mirror.port}/../scripts/serve.ts`,
      ]
    ) {
      const answer = split(await exchange(mirror.port, `GET ${target} HTTP/1.0\r\n\r\n`));
      assert.match(answer.statusLine, /^HTTP\/1\.1 (404 Not Found|400 Bad Request)$/, target);
    }
  });

  await t.step("400 for garbage, 405 and 501 for other methods, 505 for HTTP/2.0", async () => {
    const cases: [string, string][] = [
      ["garbage\r\n\r\n", "HTTP/1.1 400 Bad Request"],
      ["GET /romeo.txt\r\n\r\n", "HTTP/1.1 400 Bad Request"],
      ["GET romeo.txt HTTP/1.0\r\n\r\n", "HTTP/1.1 400 Bad Request"],
      ["\x00\xff\x1b[2J\r\n\r\n", "HTTP/1.1 400 Bad Request"],
      ["POST /romeo.txt HTTP/1.0\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"],
      ["DELETE /romeo.txt HTTP/1.0\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"],
      ["BREW /romeo.txt HTTP/1.0\r\n\r\n", "HTTP/1.1 501 Not Implemented"],
      ["GET /romeo.txt HTTP/2.0\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported"],
    ];
    for (const [request, statusLine] of cases) {
      const answer = split(await exchange(mirror.port, request));
      assert.equal(answer.statusLine, statusLine, JSON.stringify(request));
      assert.equal(field(answer, "Connection"), "close");
      assert.equal(field(answer, "Content-Length"), String(answer.body.length));
    }
    const post = split(await exchange(mirror.port, "PUT /romeo.txt HTTP/1.0\r\n\r\n"));
    assert.equal(field(post, "Allow"), "GET,HEAD");
  });

  await t.step("a request head larger than 8 KiB is refused", async () => {
    const answer = split(
      await exchange(mirror.port, `GET /${"a".repeat(9000)} HTTP/1.0\r\n\r\n`),
    );
    assert.equal(answer.statusLine, "HTTP/1.1 400 Bad Request");
  });

  await t.step("the root lists the files as links", async () => {
    const answer = split(await exchange(mirror.port, "GET / HTTP/1.0\r\n\r\n"));
    assert.equal(answer.statusLine, "HTTP/1.1 200 OK");
    const html = new TextDecoder().decode(answer.body);
    for (const name of ["romeo.txt", "page1.htm", "cover3.jpg"]) {
      assert(html.includes(`<a href="${name}">${name}</a>`), name);
    }
  });

  await t.step("fetch, an HTTP/1.1 client, reads it too", async () => {
    const response = await fetch(`${mirror.origin}/romeo.txt`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/plain");
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), romeo);
  });

  await t.step("one log line per request on stderr", () => {
    assert.match(
      mirror.log(),
      new RegExp(`"GET http://127\\.0\\.0\\.1:${mirror.port}/romeo\\.txt HTTP/1\\.0" 200 167\\n`),
    );
    assert.match(mirror.log(), /"GET \/nosuch\.txt HTTP\/1\.0" 404 \d+\n/);
  });
});

Deno.test("mirror answers 408 when a request does not arrive in time", async () => {
  await using mirror = await startMirror(["--timeout", "0.3"]);
  const answer = split(await exchange(mirror.port, "GET /romeo.txt HTTP/1.0\r\n"));
  assert.equal(answer.statusLine, "HTTP/1.1 408 Request Timeout");
});

Deno.test("serve prints its usage, refuses bad options, and reports a port in use", async () => {
  const help = await runScript("serve", ["--help"], {
    flags: ["--allow-net=127.0.0.1", "--allow-read=data"],
  });
  assert.equal(help.code, 0);
  assert(
    help.stdout.includes("deno run --allow-net=127.0.0.1 --allow-read=data scripts/serve.ts"),
    help.stdout,
  );

  const bad = await runScript("serve", ["--port", "http"], {
    flags: ["--allow-net=127.0.0.1", "--allow-read=data"],
  });
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    'serve: cannot use --port "http": expected a whole number from 0 to 65535\n',
  );

  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { port } = taken.addr as Deno.NetAddr;
    const busy = await runScript("serve", ["--port", String(port)], {
      flags: ["--allow-net=127.0.0.1", "--allow-read=data"],
    });
    assert.equal(busy.code, 1);
    assert.equal(
      busy.stderr,
      `serve: cannot listen on 127.0.0.1:${port}: address in use (try --port 0)\n`,
    );
  } finally {
    taken.close();
  }
});

Deno.test("serve without --allow-read names the flag", async () => {
  const result = await runScript("serve", ["--port", "0"], { flags: ["--allow-net=127.0.0.1"] });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^serve: no read permission for \S+: run with --allow-read=\S+\n$/);
  assert.equal(result.stdout, "");
});

Deno.test("serve --stop-on-stdin-close exits when its input ends", async () => {
  const child = mirrorCommand(["--stop-on-stdin-close"], "piped").spawn();
  child.stderr.cancel();
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    const first = new TextDecoder().decode(value);
    const m = /^Serving the book's files on http:\/\/127\.0\.0\.1:(\d+)\/\n/.exec(first);
    assert(m, first);
    // Still serving while its input is open.
    const answer = split(await exchange(Number(m[1]), "GET /romeo.txt HTTP/1.0\r\n\r\n"));
    assert.equal(answer.statusLine, "HTTP/1.1 200 OK");
    await child.stdin.close();
    const status = await child.status;
    assert.equal(status.code, 0);
    assert.equal(status.signal, null, "it stopped by itself, not by the test's timer");
    assert.equal((await reader.read()).done, true);
  } finally {
    clearTimeout(timer);
  }
});
