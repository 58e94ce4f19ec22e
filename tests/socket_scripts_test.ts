// Copyright netprog authors. MIT license.

/**
 * The raw-socket programs (socket1, socket2, urljpeg, exercise1, exercise2)
 * spawned with their real permission flags against the local mirror and
 * against raw loopback servers that misbehave on purpose.
 */

import assert from "node:assert/strict";
import { selfSignedCertificate } from "./_tls.ts";
import {
  latin1,
  ROOT,
  runScript,
  type ScriptResult,
  startMirror,
  startRawServer,
  writeAll,
} from "./_helpers.ts";

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The flags a user gives for a server on loopback. */
function net(port: number): string[] {
  return [`--allow-net=127.0.0.1:${port}`];
}

/** urljpeg's flags for `stuff.jpg` in the current folder. */
function jpegFlags(port: number, path = "stuff.jpg"): string[] {
  return [...net(port), `--allow-write=${path},${path}.part`, `--allow-read=${path}.part`];
}

/** Reads until the server closes, as the book's programs do. */
async function rawGet(port: number, request: string): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await writeAll(conn, request);
  const chunks: number[] = [];
  const buffer = new Uint8Array(65536);
  let n: number | null;
  while ((n = await conn.read(buffer)) !== null) chunks.push(...buffer.subarray(0, n));
  conn.close();
  return new Uint8Array(chunks);
}

