// Copyright netprog authors. MIT license.

/**
 * A small Chrome DevTools Protocol client over Deno's WebSocket, enough to
 * drive headless Chromium in the page's tests: start the browser, open a tab,
 * evaluate script, listen for events, take a screenshot, close everything.
 *
 * @module
 */

/** Flags for a quiet, throwaway headless Chromium. */
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--remote-debugging-port=0",
];

/** One event from the browser. */
export interface CdpEvent {
  /** The event's name, such as `Page.loadEventFired`. */
  method: string;
  /** Its parameters. */
  params: Record<string, unknown>;
  /** The tab it came from, for events of an attached tab. */
  sessionId?: string;
}

/** Whether Chromium can be started: spawns `chromium --version`. */
export async function hasChromium(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("chromium", {
      args: ["--version"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Reads Chromium's stderr until it prints its DevTools address, then keeps draining it. */
async function devToolsUrl(stderr: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  const timer = setTimeout(() => reader.cancel(), 30_000);
  let text = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (found !== null) {
        (async () => {
          while (!(await reader.read().catch(() => ({ done: true }))).done) { /* drain */ }
        })();
        return found[1];
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`Cannot start chromium: ${text.trim().split("\n").pop() ?? "no output"}`);
}

/** Removes a profile folder; Chromium's helper processes may still write to it for a moment. */
async function removeProfile(profile: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await Deno.remove(profile, { recursive: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A headless Chromium and a DevTools connection to it. */
export class Browser implements AsyncDisposable {
  #process: Deno.ChildProcess;
  #profile: string;
  #socket: WebSocket;
  #next = 0;
  #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #listeners = new Set<(event: CdpEvent) => void>();
  #closed: Promise<void>;

  private constructor(process: Deno.ChildProcess, profile: string, socket: WebSocket) {
    this.#process = process;
    this.#profile = profile;
    this.#socket = socket;
    this.#closed = new Promise((resolve) => socket.addEventListener("close", () => resolve()));
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.id === undefined) {
        for (const listener of this.#listeners) listener(data);
        return;
      }
      const waiter = this.#waiting.get(data.id);
      if (waiter === undefined) return;
      this.#waiting.delete(data.id);
      if (data.error) waiter.reject(new Error(`Chromium refused: ${data.error.message}`));
      else waiter.resolve(data.result);
    });
  }

  /** Starts headless Chromium with a new profile under /tmp and connects to it. */
  static async launch(): Promise<Browser> {
    const profile = await Deno.makeTempDir({ prefix: "netprog-chromium-" });
    const process = new Deno.Command("chromium", {
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "about:blank"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      const url = await devToolsUrl(process.stderr);
      const socket = new WebSocket(url);
      await new Promise((resolve, reject) => {
        socket.onopen = resolve;
        socket.onerror = () => reject(new Error(`Cannot connect to ${url}`));
      });
      return new Browser(process, profile, socket);
    } catch (error) {
      process.kill("SIGKILL");
      await process.status;
      await removeProfile(profile);
      throw error;
    }
  }

  /** Sends a command and resolves with its result. */
  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<T> {
    const id = ++this.#next;
    this.#socket.send(JSON.stringify({ id, method, params, sessionId }));
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
  }

  /** Calls `listener` with every event until the returned function is called. */
  listen(listener: (event: CdpEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Opens a new tab on about:blank, with the Page and Runtime domains enabled. */
  async newTab(): Promise<Tab> {
    const { targetId } = await this.send<{ targetId: string }>("Target.createTarget", {
      url: "about:blank",
    });
    const { sessionId } = await this.send<{ sessionId: string }>("Target.attachToTarget", {
      targetId,
      flatten: true,
    });
    const tab = new Tab(this, sessionId);
    await tab.send("Page.enable");
    await tab.send("Runtime.enable");
    return tab;
  }

  /** Closes the connection, stops Chromium and removes its profile. */
  async close(): Promise<void> {
    this.#socket.close();
    await this.#closed;
    try {
      this.#process.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        this.#process.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 5_000);
    await this.#process.status;
    clearTimeout(timer);
    await removeProfile(this.#profile);
  }

  /** Same as {@linkcode Browser.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** One tab of the browser. */
export class Tab {
  #browser: Browser;
  /** The DevTools session of this tab. */
  readonly sessionId: string;
  /** Messages of dialogs (alert, confirm, prompt) the page tried to open. */
  readonly dialogs: string[] = [];
  /** Exceptions the page threw, as DevTools describes them. */
  readonly exceptions: string[] = [];

  constructor(browser: Browser, sessionId: string) {
    this.#browser = browser;
    this.sessionId = sessionId;
    browser.listen((event) => {
      if (event.sessionId !== sessionId) return;
      if (event.method === "Page.javascriptDialogOpening") {
        this.dialogs.push(String(event.params.message));
        this.send("Page.handleJavaScriptDialog", { accept: false }).catch(() => {});
      } else if (event.method === "Runtime.exceptionThrown") {
        const details = event.params.exceptionDetails as Record<string, unknown>;
        const exception = details.exception as Record<string, unknown> | undefined;
        this.exceptions.push(String(exception?.description ?? details.text));
      }
    });
  }

  /** Sends a command to this tab. */
  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}) {
    return this.#browser.send<T>(method, params, this.sessionId);
  }

  /** Navigates and waits for the load event. */
  async goto(url: string): Promise<void> {
    let stop = () => {};
    const loaded = new Promise<void>((resolve) => {
      stop = this.#browser.listen((event) => {
        if (event.sessionId === this.sessionId && event.method === "Page.loadEventFired") {
          resolve();
        }
      });
    });
    try {
      const result = await this.send<{ errorText?: string }>("Page.navigate", { url });
      if (result.errorText) throw new Error(`Cannot open ${url}: ${result.errorText}`);
      await loaded;
    } finally {
      stop();
    }
  }

  /** Evaluates an expression (awaiting a promise) and returns its value as JSON. */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send<{
      result: { value?: T };
      exceptionDetails?: { exception?: { description?: string }; text: string };
    }>("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    if (exceptionDetails !== undefined) {
      throw new Error(
        `Page threw: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`,
      );
    }
    return result.value as T;
  }

  /** Takes a PNG screenshot of the whole page at the given viewport width. */
  async screenshot(width: number, height: number): Promise<Uint8Array> {
    await this.send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    const { data } = await this.send<{ data: string }>("Page.captureScreenshot", {
      format: "png",
    });
    return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  }
}
