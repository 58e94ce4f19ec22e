// Copyright netprog authors. MIT license.

// curl1, curl2, curl3 and exercise5 against loopback servers, byte for byte; the fast path's
// chunked decoding fed at every split point and every read size; no partial file after a failure
// or Ctrl-C.

import assert from "node:assert/strict";
import { ROOT, runScript, startMirror, startRawServer, writeAll } from "./_helpers.ts";
import { Conn } from "../scripts/lib/conn.ts";
import { receiveResponse } from "../scripts/lib/http_client.ts";
import { MemorySink } from "../scripts/lib/sinks.ts";

const encoder = new TextEncoder();
const COVER = Deno.readFileSync(`${ROOT}/data/cover3.jpg`);

/** The flags of a download script, with the book's host replaced by `hostPort`. */
function downloadFlags(name: string, hostPort: string): string[] {
  const first = Deno.readTextFileSync(`${ROOT}/scripts/${name}.ts`).split("\n")[0];
  return first.split(" ").filter((word) => word.startsWith("--allow-")).map((flag) =>
    flag.replace(/^--allow-net=.*$/, `--allow-net=${hostPort}`)
  );
}

function list(folder: string): string[] {
  return [...Deno.readDirSync(folder)].map((entry) => entry.name).sort();
}

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "netprog-download-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function concat(...parts: (Uint8Array | string)[]): Uint8Array {
  const arrays = parts.map((part) => typeof part === "string" ? encoder.encode(part) : part);
  const all = new Uint8Array(arrays.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of arrays) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

