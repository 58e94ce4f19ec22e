// Copyright netprog authors. MIT license.

// The link graph page (web/graph.html) in headless Chromium: a crawl database made here, ranked
// by sprank and exported by spjson with their own flags, opened in the page from the file picker
// and by drag and drop; counts, top page, hover, click, search, the top-N slider, the book's
// spider.js, payloads that must stay text, and no request leaving the page. The answers come from
// the database itself (node:sqlite), not from the page's own reading. Without Chromium the tests
// say SKIP loudly.

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { BUILD_FLAGS } from "../web/build.ts";
import { Browser, hasChromium, type Tab } from "../scripts/lib/cdp.ts";
import { programNamed } from "../scripts/lib/programs.ts";
import { ROOT, runScript, tempFolder } from "./_helpers.ts";
import { type TestPage, writeCrawl } from "./_spider_db.ts";

const CHROMIUM = await hasChromium();
if (!CHROMIUM) {
  console.log(
    "\n*** SKIP: chromium not found (apt-get install -y chromium): the link graph page tests do not run ***\n",
  );
}

/** WebGL without a GPU: Chromium's software renderer, kept on where a release turns it off. */
const GL_FLAGS = ["--enable-unsafe-swiftshader"];
const SCREENSHOT = "/tmp/netprog-graph-screenshot.png";
const SITE = "http://127.0.0.1:8000";
const IMG_URL = `${SITE}/"><img src=x onerror=console.log('PWNED img')>`;
const JS_URL = "javascript:console.log('PWNED js')";
const TYPES: Record<string, string> = {
  "/graph.html": "text/html; charset=utf-8",
  "/graph.js": "text/javascript",
  "/graph.css": "text/css",
  "/style.css": "text/css",
};

/** The test crawl: a small site, a page whose URL is markup, and a `javascript:` URL. */
const PAGES: TestPage[] = [
  { url: `${SITE}/index.htm` },
  { url: `${SITE}/page1.htm` },
  { url: `${SITE}/page2.htm` },
  { url: `${SITE}/page3.htm` },
  { url: IMG_URL },
  { url: JS_URL },
  { url: "http://other.example/elsewhere.htm" },
  { url: `${SITE}/never.htm`, html: null },
];
const LINKS: [number, number][] = [
  [1, 2],
  [1, 3],
  [1, 4],
  [2, 3],
  [3, 1],
  [4, 3],
  [1, 5],
  [5, 3],
  [1, 6],
  [6, 1],
  [3, 7],
  [7, 3],
  [2, 8],
];

