// Copyright netprog authors. MIT license.

/**
 * The Crawlee crawler of the crawl benchmark (bench/crawl_bench.ts), run
 * with the machine's Node.js:
 *
 *     node bench/crawl_crawlee.mjs CRAWLEE_FOLDER START_URL
 *
 * CRAWLEE_FOLDER is where npm installed `crawlee` (the benchmark keeps it in
 * a cache folder under /tmp, not in the project). A CheerioCrawler with 16
 * requests in flight (its autoscaling pinned there: it starts at 1 and adds
 * a few every 10 s otherwise), robots.txt obeyed, each page's links on the
 * same host enqueued; nothing else done with a page. Its queue is kept in
 * memory only (`persistStorage: false`), as Scrapy's is: Crawlee's default,
 * a JSON file a request under `./storage`, made it about 1.8x slower and 2.4x
 * bigger on this benchmark's machine, and the bar is against the faster.
 * Prints the finished and failed request counts, and exits 1 when a request
 * failed.
 */

import process from "node:process";
import { pathToFileURL } from "node:url";

const [folder, start] = process.argv.slice(2);
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
}, new Configuration({ persistStorage: false }));
const stats = await crawler.run([start]);
console.log(`finished ${stats.requestsFinished} failed ${stats.requestsFailed}`);
if (stats.requestsFailed > 0) process.exit(1);
