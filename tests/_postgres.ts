// Copyright netprog authors. MIT license.

/**
 * A throw-away PostgreSQL for a test: `initdb` and `pg_ctl` of Debian's
 * `postgresql` package, run as the `postgres` user (`runuser`: `initdb`
 * refuses to run as root), its data folder and unix socket in a new
 * temporary folder that user owns, listening on 127.0.0.1 at a free port
 * (the clients connect over TCP, which `--allow-net=127.0.0.1` allows; a
 * unix socket would need its own path in `--allow-net`); stopped and
 * removed when the scope that holds it ends (`await using`). Without
 * PostgreSQL installed, or when not run as root, the tests that need it are
 * ignored after one loud `SKIP:` line.
 *
 * Durability is traded for speed (`fsync`, `synchronous_commit` and
 * `full_page_writes` off): a stop with `-m fast` still writes everything,
 * which is all a restart test needs.
 *
 * @module
 */

/** Where Debian installs PostgreSQL's server programs, one folder a major version. */
const POSTGRES_ROOT = "/usr/lib/postgresql";

/**
 * The folder of the newest installed PostgreSQL's server programs
 * (`/usr/lib/postgresql/15/bin`), or null when none is installed.
 *
 * @returns The folder, or null.
 *
 * @example Where initdb is
 * ```ts
 * import { postgresBin } from "./_postgres.ts";
 * import assert from "node:assert/strict";
 *
 * const bin = postgresBin();
 * if (bin !== null) assert.match(bin, /^\/usr\/lib\/postgresql\/\d+\/bin$/);
 * ```
 */
export function postgresBin(): string | null {
  let versions: number[];
  try {
    versions = [...Deno.readDirSync(POSTGRES_ROOT)]
      .map((entry) => Number(entry.name))
      .filter((version) => Number.isInteger(version))
      .sort((a, b) => b - a);
  } catch {
    return null;
  }
  for (const version of versions) {
    const bin = `${POSTGRES_ROOT}/${version}/bin`;
    try {
      if (Deno.statSync(`${bin}/initdb`).isFile && Deno.statSync(`${bin}/pg_ctl`).isFile) {
        return bin;
      }
    } catch { /* not this one */ }
  }
  return null;
}

