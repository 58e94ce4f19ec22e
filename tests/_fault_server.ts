// Copyright netprog authors. MIT license.

/**
 * A hostile HTTP server for the tests: one fault mode per server, on
 * 127.0.0.1, port 0. Every mode is a plan of steps (write these bytes, pause,
 * stall, close, reset), so a test knows exactly which bytes were sent.
 *
 * Reset (RST instead of FIN) cannot be asked of a Deno socket (no SO_LINGER),
 * and neither can a listener that never completes a connection: the
 * `reset-*` modes run a tiny python3 server that sets `SO_LINGER 0` before it
 * closes, and `connect-blackhole` one whose accept queue is kept full.
 *
 * @module
 */

/** `trickle`: the pause between two pieces of the response, in milliseconds. */
export const TRICKLE_PAUSE_MS = 200;

/**
 * `trickle`: the idle timeout a client is given, in milliseconds. Every pause
 * is a small part of it (a busy machine that runs a timer late by seconds
 * still keeps each gap below it), and the pieces together take longer than
 * it, so a timeout that counts the whole response instead of the gaps fires.
 */
export const TRICKLE_IDLE_TIMEOUT_MS = 4_000;

/** Every fault mode, by family. */
export const FAULT_MODES = {
  // Framings and splits a correct client must handle: the result is correct.
  "whole": "status line, headers and body in one write, Content-Length",
  "byte-per-write": "every byte in its own write, with a pause between",
  "split-head-end": "the CRLFCRLF split at position `splitAt` (0..4), a pause between",
  "close-delimited": "no Content-Length, the body ends when the server closes",
  "chunked": "Transfer-Encoding: chunked, one chunk per write",
  "chunk-extensions": "chunk sizes in upper and lower case hex with extensions",
  "chunk-trailers": "a chunked body with trailer fields",
  "utf8-split": "UTF-8 characters split across writes",
  "non-utf8": "a latin1 body, declared as such",
  "invalid-utf8": "a body with byte sequences that are not UTF-8",
  "terminal-escapes": "a body full of terminal escape sequences",
  "terminal-escapes-html": "an HTML page with escape sequences in its text, links and attributes",
  "terminal-escapes-head": "escape sequences in a header value (the body is plain)",
  "reason-escapes": "a 404 whose reason phrase carries escape sequences",
  // The server goes quiet: the client's idle timeout must end it.
  "stall-before-status": "accepts and reads the request, then sends nothing",
  "stall-mid-header": "sends half a header block, then nothing",
  "stall-mid-body": "sends the head and part of the body, then nothing",
  "stall-mid-chunk": "sends part of a chunk, then nothing",
  // The server goes away early.
  "close-before-status": "closes without sending a byte",
  "close-mid-header": "closes (FIN) in the middle of the header block",
  "close-mid-chunk": "closes (FIN) in the middle of a chunk",
  "close-short-body": "closes (FIN) before Content-Length bytes were sent",
  "reset-mid-header": "resets (RST) in the middle of the header block",
  "reset-mid-body": "resets (RST) in the middle of the body",
  "connect-blackhole": "a listener whose queue is full: connecting never completes",
  // Slow but alive: an idle timeout must not fire.
  "trickle": "the response in pieces 200 ms apart, longer in all than a 4 s idle timeout",
  // Sizes past every sane limit.
  "header-block-1mib": "a header block of 1 MiB (1024 lines of 1 KiB)",
  "header-line-100kb": "one header line of 100 KB",
  "headers-10000": "10,000 header lines",
  // Bytes that are not HTTP, or framing that lies.
  "garbage-status": "text that is not a status line, then a blank line and a body",
  "binary-status": "binary bytes instead of a status line, no CRLFCRLF",
  "cl-invalid": "Content-Length: abc",
  "cl-negative": "Content-Length: -5",
  "cl-conflict": "two different Content-Length values",
  "cl-with-chunked": "Content-Length and Transfer-Encoding: chunked together",
  "chunk-size-overlong": "a chunk size of 40 hex digits",
  "chunk-size-nonhex": "a chunk size that is not hex",
  "chunk-no-final": "chunks, then close without the final 0 chunk",
  // Volume.
  "stream-zeros": "a Content-Length body of `size` zero bytes, as fast as loopback goes",
  "endless-head": "a header line that never ends: `size` bytes, then close",
  "gzip-bomb": "Content-Encoding: gzip of `size` zero bytes (about 1/1000 of that on the wire)",
  // Redirects.
  "redirect-loop": "every request is redirected to the other of two paths",
  "redirect-other-host": "a redirect to `otherOrigin`",
  "redirect-chain": "`hops` redirects, then the body",
} as const;

