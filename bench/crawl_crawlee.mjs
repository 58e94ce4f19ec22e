// Copyright netprog authors. MIT license.

/**
 * The Crawlee crawler of the crawl benchmark (bench/crawl_bench.ts), run
 * with the machine's Node.js:
 *
 *     node bench/crawl_crawlee.mjs CRAWLEE_FOLDER START_URL [disk|memory]
 *
 * CRAWLEE_FOLDER is where npm installed `crawlee` (the benchmark keeps it in
 * a cache folder under /tmp, not in the project). A CheerioCrawler with 16
 * requests in flight (its autoscaling pinned there: it starts at 1 and adds
 * a few every 10 s otherwise), robots.txt obeyed, each page's links on the
 * same host enqueued; nothing else done with a page. `disk` (the default) is
 * Crawlee's own set-up, its request queue a JSON file a request under
 * `./storage`, so that a stopped crawl can go on; `memory` keeps the queue in
 * memory only (`persistStorage: false`), as Scrapy's is, and loses it when
 * stopped: about 1.8x faster and 2.4x smaller on this benchmark's machine.
 * Prints the finished and failed request counts, and exits 1 when a request
 * failed.
 */

import process from "node:process";
import { pathToFileURL } from "node:url";

const [folder, start, queue = "disk"] = process.argv.slice(2);
const { CheerioCrawler, Configuration } = await import(
  pathToFileURL(`${folder}/node_modules/crawlee/index.mjs`).href
);

const crawler = new CheerioCrawler({
  minConcurrency: 16,
  maxConcurrency: 16,
  respectRobotsTxtFile: true,
  async requestHandler({ enqueueLinks }) {
    await enqueueLinks();
  },
}, new Configuration({ persistStorage: queue !== "memory" }));
const stats = await crawler.run([start]);
console.log(`finished ${stats.requestsFinished} failed ${stats.requestsFailed}`);
if (stats.requestsFailed > 0) process.exit(1);
