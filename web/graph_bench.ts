#!/usr/bin/env -S deno run --no-prompt --allow-read --allow-write=/tmp --allow-net=127.0.0.1 --allow-run=chromium
// Copyright netprog authors. MIT license.

/**
 * graph_bench: times the link graph page (web/graph.html) in headless
 * Chromium at 1,000 pages with 5,000 links and at 10,000 pages with 50,000
 * links: from dropping spider.json on the page to the first drawing, and
 * the frames per second while the drawing is dragged (panned) with the
 * mouse. Build first (`deno task build:web`).
 *
 *     deno run --no-prompt --allow-read --allow-write=/tmp --allow-net=127.0.0.1 --allow-run=chromium web/graph_bench.ts [--runs 3]
 *
 * The graphs are made here, the same every time: pages on seven hosts, each
 * link from a page chosen at random to a page chosen with a bias to the
 * first (as links favour a site's main pages), ranks falling with the index.
 * The file is dropped as a user drops it (the DevTools protocol's drag
 * events, with the file). Chromium draws WebGL with SwiftShader, its
 * software renderer, when there is no GPU, as here: the flag
 * `--enable-unsafe-swiftshader` keeps that fallback on in Chromium releases
 * that turn it off by default.
 *
 * Permissions: `--allow-read` for the built page and Chromium's throwaway
 * profile; `--allow-write=/tmp` for the profile and the graph files;
 * `--allow-net=127.0.0.1` to serve the page and talk to Chromium;
 * `--allow-run=chromium` to start it.
 *
 * Prints the WebGL renderer, then one line per size: the medians of drop to
 * first drawing (the page's own clock, from the drop event to the first
 * frame after the drawing), of the frames per second while panning (frames
 * in which the drawing on screen changed, drawn again or moved as a picture,
 * per second of dragging, with the GPU's queue emptied before the clock
 * stops), of the frames the compositor drew in that time (DevTools' frame
 * events in Chromium's trace) and of the slowest frame (the longest gap
 * between the page's animation frames), and the layout's iterations. Each
 * pan is checked: at its end the drawing on screen is moved by as much as
 * the pointer, and once the graph is drawn again, its top page is too.
 *
 * @module
 */

import { Browser, type Tab } from "../scripts/lib/cdp.ts";
import { integerOption, parseCommandLine } from "../scripts/lib/args.ts";
import { run } from "../scripts/lib/run.ts";

const DIST = new URL("dist/", import.meta.url);
const TYPES: Record<string, string> = {
  "graph.html": "text/html; charset=utf-8",
  "graph.js": "text/javascript",
  "graph.css": "text/css",
  "style.css": "text/css",
};
/** Chromium's flags for WebGL without a GPU. */
const GL_FLAGS = ["--enable-unsafe-swiftshader"];
/** How long the drawing is dragged, in ms. */
const PAN_MS = 3000;

/**
 * A made-up crawl as spjson writes it: `pages` pages on seven hosts and
 * `links` distinct links, the same for the same sizes.
 */
function madeUpCrawl(pages: number, links: number): string {
  let seed = 20240607;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const seen = new Set<number>();
  const list: [number, number][] = [];
  while (list.length < links) {
    const source = Math.floor(random() * pages);
    const target = Math.floor(random() ** 2.5 * pages);
    if (source === target || seen.has(source * pages + target)) continue;
    seen.add(source * pages + target);
    list.push([source, target]);
  }
  const inbound = new Array<number>(pages).fill(0);
  for (const [, target] of list) inbound[target]++;
  const nodes = Array.from({ length: pages }, (_, i) => ({
    weight: inbound[i],
    rank: 19 * (1 - i / pages) ** 8,
    id: i + 1,
    url: `http://www${i % 7}.example.com/${i % 3 === 0 ? "blog/" : ""}page${i}.htm`,
  }));
  const json = (item: unknown) => JSON.stringify(item);
  return `{"nodes":[\n${nodes.map(json).join(",\n")}],\n"links":[\n${
    list.map(([source, target]) => json({ source, target, value: 3 })).join(",\n")
  }]}\n`;
}