/** The name of a fault mode. */
export type FaultMode = keyof typeof FAULT_MODES;

/** One thing the server does on a connection. */
export type Step =
  | { kind: "write"; bytes: Uint8Array }
  | { kind: "bytewise"; bytes: Uint8Array; pauseMs: number }
  | { kind: "zeros"; count: number }
  | { kind: "pause"; ms: number }
  | { kind: "stall" }
  | { kind: "reset" };

/** Options of {@linkcode startFaultServer}. */
export interface FaultServerOptions {
  /** The body of the valid modes. @default {SAMPLE_BODY} */
  body?: Uint8Array;
  /** `split-head-end`: where in the CRLFCRLF to split (0..4). @default {2} */
  splitAt?: number;
  /** Stall modes: how long to stay quiet before closing, in ms. @default {15000} */
  holdMs?: number;
  /** `stream-zeros` and `gzip-bomb`: the (decoded) body size in bytes. @default {1 << 20} */
  size?: number;
  /** `stream-zeros`: the bytes repeated to fill the body instead of zeros. */
  fill?: Uint8Array;
  /** `redirect-chain`: how many redirects before the body. @default {3} */
  hops?: number;
  /** `redirect-other-host`: where to send the client. @default {"http://localhost:8765/"} */
  otherOrigin?: string;
}

/** A running fault server. */
export interface FaultServer extends AsyncDisposable {
  /** The mode it serves. */
  mode: FaultMode;
  /** The port it listens on. */
  port: number;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The request heads received, decoded as latin1. */
  requests: string[];
  /** For the modes that send a fixed response: every byte sent on one connection. */
  sent: Uint8Array | null;
  /** For the modes whose body is well framed: the body a correct client delivers. */
  body: Uint8Array | null;
  /** Stops listening, ends stalls and closes open connections. */
  close(): Promise<void>;
}

/** The body of the valid modes: a few lines of text, ASCII only. */
export const SAMPLE_BODY: Uint8Array = new TextEncoder().encode(
  "But soft what light through yonder window breaks\n" +
    "It is the east and Juliet is the sun\n" +
    "Arise fair sun and kill the envious moon\n" +
    "Who is already sick and pale with grief\n",
);

const encoder = new TextEncoder();

function concat(parts: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}

function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function head(fields: string[], status = "200 OK"): string {
  return `HTTP/1.1 ${status}\r\nServer: netprog-fault\r\n${
    fields.map((f) => `${f}\r\n`).join("")
  }` +
    "Connection: close\r\n\r\n";
}

function clHead(length: number | string, type = "text/plain; charset=utf-8"): string {
  return head([`Content-Type: ${type}`, `Content-Length: ${length}`]);
}

function write(bytes: Uint8Array | string): Step {
  return { kind: "write", bytes: typeof bytes === "string" ? latin1Bytes(bytes) : bytes };
}

const PAUSE = 30;

let gzipCache: { size: number; bytes: Uint8Array } | null = null;

/** Gzip of `size` zero bytes, computed once per size. */
async function gzipOfZeros(size: number): Promise<Uint8Array> {
  if (gzipCache?.size === size) return gzipCache.bytes;
  const stream = new CompressionStream("gzip");
  const writer = stream.writable.getWriter();
  const block = new Uint8Array(1 << 20);
  const feeding = (async () => {
    for (let left = size; left > 0; left -= block.length) {
      await writer.write(left >= block.length ? block : block.subarray(0, left));
    }
    await writer.close();
  })();
  const parts: Uint8Array[] = [];
  for await (const part of stream.readable) parts.push(part);
  await feeding;
  gzipCache = { size, bytes: concat(parts) };
  return gzipCache.bytes;
}

