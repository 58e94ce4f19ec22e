// Copyright netprog authors. MIT license.

// The web page in headless Chromium, fed script-injection payloads: none runs, none reaches the
// page's own document as markup, nothing is loaded from the network, and the page's own Content
// Security Policy (its meta tag: the page is served here without a CSP header) blocks inline
// script. Without Chromium the tests say SKIP loudly.

import assert from "node:assert/strict";
import { BUILD_FLAGS } from "../web/build.ts";
import { ROOT } from "./_helpers.ts";
import { Browser, hasChromium, type Tab } from "../scripts/lib/cdp.ts";

const CHROMIUM = await hasChromium();
if (!CHROMIUM) console.log("SKIP: chromium is not installed; the web security tests are ignored");

/** A tab, and what its frames logged and where they navigated. */
interface Watched {
  tab: Tab;
  /** Every console message, from every frame of the tab. */
  messages: string[];
  /** Every URL a frame of the tab navigated to. */
  navigations: string[];
}

/** Builds web/dist when it is missing or older than the sources. */
async function ensureBuilt(): Promise<void> {
  const mtime = (path: string) => {
    try {
      return Deno.statSync(`${ROOT}/${path}`).mtime?.getTime() ?? 0;
    } catch {
      return 0;
    }
  };
  const built = Math.min(mtime("web/dist/main.js"), mtime("web/dist/index.html"));
  const sources = Math.max(mtime("web/main.ts"), mtime("web/index.html"), mtime("web/style.css"));
  if (built > sources) return;
  const output = await new Deno.Command("deno", {
    args: [
      "run",
      "--no-prompt",
      ...BUILD_FLAGS,
      "web/build.ts",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
}

/** Serves web/dist with no CSP header (the page's meta tag is the policy) and counts every request. */
function serveDist() {
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = new URL(request.url).pathname;
    requests.push(path);
    const name = path === "/" ? "index.html" : path.slice(1);
    const types: Record<string, string> = {
      "index.html": "text/html; charset=utf-8",
      "main.js": "text/javascript; charset=utf-8",
      "style.css": "text/css; charset=utf-8",
    };
    if (types[name] === undefined) return new Response("Not found\n", { status: 404 });
    return new Response(await Deno.readFile(`${ROOT}/web/dist/${name}`), {
      headers: { "content-type": types[name] },
    });
  });
  return { origin: `http://127.0.0.1:${server.addr.port}`, requests, server };
}

/**
 * Payloads that would announce themselves (a console line with PWNED, a request for /beacon/…)
 * if they ever ran or loaded. `B` is replaced by the beacon URL.
 */
const PAYLOADS = [
  `<img src="B/img" onerror="console.log('PWNED img')">`,
  `<svg onload="console.log('PWNED svg')"><circle r="1"/></svg>`,
  `<svg><script>console.log('PWNED svg-script')</script></svg>`,
  `<a href="javascript:console.log('PWNED href')">click me</a>`,
  `<a href=" JaVaScRiPt:console.log('PWNED href2')">and me</a>`,
  `<iframe srcdoc="<script>console.log('PWNED srcdoc')</script><img src='B/srcdoc'>"></iframe>`,
  `<iframe src="B/iframe"></iframe>`,
  `<meta http-equiv="refresh" content="0;url=B/refresh">`,
  `<base href="B/base/"><a href="rel">relative</a>`,
  `</textarea><script>console.log('PWNED textarea')</script><textarea>`,
  `<script>console.log('PWNED script')</script>`,
  `<body onload="console.log('PWNED body')">`,
  `<details open ontoggle="console.log('PWNED details')">x</details>`,
  `<input autofocus onfocus="console.log('PWNED focus')">`,
  `<object data="B/object"></object><embed src="B/embed">`,
  `<link rel="stylesheet" href="B/css"><style>@import "B/import";</style>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="console.log('PWNED math')">`,
  `<noscript><p title="</noscript><img src=x onerror=console.log('PWNED noscript')>">`,
  `<template><img src=x onerror="console.log('PWNED template')"></template>`,
  `"><img src=x onerror=console.log('PWNED attr')>`,
];

/** Elements and attributes that, found in the page's own document, mean markup got through. */
const DANGER = "script:not([src$='main.js']), iframe, frame, object, embed, svg, math, img, " +
  "meta[http-equiv='refresh'], base, details, input:not(#base-url):not(#file-input), " +
  "[onload], [onerror], [onclick], [onfocus], [ontoggle], [srcdoc]";

async function withPage(fn: (page: Watched, site: ReturnType<typeof serveDist>) => Promise<void>) {
  await ensureBuilt();
  const site = serveDist();
  await using browser = await Browser.launch();
  try {
    const tab = await browser.newTab();
    const page: Watched = { tab, messages: [], navigations: [] };
    browser.listen((event) => {
      if (event.sessionId !== tab.sessionId) return;
      if (event.method === "Runtime.consoleAPICalled") {
        const args = event.params.args as { value?: unknown }[];
        page.messages.push(args.map((arg) => String(arg.value)).join(" "));
      } else if (event.method === "Page.frameNavigated") {
        page.navigations.push(String((event.params.frame as { url: string }).url));
      }
    });
    await tab.goto(`${site.origin}/`);
    for (let i = 0; i < 100; i++) {
      const ready = await tab.evaluate<boolean>("document.body.dataset.generation !== undefined");
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await fn(page, site);
  } finally {
    await site.server.shutdown();
  }
}

/** Pastes `text` into the page's input and waits until the page has analysed it. */
async function paste({ tab }: Watched, text: string): Promise<void> {
  const before = await tab.evaluate<string>("document.body.dataset.generation ?? ''");
  await tab.evaluate(`(() => {
    const input = document.getElementById("html-input");
    input.focus();
    input.value = ${JSON.stringify(text)};
    input.dispatchEvent(new Event("paste"));
    input.dispatchEvent(new Event("input"));
  })()`);
  for (let i = 0; i < 100; i++) {
    const now = await tab.evaluate<string>("document.body.dataset.generation ?? ''");
    if (now !== before) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("The page did not analyse the pasted text");
}

Deno.test({
  name: "pasted script-injection payloads never run, load nothing, and stay out of the page's DOM",
  ignore: !CHROMIUM,
  fn: async () => {
    await withPage(async (page, site) => {
      const beacon = `${site.origin}/beacon`;
      const baseline = await page.tab.evaluate<number>(
        `document.querySelectorAll(${JSON.stringify(DANGER)}).length`,
      );
      const pageUrl = `${site.origin}/`;
      const all = PAYLOADS.map((payload) => payload.replaceAll("B/", `${beacon}/`));
      const documents = [
        ...all,
        all.join("\n"),
        // The same payloads as the body of a raw HTTP response, and in its headers.
        `HTTP/1.1 200 OK\r\nX-Evil: ${all[0]}\r\nContent-Type: text/html\r\n\r\n${all.join("")}`,
      ];
      for (const text of documents) {
        await paste(page, text);
        // Links in the page's lists: click every one, as a curious user would (not the page's
        // own link to the graph page, which leaves it).
        await page.tab.evaluate(`(() => {
          for (const a of document.querySelectorAll("main a")) a.click();
        })()`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const pwned = page.messages.filter((message) => message.includes("PWNED"));
      assert.deepEqual(pwned, [], "a payload ran");
      const beacons = site.requests.filter((path) => path.startsWith("/beacon"));
      assert.deepEqual(beacons, [], "a payload loaded something");
      const inserted = await page.tab.evaluate<number>(
        `document.querySelectorAll(${JSON.stringify(DANGER)}).length`,
      );
      assert.equal(inserted, baseline, "markup from the paste reached the page's document");
      const jsLinks = await page.tab.evaluate<number>(
        `[...document.querySelectorAll("a[href]")].filter((a) =>
          /^\\s*javascript:/i.test(a.getAttribute("href"))).length`,
      );
      assert.equal(jsLinks, 0, "a javascript: link is in the page");
      assert.equal(await page.tab.evaluate<string>("location.href"), pageUrl, "the page navigated");
      assert(
        page.navigations.every((url) => url === pageUrl || url === "about:blank"),
        `navigations: ${page.navigations.join(", ")}`,
      );
      // The payload text is shown as text: the last paste's hrefs appear in the lists.
      const shown = await page.tab.evaluate<string>("document.body.textContent");
      assert(shown.includes("javascript:console.log('PWNED href')"), "the hrefs are not listed");
      // The detectors work: markup inserted on purpose is counted, a console line is seen.
      await page.tab.evaluate(`document.body.insertAdjacentHTML("beforeend",
        '<img id="control" src="data:," onerror="void 0">')`);
      assert.equal(
        await page.tab.evaluate<number>(
          `document.querySelectorAll(${JSON.stringify(DANGER)}).length`,
        ),
        baseline + 1,
        "the DOM check does not see inserted markup",
      );
      await page.tab.evaluate(
        `document.getElementById("control").remove(); console.log("PWNED control")`,
      );
      for (let i = 0; i < 20 && !page.messages.includes("PWNED control"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert(page.messages.includes("PWNED control"), "the console check sees nothing");
      // The pasted text is still exactly what was pasted (no textarea breakout).
      assert.equal(
        await page.tab.evaluate<string>("document.getElementById('html-input').value"),
        documents.at(-1)!.replace(/\r\n?/g, "\n"),
      );
    });
  },
});

Deno.test({
  name: "the page's own Content Security Policy blocks inline script",
  ignore: !CHROMIUM,
  fn: async () => {
    await withPage(async (page) => {
      const ran = await page.tab.evaluate<boolean>(`new Promise((resolve) => {
        window.__inlineRan = false;
        let violated = false;
        document.addEventListener("securitypolicyviolation", () => violated = true);
        const script = document.createElement("script");
        script.textContent = "window.__inlineRan = true;";
        document.body.append(script);
        const handler = document.createElement("div");
        handler.setAttribute("onclick", "window.__inlineRan = true;");
        document.body.append(handler);
        handler.click();
        setTimeout(() => resolve(window.__inlineRan || !violated), 200);
      })`);
      assert.equal(ran, false, "inline script ran, or no CSP violation was reported");
      const policy = await page.tab.evaluate<string>(
        `document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? ""`,
      );
      assert.match(policy, /script-src 'self'/);
      assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
    });
  },
});

Deno.test("the page's build flags are written once: the task and the shebang say the same", () => {
  const flags = BUILD_FLAGS.join(" ");
  const tasks = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)).tasks;
  assert(tasks["build:web"].includes(`--no-prompt ${flags} web/build.ts`), tasks["build:web"]);
  assert(tasks.web.includes(`--no-prompt ${flags} `), tasks.web);
  for (const file of ["web/build.ts", "web/serve.ts"]) {
    const shebang = Deno.readTextFileSync(`${ROOT}/${file}`).split("\n", 1)[0];
    assert(shebang.includes(`--no-prompt ${flags}`), `${file}: ${shebang}`);
  }
});
