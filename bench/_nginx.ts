// Copyright netprog authors. MIT license.

/**
 * What the benchmarks that serve files on loopback share: Debian's nginx
 * started with its own configuration in a temporary folder, a free port,
 * waiting for a server to listen, and installing a missing program with
 * apt-get.
 *
 * Permissions its callers need: `--allow-net=127.0.0.1` (a free port, the
 * wait), `--allow-write` on the folder (the configuration), `--allow-read`
 * of the program paths checked, `--allow-run=/usr/sbin/nginx,apt-get`.
 *
 * @module
 */

/** Where Debian puts nginx. */
export const NGINX = "/usr/sbin/nginx";

/** Whether a file exists (any error but "not found" is thrown). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Installs Debian's `pkg` with apt-get when `path` is missing. */
export async function ensureInstalled(path: string, pkg: string): Promise<void> {
  if (await exists(path)) return;
  console.log(`${path} is missing: apt-get install -y ${pkg}`);
  const { success } = await new Deno.Command("apt-get", {
    args: ["install", "-y", pkg],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!success || !(await exists(path))) throw new Error(`Cannot install ${pkg}`);
}

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Waits until something listens on 127.0.0.1:`port` (10 s at most). */
export async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`Cannot reach 127.0.0.1:${port}`);
}

/** How to run one nginx. */
export interface NginxOptions {
  /** A folder of its own: configuration, pid, logs and temp folders go there. */
  dir: string;
  /** The folder served. */
  root: string;
  /** The port on 127.0.0.1. */
  port: number;
  /** MIME types by file extension (`{ "text/html": "html" }`). */
  types: Record<string, string>;
  /** Log every request to this file, one line each: `<status> <method> <request URI>`. */
  accessLog?: string;
  /** Worker processes. @default {1} */
  workers?: number;
}

/**
 * Writes `nginx.conf` into `options.dir` and starts nginx in the foreground
 * on 127.0.0.1 (sendfile, long keep-alive); waits until it listens. The
 * caller kills the returned process (SIGTERM) when done.
 */
export async function startNginx(options: NginxOptions): Promise<Deno.ChildProcess> {
  const { dir, root, port } = options;
  const types = Object.entries(options.types).map(([type, ext]) => `${type} ${ext};`).join(" ");
  const log = options.accessLog === undefined
    ? "access_log off;"
    : `log_format netprog '$status $request_method $request_uri';\n  access_log ${options.accessLog} netprog;`;
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `worker_processes ${options.workers ?? 1};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log;
events { worker_connections 256; }
http {
  ${log}
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  keepalive_timeout 60s;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  types { ${types} }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}
`,
  );
  const child = new Deno.Command(NGINX, {
    args: ["-p", dir, "-c", `${dir}/nginx.conf`, "-e", `${dir}/nginx-error.log`],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  try {
    await waitForPort(port);
  } catch (error) {
    child.kill("SIGTERM");
    await child.status;
    throw error;
  }
  return child;
}