/** Bytes that look like nothing at all: a fixed xorshift sequence, no CR or LF. */
function binaryNoise(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const byte = state & 0xff;
    bytes[i] = byte === 0x0d || byte === 0x0a ? 0x00 : byte;
  }
  return bytes;
}

/** What a mode does on a connection whose request target has `path`. */
export interface Plan {
  /** The steps, in order; the connection is closed (FIN) after the last. */
  steps: Step[];
  /** For a fixed response: the body a correct client delivers, else null. */
  body: Uint8Array | null;
}

/**
 * Builds the plan of a mode. `origin` is the server's own origin, for
 * redirects; `path` the path asked for.
 */
export async function planFor(
  mode: FaultMode,
  options: FaultServerOptions,
  origin: string,
  path = "/",
): Promise<Plan> {
  const body = options.body ?? SAMPLE_BODY;
  const okHead = clHead(body.length);
  const whole = concat([latin1Bytes(okHead), body]);
  switch (mode) {
    case "whole":
      return { steps: [write(whole)], body };
    case "byte-per-write":
      return { steps: [{ kind: "bytewise", bytes: whole, pauseMs: 1 }], body };
    case "split-head-end": {
      const cut = okHead.length - 4 + (options.splitAt ?? 2);
      return {
        steps: [
          write(whole.subarray(0, cut)),
          { kind: "pause", ms: PAUSE },
          write(whole.subarray(cut)),
        ],
        body,
      };
    }
    case "close-delimited":
      return {
        steps: [
          write(head(["Content-Type: text/plain"])),
          { kind: "pause", ms: PAUSE },
          write(body),
        ],
        body,
      };
    case "chunked": {
      const steps: Step[] = [
        write(head(["Content-Type: text/plain", "Transfer-Encoding: chunked"])),
      ];
      for (let at = 0; at < body.length; at += 37) {
        const part = body.subarray(at, at + 37);
        steps.push(
          write(
            concat([latin1Bytes(`${part.length.toString(16)}\r\n`), part, latin1Bytes("\r\n")]),
          ),
        );
        steps.push({ kind: "pause", ms: 2 });
      }
      steps.push(write("0\r\n\r\n"));
      return { steps, body };
    }
    case "chunk-extensions":
    case "chunk-trailers": {
      const parts: Uint8Array[] = [
        latin1Bytes(head(["Content-Type: text/plain", "Transfer-Encoding: chunked"])),
      ];
      for (let at = 0, n = 0; at < body.length; at += 26, n++) {
        const part = body.subarray(at, at + 26);
        const size = part.length.toString(16);
        const line = mode === "chunk-extensions"
          ? `${n % 2 ? size.toUpperCase() : size};name=value;quoted="a;b"\r\n`
          : `${size}\r\n`;
        parts.push(latin1Bytes(line), part, latin1Bytes("\r\n"));
      }
      parts.push(
        latin1Bytes(
          mode === "chunk-trailers"
            ? "0\r\nX-Checksum: 1234\r\nX-Other: yes\r\n\r\n"
            : "0;end\r\n\r\n",
        ),
      );
      return { steps: [write(concat(parts))], body };
    }
    case "utf8-split": {
      const text = encoder.encode("naïve café — 日本語 😀 Grüße\nsecond line ✓\n");
      const bytes = concat([latin1Bytes(clHead(text.length)), text]);
      const steps: Step[] = [];
      // Cut in the middle of every multi-byte character.
      let start = 0;
      for (let i = 1; i < bytes.length; i++) {
        if ((bytes[i] & 0xc0) === 0x80 && (bytes[i - 1] & 0xc0) !== 0x80) {
          steps.push(write(bytes.subarray(start, i)), { kind: "pause", ms: 2 });
          start = i;
        }
      }
      steps.push(write(bytes.subarray(start)));
      return { steps, body: text };
    }
    case "non-utf8": {
      const text = latin1Bytes("caf\xe9 na\xefve \xa9 2024\nGr\xfc\xdfe\n");
      return {
        steps: [
          write(concat([latin1Bytes(clHead(text.length, "text/plain; charset=iso-8859-1")), text])),
        ],
        body: text,
      };
    }
    case "invalid-utf8": {
      const text = new Uint8Array([
        ...encoder.encode("ok "),
        0xff,
        0xfe,
        0x20,
        0xc3,
        0x28,
        0x20,
        0xe2,
        0x82,
        0x20,
        0xed,
        0xa0,
        0x80,
        0x20,
        0xf0,
        0x9f,
        0x98,
        ...encoder.encode(" end\n"),
      ]);
      return { steps: [write(concat([latin1Bytes(clHead(text.length)), text]))], body: text };
    }
    case "terminal-escapes": {
      const text = new Uint8Array([
        ...encoder.encode("title\x1b]0;owned\x07 clear\x1b[2J\x1b[H red\x1b[31m bell\x07"),
        ...encoder.encode(" clip\x1b]52;c;ZWNobyBvd25lZA==\x07 csi"),
        0x9b,
        ...encoder.encode("2J c1\u009b1m bidi\u202egnp.exe cr\roverwrite\n"),
      ]);
      return { steps: [write(concat([latin1Bytes(clHead(text.length)), text]))], body: text };
    }
    case "terminal-escapes-html": {
      const text = encoder.encode(
        "<html><head><title>t\x1b]0;owned\x07</title></head><body>\n" +
          "<p>para \x1b]0;owned\x07 \x1b[2J\u009b1m \u202eevil</p>\n" +
          '<a href="http://example.com/\x1b]0;owned\x07">\x1b[2Jlink</a>\n' +
          '<a href="page2.htm" title="\x1b]0;owned\x07">\x07second</a>\n</body></html>\n',
      );
      return {
        steps: [
          write(concat([latin1Bytes(clHead(text.length, "text/html; charset=utf-8")), text])),
        ],
        body: text,
      };
    }
    case "terminal-escapes-head":
      return {
        steps: [
          write(concat([
            latin1Bytes(
              head([
                "X-Title: \x1b]0;owned\x07 \x1b[2J\x9b1m",
                `Content-Length: ${body.length}`,
              ]),
            ),
            body,
          ])),
        ],
        body,
      };
    case "reason-escapes":
      return {
        steps: [
          write(
            "HTTP/1.1 404 \x1b]0;owned\x07\x1b[2JNot\x9bFound\r\nContent-Length: 0\r\n" +
              "Connection: close\r\n\r\n",
          ),
        ],
        body: null,
      };
    case "connect-blackhole":
      return { steps: [], body: null };
    case "trickle": {
      // Enough pauses to outlast the idle timeout by a few more: 25 pieces, 24 pauses, 4.8 s.
      const pieces = Math.ceil(TRICKLE_IDLE_TIMEOUT_MS / TRICKLE_PAUSE_MS) + 5;
      const steps: Step[] = [];
      for (let i = 0; i < pieces; i++) {
        if (i > 0) steps.push({ kind: "pause", ms: TRICKLE_PAUSE_MS });
        const from = Math.floor(i * whole.length / pieces);
        steps.push(write(whole.subarray(from, Math.floor((i + 1) * whole.length / pieces))));
      }
      return { steps, body };
    }
    case "stall-before-status":
      return { steps: [{ kind: "stall" }], body: null };
    case "stall-mid-header":
      return {
        steps: [write("HTTP/1.1 200 OK\r\nContent-Type: text/pl"), { kind: "stall" }],
        body: null,
      };
    case "stall-mid-body":
      return {
        steps: [write(okHead), write(body.subarray(0, 20)), { kind: "stall" }],
        body: null,
      };
    case "stall-mid-chunk":
      return {
        steps: [
          write(head(["Transfer-Encoding: chunked"])),
          write(concat([latin1Bytes(`${body.length.toString(16)}\r\n`), body.subarray(0, 20)])),
          { kind: "stall" },
        ],
        body: null,
      };
    case "close-before-status":
      return { steps: [], body: null };
    case "close-mid-header":
      return { steps: [write("HTTP/1.1 200 OK\r\nContent-Type: text/pl")], body: null };
    case "close-mid-chunk":
      return {
        steps: [
          write(head(["Transfer-Encoding: chunked"])),
          write(concat([latin1Bytes(`${body.length.toString(16)}\r\n`), body.subarray(0, 20)])),
        ],
        body: null,
      };
    case "close-short-body":
      return { steps: [write(clHead(body.length + 1000)), write(body)], body: null };
    case "reset-mid-header":
      return {
        steps: [write("HTTP/1.1 200 OK\r\nContent-Type: text/pl"), { kind: "reset" }],
        body: null,
      };
    case "reset-mid-body":
      return {
        steps: [write(clHead(body.length + 1000)), write(body), { kind: "reset" }],
        body: null,
      };
    case "header-block-1mib": {
      const fields = Array.from({ length: 1024 }, (_, i) => `X-Fill-${i}: ${"a".repeat(1000)}`);
      return {
        steps: [
          write(concat([latin1Bytes(head([...fields, `Content-Length: ${body.length}`])), body])),
        ],
        body,
      };
    }
    case "header-line-100kb":
      return {
        steps: [
          write(concat([
            latin1Bytes(head([`X-Long: ${"b".repeat(100_000)}`, `Content-Length: ${body.length}`])),
            body,
          ])),
        ],
        body,
      };
    case "headers-10000": {
      const fields = Array.from({ length: 10_000 }, (_, i) => `X-H${i}: ${i}`);
      return {
        steps: [
          write(concat([latin1Bytes(head([...fields, `Content-Length: ${body.length}`])), body])),
        ],
        body,
      };
    }
    case "garbage-status":
      return {
        steps: [
          write(concat([latin1Bytes("SSH-2.0-OpenSSH_9.2 hello\r\nnot: http\r\n\r\n"), body])),
        ],
        body: null,
      };
    case "binary-status":
      return { steps: [write(binaryNoise(4096))], body: null };
    case "cl-invalid":
      return { steps: [write(concat([latin1Bytes(clHead("abc")), body]))], body: null };
    case "cl-negative":
      return { steps: [write(concat([latin1Bytes(clHead("-5")), body]))], body: null };
    case "cl-conflict":
      return {
        steps: [
          write(concat([
            latin1Bytes(
              head([`Content-Length: ${body.length}`, `Content-Length: ${body.length - 10}`]),
            ),
            body,
          ])),
        ],
        body: null,
      };
    case "cl-with-chunked":
      return {
        steps: [
          write(concat([
            latin1Bytes(head(["Content-Length: 3", "Transfer-Encoding: chunked"])),
            latin1Bytes(`${body.length.toString(16)}\r\n`),
            body,
            latin1Bytes("\r\n0\r\n\r\n"),
          ])),
        ],
        body: null,
      };
    case "chunk-size-overlong":
      return {
        steps: [
          write(head(["Transfer-Encoding: chunked"]) + `${"f".repeat(40)}\r\nabc\r\n0\r\n\r\n`),
        ],
        body: null,
      };
    case "chunk-size-nonhex":
      return {
        steps: [write(head(["Transfer-Encoding: chunked"]) + "zz\r\nabc\r\n0\r\n\r\n")],
        body: null,
      };
    case "chunk-no-final":
      return {
        steps: [
          write(concat([
            latin1Bytes(head(["Transfer-Encoding: chunked"])),
            latin1Bytes(`${body.length.toString(16)}\r\n`),
            body,
            latin1Bytes("\r\n"),
          ])),
        ],
        body: null,
      };
    case "stream-zeros": {
      const size = options.size ?? 1 << 20;
      return {
        steps: [write(clHead(size, "application/octet-stream")), { kind: "zeros", count: size }],
        body: null,
      };
    }
    case "endless-head":
      return {
        steps: [
          write("HTTP/1.1 200 OK\r\nX-Endless: "),
          { kind: "zeros", count: options.size ?? 1 << 20 },
        ],
        body: null,
      };
    case "gzip-bomb": {
      const gz = await gzipOfZeros(options.size ?? 1 << 20);
      return {
        steps: [
          write(
            head([
              "Content-Type: text/plain",
              "Content-Encoding: gzip",
              `Content-Length: ${gz.length}`,
            ]),
          ),
          write(gz),
        ],
        body: null,
      };
    }
    case "redirect-loop": {
      const next = path === "/a" ? "/b" : "/a";
      return {
        steps: [write(head([`Location: ${origin}${next}`, "Content-Length: 0"], "302 Found"))],
        body: null,
      };
    }
    case "redirect-other-host":
      return {
        steps: [
          write(
            head(
              [`Location: ${options.otherOrigin ?? "http://localhost:8765/"}`, "Content-Length: 0"],
              "302 Found",
            ),
          ),
        ],
        body: null,
      };
    case "redirect-chain": {
      const hop = Number(/^\/hop(\d+)$/.exec(path)?.[1] ?? "0");
      if (hop < (options.hops ?? 3)) {
        return {
          steps: [
            write(head([`Location: ${origin}/hop${hop + 1}`, "Content-Length: 0"], "301 Moved")),
          ],
          body: null,
        };
      }
      return { steps: [write(whole)], body };
    }
  }
}

