// Copyright netprog authors. MIT license.

// rawget against loopback servers: every framing, redirects (followed, loop, limit), HEAD, -i,
// keep-alive reuse, --http1.0, -o and -O, and TLS with a certificate made here by openssl.

import assert from "node:assert/strict";
import { selfSignedCertificate } from "./_tls.ts";
import { onTerminal } from "./_pty.ts";
import { latin1, ROOT, runScript, type ScriptResult } from "./_helpers.ts";

const encoder = new TextEncoder();

/** One request as the server saw it, and the connection it came on. */
interface Seen {
  connection: number;
  head: string;
}

/**
 * A keep-alive HTTP server on loopback: `respond` answers each request head
 * with the bytes to send; the connection stays open for the next request
 * unless `close` is returned too.
 */
function startServer(
  respond: (head: string) => { bytes: Uint8Array | string; close?: boolean },
  tls?: { cert: string; key: string },
) {
  const listener = tls
    ? Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...tls })
    : Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const seen: Seen[] = [];
  const open = new Set<Deno.Conn>();
  let connections = 0;
  const serving = (async () => {
    for await (const conn of listener) {
      const id = ++connections;
      open.add(conn);
      (async () => {
        const buffer = new Uint8Array(65536);
        let text = "";
        try {
          while (true) {
            let end: number;
            while ((end = text.indexOf("\r\n\r\n")) < 0) {
              const n = await conn.read(buffer);
              if (n === null) return;
              text += latin1(buffer.subarray(0, n));
            }
            const head = text.slice(0, end + 4);
            text = text.slice(end + 4);
            seen.push({ connection: id, head });
            const answer = respond(head);
            const bytes = typeof answer.bytes === "string"
              ? encoder.encode(answer.bytes)
              : answer.bytes;
            let done = 0;
            while (done < bytes.length) done += await conn.write(bytes.subarray(done));
            if (answer.close) return;
          }
        } catch {
          /* the client went away */
        } finally {
          open.delete(conn);
          try {
            conn.close();
          } catch { /* closed */ }
        }
      })();
    }
  })().catch(() => {});
  const close = async () => {
    try {
      listener.close();
    } catch { /* closed */ }
    for (const conn of open) {
      try {
        conn.close();
      } catch { /* closed */ }
    }
    await serving;
  };
  return {
    port,
    origin: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    seen,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function rawget(args: string[], port: number, extraFlags: string[] = []): Promise<ScriptResult> {
  return runScript("rawget", args, {
    flags: [`--allow-net=127.0.0.1:${port}`, ...extraFlags],
    timeoutMs: 30_000,
  });
}

function pathOf(head: string): string {
  return head.split(" ")[1];
}

const ROMEO = "But soft what light through yonder window breaks\n";

function chunked(text: string, size: number): string {
  let out = "";
  for (let at = 0; at < text.length; at += size) {
    const piece = text.slice(at, at + size);
    out += `${piece.length.toString(16)}\r\n${piece}\r\n`;
  }
  return out + "0\r\n\r\n";
}

Deno.test("rawget reads Content-Length, chunked and close-delimited bodies byte for byte", async () => {
  await using server = startServer((head) => {
    switch (pathOf(head)) {
      case "/length":
        return { bytes: `HTTP/1.1 200 OK\r\nContent-Length: ${ROMEO.length}\r\n\r\n${ROMEO}` };
      case "/chunked":
        return {
          bytes: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(ROMEO, 7)}`,
        };
      default:
        return { bytes: `HTTP/1.0 200 OK\r\n\r\n${ROMEO}`, close: true };
    }
  });
  for (const path of ["/length", "/chunked", "/close"]) {
    const result = await rawget([`${server.origin}${path}`], server.port);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, ROMEO, path);
    assert.equal(result.stderr, "");
  }
  const head = server.seen[0].head;
  assert.match(head, /^GET \/length HTTP\/1\.1\r\n/);
  assert.match(head, new RegExp(`\r\nHost: 127\\.0\\.0\\.1:${server.port}\r\n`));
});

Deno.test("rawget reuses one connection for several URLs of one server", async () => {
  await using server = startServer((head) => {
    const body = `page ${pathOf(head)}\n`;
    return pathOf(head) === "/2"
      ? { bytes: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(body, 3)}` }
      : { bytes: `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}` };
  });
  const urls = [1, 2, 3, 4].map((n) => `${server.origin}/${n}`);
  const result = await rawget(urls, server.port);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "page /1\npage /2\npage /3\npage /4\n");
  assert.deepEqual(server.seen.map((s) => s.connection), [1, 1, 1, 1]);
});