async function buildPage(): Promise<void> {
  const { success, stderr } = await new Deno.Command("deno", {
    args: ["run", "--no-prompt", ...BUILD_FLAGS, "web/build.ts"],
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.ok(success, `build failed: ${new TextDecoder().decode(stderr)}`);
}

/** Runs sprank and spjson in `folder` on its spider.sqlite, with their own flags. */
async function rankAndExport(folder: string, nodes: number): Promise<void> {
  for (
    const [name, args] of [["sprank", ["--iterations", "50"]], ["spjson", ["--nodes", `${nodes}`]]]
  ) {
    const result = await runScript(name as string, args as string[], {
      flags: [...programNamed(name as string).flags],
      cwd: folder,
    });
    assert.equal(result.code, 0, `${name}: ${result.stderr}`);
  }
}

/** What the database says the page must show. */
interface Expected {
  urls: string[];
  /** URLs by rank, best first (ties by inbound links, then id, as the page orders them). */
  byRank: string[];
  links: [string, string][];
  inbound: Map<string, number>;
}

function expectedFrom(path: string): Expected {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const rows = db.prepare(
      `SELECT id, url, new_rank, (SELECT COUNT(*) FROM Links WHERE to_id = id) AS inbound
       FROM Pages WHERE html IS NOT NULL AND error IS NULL
       AND id IN (SELECT to_id FROM Links) ORDER BY new_rank DESC, inbound DESC, id`,
    ).all();
    const byId = new Map(rows.map((row) => [Number(row.id), String(row.url)]));
    const links: [string, string][] = [];
    for (const row of db.prepare("SELECT DISTINCT from_id, to_id FROM Links").all()) {
      const from = byId.get(Number(row.from_id));
      const to = byId.get(Number(row.to_id));
      if (from !== undefined && to !== undefined) links.push([from, to]);
    }
    return {
      urls: rows.map((row) => String(row.url)),
      byRank: rows.map((row) => String(row.url)),
      links,
      inbound: new Map(rows.map((row) => [String(row.url), Number(row.inbound)])),
    };
  } finally {
    db.close();
  }
}

interface Shown {
  generation: number;
  layout: string;
  nodes: string;
  links: string;
  status: string;
  top: string[];
  selected: string;
  selectedUrl: string | null;
  inbound: string[];
  outbound: string[];
  openShown: boolean;
  openHref: string | null;
  openRel: string | null;
  notWebShown: boolean;
  hover: string | null;
  hoverUrl: string | null;
}

function shown(tab: Tab): Promise<Shown> {
  return tab.evaluate(`(() => {
    const text = (id) => document.getElementById(id).textContent;
    const items = (id) => Array.from(document.querySelectorAll("#" + id + " li:not(.more)"),
      (li) => li.textContent);
    const hover = document.getElementById("graph-hover");
    const open = document.getElementById("graph-open");
    return {
      generation: Number(document.body.dataset.generation ?? 0),
      layout: document.body.dataset.layout ?? "",
      nodes: text("graph-node-count"),
      links: text("graph-link-count"),
      status: text("graph-status"),
      top: items("graph-top"),
      selected: text("graph-selected"),
      selectedUrl: document.querySelector("#graph-selected .url")?.textContent ?? null,
      inbound: items("graph-in"),
      outbound: items("graph-out"),
      openShown: !document.getElementById("graph-open-line").hidden,
      openHref: open.getAttribute("href"),
      openRel: open.getAttribute("rel"),
      notWebShown: !document.getElementById("graph-not-web").hidden,
      hover: hover.hidden ? null : hover.textContent,
      hoverUrl: hover.hidden ? null : hover.querySelector(".url")?.textContent ?? null,
    };
  })()`);
}

/** Waits until the page has drawn `generation` files and its layout has ended. */
async function settled(tab: Tab, generation: number): Promise<Shown> {
  await tab.evaluate(`(async () => {
    for (let i = 0; i < 600; i++) {
      if (Number(document.body.dataset.generation ?? 0) >= ${generation} &&
          document.body.dataset.layout === "done") return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })()`);
  const got = await shown(tab);
  assert.equal(got.generation, generation, `not drawn: ${got.status}`);
  return got;
}

async function openWithPicker(tab: Tab, file: string): Promise<void> {
  const { root } = await tab.send<{ root: { nodeId: number } }>("DOM.getDocument");
  const { nodeId } = await tab.send<{ nodeId: number }>("DOM.querySelector", {
    nodeId: root.nodeId,
    selector: "#graph-file",
  });
  await tab.send("DOM.setFileInputFiles", { nodeId, files: [file] });
}

/** Where a page is drawn, in the tab's CSS pixels. */
async function pointOf(tab: Tab, url: string): Promise<{ x: number; y: number }> {
  const point = await tab.evaluate<{ x: number; y: number } | null>(`(() => {
    const at = netprogGraph.positionOf(${JSON.stringify(url)});
    if (at === null) return null;
    const box = document.getElementById("graph-view").getBoundingClientRect();
    return { x: box.x + at.x, y: box.y + at.y };
  })()`);
  assert.ok(point !== null, `${url} is not drawn`);
  return point;
}

function mouse(tab: Tab, type: string, { x, y }: { x: number; y: number }, buttons = 0) {
  return tab.send("Input.dispatchMouseEvent", {
    type,
    x,
    y,
    button: "left",
    buttons,
    clickCount: 1,
  });
}

/** Presses Escape, which lets go of the selected page. */
async function pressEscape(tab: Tab): Promise<void> {
  for (const type of ["keyDown", "keyUp"]) {
    await tab.send("Input.dispatchKeyEvent", {
      type,
      key: "Escape",
      code: "Escape",
      windowsVirtualKeyCode: 27,
    });
  }
}

/** A point of the drawing with no page under it: near its top left corner. */
function backgroundPoint(tab: Tab): Promise<{ x: number; y: number }> {
  return tab.evaluate(`(() => {
    const box = document.getElementById("graph-view").getBoundingClientRect();
    return { x: box.x + 10, y: box.y + 10 };
  })()`);
}

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !ok(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

Deno.test({
  name: "the link graph page draws an exported crawl in headless Chromium",
  ignore: !CHROMIUM,
  async fn(t) {
    await buildPage();
    await using folder = await tempFolder("netprog-graph-");
    const database = `${folder.path}/spider.sqlite`;
    writeCrawl(database, PAGES, LINKS);
    await rankAndExport(folder.path, 100);
    const spiderJson = `${folder.path}/spider.json`;
    const want = expectedFrom(database);
    assert.equal(want.urls.length, 7, "every retrieved page with a link to it");
    assert.ok(want.urls.includes(IMG_URL) && want.urls.includes(JS_URL));

    const requests: string[] = [];
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      async (request) => {
        const path = new URL(request.url).pathname;
        requests.push(path);
        if (TYPES[path] === undefined) return new Response("not found", { status: 404 });
        return new Response(await Deno.readFile(`${ROOT}/web/dist${path}`), {
          headers: { "content-type": TYPES[path] },
        });
      },
    );
    const origin = `http://127.0.0.1:${server.addr.port}`;
    await using browser = await Browser.launch({ flags: GL_FLAGS });
    try {
      const tab = await browser.newTab();
      await tab.send("Emulation.setDeviceMetricsOverride", {
        width: 1300,
        height: 1100,
        deviceScaleFactor: 1,
        mobile: false,
      });
      // Every request the tab makes, as Chromium's network layer sees it, and every console line.
      const asked: string[] = [];
      const logged: string[] = [];
      browser.listen((event) => {
        if (event.sessionId !== tab.sessionId) return;
        if (event.method === "Network.requestWillBeSent") {
          asked.push(String((event.params.request as { url: unknown }).url));
        } else if (event.method === "Runtime.consoleAPICalled") {
          const args = event.params.args as { value?: unknown }[];
          logged.push(args.map((arg) => String(arg.value)).join(" "));
        }
      });
      await tab.send("Network.enable");
      await tab.goto(`${origin}/graph.html`);

      await t.step("spider.json opened with the file picker: counts and the top page", async () => {
        await openWithPicker(tab, spiderJson);
        const got = await settled(tab, 1);
        assert.equal(got.nodes, String(want.urls.length));
        assert.equal(got.links, String(want.links.length));
        assert.deepEqual(got.top, want.byRank, "the top list, best first, URLs as text");
        assert.equal(got.top[0], `${SITE}/page2.htm`, "the page most linked to ranks first");
        assert.match(got.status, /^Drew 7 pages and \d+ links/);
      });

      await t.step("hovering a page shows its URL, rank and inbound links", async () => {
        const url = want.byRank[0];
        const at = await pointOf(tab, url);
        await mouse(tab, "mouseMoved", { x: at.x - 40, y: at.y - 40 });
        await mouse(tab, "mouseMoved", at);
        const got = await waitFor(() => shown(tab), (s) => s.hover !== null);
        assert.equal(got.hoverUrl, url);
        assert.match(got.hover ?? "", /rank 19 · \d+ inbound links/);
        assert.ok(got.hover?.includes(`${want.inbound.get(url)} inbound link`), got.hover ?? "");
      });

      await t.step("clicking a page lists its in-links and out-links", async () => {
        const url = want.byRank[0];
        const at = await pointOf(tab, url);
        await mouse(tab, "mousePressed", at, 1);
        await mouse(tab, "mouseReleased", at);
        const got = await waitFor(() => shown(tab), (s) => s.selectedUrl === url);
        assert.equal(got.selectedUrl, url);
        const into = want.links.filter(([, to]) => to === url).map(([from]) => from);
        const out = want.links.filter(([from]) => from === url).map(([, to]) => to);
        assert.deepEqual([...got.inbound].sort(), [...into].sort());
        assert.deepEqual([...got.outbound].sort(), [...out].sort());
        assert.equal(got.openShown, true);
        assert.equal(got.openHref, url);
        assert.equal(got.openRel, "noopener noreferrer");
        // Escape lets go.
        await pressEscape(tab);
        const released = await waitFor(() => shown(tab), (s) => s.selectedUrl === null);
        assert.equal(released.selectedUrl, null);
        assert.deepEqual(released.inbound, []);
      });

      await t.step("a click on the background lets go of the selected page", async () => {
        // The background is clicked right after the page: sigma counts a second click within
        // 300 ms of the first as a double click, wherever each is, and not as a click.
        await new Promise((resolve) => setTimeout(resolve, 350));
        const url = want.byRank[0];
        const at = await pointOf(tab, url);
        await mouse(tab, "mouseMoved", at);
        await mouse(tab, "mousePressed", at, 1);
        await mouse(tab, "mouseReleased", at);
        assert.equal(
          (await waitFor(() => shown(tab), (s) => s.selectedUrl === url)).selectedUrl,
          url,
        );
        const corner = await backgroundPoint(tab);
        await mouse(tab, "mouseMoved", corner);
        await mouse(tab, "mousePressed", corner, 1);
        await mouse(tab, "mouseReleased", corner);
        const got = await waitFor(() => shown(tab), (s) => s.selectedUrl === null);
        assert.equal(got.selectedUrl, null);
        assert.deepEqual(got.inbound, []);
        await new Promise((resolve) => setTimeout(resolve, 350));
        const to = await pointOf(tab, url);
        assert.ok(Math.hypot(to.x - at.x, to.y - at.y) < 0.5, "two clicks apart do not zoom");
      });

      await t.step("dragging a page moves it, and not the drawing", async () => {
        await new Promise((resolve) => setTimeout(resolve, 350));
        const [url, other] = [want.byRank[1], want.byRank[2]];
        // Whole pixels, as the mouse gives them: the page follows the pointer exactly.
        const exact = await pointOf(tab, url);
        const at = { x: Math.round(exact.x), y: Math.round(exact.y) };
        const still = await pointOf(tab, other);
        await mouse(tab, "mouseMoved", at);
        await mouse(tab, "mousePressed", at, 1);
        for (let i = 1; i <= 10; i++) {
          await mouse(tab, "mouseMoved", { x: at.x + 6 * i, y: at.y + 4 * i }, 1);
        }
        await mouse(tab, "mouseReleased", { x: at.x + 60, y: at.y + 40 });
        await new Promise((resolve) => setTimeout(resolve, 100));
        const to = await pointOf(tab, url);
        assert.ok(Math.hypot(to.x - at.x - 60, to.y - at.y - 40) < 1.5, JSON.stringify(to));
        const after = await pointOf(tab, other);
        assert.ok(Math.hypot(after.x - still.x, after.y - still.y) < 0.5, "the camera stayed");
        const got = await shown(tab);
        assert.equal(got.selectedUrl, null, "the drag's click selects nothing");
      });

      await t.step("typing a URL in the search box and Enter selects it", async () => {
        const url = `${SITE}/page3.htm`;
        await tab.evaluate(`document.getElementById("graph-search").focus()`);
        await tab.send("Input.insertText", { text: url });
        for (const type of ["keyDown", "keyUp"]) {
          await tab.send("Input.dispatchKeyEvent", {
            type,
            key: "Enter",
            code: "Enter",
            windowsVirtualKeyCode: 13,
            ...(type === "keyDown" ? { text: "\r" } : {}),
          });
        }
        const got = await waitFor(() => shown(tab), (s) => s.selectedUrl === url);
        assert.equal(got.selectedUrl, url);
        assert.deepEqual(
          got.outbound,
          want.links.filter(([from]) => from === url).map(([, to]) => to),
        );
      });

      await t.step("URLs that are markup or javascript: stay text and never open", async () => {
        for (const url of [IMG_URL, JS_URL]) {
          await tab.evaluate(`(() => {
            const box = document.getElementById("graph-search");
            box.value = ${JSON.stringify(url)};
            box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
          })()`);
          const got = await waitFor(() => shown(tab), (s) => s.selectedUrl === url);
          assert.equal(got.selectedUrl, url, "shown exactly, as text");
          assert.ok(got.top.includes(url));
          if (url === JS_URL) {
            assert.equal(got.openShown, false, "a javascript: URL is not offered as a link");
            assert.equal(got.openHref, null);
            assert.equal(got.notWebShown, true);
          } else {
            assert.equal(got.openHref, new URL(url).href, "percent-encoded by the URL parser");
            assert.equal(got.openRel, "noopener noreferrer");
          }
          // Hovering draws its label on the canvas and the hover box as text (once the camera
          // has moved to the page found).
          await new Promise((resolve) => setTimeout(resolve, 600));
          const at = await pointOf(tab, url);
          await mouse(tab, "mouseMoved", { x: at.x + 30, y: at.y + 30 });
          await mouse(tab, "mouseMoved", at);
          const hovered = await waitFor(() => shown(tab), (s) => s.hoverUrl === url);
          assert.equal(hovered.hoverUrl, url);
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
        const dangerous = await tab.evaluate<number>(
          `document.querySelectorAll("img, script:not([src$='graph.js']), iframe, [onerror]").length`,
        );
        assert.equal(dangerous, 0, "no element came from a URL");
        assert.deepEqual(logged.filter((line) => line.includes("PWNED")), []);
        assert.deepEqual(tab.dialogs, []);
        assert.deepEqual(tab.exceptions, []);
        assert.equal(await tab.evaluate(`location.href`), `${origin}/graph.html`);
      });

      await t.step("the slider shows the best N pages by rank", async () => {
        await pressEscape(tab);
        assert.equal(
          (await waitFor(() => shown(tab), (s) => s.selectedUrl === null)).selectedUrl,
          null,
        );
        const top = await tab.evaluate<{ items: string[]; drawn: boolean[] }>(`(() => {
          const slider = document.getElementById("graph-limit");
          slider.value = "2";
          slider.dispatchEvent(new Event("input", { bubbles: true }));
          return {
            items: Array.from(document.querySelectorAll("#graph-top li"), (li) => li.textContent),
            drawn: ${
          JSON.stringify(want.byRank)
        }.map((url) => netprogGraph.positionOf(url) !== null),
          };
        })()`);
        assert.deepEqual(top.items, want.byRank.slice(0, 2));
        assert.deepEqual(top.drawn, want.byRank.map((_, i) => i < 2));
        await tab.evaluate(`(() => {
          const slider = document.getElementById("graph-limit");
          slider.value = slider.max;
          slider.dispatchEvent(new Event("input", { bubbles: true }));
        })()`);
      });

      await t.step("the book's spider.js, dropped on the page, with a quote in a URL", async () => {
        const urls = [`${SITE}/a.htm`, `${SITE}/say"hi".htm`, `${SITE}/c.htm`];
        const book = `${folder.path}/spider.js`;
        await Deno.writeTextFile(
          book,
          'spiderJson = {"nodes":[\n' +
            urls.map((url, i) =>
              `{"weight":${i + 1},"rank":${(19 - 9 * i).toFixed(1)}, "id":${i + 1}, "url":"${url}"}`
            ).join(",\n") +
            '],\n"links":[\n{"source":0,"target":1,"value":3},\n{"source":1,"target":2,"value":3},\n' +
            '{"source":2,"target":0,"value":3}]};\n',
        );
        const view = await tab.evaluate<{ x: number; y: number }>(`(() => {
          const box = document.getElementById("graph-view").getBoundingClientRect();
          return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
        })()`);
        const data = { items: [], files: [book], dragOperationsMask: 1 };
        for (const type of ["dragEnter", "dragOver", "drop"]) {
          await tab.send("Input.dispatchDragEvent", { type, ...view, data });
        }
        const got = await settled(tab, 2);
        assert.equal(got.nodes, "3");
        assert.equal(got.links, "3");
        assert.deepEqual(got.top, urls);
        assert.match(got.status, /from the book's spider\.js/);
      });

      await t.step("a file that is not a graph is named, and the drawing stays", async () => {
        const bad = `${folder.path}/bad.json`;
        await Deno.writeTextFile(
          bad,
          '{"nodes":[{"url":"a","rank":1}],"links":[{"source":0,"target":9}]}',
        );
        await openWithPicker(tab, bad);
        const got = await waitFor(() => shown(tab), (s) => s.status.startsWith("Cannot draw"));
        assert.match(got.status, /^Cannot draw bad\.json: Cannot read links\[0\]: its target/);
        assert.equal(got.nodes, "3");
        await openWithPicker(tab, database);
        const sqlite = await waitFor(() => shown(tab), (s) => s.status.includes("crawl database"));
        assert.match(
          sqlite.status,
          /spider\.sqlite is a crawl database: write its graph with deno task spjson/,
        );
      });

      await t.step("no request leaves the page", () => {
        const own = Object.keys(TYPES).map((path) => `${origin}${path}`);
        assert.deepEqual(asked.filter((url) => !own.includes(url)), [], String(asked));
        assert.deepEqual(requests.filter((path) => TYPES[path] === undefined), []);
        assert.deepEqual(tab.exceptions, []);
      });

      await t.step("the built page works from file://", async () => {
        const local = await browser.newTab();
        await local.goto(`file://${ROOT}/web/dist/graph.html`);
        await openWithPicker(local, spiderJson);
        const got = await settled(local, 1);
        assert.equal(got.nodes, String(want.urls.length));
        assert.deepEqual(local.exceptions, []);
      });
    } finally {
      await server.shutdown();
    }
  },
});

Deno.test({
  name: "the link graph page draws a crawl of a few hundred pages (the README's screenshot)",
  ignore: !CHROMIUM,
  async fn() {
    await buildPage();
    await using folder = await tempFolder("netprog-graph-shot-");
    // Three sites: each an index, sections and articles; articles cite each other and other sites.
    const pages: TestPage[] = [];
    const links: [number, number][] = [];
    /** Adds a page and returns its id. */
    const add = (url: string) => pages.push({ url });
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const sites = ["http://www.dr-chuck.com", "http://data.pr4e.org", "http://127.0.0.1:8000"];
    const starts: number[] = [];
    for (const site of sites) {
      const index = add(`${site}/`);
      starts.push(index);
      for (let s = 0; s < 5; s++) {
        const section = add(`${site}/section${s}/`);
        links.push([index, section], [section, index]);
        for (let a = 0; a < 14; a++) {
          const article = add(`${site}/section${s}/article${a}.htm`);
          links.push([section, article], [article, section], [article, index]);
        }
      }
    }
    for (let i = 0; i < 500; i++) {
      const from = 1 + Math.floor(random() * pages.length);
      const to = 1 + Math.floor(random() ** 3 * pages.length);
      if (from !== to) links.push([from, to]);
    }
    for (const start of starts) links.push([start, starts[(starts.indexOf(start) + 1) % 3]]);
    const distinct = [...new Set(links.map(([from, to]) => `${from} ${to}`))].map((pair) =>
      pair.split(" ").map(Number) as [number, number]
    );
    writeCrawl(`${folder.path}/spider.sqlite`, pages, distinct);
    await rankAndExport(folder.path, 1000);

    await using browser = await Browser.launch({ flags: [...GL_FLAGS, "--hide-scrollbars"] });
    const tab = await browser.newTab();
    await tab.send("Emulation.setDeviceMetricsOverride", {
      width: 1200,
      height: 1000,
      deviceScaleFactor: 1,
      mobile: false,
    });
    await tab.goto(`file://${ROOT}/web/dist/graph.html`);
    await openWithPicker(tab, `${folder.path}/spider.json`);
    const got = await settled(tab, 1);
    assert.equal(got.nodes, String(pages.length));
    const top = got.top[0];
    const at = await pointOf(tab, top);
    await mouse(tab, "mouseMoved", at);
    await mouse(tab, "mousePressed", at, 1);
    await mouse(tab, "mouseReleased", at);
    await waitFor(() => shown(tab), (s) => s.selectedUrl === top);
    await waitFor(() => shown(tab), (s) => s.hoverUrl === top);
    await Deno.writeFile(SCREENSHOT, await tab.screenshot(1200, 1000));
    const png = await Deno.readFile(SCREENSHOT);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG file");
    assert.deepEqual(tab.exceptions, []);
  },
});

Deno.test({
  name: "the link graph page pans and zooms a big graph as a picture, then draws it there",
  ignore: !CHROMIUM,
  async fn() {
    await buildPage();
    await using folder = await tempFolder("netprog-graph-big-");
    // 600 pages, 5,000 links: enough links for the drawing to move as a picture.
    const pages = 600;
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const seen = new Set<string>();
    const links: { source: number; target: number; value: number }[] = [];
    while (links.length < 5000) {
      const source = Math.floor(random() * pages);
      const target = Math.floor(random() ** 2 * pages);
      if (source === target || seen.has(`${source} ${target}`)) continue;
      seen.add(`${source} ${target}`);
      links.push({ source, target, value: 3 });
    }
    const nodes = Array.from({ length: pages }, (_, i) => ({
      weight: 1,
      rank: 19 * (1 - i / pages),
      id: i + 1,
      url: `http://www${i % 3}.example.com/page${i}.htm`,
    }));
    const file = `${folder.path}/spider.json`;
    await Deno.writeTextFile(file, JSON.stringify({ nodes, links }));

    await using browser = await Browser.launch({ flags: GL_FLAGS });
    const tab = await browser.newTab();
    await tab.send("Emulation.setDeviceMetricsOverride", {
      width: 1300,
      height: 1100,
      deviceScaleFactor: 1,
      mobile: false,
    });
    await tab.goto(`file://${ROOT}/web/dist/graph.html`);
    await openWithPicker(tab, file);
    await tab.evaluate(`(async () => {
      while (document.body.dataset.generation !== "1") await new Promise((r) => setTimeout(r, 20));
      const button = document.getElementById("graph-layout");
      if (document.body.dataset.layout === "running") button.click();
    })()`);
    await settled(tab, 1);
    const top = nodes[0].url;
    await tab.evaluate(`(() => {
      const box = document.getElementById("graph-search");
      box.value = ${JSON.stringify(top)};
      box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    })()`);
    await waitFor(() => shown(tab), (s) => s.selectedUrl === top);
    await new Promise((resolve) => setTimeout(resolve, 500));

    /** The transform on sigma's nodes layer, once the next frame is shown, and sigma's drawings. */
    const onScreen = () =>
      tab.evaluate<{ transform: string; renders: number }>(`(async () => {
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        return {
          transform: getComputedStyle(document.querySelector("#graph-view .sigma-nodes")).transform,
          renders: netprogGraph.renders,
        };
      })()`);
    /** Waits until the graph is drawn again where the picture was, and gives a page's place. */
    const redrawn = (url: string) =>
      tab.evaluate<{ x: number; y: number }>(`(async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        while (document.querySelector("#graph-view.moving") !== null) {
          await new Promise((resolve) => requestAnimationFrame(resolve));
        }
        return netprogGraph.positionOf(${JSON.stringify(url)});
      })()`);

    // A pan: the picture follows the pointer, sigma does not draw; released, the graph is drawn
    // moved by as much, and the pan's click does not let go of the selected page.
    const before = await pointOf(tab, top);
    const start = await backgroundPoint(tab);
    const { renders } = await onScreen();
    await mouse(tab, "mouseMoved", start);
    await mouse(tab, "mousePressed", start, 1);
    for (let i = 1; i <= 10; i++) {
      await mouse(tab, "mouseMoved", { x: start.x + 5 * i, y: start.y + 3 * i }, 1);
    }
    const panning = await onScreen();
    assert.equal(panning.transform, "matrix(1, 0, 0, 1, 50, 30)");
    assert.equal(panning.renders, renders, "not drawn again while it moves");
    await mouse(tab, "mouseReleased", { x: start.x + 50, y: start.y + 30 });
    const view = await tab.evaluate<{ x: number; y: number }>(`(() => {
      const box = document.getElementById("graph-view").getBoundingClientRect();
      return { x: box.x, y: box.y };
    })()`);
    const panned = await redrawn(top);
    assert.ok(
      Math.hypot(view.x + panned.x - before.x - 50, view.y + panned.y - before.y - 30) < 1,
      `${JSON.stringify(before)} to ${JSON.stringify(panned)}`,
    );
    assert.equal((await shown(tab)).selectedUrl, top, "the pan's click selects nothing");
    assert.equal((await onScreen()).transform, "none", "the picture is back in place");

    // A turn of the wheel: the picture grows 1.7 times about the pointer, then is drawn so.
    const at = { x: view.x + panned.x, y: view.y + panned.y };
    const pointer = { x: Math.round(at.x + 40), y: Math.round(at.y + 20) };
    await mouse(tab, "mouseMoved", pointer);
    await tab.send("Input.dispatchMouseEvent", {
      type: "mouseWheel",
      ...pointer,
      deltaX: 0,
      deltaY: -100,
    });
    const zooming = await onScreen();
    assert.match(zooming.transform, /^matrix\(1\.7, 0, 0, 1\.7, /);
    const zoomed = await redrawn(top);
    const want = {
      x: pointer.x + 1.7 * (at.x - pointer.x),
      y: pointer.y + 1.7 * (at.y - pointer.y),
    };
    assert.ok(
      Math.hypot(view.x + zoomed.x - want.x, view.y + zoomed.y - want.y) < 1,
      `${JSON.stringify(zoomed)}, not ${JSON.stringify(want)}`,
    );
    assert.deepEqual(tab.exceptions, []);
  },
});