/** The request target's path: absolute form (`GET http://h/p`) or origin form (`GET /p`). */
function pathOf(requestHead: string): string {
  const target = requestHead.split(" ")[1] ?? "/";
  try {
    return new URL(target, "http://x").pathname;
  } catch {
    return "/";
  }
}

async function readRequestHead(conn: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(16384);
  let text = "";
  while (!text.includes("\r\n\r\n") && !text.includes("\n\n") && text.length < 65536) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += String.fromCharCode(...buffer.subarray(0, n));
  }
  return text;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await conn.write(bytes.subarray(done));
}

const PYTHON_RESET_SERVER = `
import socket, struct, sys, time
prefix = sys.stdin.buffer.read()
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(16)
print(server.getsockname()[1], flush=True)
while True:
    conn, _ = server.accept()
    conn.settimeout(5)
    received = b""
    try:
        while b"\\r\\n\\r\\n" not in received and b"\\n\\n" not in received:
            data = conn.recv(65536)
            if not data:
                break
            received += data
        conn.sendall(prefix)
        time.sleep(0.05)
    except OSError:
        pass
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
`;

const PYTHON_BLACKHOLE_SERVER = `
import socket, time
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(0)
fillers = []
for _ in range(3):
    filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    filler.setblocking(False)
    try:
        filler.connect(server.getsockname())
    except BlockingIOError:
        pass
    fillers.append(filler)
time.sleep(0.2)
print(server.getsockname()[1], flush=True)
while True:
    time.sleep(60)
`;

