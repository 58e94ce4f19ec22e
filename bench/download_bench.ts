#!/usr/bin/env -S deno run --no-prompt --allow-net=127.0.0.1 --allow-read=/tmp,/usr/sbin/nginx,/usr/bin/time --allow-write=/tmp --allow-run=curl,wget,deno,df,/usr/sbin/nginx,/usr/bin/time,apt-get
// Copyright netprog authors. MIT license.

/**
 * The download benchmark: curl, wget, rawget, curl2 and exercise5 side by
 * side on loopback, 1 GiB and 100 MiB, each run 5 times (median), with the
 * peak resident memory of every run; then 1,000 sequential small GETs over
 * one kept-alive connection by curl and by rawget.
 *
 *     deno run --no-prompt --allow-net=127.0.0.1 --allow-read=/tmp,/usr/sbin/nginx,/usr/bin/time --allow-write=/tmp --allow-run=curl,wget,deno,df,/usr/sbin/nginx,/usr/bin/time,apt-get bench/download_bench.ts [--json PATH] [--runs N] [--sizes 1024,100]
 *
 * Servers: nginx from Debian (its own configuration in a temporary folder,
 * loopback only, sendfile) serves the files with Content-Length and the
 * small page; nginx sends a static file with Content-Length only, so the
 * chunked variant comes from a small Deno server started by this script
 * (`--serve-chunked`), which writes the same bytes as chunks of 32 KiB.
 * curl is measured against the same chunked server, so the chunked ratio
 * compares like with like.
 *
 * Output files go to the temporary folder and are removed after each run;
 * the big files are removed at the end. Needs about 2.5 GiB free in /tmp
 * (checked first). nginx and GNU time are installed with apt-get when
 * missing. Peak RSS comes from `/usr/bin/time -f %M`.
 *
 * Bars (throughput on 1 GiB, ratio to curl writing a file, or to
 * `curl -o /dev/null` for exercise5): rawget Content-Length >= 1.2x,
 * rawget chunked >= 0.9x (curl on the same chunked server), curl2 >= 1.2x,
 * exercise5 > /dev/null >= 1.0x; peak RSS <= 64 MiB for every streaming
 * download of either size; 1,000 small GETs: rawget's rate >= curl's.
 *
 * Permissions:
 * - `--allow-net=127.0.0.1`: pick free ports, wait for the servers, serve chunks.
 * - `--allow-read=/tmp,...`, `--allow-write=/tmp`: the temporary folder (files,
 *   nginx configuration, outputs, `--json PATH`); whether nginx and time exist.
 * - `--allow-run=...`: the programs measured, nginx, GNU time, df (free disk)
 *   and apt-get (installing a missing nginx or time).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ensureInstalled, freePort, NGINX, startNginx, waitForPort } from "./_nginx.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
const MIB = 1024 * 1024;
const PATTERN_SIZE = MIB;
const CHUNK = 32 * 1024;

/** The body of every big file: a 1 MiB pattern, repeated. */
function pattern(): Uint8Array {
  const bytes = new Uint8Array(PATTERN_SIZE);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + (i >> 12)) & 0xff;
  return bytes;
}

/** `--serve-chunked PORT SIZE`: answers every request with SIZE bytes, chunked, 32 KiB a chunk. */
async function serveChunked(port: number, size: number): Promise<void> {
  const body = pattern();
  // One 1 MiB piece of the body, framed as 32 chunks, built once: one write per MiB.
  const framed: Uint8Array[] = [];
  const frame = (from: number, to: number) => {
    const parts: Uint8Array[] = [];
    for (let at = from; at < to; at += CHUNK) {
      const end = Math.min(to, at + CHUNK);
      parts.push(new TextEncoder().encode(`${(end - at).toString(16)}\r\n`));
      parts.push(body.subarray(at - from, end - from));
      parts.push(new TextEncoder().encode("\r\n"));
    }
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return all;
  };
  framed.push(frame(0, PATTERN_SIZE));
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  console.log("ready");
  for await (const conn of listener) {
    (async () => {
      const buffer = new Uint8Array(65536);
      try {
        let text = "";
        while (!text.includes("\r\n\r\n")) {
          const n = await conn.read(buffer);
          if (n === null) return;
          text += new TextDecoder().decode(buffer.subarray(0, n));
        }
        const write = async (bytes: Uint8Array) => {
          let done = 0;
          while (done < bytes.length) done += await conn.write(bytes.subarray(done));
        };
        await write(
          new TextEncoder().encode(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n" +
              "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
          ),
        );
        let left = size;
        while (left >= PATTERN_SIZE) {
          await write(framed[0]);
          left -= PATTERN_SIZE;
        }
        if (left > 0) await write(frame(0, left));
        await write(new TextEncoder().encode("0\r\n\r\n"));
      } catch {
        /* the client went away */
      } finally {
        try {
          conn.close();
        } catch { /* closed */ }
      }
    })();
  }
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    json: { type: "string" },
    runs: { type: "string", default: "5" },
    sizes: { type: "string", default: "1024,100" },
    "serve-chunked": { type: "string" },
    size: { type: "string" },
  },
});

