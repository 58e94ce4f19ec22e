// Copyright netprog authors. MIT license.

/**
 * A throw-away PostgreSQL for a benchmark: Debian's `initdb` and `pg_ctl`
 * (installed with apt-get when missing) make and start a server whose data
 * folder is in the benchmark's temporary folder, listening on 127.0.0.1 on
 * a free port, trusting local connections. Both programs refuse to run as
 * root, so they run as the `postgres` user Debian's package makes
 * (`runuser`), and the data folder is given to that user.
 *
 * Permissions its callers need: `--allow-read=/etc/passwd` (the user's id),
 * `--allow-read=/usr/lib/postgresql` (is it installed?), `--allow-write` on
 * the folder, `--allow-net=127.0.0.1` (a free port, the wait),
 * `--allow-run=runuser,apt-get`.
 *
 * @module
 */

import { ensureInstalled, freePort, waitForPort } from "./_nginx.ts";

const POSTGRES_BIN = "/usr/lib/postgresql/15/bin";

/** A running server: its address, and how to stop it. */
export interface Postgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  /** Stops the server (fast shutdown) and waits for it. */
  stop: () => Promise<void>;
}

async function asPostgres(program: string, args: string[]): Promise<void> {
  const output = await new Deno.Command("runuser", {
    args: ["-u", "postgres", "--", `${POSTGRES_BIN}/${program}`, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`Cannot run ${program}: ${stderr.split("\n").at(-1)}`);
  }
}

/** Makes a database folder `dir/postgres` and starts a server on it. */
export async function startPostgres(dir: string): Promise<Postgres> {
  await ensureInstalled(`${POSTGRES_BIN}/initdb`, "postgresql");
  const passwd = await Deno.readTextFile("/etc/passwd");
  const entry = passwd.split("\n").find((line) => line.startsWith("postgres:"));
  if (entry === undefined) throw new Error("Cannot find the user postgres in /etc/passwd");
  const [, , uid, gid] = entry.split(":");
  const data = `${dir}/postgres`;
  await Deno.mkdir(data, { mode: 0o700 });
  await Deno.chown(data, Number(uid), Number(gid));
  await asPostgres("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync"]);
  const port = freePort();
  await asPostgres("pg_ctl", [
    "-D",
    data,
    "-l",
    `${data}/server.log`,
    "-w",
    "-o",
    `-p ${port} -k ${data} -c listen_addresses=127.0.0.1`,
    "start",
  ]);
  await waitForPort(port);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => asPostgres("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]),
  };
}
