#!/usr/bin/env -S deno run --no-prompt --allow-read --allow-env=NETPROG_CORPUS --allow-write=/tmp --allow-net=127.0.0.1 --allow-run=chromium
// Copyright netprog authors. MIT license.

/**
 * bench: times the page in headless Chromium, from a paste to painted
 * results, for the largest corpus page and for a 5 MiB page (corpus pages
 * joined). Build first (`deno task build:web`).
 *
 *     NETPROG_CORPUS=/path/to/corpus deno run --no-prompt --allow-read --allow-env=NETPROG_CORPUS --allow-write=/tmp --allow-net=127.0.0.1 --allow-run=chromium web/bench.ts [--runs 5]
 *
 * The pages are those of the corpus NETPROG_CORPUS names (other people's
 * pages, kept outside the repository); without NETPROG_CORPUS it prints one
 * `SKIP:` line and exits 0.
 *
 * Permissions: `--allow-read` for the built page, the corpus (wherever
 * NETPROG_CORPUS puts it: a read list cannot name a folder known only when
 * the bench runs) and Chromium's throwaway profile under /tmp;
 * `--allow-env=NETPROG_CORPUS` to find the corpus; `--allow-write=/tmp` for
 * the profile; `--allow-net=127.0.0.1` to serve the page and talk to
 * Chromium; `--allow-run=chromium` to start it.
 *
 * Prints one line per page: the medians of paste to results (the analysis
 * done, after the browser has painted the pasted text), paste to painted
 * results, and the analysis alone with its slowest phase.
 *
 * @module
 */

import { Browser } from "../scripts/lib/cdp.ts";
import { integerOption, parseCommandLine } from "../scripts/lib/args.ts";
import { run } from "../scripts/lib/run.ts";
import { corpusDir } from "../tests/_corpus.ts";

const DIST = new URL("dist/", import.meta.url);
const FIVE_MIB = 5 * 1024 * 1024;
const TYPES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "main.js": "text/javascript",
  "style.css": "text/css",
};

interface Timing {
  results: number;
  painted: number;
  analysis: number;
  phases: Record<string, number>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

await run("bench", async () => {
  const { values } = parseCommandLine(
    "Usage: web/bench.ts [--runs N]\n\nTimes the built page in headless Chromium.\n",
    { runs: { type: "string" } },
    0,
  );
  const runs = integerOption("runs", values.runs, 5, 1, 100);
  const corpus = corpusDir();
  if (corpus === null) {
    console.log("bench: SKIP: NETPROG_CORPUS is not set (the external HTML corpus of the pages)");
    return;
  }
  const pages = `${corpus}/pages`;
  const names = [...Deno.readDirSync(pages)].map((entry) => entry.name).sort();
  const texts = await Promise.all(names.map((name) => Deno.readTextFile(`${pages}/${name}`)));
  let largest = 0;
  texts.forEach((text, i) => largest = text.length > texts[largest].length ? i : largest);
  let joined = "";
  for (let i = 0; joined.length < FIVE_MIB; i = (i + 1) % texts.length) joined += texts[i];
  const cases: [string, string][] = [
    [`${names[largest]}`, texts[largest]],
    ["5 MiB of corpus pages", joined.slice(0, FIVE_MIB)],
  ];

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = new URL(request.url).pathname;
    const name = path === "/" ? "index.html" : path.slice(1);
    if (TYPES[name] === undefined) return new Response("not found", { status: 404 });
    return new Response(await Deno.readFile(new URL(name, DIST)), {
      headers: { "content-type": TYPES[name] },
    });
  });
  const browser = await Browser.launch();
  try {
    const tab = await browser.newTab();
    await tab.goto(`http://127.0.0.1:${server.addr.port}/`);
    for (const [name, text] of cases) {
      const timings: Timing[] = [];
      for (let i = 0; i < runs + 1; i++) {
        await tab.evaluate(`(() => {
          const input = document.getElementById("html-input");
          input.value = "";
          input.dispatchEvent(new InputEvent("input", { bubbles: true }));
        })()`);
        const timing = await tab.evaluate<Timing>(`(async (text) => {
          const input = document.getElementById("html-input");
          const before = document.body.dataset.generation;
          const started = performance.now();
          input.dispatchEvent(new ClipboardEvent("paste", { bubbles: true }));
          input.value = text;
          input.dispatchEvent(new InputEvent("input", { bubbles: true }));
          while (document.body.dataset.generation === before) {
            await new Promise((resolve) => requestAnimationFrame(resolve));
          }
          const results = performance.now() - started;
          await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
          return {
            results,
            painted: performance.now() - started,
            analysis: Number(document.body.dataset.elapsed),
            phases: JSON.parse(document.body.dataset.phases),
          };
        })(${JSON.stringify(text)})`);
        if (i > 0) timings.push(timing); // the first run warms the JIT up
      }
      const phases = Object.keys(timings[0].phases).map((
        phase,
      ) => [phase, median(timings.map((t) => t.phases[phase]))] as const);
      const slowest = phases.reduce((a, b) => (b[1] > a[1] ? b : a));
      const bytes = new TextEncoder().encode(text).length;
      console.log(
        `${name} (${(bytes / 1024 / 1024).toFixed(2)} MiB), median of ${runs}: ` +
          `paste to results ${Math.round(median(timings.map((t) => t.results)))} ms, ` +
          `to painted results ${Math.round(median(timings.map((t) => t.painted)))} ms; ` +
          `analysis ${Math.round(median(timings.map((t) => t.analysis)))} ms ` +
          `(${phases.map(([p, ms]) => `${p} ${Math.round(ms)}`).join(", ")}; slowest: ${
            slowest[0]
          })`,
      );
    }
  } finally {
    await browser.close();
    await server.shutdown();
  }
});