if (values["serve-chunked"] !== undefined) {
  await serveChunked(Number(values["serve-chunked"]), Number(values.size));
  Deno.exit(0);
}

const RUNS = Number(values.runs);
const SIZES_MIB = values.sizes!.split(",").map(Number);

async function freeBytes(path: string): Promise<number> {
  const out = await new Deno.Command("df", { args: ["--output=avail", "-B1", path] }).output();
  return Number(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1));
}

/** One measured run: wall time and peak RSS. */
interface Sample {
  seconds: number;
  rssKiB: number;
}

/** Runs `command` under GNU time; stdout to /dev/null; checks the exit status. */
async function measure(command: string[], cwd: string): Promise<Sample> {
  const started = performance.now();
  const output = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "peak-rss-kib %M", ...command],
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const seconds = (performance.now() - started) / 1000;
  const stderr = new TextDecoder().decode(output.stderr);
  const m = /peak-rss-kib (\d+)\s*$/.exec(stderr);
  if (!output.success || !m) {
    throw new Error(`Cannot run ${command.join(" ")}: exit ${output.code}: ${stderr.slice(-500)}`);
  }
  return { seconds, rssKiB: Number(m[1]) };
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const dir = await Deno.makeTempDir({ prefix: "netprog_download_bench_" });
const children: Deno.ChildProcess[] = [];
let failed = false;
try {
  await ensureInstalled(NGINX, "nginx");
  await ensureInstalled("/usr/bin/time", "time");
  const biggest = Math.max(...SIZES_MIB) * MIB;
  const needed = SIZES_MIB.reduce((n, s) => n + s * MIB, 0) + biggest + 256 * MIB;
  const free = await freeBytes(dir);
  if (free < needed) {
    throw new Error(`Cannot run the benchmark: ${free} bytes free in ${dir}, ${needed} needed`);
  }
  // nginx's worker may run as another user: the folder and files must be readable.
  await Deno.chmod(dir, 0o755);
  await Deno.mkdir(`${dir}/www`, { mode: 0o755 });
  await Deno.chmod(`${dir}/www`, 0o755);
  const body = pattern();
  for (const sizeMiB of SIZES_MIB) {
    const file = await Deno.open(`${dir}/www/${sizeMiB}m.bin`, { write: true, create: true });
    for (let i = 0; i < sizeMiB; i++) {
      let done = 0;
      while (done < body.length) done += file.writeSync(body.subarray(done));
    }
    file.close();
    await Deno.chmod(`${dir}/www/${sizeMiB}m.bin`, 0o644);
  }
  await Deno.writeTextFile(
    `${dir}/www/romeo.txt`,
    "But soft what light through yonder window breaks\n" +
      "It is the east and Juliet is the sun\n" +
      "Arise fair sun and kill the envious moon\n" +
      "Who is already sick and pale with grief\n",
  );
  await Deno.chmod(`${dir}/www/romeo.txt`, 0o644);

  const nginxPort = freePort();
  children.push(
    await startNginx({
      dir,
      root: `${dir}/www`,
      port: nginxPort,
      types: { "application/octet-stream": "bin", "text/plain": "txt" },
    }),
  );

  const chunkedPorts = new Map<number, number>();
  for (const sizeMiB of SIZES_MIB) {
    const port = freePort();
    children.push(
      new Deno.Command("deno", {
        args: [
          "run",
          "--no-prompt",
          "--allow-net=127.0.0.1",
          `${ROOT}/bench/download_bench.ts`,
          "--serve-chunked",
          String(port),
          "--size",
          String(sizeMiB * MIB),
        ],
        stdin: "null",
        stdout: "null",
        stderr: "inherit",
      }).spawn(),
    );
    chunkedPorts.set(sizeMiB, port);
  }
  for (const port of chunkedPorts.values()) await waitForPort(port);

  const nproc = navigator.hardwareConcurrency;
  console.log(`download benchmark: ${nproc} cores, ${RUNS} runs each, median; loopback`);
  const script = (name: string) => `${ROOT}/scripts/${name}.ts`;
  const out = `${dir}/out.bin`;
  const fileFlags = [`--allow-write=${out},${out}.part`, `--allow-read=${out}.part`];

  interface Row {
    name: string;
    size: string;
    bytes: number;
    seconds: number;
    mbps: number;
    rssMiB: number;
    ratio?: number;
    baseline?: string;
    bar?: string;
    pass?: boolean;
  }
  const rows: Row[] = [];

  for (const sizeMiB of SIZES_MIB) {
    const bytes = sizeMiB * MIB;
    const cl = `http://127.0.0.1:${nginxPort}/${sizeMiB}m.bin`;
    const chunkedPort = chunkedPorts.get(sizeMiB)!;
    const ch = `http://127.0.0.1:${chunkedPort}/${sizeMiB}m.bin`;
    const net = `--allow-net=127.0.0.1:${nginxPort}`;
    const netCh = `--allow-net=127.0.0.1:${chunkedPort}`;
    const deno = (flags: string[], name: string, args: string[]) => [
      "deno",
      "run",
      "--no-prompt",
      ...flags,
      script(name),
      ...args,
    ];
    const programs: { name: string; command: string[]; file: boolean }[] = [
      { name: "curl", command: ["curl", "-s", "-o", out, cl], file: true },
      { name: "curl chunked", command: ["curl", "-s", "-o", out, ch], file: true },
      { name: "wget", command: ["wget", "-q", "-O", out, cl], file: true },
      { name: "rawget", command: deno([net, ...fileFlags], "rawget", ["-o", out, cl]), file: true },
      {
        name: "rawget chunked",
        command: deno([netCh, ...fileFlags], "rawget", ["-o", out, ch]),
        file: true,
      },
      { name: "curl2", command: deno([net, ...fileFlags], "curl2", [cl, "-o", out]), file: true },
      // The two that write nothing run side by side, first one then the other
      // first, so that neither follows a 1 GiB file write more often.
      { name: "curl >/dev/null", command: ["curl", "-s", "-o", "/dev/null", cl], file: false },
      { name: "exercise5 >/dev/null", command: deno([net], "exercise5", [cl]), file: false },
    ];
    const samples = new Map<string, Sample[]>(programs.map((p) => [p.name, []]));
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? programs : [
        ...programs.slice(0, -2),
        programs[programs.length - 1],
        programs[programs.length - 2],
      ];
      for (const program of order) {
        const sample = await measure(program.command, dir);
        if (program.file) {
          const size = (await Deno.stat(out)).size;
          if (size !== bytes) throw new Error(`${program.name} wrote ${size} bytes, not ${bytes}`);
          await Deno.remove(out);
        }
        samples.get(program.name)!.push(sample);
      }
    }
    const byName = new Map<string, Row>();
    for (const program of programs) {
      const list = samples.get(program.name)!;
      const seconds = median(list.map((s) => s.seconds));
      const row: Row = {
        name: program.name,
        size: `${sizeMiB} MiB`,
        bytes,
        seconds,
        mbps: bytes / seconds / 1e6,
        rssMiB: Math.max(...list.map((s) => s.rssKiB)) / 1024,
      };
      byName.set(program.name, row);
      rows.push(row);
    }
    const judge = (name: string, baseline: string, minRatio: number | null) => {
      const row = byName.get(name)!;
      row.ratio = row.mbps / byName.get(baseline)!.mbps;
      row.baseline = baseline;
      const bars: string[] = [];
      let pass = true;
      if (minRatio !== null && sizeMiB === 1024) {
        bars.push(`>= ${minRatio}x`);
        pass &&= row.ratio >= minRatio;
      }
      if (!name.startsWith("curl ") && name !== "curl" && name !== "wget") {
        bars.push("RSS <= 64 MiB");
        pass &&= row.rssMiB <= 64;
      }
      if (bars.length > 0) {
        row.bar = bars.join(", ");
        row.pass = pass;
      }
    };
    judge("curl >/dev/null", "curl", null);
    judge("curl chunked", "curl", null);
    judge("wget", "curl", null);
    judge("rawget", "curl", 1.2);
    judge("rawget chunked", "curl chunked", 0.9);
    judge("curl2", "curl", 1.2);
    judge("exercise5 >/dev/null", "curl >/dev/null", 1.0);
  }

  // 1,000 sequential small GETs over one kept-alive connection.
  const small = `http://127.0.0.1:${nginxPort}/romeo.txt`;
  const urls = Array.from({ length: 1000 }, (_, i) => `${small}?${i}`);
  await Deno.writeTextFile(`${dir}/curl.cfg`, urls.map((url) => `url = "${url}"\n`).join(""));
  const smallPrograms = [
    { name: "curl 1000 GETs", command: ["curl", "-s", "-K", `${dir}/curl.cfg`] },
    {
      name: "rawget 1000 GETs",
      command: [
        "deno",
        "run",
        "--no-prompt",
        `--allow-net=127.0.0.1:${nginxPort}`,
        script("rawget"),
        ...urls,
      ],
    },
  ];
  const smallSamples = new Map<string, Sample[]>(smallPrograms.map((p) => [p.name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const program of smallPrograms) {
      smallSamples.get(program.name)!.push(await measure(program.command, dir));
    }
  }
  const rates = smallPrograms.map((program) => {
    const list = smallSamples.get(program.name)!;
    const seconds = median(list.map((s) => s.seconds));
    return {
      name: program.name,
      seconds,
      perSecond: 1000 / seconds,
      rssMiB: Math.max(...list.map((s) => s.rssKiB)) / 1024,
    };
  });
  const smallRatio = rates[1].perSecond / rates[0].perSecond;
  const smallPass = smallRatio >= 1.0;

  const pad = (text: string, n: number) => text.padEnd(n);
  const lpad = (text: string, n: number) => text.padStart(n);
  console.log(
    `\n${pad("program", 22)}${pad("size", 10)}${lpad("MB/s", 8)}${lpad("s", 8)}${
      lpad("ratio", 8)
    }  ${pad("vs", 18)}${lpad("peak RSS", 10)}  bar`,
  );
  for (const row of rows) {
    console.log(
      `${pad(row.name, 22)}${pad(row.size, 10)}${lpad(row.mbps.toFixed(0), 8)}${
        lpad(row.seconds.toFixed(2), 8)
      }${lpad(row.ratio === undefined ? "" : `${row.ratio.toFixed(2)}x`, 8)}  ${
        pad(row.baseline ?? "", 18)
      }${lpad(`${row.rssMiB.toFixed(1)} MiB`, 10)}  ${
        row.bar === undefined ? "" : `${row.pass ? "PASS" : "FAIL"} (${row.bar})`
      }`,
    );
  }
  console.log(`\n${pad("program", 22)}${lpad("req/s", 8)}${lpad("s", 8)}${lpad("peak RSS", 12)}`);
  for (const rate of rates) {
    console.log(
      `${pad(rate.name, 22)}${lpad(rate.perSecond.toFixed(0), 8)}${
        lpad(rate.seconds.toFixed(2), 8)
      }${lpad(`${rate.rssMiB.toFixed(1)} MiB`, 12)}`,
    );
  }
  console.log(
    `rawget/curl small GETs: ${smallRatio.toFixed(2)}x  ${smallPass ? "PASS" : "FAIL"} (>= 1.0x)`,
  );
  failed = rows.some((row) => row.pass === false) || !smallPass;
  if (values.json !== undefined) {
    await Deno.writeTextFile(
      values.json,
      JSON.stringify(
        {
          cores: nproc,
          runs: RUNS,
          downloads: rows,
          smallGets: { rates, ratio: smallRatio, pass: smallPass },
        },
        null,
        2,
      ) + "\n",
    );
  }
} finally {
  for (const child of children) {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
  }
  await Deno.remove(dir, { recursive: true });
}
if (failed) Deno.exit(1);