Deno.test("rawget opens a new connection when the server says Connection: close", async () => {
  await using server = startServer(() => ({
    bytes: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nok\n",
    close: true,
  }));
  const result = await rawget([`${server.origin}/a`, `${server.origin}/b`], server.port);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "ok\nok\n");
  assert.deepEqual(server.seen.map((s) => s.connection), [1, 2]);
});

Deno.test("rawget -I sends HEAD and prints the head; -i prints head and body", async () => {
  await using server = startServer(() => ({
    bytes: `HTTP/1.1 200 OK\r\nContent-Length: ${ROMEO.length}\r\nX-Test: yes\r\n\r\n` +
      (server.seen.at(-1)!.head.startsWith("HEAD") ? "" : ROMEO),
  }));
  const head = await rawget(["-I", `${server.origin}/r`], server.port);
  assert.equal(head.code, 0, head.stderr);
  assert.equal(
    head.stdout,
    `HTTP/1.1 200 OK\r\nContent-Length: ${ROMEO.length}\r\nX-Test: yes\r\n\r\n`,
  );
  assert.match(server.seen[0].head, /^HEAD \/r HTTP\/1\.1\r\n/);
  const include = await rawget(["-i", `${server.origin}/r`], server.port);
  assert.equal(
    include.stdout,
    `HTTP/1.1 200 OK\r\nContent-Length: ${ROMEO.length}\r\nX-Test: yes\r\n\r\n${ROMEO}`,
  );
});

Deno.test("rawget -L follows redirects; without -L it prints the redirect's body", async () => {
  await using server = startServer((head) => {
    const path = pathOf(head);
    const hop = /^\/hop(\d+)$/.exec(path);
    if (hop && Number(hop[1]) < 3) {
      const body = "moved\n";
      return {
        bytes: `HTTP/1.1 302 Found\r\nLocation: /hop${Number(hop[1]) + 1}\r\n` +
          `Content-Length: ${body.length}\r\n\r\n${body}`,
      };
    }
    if (path === "/a" || path === "/b") {
      return {
        bytes: `HTTP/1.1 301 Moved\r\nLocation: ${path === "/a" ? "/b" : "/a"}\r\n` +
          "Content-Length: 0\r\n\r\n",
      };
    }
    return { bytes: `HTTP/1.1 200 OK\r\nContent-Length: ${ROMEO.length}\r\n\r\n${ROMEO}` };
  });
  const followed = await rawget(["-L", `${server.origin}/hop0`], server.port);
  assert.equal(followed.code, 0, followed.stderr);
  assert.equal(followed.stdout, ROMEO);
  assert.deepEqual(server.seen.map((s) => pathOf(s.head)), ["/hop0", "/hop1", "/hop2", "/hop3"]);
  assert.deepEqual(new Set(server.seen.map((s) => s.connection)).size, 1);

  const notFollowed = await rawget([`${server.origin}/hop0`], server.port);
  assert.equal(notFollowed.code, 0, notFollowed.stderr);
  assert.equal(notFollowed.stdout, "moved\n");

  const limited = await rawget(["-L", "--max-redirs", "2", `${server.origin}/hop0`], server.port);
  assert.equal(limited.code, 1);
  assert.match(
    limited.stderr,
    /^rawget: cannot follow the redirect from .*: more than 2 redirects\n$/,
  );
  assert.equal(limited.stdout, "");

  const loop = await rawget(["-L", `${server.origin}/a`], server.port);
  assert.equal(loop.code, 1);
  assert.match(
    loop.stderr,
    /^rawget: cannot follow the redirect from .*\/b: redirect loop back to .*\/a\n$/,
  );
});