async function startResetServer(
  mode: FaultMode,
  options: FaultServerOptions,
): Promise<FaultServer> {
  const plan = await planFor(mode, options, "");
  const prefix = concat(
    plan.steps.flatMap((step) => step.kind === "write" ? [step.bytes] : []),
  );
  const child = new Deno.Command("python3", {
    args: ["-c", mode === "connect-blackhole" ? PYTHON_BLACKHOLE_SERVER : PYTHON_RESET_SERVER],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(prefix);
  await writer.close();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("Cannot start the python3 server: it exited");
    line += value;
  }
  reader.releaseLock();
  const port = Number(line.trim());
  const close = async () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await child.stdout.cancel().catch(() => {});
  };
  return {
    mode,
    port,
    origin: `http://127.0.0.1:${port}`,
    requests: [],
    sent: mode === "connect-blackhole" ? null : prefix,
    body: null,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Starts a fault server for `mode` on 127.0.0.1. Every connection gets the
 * mode's plan; stalls last `holdMs` or until the client goes away.
 */
export async function startFaultServer(
  mode: FaultMode,
  options: FaultServerOptions = {},
): Promise<FaultServer> {
  if (mode === "reset-mid-header" || mode === "reset-mid-body" || mode === "connect-blackhole") {
    return await startResetServer(mode, options);
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const origin = `http://127.0.0.1:${port}`;
  const requests: string[] = [];
  const open = new Set<Deno.Conn>();
  const stopped = Promise.withResolvers<void>();
  const fixed = await planFor(mode, options, origin);
  const isFixed = !mode.startsWith("redirect") && !mode.startsWith("stream") &&
    !mode.startsWith("stall") && mode !== "endless-head";
  const zeros = new Uint8Array(1 << 20);
  if (options.fill !== undefined && options.fill.length > 0) {
    for (let i = 0; i < zeros.length; i++) zeros[i] = options.fill[i % options.fill.length];
  }

  const serveOne = async (conn: Deno.Conn) => {
    try {
      (conn as Deno.TcpConn).setNoDelay(true);
      const requestHead = await readRequestHead(conn);
      requests.push(requestHead);
      const plan = mode.startsWith("redirect")
        ? await planFor(mode, options, origin, pathOf(requestHead))
        : fixed;
      for (const step of plan.steps) {
        switch (step.kind) {
          case "write":
            await writeAll(conn, step.bytes);
            break;
          case "bytewise":
            for (let i = 0; i < step.bytes.length; i++) {
              await writeAll(conn, step.bytes.subarray(i, i + 1));
              await new Promise((resolve) => setTimeout(resolve, step.pauseMs));
            }
            break;
          case "zeros":
            for (let left = step.count; left > 0; left -= zeros.length) {
              await writeAll(conn, left >= zeros.length ? zeros : zeros.subarray(0, left));
            }
            break;
          case "pause":
            await new Promise((resolve) => setTimeout(resolve, step.ms));
            break;
          case "stall": {
            // Quiet until the hold ends, the client goes away or the server stops.
            let timer: ReturnType<typeof setTimeout> | undefined;
            const held = new Promise<void>((resolve) => {
              timer = setTimeout(resolve, options.holdMs ?? 15_000);
            });
            const gone = (async () => {
              const sink = new Uint8Array(1024);
              while ((await conn.read(sink)) !== null) { /* discard */ }
            })().catch(() => {});
            await Promise.race([held, gone, stopped.promise]);
            clearTimeout(timer);
            break;
          }
          case "reset":
            throw new Error("Cannot reset from Deno: the reset modes use the python3 server");
        }
      }
    } catch { /* the client went away */ }
    open.delete(conn);
    try {
      conn.close();
    } catch { /* already closed */ }
  };

  const serving = (async () => {
    for await (const conn of listener) {
      open.add(conn);
      serveOne(conn);
    }
  })().catch(() => {});

  const close = async () => {
    stopped.resolve();
    try {
      listener.close();
    } catch { /* already closed */ }
    for (const conn of open) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    await serving;
  };
  return {
    mode,
    port,
    origin,
    requests,
    sent: isFixed
      ? concat(
        fixed.steps.flatMap((s) => s.kind === "write" || s.kind === "bytewise" ? [s.bytes] : []),
      )
      : null,
    body: isFixed ? fixed.body : null,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * The flags of a script's shebang line (`#!/usr/bin/env -S deno run FLAGS`),
 * or null when the first line is not such a shebang.
 */
export function shebangFlags(name: string, root: string): string[] | null {
  const first = Deno.readTextFileSync(`${root}/scripts/${name}.ts`).split("\n")[0];
  const m = /^#!\/usr\/bin\/env -S deno run((?: --?[a-zA-Z][^ ]*)*)$/.exec(first);
  return m ? m[1].trim().split(" ").filter((flag) => flag !== "") : null;
}

/** Flags with every host of `--allow-net` but loopback ones replaced by `hostPort`. */
export function loopbackFlags(flags: string[], hostPort: string): string[] {
  return flags.map((flag) =>
    flag.replace(
      /^--allow-net=(.*)$/,
      (_, list: string) =>
        `--allow-net=${
          [
            ...new Set(
              list.split(",").map((item) =>
                /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(item) ? item : hostPort
              ),
            ),
          ].join(",")
        }`,
    )
  );
}
