#!/usr/bin/env -S deno run --no-prompt --allow-read --allow-env=NETPROG_CORPUS --allow-write=/tmp --allow-run=deno,/usr/bin/python3,apt-get
// Copyright netprog authors. MIT license.

/**
 * The DOM section of `deno task bench`: the scripts' HTML parser
 * (scripts/lib/dom.ts) against BeautifulSoup, the book's choice, on the same
 * corpus pages, and the parser's cold start.
 *
 *     NETPROG_CORPUS=/path/to/corpus deno run --no-prompt --allow-read \
 *       --allow-env=NETPROG_CORPUS --allow-write=/tmp \
 *       --allow-run=deno,/usr/bin/python3,apt-get bench/dom_bench.ts [--json PATH]
 *
 * The pages are those of the corpus NETPROG_CORPUS names (other people's
 * pages, kept outside the repository). Without NETPROG_CORPUS the section
 * prints one `SKIP:` line and exits 0.
 *
 * Run from the project folder. What it measures, in one run:
 * - throughput in MB/s (10^6 bytes of page files a second), median of 5
 *   passes over all 77 corpus pages after one warm-up pass: parse, take the
 *   hrefs of every `a` and count the `p` elements; ours, BeautifulSoup with
 *   html.parser, BeautifulSoup with html5lib (bench/bs4_bench.py);
 * - cold start: `deno run` of a tiny script that imports scripts/lib/dom.ts and
 *   parses page1.htm, minus `deno run` of an empty script, median of 15 each;
 * - agreement with Chromium on the corpus (pages, snippets, probes).
 *
 * Bars: at least 2x BeautifulSoup with html.parser, at least 5x with
 * html5lib, cold start within 150 ms. Exits 1 when a bar is not met.
 *
 * Permissions:
 * - `--allow-read`: the HTML corpus, wherever NETPROG_CORPUS puts it (a list
 *   cannot name a folder known only when the bench runs), and data/page1.htm.
 * - `--allow-env=NETPROG_CORPUS`: where the corpus is.
 * - `--allow-write=/tmp`: the cold-start scripts (a temp folder, removed at
 *   the end) and the JSON result.
 * - `--allow-run=deno,/usr/bin/python3,apt-get`: the cold-start runs, BeautifulSoup
 *   (Debian's python3, where its packages go),
 *   and installing Debian's python3-bs4 and python3-html5lib when missing.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseHtml } from "../scripts/lib/dom.ts";
import { countParagraphs, extractLinksDom } from "../core/links.ts";
import {
  compareCases,
  type CorpusAnswer,
  type CorpusCase,
  corpusDir,
  loadCorpus,
} from "../tests/_corpus.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const RUNS = 5;
const COLD_RUNS = 15;
/** Debian's python3, where apt-get installs python3-bs4 (a python3 earlier on PATH may lack it). */
const PYTHON = "/usr/bin/python3";

const BARS = {
  htmlParser: 2,
  html5lib: 5,
  coldStartMs: 150,
};

const { values } = parseArgs({ args: Deno.args, options: { json: { type: "string" } } });