Deno.test("rawget sends -H headers and --http1.0 requests", async () => {
  await using server = startServer(() => ({
    bytes: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
  }));
  const result = await rawget(
    ["--http1.0", "-H", "X-One: 1", "-H", "User-Agent: test", `${server.origin}/x`],
    server.port,
  );
  assert.equal(result.code, 0, result.stderr);
  const head = server.seen[0].head;
  assert.match(head, /^GET \/x HTTP\/1\.0\r\n/);
  assert.match(head, /\r\nX-One: 1\r\n/);
  assert.match(head, /\r\nUser-Agent: test\r\n/);
  assert.doesNotMatch(head, /netprog/);
  const bad = await rawget(["-H", "no colon", `${server.origin}/x`], server.port);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^rawget: cannot use header "no colon": [^\n]+\n$/);
});

Deno.test("rawget -o and -O write files atomically; a short body leaves none", async () => {
  await using server = startServer((head) =>
    pathOf(head) === "/short.txt"
      ? { bytes: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", close: true }
      : { bytes: `HTTP/1.1 200 OK\r\nContent-Length: ${ROMEO.length}\r\n\r\n${ROMEO}` }
  );
  const dir = await Deno.makeTempDir({ prefix: "netprog-rawget-" });
  try {
    const out = `${dir}/out.txt`;
    const result = await rawget(["-o", out, `${server.origin}/romeo.txt`], server.port, [
      `--allow-write=${out},${out}.part`,
      `--allow-read=${out}.part`,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    assert.equal(Deno.readTextFileSync(out), ROMEO);

    const named = await runScript("rawget", ["-O", `${server.origin}/dir/romeo.txt`], {
      flags: [`--allow-net=127.0.0.1:${server.port}`, "--allow-write=.", "--allow-read=."],
      cwd: dir,
    });
    assert.equal(named.code, 0, named.stderr);
    assert.equal(Deno.readTextFileSync(`${dir}/romeo.txt`), ROMEO);

    const short = await runScript("rawget", ["-O", `${server.origin}/short.txt`], {
      flags: [`--allow-net=127.0.0.1:${server.port}`, "--allow-write=.", "--allow-read=."],
      cwd: dir,
    });
    assert.equal(short.code, 1);
    assert.match(short.stderr, /^rawget: [^\n]+\n$/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "out.txt",
      "romeo.txt",
    ]);

    const missing = await rawget(["-o", out, `${server.origin}/romeo.txt`], server.port);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /run with --allow-write=/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rawget refuses a body over --max-bytes", async () => {
  await using server = startServer(() => ({
    bytes: `HTTP/1.1 200 OK\r\nContent-Length: ${ROMEO.length}\r\n\r\n${ROMEO}`,
  }));
  const result = await rawget(["--max-bytes", "10", `${server.origin}/r`], server.port);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /larger than 10 bytes/);
  assert.equal(result.stdout, "");
});

Deno.test("rawget speaks TLS, trusting a self-signed certificate given with --cacert", async () => {
  await using tls = await selfSignedCertificate();
  const { cert, key } = tls;
  {
    await using server = startServer(() => ({
      bytes: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(ROMEO, 5)}`,
    }), { cert, key });
    const urls = [`${server.origin}/1`, `${server.origin}/2`];
    const trusted = await rawget(
      ["--cacert", tls.certFile, ...urls],
      server.port,
      [`--allow-read=${tls.certFile}`],
    );
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.equal(trusted.stdout, ROMEO + ROMEO);
    assert.deepEqual(server.seen.map((s) => s.connection), [1, 1]);

    const untrusted = await rawget([urls[0]], server.port);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /^rawget: cannot connect to 127\.0\.0\.1:\d+: [^\n]+\n$/);
  }
});

Deno.test("rawget says a failure the same way with and without --cacert", async () => {
  await using tls = await selfSignedCertificate();
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (closed.addr as Deno.NetAddr).port;
  closed.close();
  // Accepts and never answers: the TLS handshake never completes.
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const silentPort = (silent.addr as Deno.NetAddr).port;
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of silent) held.push(conn);
  })().catch(() => {});
  try {
    const cases: [string, string, RegExp][] = [
      ["https://nosuch.invalid/", "nosuch.invalid:443", /: name not resolved/],
      [`https://127.0.0.1:${closedPort}/`, `127.0.0.1:${closedPort}`, /: connection refused\n$/],
      [
        `https://127.0.0.1:${silentPort}/`,
        `127.0.0.1:${silentPort}`,
        /: no TLS answer within 0\.5 seconds \(is it a plain HTTP server\? try http:\/\/\)\n$/,
      ],
    ];
    for (const [url, hostPort, why] of cases) {
      const lines: string[] = [];
      for (const extra of [[], ["--cacert", tls.certFile]]) {
        const result = await runScript("rawget", [...extra, "--connect-timeout", "0.5", url], {
          flags: [`--allow-net=${hostPort}`, `--allow-read=${tls.certFile}`],
          timeoutMs: 20_000,
        });
        assert.equal(result.code, 1, result.stderr);
        assert.match(
          result.stderr,
          new RegExp(`^rawget: cannot connect to ${hostPort.replaceAll(".", "\\.")}`),
        );
        assert.match(result.stderr, why);
        lines.push(result.stderr);
      }
      assert.equal(lines[1], lines[0], `${url}: one failure, two messages`);
    }
  } finally {
    silent.close();
    for (const conn of held) conn.close();
    await accepting;
  }
});

Deno.test("rawget gives up on a silent server after --timeout", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })().catch(() => {});
  try {
    const result = await rawget(["--timeout", "0.5", `http://127.0.0.1:${port}/`], port);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `rawget: cannot read from 127.0.0.1:${port}: no data for 0.5 seconds\n`,
    );
  } finally {
    listener.close();
    for (const conn of held) conn.close();
    await accepting;
  }
});

