// Copyright netprog authors. MIT license.

/**
 * The entry of a crawl worker thread (started by `crawl_workers.ts`, never
 * imported): its own connection to the crawl database, its own
 * {@linkcode Crawler} on the shared frontier, and its lines and counts sent
 * to the main thread, which prints them. Deno only.
 *
 * @module
 */

import { Budget, Crawler } from "./crawler.ts";
import { createCrawlDb } from "./crawl_db.ts";
import { type Frontier, SqliteFrontier } from "./frontier.ts";
import { isPostgresUrl, openPostgresFrontier } from "./frontier_pg.ts";
import { describeError } from "./run.ts";
import type { FromWorker, ToWorker } from "./crawl_workers.ts";

const scope = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  close(): void;
};
let crawler: Crawler | null = null;
let frontier: Frontier | null = null;

async function close(): Promise<void> {
  crawler?.close();
  await frontier?.close();
  if (frontier instanceof SqliteFrontier && frontier.db.isOpen) frontier.db.close();
  crawler = null;
  frontier = null;
}

scope.onmessage = async ({ data }) => {
  if (data.kind === "stop") {
    await close();
    scope.postMessage({ kind: "closed" });
    return;
  }
  try {
    if (frontier === null || crawler === null) {
      frontier = isPostgresUrl(data.path)
        ? await openPostgresFrontier(data.path, data.leaseMs)
        : new SqliteFrontier(createCrawlDb(data.path), data.leaseMs);
      crawler = new Crawler(frontier, data.webs, {
        ...data.options,
        out: {
          print: (text) => Promise.resolve(scope.postMessage({ kind: "print", text })),
          warn: (text) => scope.postMessage({ kind: "warn", text }),
        },
      });
    }
    const ending = await crawler.fetchPages(new Budget(data.limit, data.buffer));
    scope.postMessage({ kind: "end", ending, tally: crawler.tally.counts() });
  } catch (error) {
    const [line, status] = describeError(error);
    scope.postMessage({ kind: "error", line, status });
    await close();
  }
};
