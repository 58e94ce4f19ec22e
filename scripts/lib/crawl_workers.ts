// Copyright netprog authors. MIT license.

/**
 * More crawlers beside the spider's own: `spider.ts --workers N` runs N - 1
 * worker threads, each with its own {@linkcode Crawler} and connection to
 * the crawl database, on one frontier. Its leases, host timers and budget
 * keep the rules across them, as across separate spiders on one file, and
 * the threads use the machine's other cores. Their lines are printed by
 * the main thread. Deno only.
 *
 * A worker thread loads the program's own modules from its folder, which
 * Deno counts as reading files: `--workers` needs `--allow-read` on the
 * program's folder ({@linkcode WORKER_FOLDER}).
 *
 * @module
 */

import type { Budget, CrawlOptions, CrawlOutput, Ending, TallyCounts } from "./crawler.ts";
import { RunError, UsageError } from "./errors.ts";

/** What the main thread tells a worker. */
export type ToWorker =
  | {
    kind: "start";
    path: string;
    leaseMs: number;
    webs: string[];
    options: Omit<CrawlOptions, "out">;
    limit: number;
    buffer: SharedArrayBuffer;
  }
  | { kind: "stop" };

/** What a worker tells the main thread. */
export type FromWorker =
  | { kind: "print"; text: string }
  | { kind: "warn"; text: string }
  | { kind: "end"; ending: Ending; tally: TallyCounts }
  | { kind: "error"; line: string; status: number }
  | { kind: "closed" };

/** The folder the program's modules are read from (`--allow-read` it for `--workers`). */
export const WORKER_FOLDER: string = decodeURIComponent(new URL("../..", import.meta.url).pathname)
  .replace(/\/$/, "");

/** How long a stopping worker has to drop its leases. */
const STOP_MS = 1000;

/**
 * Worker threads that crawl beside the main thread.
 *
 * @example No workers without read access to the program's folder
 * ```ts
 * import { CrawlWorkers } from "./crawl_workers.ts";
 * import assert from "node:assert/strict";
 *
 * const granted = Deno.permissions.querySync({ name: "read", path: CrawlWorkers.folder }).state;
 * if (granted !== "granted") assert.throws(() => CrawlWorkers.check(), /--allow-read=/);
 * else CrawlWorkers.check();
 * ```
 */
export class CrawlWorkers {
  /** The program's folder. */
  static readonly folder: string = WORKER_FOLDER;
  readonly #workers: Worker[] = [];
  readonly #tallies = new Map<Worker, TallyCounts>();

  /**
   * Throws a usage error naming the flag when the threads could not load
   * the program's modules.
   */
  static check(): void {
    if (Deno.permissions.querySync({ name: "read", path: WORKER_FOLDER }).state !== "granted") {
      throw new UsageError(
        "cannot start --workers",
        `worker threads read the program's modules: run with --allow-read=${WORKER_FOLDER} too`,
      );
    }
  }

  /**
   * @param count How many threads.
   * @param out Where their lines go.
   */
  constructor(count: number, readonly out: CrawlOutput) {
    CrawlWorkers.check();
    for (let i = 0; i < count; i++) {
      this.#workers.push(
        new Worker(new URL("./crawl_worker.ts", import.meta.url).href, { type: "module" }),
      );
    }
  }

  /**
   * Runs every thread on the budget until each ends; says how each ended.
   *
   * @param budget The shared budget.
   * @param start What each thread needs: the database, the webs, the options.
   */
  run(
    budget: Budget,
    start: Omit<Extract<ToWorker, { kind: "start" }>, "kind" | "limit" | "buffer">,
  ): Promise<Ending>[] {
    return this.#workers.map((worker) =>
      new Promise<Ending>((resolve, reject) => {
        worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
          if (data.kind === "print") this.out.print(data.text).catch(reject);
          else if (data.kind === "warn") this.out.warn(data.text);
          else if (data.kind === "end") {
            this.#tallies.set(worker, data.tally);
            resolve(data.ending);
          } else if (data.kind === "error") {
            const at = data.line.indexOf(": ");
            reject(
              at < 0
                ? new RunError(data.line, "in a worker thread")
                : new RunError(data.line.slice(0, at), data.line.slice(at + 2)),
            );
          }
        };
        worker.onerror = (event) => {
          event.preventDefault();
          reject(new RunError("a worker thread failed", event.message));
        };
        worker.postMessage(
          {
            kind: "start",
            ...start,
            limit: budget.limit,
            buffer: budget.buffer,
          } satisfies ToWorker,
        );
      })
    );
  }

  /** The counts of each thread, as of its last run. */
  tallies(): TallyCounts[] {
    return [...this.#tallies.values()];
  }

  /** Tells each thread to drop its leases and close, then ends it. */
  async stop(): Promise<void> {
    await Promise.all(this.#workers.map((worker) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STOP_MS);
        worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
          if (data.kind === "closed") {
            clearTimeout(timer);
            resolve();
          }
        };
        worker.postMessage({ kind: "stop" } satisfies ToWorker);
      }).finally(() => worker.terminate())
    ));
    this.#workers.length = 0;
  }
}
