// Copyright netprog authors. MIT license.

// The web page in headless Chromium, fed script-injection payloads: none runs, none reaches the
// page's own document as markup, nothing is loaded from the network, and the page's own Content
// Security Policy (its meta tag: the page is served here without a CSP header) blocks inline
// script. Without Chromium the tests say SKIP loudly.

import assert from "node:assert/strict";
import { chromiumPath, ROOT } from "./_helpers.ts";

const CHROMIUM = chromiumPath();
if (CHROMIUM === null) {
  console.log("SKIP: chromium is not installed; the web security tests are ignored");
}

/** A page target driven over the DevTools protocol. */
class Page {
  #socket: WebSocket;
  #next = 1;
  #waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  /** Every console message and uncaught exception, from every frame. */
  readonly messages: string[] = [];
  /** Every URL a frame navigated to. */
  readonly navigations: string[] = [];

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data));
      if (message.id !== undefined) {
        const waiter = this.#waiting.get(message.id);
        this.#waiting.delete(message.id);
        if (message.error) waiter?.reject(new Error(JSON.stringify(message.error)));
        else waiter?.resolve(message.result);
      } else if (message.method === "Runtime.consoleAPICalled") {
        this.messages.push(
          message.params.args.map((arg: { value?: unknown }) => String(arg.value)).join(" "),
        );
      } else if (message.method === "Runtime.exceptionThrown") {
        this.messages.push(`exception: ${message.params.exceptionDetails.text}`);
      } else if (message.method === "Page.frameNavigated") {
        this.navigations.push(message.params.frame.url);
      }
    };
  }

  static async connect(url: string): Promise<Page> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error(`Cannot connect to ${url}`));
    });
    return new Page(socket);
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.#next++;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    this.#waiting.set(id, { resolve, reject });
    this.#socket.send(JSON.stringify({ id, method, params }));
    return promise;
  }

  /** Evaluates an expression in the page and returns its value (awaiting promises). */
  async evaluate<T>(expression: string): Promise<T> {
    const result = await this.send("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
    }) as { result: { value: T }; exceptionDetails?: { text: string } };
    if (result.exceptionDetails) throw new Error(`Page threw: ${result.exceptionDetails.text}`);
    return result.result.value;
  }

  close(): void {
    this.#socket.close();
  }
}