Deno.test("curl1 and curl2 save the mirror's cover3.jpg byte for byte", async () => {
  await using mirror = await startMirror();
  for (const name of ["curl1", "curl2"]) {
    await inTempDir(async (dir) => {
      const result = await runScript(name, [`${mirror.origin}/cover3.jpg`], {
        flags: downloadFlags(name, `127.0.0.1:${mirror.port}`),
        cwd: dir,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      assert.equal(result.stdout, name === "curl1" ? "" : `${COVER.length} characters copied.\n`);
      assert.deepEqual(Deno.readFileSync(`${dir}/cover3.jpg`), COVER);
      assert.deepEqual(list(dir), ["cover3.jpg"]);
    });
  }
});

Deno.test("curl2 and curl1 write -o PATH, and decode a chunked body", async () => {
  const body = new Uint8Array(300_001).map((_, i) => (i * 7) % 251);
  await using server = startRawServer(async (conn) => {
    await writeAll(conn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (let at = 0; at < body.length; at += 32768) {
      const piece = body.subarray(at, at + 32768);
      await writeAll(conn, concat(`${piece.length.toString(16)}\r\n`, piece, "\r\n"));
    }
    await writeAll(conn, "0\r\n\r\n");
  });
  for (const name of ["curl1", "curl2"]) {
    await inTempDir(async (dir) => {
      const result = await runScript(name, [`${server.origin}/x.bin`, "-o", "out.bin"], {
        flags: [
          `--allow-net=127.0.0.1:${server.port}`,
          "--allow-write=out.bin,out.bin.part",
          "--allow-read=out.bin.part",
        ],
        cwd: dir,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(Deno.readFileSync(`${dir}/out.bin`), body);
      assert.deepEqual(list(dir), ["out.bin"]);
    });
  }
});

Deno.test("curl1 refuses a body over --max-bytes and writes nothing", async () => {
  await using server = startRawServer(async (conn) => {
    await writeAll(conn, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
    await writeAll(conn, new Uint8Array(5000));
  });
  await inTempDir(async (dir) => {
    const result = await runScript("curl1", [`${server.origin}/c.jpg`, "--max-bytes", "4999"], {
      flags: downloadFlags("curl1", `127.0.0.1:${server.port}`),
      cwd: dir,
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^curl1: .*larger than 4999 bytes.*\n$/);
    assert.deepEqual(list(dir), []);
  });
});

Deno.test("curl3 asks for the URL, names the file after it, and asks before replacing", async () => {
  await using mirror = await startMirror();
  const flags = downloadFlags("curl3", `127.0.0.1:${mirror.port}`);
  await inTempDir(async (dir) => {
    const first = await runScript("curl3", [], {
      flags,
      cwd: dir,
      stdin: `${mirror.origin}/cover3.jpg\n`,
    });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(
      first.stdout,
      "Please enter a URL like http://data.pr4e.org/cover3.jpg\n" +
        `${COVER.length} characters copied to cover3.jpg\n`,
    );
    assert.deepEqual(Deno.readFileSync(`${dir}/cover3.jpg`), COVER);

    Deno.writeTextFileSync(`${dir}/cover3.jpg`, "old");
    const no = await runScript("curl3", [`${mirror.origin}/cover3.jpg`], {
      flags,
      cwd: dir,
      stdin: "n\n",
    });
    assert.equal(no.code, 0, no.stderr);
    assert.equal(no.stdout, "Replace cover3.jpg (Y/n)?Data not copied\n");
    assert.equal(no.stderr, 'curl3: cover3.jpg kept: the answer was "n", and only Y replaces it\n');
    assert.equal(Deno.readTextFileSync(`${dir}/cover3.jpg`), "old");

    const closed = await runScript("curl3", [`${mirror.origin}/cover3.jpg`], { flags, cwd: dir });
    assert.equal(closed.code, 0, closed.stderr);
    assert.match(closed.stdout, /Data not copied\n$/);
    assert.equal(closed.stderr, "curl3: cover3.jpg kept: standard input is closed\n");
    assert.equal(Deno.readTextFileSync(`${dir}/cover3.jpg`), "old");

    const yes = await runScript("curl3", [`${mirror.origin}/cover3.jpg`], {
      flags,
      cwd: dir,
      stdin: "Y\n",
    });
    assert.equal(yes.code, 0, yes.stderr);
    assert.equal(
      yes.stdout,
      "Replace cover3.jpg (Y/n)?Replacing cover3.jpg\n" +
        `${COVER.length} characters copied to cover3.jpg\n`,
    );
    assert.deepEqual(Deno.readFileSync(`${dir}/cover3.jpg`), COVER);
    assert.deepEqual(list(dir), ["cover3.jpg"]);
  });
});

Deno.test("curl3 refuses an unsafe name with exit status 2 before connecting", async () => {
  await using server = startRawServer(() => {});
  await inTempDir(async (dir) => {
    for (const path of ["/", "/..", "/%2e%2e%2fvictim", "/NUL"]) {
      const result = await runScript("curl3", [`${server.origin}${path}`], {
        flags: downloadFlags("curl3", `127.0.0.1:${server.port}`),
        cwd: dir,
      });
      assert.equal(result.code, 2, `${path}: ${result.stderr}`);
      assert.match(result.stderr, /^curl3: cannot take a file name from [^\n]+\n$/);
    }
    assert.deepEqual(list(dir), []);
  });
  assert.deepEqual(server.requests, []);
});

Deno.test("curl2 leaves no file when the server closes mid-body", async () => {
  await using server = startRawServer(async (conn) => {
    await writeAll(conn, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
    await writeAll(conn, new Uint8Array(40_000));
  });
  await inTempDir(async (dir) => {
    const result = await runScript("curl2", [`${server.origin}/cover3.jpg`], {
      flags: downloadFlags("curl2", `127.0.0.1:${server.port}`),
      cwd: dir,
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^curl2: [^\n]+\n$/);
    assert.equal(result.stdout, "");
    assert.deepEqual(list(dir), []);
  });
});

Deno.test("curl2 stopped by Ctrl-C mid-download exits 130 and leaves no file", async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => release = resolve);
  let sent!: () => void;
  const started = new Promise<void>((resolve) => sent = resolve);
  await using server = startRawServer(async (conn) => {
    await writeAll(conn, "HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n");
    await writeAll(conn, new Uint8Array(300_000));
    sent();
    await held;
  });
  await inTempDir(async (dir) => {
    const child = new Deno.Command("deno", {
      args: [
        "run",
        "--no-prompt",
        ...downloadFlags("curl2", `127.0.0.1:${server.port}`),
        `${ROOT}/scripts/curl2.ts`,
        `${server.origin}/cover3.jpg`,
      ],
      cwd: dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    await started;
    // The part file exists once the body is being written.
    for (let i = 0; i < 200 && !list(dir).includes("cover3.jpg.part"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.deepEqual(list(dir), ["cover3.jpg.part"], "no part file while downloading");
    child.kill("SIGINT");
    const output = await child.output();
    release();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 130, stderr);
    assert.equal(stderr, "curl2: stopped: interrupted by Ctrl-C\n");
    assert.deepEqual(list(dir), [], stderr);
  });
});

Deno.test("exercise5 prints only the body wherever the response is split across writes", async () => {
  const response = encoder.encode(
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nBut soft\r\n",
  );
  const headEnd = response.indexOf(13, 40); // the first CR of CRLFCRLF
  assert.deepEqual([...response.subarray(headEnd, headEnd + 4)], [13, 10, 13, 10]);
  const splits = Array.from({ length: response.length + 1 }, (_, i) => i);
  await using server = startRawServer(async (conn, head) => {
    const at = Number(/GET \S+\/split(\d+) HTTP\/1\.0\r\n\r\n/.exec(head)![1]);
    await writeAll(conn, response.subarray(0, at));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await writeAll(conn, response.subarray(at));
  });
  const failures: string[] = [];
  const queue = [...splits];
  await Promise.all([1, 2, 3].map(async () => {
    for (let at = queue.shift(); at !== undefined; at = queue.shift()) {
      const result = await runScript("exercise5", [`${server.origin}/split${at}`], {
        flags: [`--allow-net=127.0.0.1:${server.port}`],
      });
      if (result.code !== 0 || result.stdout !== "But soft\r\n") {
        failures.push(`split at ${at}: exit ${result.code} ${JSON.stringify(result.stdout)}`);
      }
    }
  }));
  assert.deepEqual(failures, []);
  assert.equal(server.requests.length, splits.length);
});

Deno.test("exercise5 writes binary bodies unchanged and fails clearly without a blank line", async () => {
  const body = new Uint8Array(2_000_000).map((_, i) => (i * 31) % 256);
  await using server = startRawServer(async (conn, head) => {
    if (head.includes("/nohead")) {
      await writeAll(conn, "HTTP/1.0 200 OK\r\nno blank line");
      return;
    }
    await writeAll(conn, "HTTP/1.0 200 OK\r\n\r\n");
    await writeAll(conn, body);
  });
  const flags = [`--allow-net=127.0.0.1:${server.port}`];
  const good = await runScript("exercise5", [`${server.origin}/bin`], { flags });
  assert.equal(good.code, 0, good.stderr);
  assert.deepEqual(good.stdoutBytes, body);
  const bad = await runScript("exercise5", [`${server.origin}/nohead`], { flags });
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, "");
  assert.match(bad.stderr, /^exercise5: cannot find the end of the headers: [^\n]+\n$/);
});

/** Serves `bytes` split once at `at`, on a fresh listener; returns the port and a stop. */
function serveSplit(bytes: Uint8Array, at: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = listener.accept().then(async (conn) => {
    await writeAll(conn, bytes.subarray(0, at));
    await writeAll(conn, bytes.subarray(at));
    conn.close();
  });
  return {
    port: (listener.addr as Deno.NetAddr).port,
    stop: async () => {
      await done;
      listener.close();
    },
  };
}

Deno.test("the fast path decodes a chunked body fed at every split point and read size", async () => {
  const body = "Arise fair sun and kill the envious moon";
  const response = encoder.encode(
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "6\r\nArise \r\nA;ext=1\r\nfair sun a\r\n18\r\nnd kill the envious moon\r\n" +
      "0\r\nTrailer: x\r\n\r\n",
  );
  const failures: string[] = [];
  for (const readSize of [1, 2, 3, 5, 16, 1 << 20]) {
    for (let at = 0; at <= response.length; at++) {
      if (readSize !== 1 && readSize !== 1 << 20 && at % 7 !== 0) continue;
      const server = serveSplit(response, at);
      const conn = await Conn.open(
        { scheme: "http", hostname: "127.0.0.1", port: server.port },
        { readSize },
      );
      const sink = new MemorySink();
      try {
        const result = await receiveResponse(conn, { sinkFor: () => sink });
        const text = new TextDecoder().decode(sink.bytes());
        if (text !== body || result.bodyBytes !== body.length || result.framing !== "chunked") {
          failures.push(`read ${readSize}, split ${at}: ${JSON.stringify(text)}`);
        }
        assert.equal(conn.leftover.length, 0);
      } finally {
        conn.close();
        await server.stop();
      }
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("the fast path keeps bytes past the end of a response for the next one", async () => {
  const two = encoder.encode(
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nde",
  );
  const server = serveSplit(two, two.length);
  const conn = await Conn.open({ scheme: "http", hostname: "127.0.0.1", port: server.port });
  try {
    const bodies: string[] = [];
    for (let i = 0; i < 2; i++) {
      const sink = new MemorySink();
      const result = await receiveResponse(conn, { sinkFor: () => sink });
      assert.equal(result.reusable, true);
      bodies.push(new TextDecoder().decode(sink.bytes()));
    }
    assert.deepEqual(bodies, ["abc", "de"]);
  } finally {
    conn.close();
    await server.stop();
  }
});