function median(numbers: number[]): number {
  const sorted = numbers.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function run(
  command: string,
  args: string[],
  options: { cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, {
    args,
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Installs Debian's BeautifulSoup and html5lib when python3 cannot import them. */
async function setUpPython(): Promise<string | null> {
  const probe = ["-c", "import bs4, html5lib"];
  if ((await run(PYTHON, probe)).code === 0) return null;
  console.log("set-up: installing python3-bs4 and python3-html5lib with apt-get");
  let install = await run("apt-get", ["install", "-y", "python3-bs4", "python3-html5lib"]);
  if (install.code !== 0) {
    await run("apt-get", ["update"]);
    install = await run("apt-get", ["install", "-y", "python3-bs4", "python3-html5lib"]);
  }
  if ((await run(PYTHON, probe)).code === 0) return null;
  return `cannot install python3-bs4 and python3-html5lib: ${
    install.stderr.trim().split("\n").at(-1)
  }`;
}

/** Our side: parse, hrefs of every `a`, count of `p`. */
function ourAnswer(html: string): CorpusAnswer {
  const doc = parseHtml(html);
  const hrefs = extractLinksDom(doc).filter((href): href is string => href !== null);
  return { hrefs, p: countParagraphs(doc), textLen: null };
}

function measureOurs(pages: CorpusCase[]): number[] {
  for (const page of pages) ourAnswer(page.html); // warm-up
  const seconds: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    for (const page of pages) ourAnswer(page.html);
    seconds.push((performance.now() - start) / 1000);
  }
  return seconds;
}

interface PythonResult {
  seconds: number[];
  answers: Record<string, { hrefs: string[]; p: number }>;
}

async function measureBeautifulSoup(parser: string, files: string[]): Promise<PythonResult> {
  const result = await run(PYTHON, [
    `${ROOT}/bench/bs4_bench.py`,
    String(RUNS),
    parser,
    ...files,
  ]);
  if (result.code !== 0) {
    throw new Error(`Cannot run BeautifulSoup with ${parser}: ${result.stderr.trim()}`);
  }
  return JSON.parse(result.stdout);
}

function agreement(pages: CorpusCase[], answers: Record<string, { hrefs: string[]; p: number }>) {
  return pages.filter((page) => {
    const answer = answers[page.id];
    return JSON.stringify(answer.hrefs) === JSON.stringify(page.expected.hrefs) &&
      answer.p === page.expected.p;
  }).length;
}

/** `deno run` of a script that imports the parser and parses page1.htm, and of an empty one. */
async function measureColdStart(page1: string): Promise<{ dom: number[]; empty: number[] }> {
  const dir = await Deno.makeTempDir({ prefix: "netprog_cold_" });
  try {
    const domScript = `${dir}/cold_dom.ts`;
    const emptyScript = `${dir}/cold_empty.ts`;
    await Deno.writeTextFile(
      domScript,
      `import { parseHtml } from ${JSON.stringify(`${ROOT}/scripts/lib/dom.ts`)};\n` +
        `const doc = parseHtml(${JSON.stringify(page1)});\n` +
        `if (doc.querySelectorAll("a").length !== 1) throw new Error("page1.htm has one link");\n`,
    );
    await Deno.writeTextFile(emptyScript, "\n");
    const args = (
      script: string,
    ) => ["run", "--no-prompt", "--config", `${ROOT}/deno.json`, script];
    // Deno caches the type-stripped modules on the first run: that run is not a cold start.
    for (const script of [domScript, emptyScript]) {
      const warm = await run("deno", args(script));
      if (warm.code !== 0) {
        throw new Error(`Cannot run the cold-start script: ${warm.stderr.trim()}`);
      }
    }
    const dom: number[] = [];
    const empty: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      for (const [script, times] of [[domScript, dom], [emptyScript, empty]] as const) {
        const start = performance.now();
        const result = await run("deno", args(script));
        times.push(performance.now() - start);
        if (result.code !== 0) throw new Error(`Cold-start run failed: ${result.stderr.trim()}`);
      }
    }
    return { dom, empty };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const CORPUS = corpusDir();
if (CORPUS === null) {
  console.log(
    "DOM: SKIP: NETPROG_CORPUS is not set (the external HTML corpus the pages come from)",
  );
  if (values.json !== undefined) {
    const skipped = { section: "dom", skipped: "NETPROG_CORPUS is not set" };
    await Deno.writeTextFile(values.json, JSON.stringify(skipped, null, 2) + "\n");
  }
  Deno.exit(0);
}
const corpus = await loadCorpus(CORPUS);
const pages = corpus.pages;
const bytes = pages.reduce((n, page) => n + new TextEncoder().encode(page.html).length, 0);
const mb = bytes / 1e6;
const files = pages.map((page) => `${CORPUS}/pages/${page.id}.html`);
console.log(
  `DOM: ${pages.length} corpus pages, ${mb.toFixed(2)} MB, median of ${RUNS} passes; ` +
    `${navigator.hardwareConcurrency} CPUs`,
);

const agree = {
  pages: pages.length - compareCases(pages, parseHtml).length,
  snippets: corpus.snippets.length - compareCases(corpus.snippets, parseHtml).length,
  probes: corpus.probes.length - compareCases(corpus.probes, parseHtml).length,
};

const ours = measureOurs(pages);
const oursMbps = mb / median(ours);

const pythonProblem = await setUpPython();
let htmlParser: PythonResult | null = null;
let html5lib: PythonResult | null = null;
if (pythonProblem === null) {
  htmlParser = await measureBeautifulSoup("html.parser", files);
  html5lib = await measureBeautifulSoup("html5lib", files);
} else {
  console.log(`BeautifulSoup: SKIP, ${pythonProblem}`);
}

const page1 = await Deno.readTextFile(`${ROOT}/data/page1.htm`);
const cold = await measureColdStart(page1);
const coldMs = median(cold.dom) - median(cold.empty);

const htmlParserMbps = htmlParser && mb / median(htmlParser.seconds);
const html5libMbps = html5lib && mb / median(html5lib.seconds);
const bars = [
  {
    name: "vs BeautifulSoup html.parser",
    value: htmlParserMbps && oursMbps / htmlParserMbps,
    bar: `>= ${BARS.htmlParser}x`,
    pass: htmlParserMbps !== null && oursMbps / htmlParserMbps >= BARS.htmlParser,
  },
  {
    name: "vs BeautifulSoup html5lib",
    value: html5libMbps && oursMbps / html5libMbps,
    bar: `>= ${BARS.html5lib}x`,
    pass: html5libMbps !== null && oursMbps / html5libMbps >= BARS.html5lib,
  },
  {
    name: "cold start (parser + page1.htm)",
    value: coldMs,
    bar: `<= ${BARS.coldStartMs} ms`,
    pass: coldMs <= BARS.coldStartMs,
  },
];

const pad = (text: string, width: number) => text.padEnd(width);
const lines = [
  `${pad("parser", 34)}${pad("MB/s", 9)}pages agreeing with Chromium`,
  `${pad("netprog (parse5, lib/dom.ts)", 34)}${pad(oursMbps.toFixed(1), 9)}${agree.pages}/77`,
  htmlParser &&
  `${pad("BeautifulSoup html.parser", 34)}${pad(htmlParserMbps!.toFixed(1), 9)}${
    agreement(pages, htmlParser.answers)
  }/77`,
  html5lib &&
  `${pad("BeautifulSoup html5lib", 34)}${pad(html5libMbps!.toFixed(1), 9)}${
    agreement(pages, html5lib.answers)
  }/77`,
  "",
  `cold start: ${median(cold.dom).toFixed(0)} ms with the parser, ${
    median(cold.empty).toFixed(0)
  } ms empty, ${coldMs.toFixed(0)} ms for the parser (median of ${COLD_RUNS})`,
  `corpus agreement with Chromium: pages ${agree.pages}/${pages.length}, ` +
  `snippets ${agree.snippets}/${corpus.snippets.length}, probes ${agree.probes}/${corpus.probes.length}`,
  "",
  ...bars.map((b) =>
    `${pad(b.name, 34)}${
      pad(b.value === null ? "-" : b.value.toFixed(b.name.startsWith("cold") ? 0 : 1), 9)
    }` +
    `${pad(b.bar, 12)}${b.pass ? "PASS" : "FAIL"}`
  ),
].filter((line) => line !== null);
console.log(lines.join("\n"));

if (values.json !== undefined) {
  await Deno.writeTextFile(
    values.json,
    JSON.stringify(
      {
        section: "dom",
        corpus: { pages: pages.length, bytes },
        throughputMBps: {
          netprog: oursMbps,
          bs4HtmlParser: htmlParserMbps,
          bs4Html5lib: html5libMbps,
        },
        seconds: {
          netprog: ours,
          bs4HtmlParser: htmlParser?.seconds,
          bs4Html5lib: html5lib?.seconds,
        },
        pagesAgreeing: {
          netprog: agree.pages,
          bs4HtmlParser: htmlParser && agreement(pages, htmlParser.answers),
          bs4Html5lib: html5lib && agreement(pages, html5lib.answers),
        },
        coldStartMs: { withParser: cold.dom, empty: cold.empty, parser: coldMs },
        agreement: agree,
        bars,
        pythonProblem,
      },
      null,
      2,
    ) + "\n",
  );
}

if (!bars.every((b) => b.pass)) Deno.exit(1);