Deno.test("rawget sends requests ahead and resends those a closing server did not answer", async () => {
  const perConnection = new Map<number, number>();
  await using server = startServer((head) => {
    const id = server.seen.at(-1)!.connection;
    const count = (perConnection.get(id) ?? 0) + 1;
    perConnection.set(id, count);
    const body = `page ${pathOf(head)}\n`;
    // Every third answer on a connection is its last, without a word of warning.
    return {
      bytes: `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      close: count === 3,
    };
  });
  const urls = [1, 2, 3, 4, 5, 6, 7].map((n) => `${server.origin}/${n}`);
  const result = await rawget(urls, server.port);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, [1, 2, 3, 4, 5, 6, 7].map((n) => `page /${n}\n`).join(""));
  assert.equal(new Set(server.seen.map((s) => s.connection)).size, 3);
});

Deno.test("rawget draws a progress line on a terminal's stderr, and nothing when piped", async () => {
  const body = new Uint8Array(3_000_000).fill(65);
  await using server = startServer(() => ({
    bytes: new Uint8Array([
      ...encoder.encode(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`),
      ...body,
    ]),
  }));
  const dir = await Deno.makeTempDir({ prefix: "netprog-progress-" });
  try {
    const out = `${dir}/big.bin`;
    const flags = [
      `--allow-net=127.0.0.1:${server.port}`,
      `--allow-write=${out},${out}.part`,
      `--allow-read=${out}.part`,
    ];
    const shown = await onTerminal(
      [
        "deno",
        "run",
        "--no-prompt",
        ...flags,
        "scripts/rawget.ts",
        "-o",
        out,
        `${server.origin}/big.bin`,
      ],
      { cwd: ROOT },
    );
    const text = shown.shown;
    assert.equal(shown.code, 0, text);
    assert.match(text, /\r\[#{20}\] 100% 2\.9 MiB of 2\.9 MiB {2}\S+ \S+\/s {2}ETA 0:00/);
    assert.equal(Deno.statSync(out).size, body.length);

    const piped = await rawget(
      ["-o", out, `${server.origin}/big.bin`],
      server.port,
      flags.slice(1),
    );
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stderr, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