function concat(...parts: (Uint8Array | string)[]): Uint8Array {
  const arrays = parts.map((part) => typeof part === "string" ? encoder.encode(part) : part);
  const all = new Uint8Array(arrays.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of arrays) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

/** An error is exactly one line, starts with the script's name, and has no stack trace. */
function assertOneLineError(result: ScriptResult, name: string, code: number): string {
  assert.equal(result.code, code, `exit status; stderr: ${result.stderr}`);
  assert.match(result.stderr, new RegExp(`^${name}: [^\\n]+\\n$`), result.stderr);
  assert(!result.stderr.includes("    at "), result.stderr);
  return result.stderr.slice(name.length + 2, -1);
}

/** Checks urljpeg's stdout against the response it was sent; returns the header length. */
function assertUrljpegOutput(stdout: Uint8Array, response: Uint8Array): number {
  const text = latin1(stdout);
  const lines = text.split("\n");
  let total = 0;
  let i = 0;
  for (; /^\d+ \d+$/.test(lines[i]); i++) {
    const [size, running] = lines[i].split(" ").map(Number);
    assert(size > 0 && size <= 5120, `a read of ${size} bytes`);
    total += size;
    assert.equal(running, total, `line ${i + 1}`);
  }
  assert(i > 0, "no per-read lines");
  assert.equal(total, response.length, "the last running total is every byte received");
  const end = latin1(response).indexOf("\r\n\r\n");
  assert.equal(lines[i], `Header length ${end}`);
  const expected = concat(
    lines.slice(0, i + 1).join("\n") + "\n",
    response.subarray(0, end),
    "\n",
  );
  assert.deepEqual(
    stdout,
    expected,
    "per-read lines, Header length, the header block, one newline",
  );
  return end;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("raw-socket programs against the mirror", async (t) => {
  await using mirror = await startMirror();
  const url = `${mirror.origin}/romeo.txt`;
  const request = `GET ${url} HTTP/1.0\r\n\r\n`;

  await t.step("socket1 writes the mirror's whole response byte for byte", async () => {
    // The Date field may tick between two answers: the script's answer must
    // equal the one fetched just before or just after it.
    const before = await rawGet(mirror.port, request);
    const result = await runScript("socket1", [url], { flags: net(mirror.port) });
    const after = await rawGet(mirror.port, request);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    assert(
      latin1(result.stdoutBytes) === latin1(before) || latin1(result.stdoutBytes) === latin1(after),
      latin1(result.stdoutBytes),
    );
    assert(result.stdout.startsWith("HTTP/1.1 200 OK\r\n"));
    assert(result.stdout.endsWith("\r\n\r\n" + await Deno.readTextFile(`${ROOT}/data/romeo.txt`)));
  });

  await t.step("socket2 and exercise1 prompt 'Enter: ' and read the URL from stdin", async () => {
    for (const name of ["socket2", "exercise1"]) {
      const result = await runScript(name, [], { flags: net(mirror.port), stdin: `  ${url}  \n` });
      assert.equal(result.code, 0, result.stderr);
      assert(result.stdout.startsWith("Enter: HTTP/1.1 200 OK\r\n"), result.stdout);
      assert(result.stdout.endsWith("Who is already sick and pale with grief\n"), name);
    }
  });

  await t.step("a URL argument means no prompt", async () => {
    for (const name of ["socket2", "exercise1", "exercise2"]) {
      const result = await runScript(name, [url], { flags: net(mirror.port) });
      assert.equal(result.code, 0, result.stderr);
      assert(result.stdout.startsWith("HTTP/1.1 200 OK\r\n"), `${name}: ${result.stdout}`);
    }
  });

  await t.step(
    "urljpeg: running totals, header, and stuff.jpg equal to data/cover3.jpg",
    async () => {
      const cwd = await Deno.makeTempDir();
      try {
        const result = await runScript("urljpeg", [`${mirror.origin}/cover3.jpg`], {
          flags: jpegFlags(mirror.port),
          cwd,
        });
        assert.equal(result.code, 0, result.stderr);
        const cover = await Deno.readFile(`${ROOT}/data/cover3.jpg`);
        const lines = result.stdout.split("\n");
        const headerLength = Number(/^Header length (\d+)$/m.exec(result.stdout)![1]);
        const lastTotal = Number(
          lines[lines.findIndex((line) => line.startsWith("Header")) - 1]
            .split(" ")[1],
        );
        assert.equal(lastTotal, headerLength + 4 + cover.length);
        assert.deepEqual(await Deno.readFile(`${cwd}/stuff.jpg`), cover);
        assert.deepEqual([...Deno.readDirSync(cwd)].map((entry) => entry.name), ["stuff.jpg"]);
        const header = result.stdout.slice(result.stdout.indexOf("HTTP/1.1 200 OK"));
        assert.match(
          header,
          /\r\nContent-Length: \d+\r\nConnection: close\r\nContent-Type: image\/jpeg\n$/,
        );
        assert.equal(header.length, headerLength + 1);
      } finally {
        await Deno.remove(cwd, { recursive: true });
      }
    },
  );

  await t.step("urljpeg --delay sleeps after each read and gets the same picture", async () => {
    const cwd = await Deno.makeTempDir();
    try {
      const result = await runScript(
        "urljpeg",
        [`${mirror.origin}/cover3.jpg`, "--delay", "0.01"],
        {
          flags: jpegFlags(mirror.port),
          cwd,
        },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        await Deno.readFile(`${cwd}/stuff.jpg`),
        await Deno.readFile(`${ROOT}/data/cover3.jpg`),
      );
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  });

  await t.step("exercise2 shows a short response whole and counts it", async () => {
    const response = await rawGet(
      mirror.port,
      `GET ${mirror.origin}/intro-short.txt HTTP/1.0\r\n\r\n`,
    );
    const result = await runScript("exercise2", [`${mirror.origin}/intro-short.txt`], {
      flags: net(mirror.port),
    });
    assert.equal(result.code, 0, result.stderr);
    const text = new TextDecoder().decode(response);
    // Only the Date field may differ between the two answers.
    const shown = result.stdout.replace(/^Date: .*$/m, "Date: -");
    assert.equal(
      shown,
      `${text.replace(/^Date: .*$/m, "Date: -")}\nTotal characters: ${[...text].length}\n`,
    );
  });
});

Deno.test("raw-socket programs send exactly the book's request", async () => {
  await using server = startRawServer(async (conn) => {
    await writeAll(conn, "HTTP/1.0 200 OK\r\n\r\nhi");
  });
  for (const name of ["socket1", "socket2", "exercise1", "exercise2"]) {
    const url = `${server.origin}/a/b.txt?q=1`;
    const result = await runScript(name, [url], { flags: net(server.port) });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(server.requests.at(-1), `GET ${url} HTTP/1.0\r\n\r\n`, name);
  }
});

Deno.test("raw-socket programs against servers that misbehave", async (t) => {
  await t.step(
    "one byte per write: socket1 is byte-exact, urljpeg still finds the header",
    async () => {
      const body = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
      const response = concat("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n", body);
      await using server = startRawServer(async (conn) => {
        for (let i = 0; i < response.length; i++) await writeAll(conn, response.subarray(i, i + 1));
      });
      const socket1 = await runScript("socket1", [`${server.origin}/x`], {
        flags: net(server.port),
      });
      assert.equal(socket1.code, 0, socket1.stderr);
      assert.deepEqual(socket1.stdoutBytes, response);

      const cwd = await Deno.makeTempDir();
      try {
        const result = await runScript("urljpeg", [`${server.origin}/x`], {
          flags: jpegFlags(server.port),
          cwd,
        });
        assert.equal(result.code, 0, result.stderr);
        assertUrljpegOutput(result.stdoutBytes, response);
        assert.deepEqual(await Deno.readFile(`${cwd}/stuff.jpg`), body);
      } finally {
        await Deno.remove(cwd, { recursive: true });
      }
    },
  );

  await t.step("CRLFCRLF split across writes at every place", async () => {
    const head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
    for (let cut = head.length - 4; cut <= head.length; cut++) {
      const response = encoder.encode(head + "\r\nabc");
      await using server = startRawServer(async (conn) => {
        await writeAll(conn, response.subarray(0, cut));
        await sleep(30);
        await writeAll(conn, response.subarray(cut));
      });
      const cwd = await Deno.makeTempDir();
      try {
        const result = await runScript("urljpeg", [`${server.origin}/x`], {
          flags: jpegFlags(server.port),
          cwd,
        });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(assertUrljpegOutput(result.stdoutBytes, response), head.length - 4);
        assert.equal(await Deno.readTextFile(`${cwd}/stuff.jpg`), "\r\nabc");
      } finally {
        await Deno.remove(cwd, { recursive: true });
      }
    }
  });

  await t.step("header and body in one write", async () => {
    const response = encoder.encode("HTTP/1.0 200 OK\r\nX: y\r\n\r\nbody\r\n\r\nmore");
    await using server = startRawServer((conn) => writeAll(conn, response));
    const cwd = await Deno.makeTempDir();
    try {
      const result = await runScript("urljpeg", [`${server.origin}/x`], {
        flags: jpegFlags(server.port),
        cwd,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        result.stdout,
        `${response.length} ${response.length}\nHeader length 21\nHTTP/1.0 200 OK\r\nX: y\n`,
      );
      assert.equal(await Deno.readTextFile(`${cwd}/stuff.jpg`), "body\r\n\r\nmore");
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  });

  await t.step("no CRLFCRLF: urljpeg fails and writes no file", async () => {
    for (const response of ["HTTP/1.0 200 OK\r\nX: y\r\n", "HTTP/1.0 200 OK\n\nbare LF only", ""]) {
      await using server = startRawServer((conn) => writeAll(conn, response));
      const cwd = await Deno.makeTempDir();
      try {
        const result = await runScript("urljpeg", [`${server.origin}/x`], {
          flags: jpegFlags(server.port),
          cwd,
        });
        assert.equal(
          assertOneLineError(result, "urljpeg", 1),
          `cannot find the end of the header: no CRLFCRLF in the ${response.length} bytes received; stuff.jpg not written`,
        );
        assert.deepEqual([...Deno.readDirSync(cwd)], [], "no file, no partial file");
      } finally {
        await Deno.remove(cwd, { recursive: true });
      }
    }
  });

  await t.step("close in the middle of the header", async () => {
    const partial = "HTTP/1.1 200 OK\r\nContent-Le";
    await using server = startRawServer((conn) => writeAll(conn, partial));
    const socket1 = await runScript("socket1", [`${server.origin}/x`], { flags: net(server.port) });
    assert.equal(socket1.code, 0, socket1.stderr);
    assert.equal(socket1.stdout, partial);
    const cwd = await Deno.makeTempDir();
    try {
      const result = await runScript("urljpeg", [`${server.origin}/x`], {
        flags: jpegFlags(server.port),
        cwd,
      });
      assertOneLineError(result, "urljpeg", 1);
      assert(!(await exists(`${cwd}/stuff.jpg`)));
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  });

  await t.step("a 1 MiB header", async () => {
    const big = `HTTP/1.1 200 OK\r\nX-Big: ${"x".repeat(1 << 20)}\r\n\r\n`;
    const response = encoder.encode(big + "tail");
    await using server = startRawServer((conn) => writeAll(conn, response));
    const socket1 = await runScript("socket1", [`${server.origin}/x`], { flags: net(server.port) });
    assert.equal(socket1.code, 0, socket1.stderr);
    assert.deepEqual(socket1.stdoutBytes, response);
    const cwd = await Deno.makeTempDir();
    try {
      const result = await runScript("urljpeg", [`${server.origin}/x`], {
        flags: jpegFlags(server.port),
        cwd,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(assertUrljpegOutput(result.stdoutBytes, response), big.length - 4);
      assert.equal(await Deno.readTextFile(`${cwd}/stuff.jpg`), "tail");
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  });

  await t.step("garbage instead of a status line is written unchanged", async () => {
    const garbage = new Uint8Array([
      0x00,
      0xff,
      0x1b,
      0x5b,
      0x32,
      0x4a,
      0x0d,
      0x80,
      0x0a,
      0xfe,
      0x41,
    ]);
    await using server = startRawServer((conn) => writeAll(conn, garbage));
    for (const name of ["socket1", "exercise1"]) {
      const result = await runScript(name, [`${server.origin}/x`], { flags: net(server.port) });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.stdoutBytes, garbage, name);
    }
  });

  await t.step("a slow server: everything arrives, in order", async () => {
    const pieces = ["HTTP/1.0 200 OK\r\n", "\r\n", "one ", "two ", "three\n"];
    await using server = startRawServer(async (conn) => {
      for (const piece of pieces) {
        await writeAll(conn, piece);
        await sleep(80);
      }
    });
    const result = await runScript("socket1", [`${server.origin}/x`], { flags: net(server.port) });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, pieces.join(""));
  });

  await t.step("a server that sends nothing: --timeout ends the wait", async () => {
    await using server = startRawServer(async () => {
      await sleep(3000);
    });
    for (const name of ["socket1", "exercise2"]) {
      const result = await runScript(name, [`${server.origin}/x`, "--timeout", "0.3"], {
        flags: net(server.port),
      });
      assert.equal(
        assertOneLineError(result, name, 1),
        `cannot read from 127.0.0.1:${server.port}: no data for 0.3 seconds`,
      );
    }
  });

  await t.step("time spent in --delay does not count as waiting for data", async () => {
    await using server = startRawServer(async (conn) => {
      await writeAll(conn, "HTTP/1.0 200 OK\r\n\r\n");
      await sleep(100);
      await writeAll(conn, "late but there");
    });
    const cwd = await Deno.makeTempDir();
    try {
      const result = await runScript(
        "urljpeg",
        [`${server.origin}/x`, "--delay", "0.5", "--timeout", "0.3"],
        { flags: jpegFlags(server.port), cwd },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(await Deno.readTextFile(`${cwd}/stuff.jpg`), "late but there");
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  });

  await t.step("a TLS handshake that never ends: --connect-timeout ends the wait", async () => {
    await using server = startRawServer(async () => {
      await sleep(3000);
    });
    const result = await runScript(
      "socket1",
      [`https://127.0.0.1:${server.port}/x`, "--connect-timeout", "0.3"],
      { flags: net(server.port) },
    );
    assert.equal(
      assertOneLineError(result, "socket1", 1),
      `cannot connect to 127.0.0.1:${server.port}: no TLS answer within 0.3 seconds (is it a plain HTTP server? try http://)`,
    );
  });

  await t.step("an empty answer prints nothing and is not an error", async () => {
    await using server = startRawServer(() => {});
    for (const name of ["socket1", "exercise1"]) {
      const result = await runScript(name, [`${server.origin}/x`], { flags: net(server.port) });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "");
    }
  });

  await t.step("urljpeg --max-bytes refuses a larger response and writes no file", async () => {
    await using server = startRawServer((conn) =>
      writeAll(conn, `HTTP/1.0 200 OK\r\n\r\n${"z".repeat(5000)}`)
    );
    const cwd = await Deno.makeTempDir();
    try {
      const result = await runScript("urljpeg", [`${server.origin}/x`, "--max-bytes", "1000"], {
        flags: jpegFlags(server.port),
        cwd,
      });
      assert.equal(
        assertOneLineError(result, "urljpeg", 1),
        `cannot read from 127.0.0.1:${server.port}: the response is larger than 1000 bytes (raise --max-bytes)`,
      );
      assert.deepEqual([...Deno.readDirSync(cwd)], []);
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  });
});

Deno.test("urljpeg replaces stuff.jpg, and -o chooses another path", async () => {
  const response = encoder.encode("HTTP/1.0 200 OK\r\n\r\nnew picture");
  await using server = startRawServer((conn) => writeAll(conn, response));
  const cwd = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${cwd}/stuff.jpg`, "old picture, longer than the new one");
    const replaced = await runScript("urljpeg", [`${server.origin}/x`], {
      flags: jpegFlags(server.port),
      cwd,
    });
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.equal(await Deno.readTextFile(`${cwd}/stuff.jpg`), "new picture");

    await Deno.mkdir(`${cwd}/out`);
    const elsewhere = await runScript("urljpeg", [`${server.origin}/x`, "-o", "out/p.jpg"], {
      flags: jpegFlags(server.port, "out/p.jpg"),
      cwd,
    });
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    assert.equal(await Deno.readTextFile(`${cwd}/out/p.jpg`), "new picture");
    assert.deepEqual([...Deno.readDirSync(`${cwd}/out`)].map((entry) => entry.name), ["p.jpg"]);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("exercise2 keeps characters split across reads whole and counts them as Python does", async () => {
  const text = "HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
    "\ufeffBOM first. café naïve € 漢字 😀 𝄞 — ".repeat(100) + "end 🎉\n";
  const bytes = encoder.encode(text);
  // Each multi-byte character is written in two pieces with a pause between
  // them, so that the script's reads end inside characters.
  await using server = startRawServer(async (conn) => {
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] >= 0xc0) {
        await writeAll(conn, bytes.subarray(start, i + 1));
        await sleep(2);
        start = i + 1;
      }
    }
    await writeAll(conn, bytes.subarray(start));
  });
  const result = await runScript("exercise2", [`${server.origin}/x`], {
    flags: net(server.port),
    timeoutMs: 60_000,
  });
  assert.equal(result.code, 0, result.stderr);

  const python = new Deno.Command("python3", {
    args: ["-c", "import sys; print(len(sys.stdin.buffer.read().decode('utf-8')))"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = python.stdin.getWriter();
  await writer.write(bytes);
  await writer.close();
  const pythonLength = Number(new TextDecoder().decode((await python.output()).stdout).trim());

  const codePoints = [...text];
  assert(codePoints.length > 3000 && codePoints.length !== text.length);
  assert.equal(pythonLength, codePoints.length);
  assert.equal(
    result.stdout,
    `${codePoints.slice(0, 3000).join("")}\nTotal characters: ${pythonLength}\n`,
  );
  assert(!result.stdout.includes("\ufffd"), "no character was broken");
});

Deno.test("raw-socket programs over https (TLS on loopback)", async () => {
  await using tls = await selfSignedCertificate();
  {
    const listener = Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: tls.cert,
      key: tls.key,
    });
    const { port } = listener.addr as Deno.NetAddr;
    const requests: string[] = [];
    const serving = (async () => {
      for await (const conn of listener) {
        try {
          const buffer = new Uint8Array(4096);
          let head = "";
          while (!head.includes("\r\n\r\n")) {
            const n = await conn.read(buffer);
            if (n === null) break;
            head += latin1(buffer.subarray(0, n));
          }
          requests.push(head);
          await writeAll(conn, "HTTP/1.0 200 OK\r\n\r\nsecret");
        } catch { /* the client went away */ }
        conn.close();
      }
    })();
    try {
      const url = `https://127.0.0.1:${port}/romeo.txt`;
      const result = await runScript("socket1", [url], {
        flags: [`--cert=${tls.certFile}`, ...net(port)],
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "HTTP/1.0 200 OK\r\n\r\nsecret");
      assert.equal(requests[0], `GET ${url} HTTP/1.0\r\n\r\n`);

      const untrusted = await runScript("socket1", [url], { flags: net(port) });
      assert.match(
        assertOneLineError(untrusted, "socket1", 1),
        new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${port}: TLS handshake failed: `),
      );
    } finally {
      listener.close();
      await serving;
    }
  }
});

Deno.test("raw-socket programs: one-line errors with the right exit status", async (t) => {
  await t.step("no --allow-net names the flag", async () => {
    const result = await runScript("socket1", [], {});
    assert.equal(
      assertOneLineError(result, "socket1", 1),
      "no network permission for data.pr4e.org:80: run with --allow-net=data.pr4e.org:80",
    );
    const loopback = await runScript("socket1", ["http://127.0.0.1:9/"], {});
    assert.equal(
      assertOneLineError(loopback, "socket1", 1),
      "no network permission for 127.0.0.1:9: run with --allow-net=127.0.0.1:9",
    );
    for (const name of ["socket2", "exercise1", "exercise2"]) {
      const other = await runScript(name, ["http://127.0.0.1:9/"], {});
      assert.equal(
        assertOneLineError(other, name, 1),
        "no network permission for 127.0.0.1:9: run with --allow-net=127.0.0.1:9",
      );
    }
  });

  await t.step(
    "urljpeg without write permission names every flag and connects nowhere",
    async () => {
      await using server = startRawServer((conn) => writeAll(conn, "HTTP/1.0 200 OK\r\n\r\nx"));
      const result = await runScript("urljpeg", [`${server.origin}/x`], {
        flags: net(server.port),
      });
      assert.equal(
        assertOneLineError(result, "urljpeg", 1),
        "no permission to write stuff.jpg: run with --allow-write=stuff.jpg,stuff.jpg.part --allow-read=stuff.jpg.part",
      );
      const noRead = await runScript("urljpeg", [`${server.origin}/x`], {
        flags: [...net(server.port), "--allow-write=stuff.jpg,stuff.jpg.part"],
      });
      assert.equal(
        assertOneLineError(noRead, "urljpeg", 1),
        "no permission to write stuff.jpg: run with --allow-read=stuff.jpg.part",
      );
      assert.equal(server.requests.length, 0);
    },
  );

  await t.step("malformed URLs exit with status 2", async () => {
    for (
      const url of ["data.pr4e.org/romeo.txt", "ftp://data.pr4e.org/romeo.txt", "http://", "romeo"]
    ) {
      for (const name of ["socket1", "urljpeg", "exercise1"]) {
        const result = await runScript(name, [url], { flags: ["--allow-net=data.pr4e.org:80"] });
        assertOneLineError(result, name, 2);
        assert.equal(result.stdout, "");
      }
    }
  });

  await t.step("control characters in a URL are shown escaped in the error line", async () => {
    const url = "\x1b[2J\x9b2J\u202e not a url\x7f";
    const result = await runScript("socket1", [url], { flags: ["--allow-net=data.pr4e.org:80"] });
    const line = assertOneLineError(result, "socket1", 2);
    assert.match(line, /^cannot use URL "/);
    assert(line.includes("2J\\x9b2J\\u202e not a url\\x7f"), line);
    const controls = [...line].filter((c) => {
      const code = c.charCodeAt(0);
      return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e);
    });
    assert.deepEqual(controls, []);
  });

  await t.step("a refused connection exits with status 1", async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = listener.addr as Deno.NetAddr;
    listener.close();
    for (const name of ["socket1", "socket2", "exercise1", "exercise2"]) {
      const result = await runScript(name, [`http://127.0.0.1:${port}/romeo.txt`], {
        flags: net(port),
      });
      assert.equal(
        assertOneLineError(result, name, 1),
        `cannot connect to 127.0.0.1:${port}: connection refused`,
      );
    }
  });

  await t.step("an unknown host exits with status 1", async () => {
    const result = await runScript("exercise1", ["http://nosuch.invalid/romeo.txt"], {
      flags: ["--allow-net=nosuch.invalid:80"],
    });
    assert.match(
      assertOneLineError(result, "exercise1", 1),
      /^cannot connect to nosuch\.invalid:80: name not resolved/,
    );
  });

  await t.step("prompts with closed or empty stdin", async () => {
    for (const name of ["socket2", "exercise1", "exercise2"]) {
      const closed = await runScript(name, [], {
        flags: ["--allow-net=data.pr4e.org:80"],
        stdin: "",
      });
      assert.equal(closed.stdout, "Enter: ");
      assert.equal(
        assertOneLineError(closed, name, 2),
        "cannot read a URL: standard input is closed",
      );
      const empty = await runScript(name, [], {
        flags: ["--allow-net=data.pr4e.org:80"],
        stdin: "\n",
      });
      assert.equal(assertOneLineError(empty, name, 2), "cannot read a URL: the answer is empty");
    }
  });

  await t.step("bad options exit with status 2", async () => {
    const cases: [string, string[], string][] = [
      [
        "socket1",
        ["--bogus"],
        "cannot parse the command line: unknown option '--bogus' (see --help)",
      ],
      [
        "socket1",
        ["--timeout", "soon"],
        'cannot use --timeout "soon": expected a number of seconds above 0',
      ],
      ["urljpeg", ["--delay=-1"], 'cannot use --delay "-1": expected a number of seconds'],
      [
        "urljpeg",
        ["--max-bytes", "lots"],
        'cannot use --max-bytes "lots": expected a whole number, 1 or more',
      ],
      [
        "exercise2",
        ["http://a/", "http://b/"],
        'cannot parse the command line: unexpected argument "http://b/" (see --help)',
      ],
    ];
    for (const [name, args, line] of cases) {
      const result = await runScript(name, args, { flags: ["--allow-net=data.pr4e.org:80"] });
      assert.equal(assertOneLineError(result, name, 2), line);
    }
  });
});

Deno.test("raw-socket programs: --help shows the exact deno run line of the shebang and header", async () => {
  for (const name of ["socket1", "socket2", "urljpeg", "exercise1", "exercise2"]) {
    const source = await Deno.readTextFile(`${ROOT}/scripts/${name}.ts`);
    const shebang = source.split("\n", 1)[0];
    const prefix = "#!/usr/bin/env -S deno run ";
    assert(shebang.startsWith(prefix), shebang);
    const line = `deno run ${shebang.slice(prefix.length)} scripts/${name}.ts`;
    assert(source.includes(` *     ${line}`), `${name}: the header comment shows ${line}`);
    const result = await runScript(name, ["--help"]);
    assert.equal(result.code, 0, result.stderr);
    assert(result.stdout.startsWith(`Usage: ${line} [URL] [options]\n`), result.stdout);
    assert.equal(result.stderr, "");
  }
});

Deno.test("Ctrl-C stops urljpeg with status 130, one line, and no file", async () => {
  let received = 0;
  await using server = startRawServer(async (conn) => {
    received++;
    await writeAll(conn, "HTTP/1.0 200 OK\r\n\r\npart of a picture");
    await sleep(10_000);
  });
  const cwd = await Deno.makeTempDir();
  try {
    const child = new Deno.Command("deno", {
      args: [
        "run",
        "--no-prompt",
        ...jpegFlags(server.port),
        `${ROOT}/scripts/urljpeg.ts`,
        `${server.origin}/x`,
      ],
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const reader = child.stdout.getReader();
    const first = await reader.read(); // the first per-read line: the bytes are in
    assert.match(new TextDecoder().decode(first.value), /^\d+ \d+\n/);
    reader.releaseLock();
    child.kill("SIGINT");
    const output = await child.output();
    assert.equal(output.code, 130);
    assert.equal(
      new TextDecoder().decode(output.stderr),
      "urljpeg: stopped: interrupted by Ctrl-C\n",
    );
    assert.equal(received, 1);
    assert.deepEqual([...Deno.readDirSync(cwd)], []);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("a program paused past its --timeout reads the data that came meanwhile", async () => {
  await using server = startRawServer(async (conn) => {
    await writeAll(conn, "HTTP/1.0 200 OK\r\n\r\n");
    for (let i = 0; i < 6; i++) {
      await sleep(400);
      await writeAll(conn, "0123456789");
    }
  });
  const child = new Deno.Command("deno", {
    args: [
      "run",
      "--no-prompt",
      ...net(server.port),
      `${ROOT}/scripts/socket1.ts`,
      `${server.origin}/`,
      "--timeout",
      "1",
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  await sleep(700);
  // Stopped for longer than its limit, as a busy machine may; the bytes wait in its socket.
  child.kill("SIGSTOP");
  await sleep(1600);
  child.kill("SIGCONT");
  const output = await child.output();
  assert.equal(new TextDecoder().decode(output.stderr), "");
  assert.equal(output.code, 0);
  assert.equal(
    new TextDecoder().decode(output.stdout),
    `HTTP/1.0 200 OK\r\n\r\n${"0123456789".repeat(6)}`,
  );
});

Deno.test("exercise5 refuses a reply that is not HTTP, or a head over 64 KiB, and prints nothing", async () => {
  const replies = [
    "\x00\x01garbage\r\n\r\nnot a body",
    "ICY 200 OK\r\n\r\nnot a body",
    `HTTP/1.0 200 OK\r\nX-Big: ${"a".repeat(70_000)}\r\n\r\nnot a body`,
  ];
  for (const reply of replies) {
    await using server = startRawServer(async (conn) => await writeAll(conn, reply));
    const result = await runScript("exercise5", [`${server.origin}/`], { flags: net(server.port) });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^exercise5: cannot read response: [^\n]+\n$/);
  }
  await using good = startRawServer(async (conn) => {
    await writeAll(conn, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nBut soft\r\n");
  });
  const result = await runScript("exercise5", [`${good.origin}/`], { flags: net(good.port) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "But soft\r\n");
});