interface Measured {
  drawnMs: number;
  fps: number;
  /** Frames the compositor drew on screen per second of the pan, from Chromium's trace. */
  drawnFps: number;
  slowestFrameMs: number;
  iterations: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** Trace events of the tab, collected between Tracing.start and Tracing.end. */
interface TraceEvent {
  name: string;
  ts: number;
}

/**
 * Frames the compositor drew (DevTools' own frame events) between the page's marks
 * `pan-start` and `pan-end`, per second.
 */
function drawnPerSecond(events: TraceEvent[]): number {
  const mark = (name: string) => events.find((event) => event.name === name)?.ts;
  const [start, end] = [mark("pan-start"), mark("pan-end")];
  if (start === undefined || end === undefined) throw new Error("The trace has no marks");
  const drawn = events.filter((event) =>
    event.name === "DrawFrame" && event.ts >= start && event.ts <= end
  );
  return drawn.length / ((end - start) / 1e6);
}

/** Drops the file on the page, waits for the drawing and the layout, then pans for PAN_MS. */
async function measure(
  browser: Browser,
  tab: Tab,
  origin: string,
  file: string,
): Promise<Measured> {
  await tab.goto(`${origin}/graph.html`);
  const view = await tab.evaluate<{ x: number; y: number; width: number }>(`(() => {
    const r = document.getElementById("graph-view").getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2, width: r.width };
  })()`);
  const data = { items: [], files: [file], dragOperationsMask: 1 };
  for (const type of ["dragEnter", "dragOver", "drop"]) {
    await tab.send("Input.dispatchDragEvent", { type, x: view.x, y: view.y, data });
  }
  await tab.evaluate(`(async () => {
    while (document.body.dataset.layout !== "done") await new Promise((r) => setTimeout(r, 50));
  })()`);
  const drawnMs = Number(await tab.evaluate(`document.body.dataset.drawnMs`));
  const iterations = Number(await tab.evaluate(`document.body.dataset.iterations ?? 0`));

  // Drag the background (no page under the pointer: the top left corner of the drawing).
  const x0 = view.x - view.width / 2 + 8;
  const y0 = view.y - 8;
  const mouse = (type: string, x: number, y: number, buttons: number) =>
    tab.send("Input.dispatchMouseEvent", { type, x, y, button: "left", buttons, clickCount: 1 });
  const top = await tab.evaluate<string>(
    `document.querySelector("#graph-top li")?.textContent ?? ""`,
  );
  const before = await tab.evaluate<{ x: number; y: number } | null>(
    `netprogGraph.positionOf(${JSON.stringify(top)})`,
  );
  await mouse("mouseMoved", x0, y0, 0);
  await mouse("mousePressed", x0, y0, 1);
  const events: TraceEvent[] = [];
  let traced = () => {};
  const complete = new Promise<void>((resolve) => traced = resolve);
  const stop = browser.listen((event) => {
    if (event.sessionId !== tab.sessionId) return;
    if (event.method === "Tracing.dataCollected") {
      events.push(...event.params.value as TraceEvent[]);
    }
    if (event.method === "Tracing.tracingComplete") traced();
  });
  await tab.send("Tracing.start", {
    categories: "disabled-by-default-devtools.timeline.frame,blink.user_timing",
    transferMode: "ReportEvents",
  });
  await tab.evaluate(`(() => {
    performance.mark("pan-start");
    window.benchFrames = [];
    window.benchShown = netprogGraph.frames;
    window.benchStart = performance.now();
    const frame = (time) => {
      window.benchFrames.push(time);
      if (performance.now() - window.benchStart < ${PAN_MS + 500}) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  })()`);
  const started = Date.now();
  let last = { x: x0, y: y0 };
  for (let i = 0; Date.now() - started < PAN_MS; i++) {
    last = { x: x0 + 120 * Math.sin(i / 9), y: y0 - 80 * (1 - Math.cos(i / 11)) };
    await mouse("mouseMoved", last.x, last.y, 1);
  }
  const result = await tab.evaluate<{ fps: number; slowest: number }>(`(() => {
    // Empty the GPU's queue: a pixel read waits for every drawing sent before it.
    for (const canvas of document.querySelectorAll("#graph-view canvas")) {
      const gl = canvas.getContext("webgl2");
      if (gl) gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    }
    const elapsed = performance.now() - window.benchStart;
    performance.mark("pan-end");
    const frames = window.benchFrames.filter((t) => t >= window.benchStart);
    const gaps = frames.slice(1).map((t, i) => t - frames[i]);
    return {
      fps: (netprogGraph.frames - window.benchShown) / (elapsed / 1000),
      slowest: Math.max(...gaps),
    };
  })()`);
  await tab.send("Tracing.end");
  await complete;
  stop();
  // What is on screen at the end of the pan must be the graph moved by the pointer: the picture's
  // transform (a big graph) or sigma's camera (a small one), checked once the graph is drawn
  // again where the pan left it.
  const moved = await tab.evaluate<string>(`(async () => {
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    return getComputedStyle(document.querySelector("#graph-view .sigma-nodes")).transform;
  })()`);
  await mouse("mouseReleased", last.x, last.y, 0);
  const after = await tab.evaluate<{ x: number; y: number } | null>(`(async () => {
    while (document.querySelector("#graph-view.moving") !== null) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    return netprogGraph.positionOf(${JSON.stringify(top)});
  })()`);
  const [dx, dy] = [last.x - x0, last.y - y0];
  if (before === null || after === null) throw new Error(`${top} is not drawn`);
  const picture = /^matrix\(1, 0, 0, 1, (\S+), (\S+)\)$/.exec(moved);
  if (picture !== null && Math.hypot(Number(picture[1]) - dx, Number(picture[2]) - dy) > 1.5) {
    throw new Error(`The picture moved by ${picture.slice(1)}, the pointer by ${dx}, ${dy}`);
  }
  if (Math.hypot(after.x - before.x - dx, after.y - before.y - dy) > 1.5) {
    throw new Error(
      `${top} moved from ${JSON.stringify(before)} to ${JSON.stringify(after)}, ` +
        `the pointer by ${dx}, ${dy}`,
    );
  }
  if (tab.exceptions.length > 0) throw new Error(`The page threw: ${tab.exceptions[0]}`);
  return {
    drawnMs,
    fps: result.fps,
    drawnFps: drawnPerSecond(events),
    slowestFrameMs: result.slowest,
    iterations,
  };
}

await run("graph_bench", async () => {
  const { values } = parseCommandLine(
    "Usage: web/graph_bench.ts [--runs N]\n\nTimes the built link graph page in headless Chromium.\n",
    { runs: { type: "string" } },
    0,
  );
  const runs = integerOption("runs", values.runs, 3, 1, 50);
  const folder = await Deno.makeTempDir({ prefix: "netprog-graph-bench-" });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const name = new URL(request.url).pathname.slice(1);
    if (TYPES[name] === undefined) return new Response("not found", { status: 404 });
    return new Response(await Deno.readFile(new URL(name, DIST)), {
      headers: { "content-type": TYPES[name] },
    });
  });
  const browser = await Browser.launch({ flags: GL_FLAGS });
  try {
    const tab = await browser.newTab();
    await tab.send("Emulation.setDeviceMetricsOverride", {
      width: 1400,
      height: 1000,
      deviceScaleFactor: 1,
      mobile: false,
    });
    const origin = `http://127.0.0.1:${server.addr.port}`;
    await tab.goto(`${origin}/graph.html`);
    const renderer = await tab.evaluate<string>(`(() => {
      const gl = document.createElement("canvas").getContext("webgl2");
      if (gl === null) return "none: WebGL2 is not available";
      const info = gl.getExtension("WEBGL_debug_renderer_info");
      return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    })()`);
    console.log(`Chromium flags: ${GL_FLAGS.join(" ")}; WebGL renderer: ${renderer}`);
    for (const [pages, links] of [[1000, 5000], [10000, 50000]]) {
      const file = `${folder}/spider-${pages}.json`;
      await Deno.writeTextFile(file, madeUpCrawl(pages, links));
      const results: Measured[] = [];
      for (let i = 0; i < runs; i++) results.push(await measure(browser, tab, origin, file));
      console.log(
        `${pages.toLocaleString("en-US")} pages, ${links.toLocaleString("en-US")} links, ` +
          `median of ${runs}: drop to first drawing ${
            Math.round(median(results.map((r) => r.drawnMs)))
          } ms; panning ${median(results.map((r) => r.fps)).toFixed(1)} frames per second ` +
          `(${median(results.map((r) => r.drawnFps)).toFixed(1)} drawn by the compositor; ` +
          `slowest frame ${Math.round(median(results.map((r) => r.slowestFrameMs)))} ms); ` +
          `layout ${median(results.map((r) => r.iterations))} iterations of ForceAtlas2`,
      );
    }
  } finally {
    await browser.close();
    await server.shutdown();
    await Deno.remove(folder, { recursive: true });
  }
});