/** Starts headless Chromium; returns the page target's socket URL and a way to stop it. */
async function startChromium(): Promise<{ pageSocket: string; stop(): Promise<void> }> {
  const profile = await Deno.makeTempDir({ prefix: "netprog-chromium-" });
  const child = new Deno.Command(CHROMIUM!, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let port = 0;
  const deadline = setTimeout(() => child.kill("SIGKILL"), 30_000);
  while (port === 0) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`Cannot start chromium: ${seen}`);
    seen += value;
    const m = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(seen);
    if (m) port = Number(m[1]);
  }
  clearTimeout(deadline);
  const draining = (async () => {
    while (!(await reader.read()).done) { /* keep the pipe empty */ }
  })().catch(() => {});
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
    type: string;
    webSocketDebuggerUrl: string;
  }[];
  const page = targets.find((target) => target.type === "page");
  assert(page, "no page target");
  return {
    pageSocket: page.webSocketDebuggerUrl,
    stop: async () => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await draining;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
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
      "--allow-run=deno",
      "--allow-read=web,core,mod.ts,deno.json",
      "--allow-write=web/dist",
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

async function withPage(fn: (page: Page, site: ReturnType<typeof serveDist>) => Promise<void>) {
  await ensureBuilt();
  const site = serveDist();
  const chromium = await startChromium();
  const page = await Page.connect(chromium.pageSocket);
  try {
    await page.send("Runtime.enable");
    await page.send("Page.enable");
    await page.send("Page.navigate", { url: `${site.origin}/` });
    for (let i = 0; i < 100; i++) {
      const ready = await page.evaluate<boolean>(
        "document.readyState === 'complete' && document.body.dataset.generation !== undefined",
      ).catch(() => false);
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await fn(page, site);
  } finally {
    page.close();
    await chromium.stop();
    await site.server.shutdown();
  }
}

/** Pastes `text` into the page's input and waits until the page has analysed it. */
async function paste(page: Page, text: string): Promise<void> {
  const before = await page.evaluate<string>("document.body.dataset.generation ?? ''");
  await page.evaluate(`(() => {
    const input = document.getElementById("html-input");
    input.focus();
    input.value = ${JSON.stringify(text)};
    input.dispatchEvent(new Event("paste"));
    input.dispatchEvent(new Event("input"));
  })()`);
  for (let i = 0; i < 100; i++) {
    const now = await page.evaluate<string>("document.body.dataset.generation ?? ''");
    if (now !== before) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("The page did not analyse the pasted text");
}

Deno.test({
  name: "pasted script-injection payloads never run, load nothing, and stay out of the page's DOM",
  ignore: CHROMIUM === null,
  fn: async () => {
    await withPage(async (page, site) => {
      const beacon = `${site.origin}/beacon`;
      const baseline = await page.evaluate<number>(
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
        // Links in the page's lists: click every one, as a curious user would.
        await page.evaluate(`(() => {
          for (const a of document.querySelectorAll("a")) a.click();
        })()`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const pwned = page.messages.filter((message) => message.includes("PWNED"));
      assert.deepEqual(pwned, [], "a payload ran");
      const beacons = site.requests.filter((path) => path.startsWith("/beacon"));
      assert.deepEqual(beacons, [], "a payload loaded something");
      const inserted = await page.evaluate<number>(
        `document.querySelectorAll(${JSON.stringify(DANGER)}).length`,
      );
      assert.equal(inserted, baseline, "markup from the paste reached the page's document");
      const jsLinks = await page.evaluate<number>(
        `[...document.querySelectorAll("a[href]")].filter((a) =>
          /^\\s*javascript:/i.test(a.getAttribute("href"))).length`,
      );
      assert.equal(jsLinks, 0, "a javascript: link is in the page");
      assert.equal(await page.evaluate<string>("location.href"), pageUrl, "the page navigated");
      assert(
        page.navigations.every((url) => url === pageUrl || url === "about:blank"),
        `navigations: ${page.navigations.join(", ")}`,
      );
      // The payload text is shown as text: the last paste's hrefs appear in the lists.
      const shown = await page.evaluate<string>("document.body.textContent");
      assert(shown.includes("javascript:console.log('PWNED href')"), "the hrefs are not listed");
      // The detectors work: markup inserted on purpose is counted, a console line is seen.
      await page.evaluate(`document.body.insertAdjacentHTML("beforeend",
        '<img id="control" src="data:," onerror="void 0">')`);
      assert.equal(
        await page.evaluate<number>(`document.querySelectorAll(${JSON.stringify(DANGER)}).length`),
        baseline + 1,
        "the DOM check does not see inserted markup",
      );
      await page.evaluate(
        `document.getElementById("control").remove(); console.log("PWNED control")`,
      );
      for (let i = 0; i < 20 && !page.messages.includes("PWNED control"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert(page.messages.includes("PWNED control"), "the console check sees nothing");
      // The pasted text is still exactly what was pasted (no textarea breakout).
      assert.equal(
        await page.evaluate<string>("document.getElementById('html-input').value"),
        documents.at(-1)!.replace(/\r\n?/g, "\n"),
      );
    });
  },
});

Deno.test({
  name: "the page's own Content Security Policy blocks inline script",
  ignore: CHROMIUM === null,
  fn: async () => {
    await withPage(async (page) => {
      const ran = await page.evaluate<boolean>(`new Promise((resolve) => {
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
      const policy = await page.evaluate<string>(
        `document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? ""`,
      );
      assert.match(policy, /script-src 'self'/);
      assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
    });
  },
});