/** The uid and gid of the `postgres` user, from /etc/passwd; null when there is none. */
function postgresUser(): { uid: number; gid: number } | null {
  try {
    const entry = Deno.readTextFileSync("/etc/passwd").split("\n")
      .find((line) => line.startsWith("postgres:"));
    if (entry === undefined) return null;
    const [, , uid, gid] = entry.split(":");
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}

/** Whether this process runs as root: the owner of a folder it makes (no --allow-sys needed). */
function isRoot(): boolean {
  try {
    const probe = Deno.makeTempDirSync({ prefix: "netprog-uid-" });
    try {
      return Deno.statSync(probe).uid === 0;
    } finally {
      Deno.removeSync(probe);
    }
  } catch {
    return false;
  }
}

/**
 * Why a throw-away PostgreSQL cannot be started here, or null when it can.
 *
 * @returns The reason, or null.
 *
 * @example A reason is one line
 * ```ts
 * import { postgresMissing } from "./_postgres.ts";
 * import assert from "node:assert/strict";
 *
 * const why = postgresMissing();
 * assert(why === null || !why.includes("\n"));
 * ```
 */
export function postgresMissing(): string | null {
  if (postgresBin() === null) {
    return `PostgreSQL is not installed (no ${POSTGRES_ROOT}/*/bin/initdb; ` +
      "Debian's package is postgresql, and .ci/run installs it)";
  }
  if (postgresUser() === null) return "there is no postgres user in /etc/passwd";
  if (!isRoot()) return "the tests start PostgreSQL as the postgres user with runuser: run as root";
  return null;
}

/**
 * For a test that needs PostgreSQL: true (ignore the test) after one loud
 * `SKIP:` line on stderr naming it, when {@linkcode postgresMissing} gives a
 * reason; false otherwise.
 *
 * @param testName The test's name, for the line.
 * @returns Whether to ignore the test.
 *
 * @example Ignore a test without PostgreSQL
 * ```ts
 * import { postgresMissing, skipWithoutPostgres } from "./_postgres.ts";
 * import assert from "node:assert/strict";
 *
 * // In a test file: Deno.test({ name, ignore: skipWithoutPostgres(name), fn }).
 * if (postgresMissing() === null) assert.equal(skipWithoutPostgres("a test"), false);
 * ```
 */
export function skipWithoutPostgres(testName: string): boolean {
  const why = postgresMissing();
  if (why === null) return false;
  console.error(`SKIP: ${testName}: ${why}`);
  return true;
}

/** A running throw-away PostgreSQL. */
export interface Postgres extends AsyncDisposable {
  /** The folder of its data, its log (`server.log`) and its unix socket (for psql). */
  dir: string;
  /** Its TCP port on 127.0.0.1. */
  port: number;
  /** The URL of a database on it (`postgres://postgres@127.0.0.1:PORT/NAME`). */
  url(database?: string): string;
  /** Makes a new empty database and gives its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs SQL with psql on a database; its stdout (unaligned, tuples only). */
  psql(sql: string, database?: string): Promise<string>;
  /** Stops the server (`pg_ctl stop -m fast`: sessions are ended at once). */
  stop(): Promise<void>;
  /** Starts it again after {@linkcode Postgres.stop}. */
  start(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that nothing listens on now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Extra `-c name=value` settings for the server. */
export type PostgresSettings = Record<string, string>;

/** Settings for a test server: fast, not durable across a power cut. */
const TEST_SETTINGS: PostgresSettings = {
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off",
  max_connections: "200",
};

/**
 * Starts a throw-away PostgreSQL in a new temporary folder (see the
 * module's notes), or throws when it cannot (ask
 * {@linkcode skipWithoutPostgres} first).
 *
 * @param settings Server settings over the test ones (`fsync`, `synchronous_commit`...).
 * @returns The server, stopped and removed when disposed.
 *
 * @example Only where PostgreSQL is installed
 * ```ts ignore
 * import { startPostgres } from "./_postgres.ts";
 *
 * await using server = await startPostgres();
 * const url = await server.createDatabase("crawl");
 * ```
 */
export async function startPostgres(settings: PostgresSettings = {}): Promise<Postgres> {
  const why = postgresMissing();
  if (why !== null) throw new Error(`Cannot start PostgreSQL: ${why}`);
  const bin = postgresBin()!;
  const user = postgresUser()!;
  const dir = await Deno.makeTempDir({ prefix: "netprog-pg-" });
  await Deno.chown(dir, user.uid, user.gid);
  const data = `${dir}/data`;
  const asPostgres = async (program: string, args: string[]) => {
    const output = await new Deno.Command("runuser", {
      args: ["-u", "postgres", "--", `${bin}/${program}`, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    if (output.code !== 0) {
      const log = await Deno.readTextFile(`${dir}/server.log`).catch(() => "");
      throw new Error(
        `Cannot run ${program} ${args.join(" ")}: ${text.decode(output.stderr).trim()}` +
          (log === "" ? "" : `\n${log.trim().split("\n").slice(-5).join("\n")}`),
      );
    }
    return text.decode(output.stdout);
  };
  const port = freePort();
  const options = Object.entries({ ...TEST_SETTINGS, ...settings })
    .map(([name, value]) => `-c ${name}=${value}`).join(" ");
  const start = async () => {
    await asPostgres("pg_ctl", [
      "-D",
      data,
      "-l",
      `${dir}/server.log`,
      "-w",
      "-t",
      "60",
      "-o",
      `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 ${options}`,
      "start",
    ]);
  };
  const stop = async () => {
    await asPostgres("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
  };
  let running = false;
  try {
    await asPostgres("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "--no-sync",
      "-E",
      "UTF8",
      "--locale=C",
    ]);
    await start();
    running = true;
  } catch (error) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
  const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const psql = (sql: string, database = "postgres") =>
    asPostgres("psql", [
      "-h",
      dir,
      "-p",
      String(port),
      "-d",
      database,
      "-X",
      "-A",
      "-t",
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      sql,
    ]);
  return {
    dir,
    port,
    url,
    psql,
    async createDatabase(name: string) {
      await psql(`CREATE DATABASE ${name}`);
      return url(name);
    },
    async stop() {
      await stop();
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async [Symbol.asyncDispose]() {
      try {
        if (running) await stop();
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  };
}
