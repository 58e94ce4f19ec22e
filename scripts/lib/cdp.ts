// Copyright netprog authors. MIT license.

/**
 * A small client of the Chrome DevTools Protocol over Deno's WebSocket, enough
 * to drive headless Chromium (Debian's `chromium`): start it with a throwaway
 * profile, open a tab, evaluate script, listen for events, take a screenshot,
 * and stop it again, killing it and removing its profile whatever happened.
 * `scripts/make_cover.ts` paints the mirror's cover image with it; the page's
 * tests and `web/bench.ts` drive the page with it. Deno only.
 *
 * What it needs: `--allow-run=chromium` to start the browser,
 * `--allow-net=127.0.0.1` for the DevTools WebSocket on loopback, and
 * `--allow-read=/tmp --allow-write=/tmp` for the profile folder.
 *
 * @module
 */

import { RunError } from "./errors.ts";
import { watchdog, within } from "./time_limit.ts";

/**
 * The flags of a quiet, throwaway headless Chromium: no sandbox (it runs as
 * root in containers), no GPU, no QUIC, no first-run page, and no traffic of
 * its own (updates, sync, background requests). {@linkcode Browser.launch}
 * adds `--remote-debugging-port=0` and `--user-data-dir`; a one-shot run such
 * as `--dump-dom` adds its own.
 *
 * @example Starting a one-shot Chromium that prints a page's DOM
 * ```ts
 * import { CHROMIUM_FLAGS } from "./cdp.ts";
 * import assert from "node:assert/strict";
 *
 * const args = [...CHROMIUM_FLAGS, "--user-data-dir=/tmp/profile", "--dump-dom", "file:///tmp/a.html"];
 * assert.equal(args[0], "--headless");
 * assert(args.includes("--no-sandbox") && args.includes("--disable-quic"));
 * ```
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** How long Chromium may take to print its DevTools address, in milliseconds. */
const START_TIMEOUT_MS = 30_000;
/** How long Chromium may take to exit after SIGTERM before it gets SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;

/**
 * Whether Chromium can be started: runs `chromium --version`.
 *
 * @returns `true` when it ran and succeeded, `false` when it is not installed.
 *
 * @example Skipping a browser test when Chromium is absent
 * ```ts
 * import { hasChromium } from "./cdp.ts";
 * import assert from "node:assert/strict";
 *
 * const present = await hasChromium();
 * assert.equal(typeof present, "boolean");
 * ```
 */
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

/**
 * Finds the DevTools address in what Chromium printed on stderr.
 *
 * @param text Chromium's stderr so far.
 * @returns The `ws://` address, or `null` when it has not printed it yet.
 *
 * @example The line Chromium prints once it listens
 * ```ts
 * import { devToolsUrl } from "./cdp.ts";
 * import assert from "node:assert/strict";
 *
 * const stderr = "[0101/000000.000:WARNING] noise\n" +
 *   "DevTools listening on ws://127.0.0.1:41005/devtools/browser/0b5c\n";
 * assert.equal(devToolsUrl(stderr), "ws://127.0.0.1:41005/devtools/browser/0b5c");
 * assert.equal(devToolsUrl("[0101/000000.000:WARNING] noise\n"), null);
 * ```
 */
export function devToolsUrl(text: string): string | null {
  return /DevTools listening on (ws:\/\/\S+)/.exec(text)?.[1] ?? null;
}

/** One event from the browser. */
export interface CdpEvent {
  /** The event's name, such as `Page.loadEventFired`. */
  method: string;
  /** Its parameters. */
  params: Record<string, unknown>;
  /** The tab it came from, for events of an attached tab. */
  sessionId?: string;
}

/** Options for {@linkcode Browser.launch}. */
export interface LaunchOptions {
  /** More flags after {@linkcode CHROMIUM_FLAGS}, such as `--hide-scrollbars`. */
  flags?: readonly string[];
}

/** A Chromium process started by {@linkcode Browser.launch}, and what is left to clean up. */
interface Launched {
  process: Deno.ChildProcess;
  profile: string;
  /** Reads the rest of stderr, so that Chromium never blocks on a full pipe. */
  stderr: ReadableStreamDefaultReader<string>;
  drained: Promise<void>;
}

/**
 * Headless Chromium and a DevTools connection to it: commands with numbered
 * answers, events to listeners, tabs. {@linkcode Browser.launch} starts a new
 * Chromium; {@linkcode Browser.connect} talks to any DevTools endpoint.
 * {@linkcode Browser.close} (or `await using`) closes the connection and, for
 * a launched Chromium, stops it and removes its profile.
 *
 * @example Commands and events, against a stand-in for Chromium's endpoint
 * ```ts
 * import { Browser } from "./cdp.ts";
 * import assert from "node:assert/strict";
 *
 * // It announces every command in an event, then answers with its name.
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onmessage = (message) => {
 *     const { id, method } = JSON.parse(message.data);
 *     socket.send(JSON.stringify({ method: "Fake.received", params: { method } }));
 *     socket.send(JSON.stringify({ id, result: { answered: method } }));
 *   };
 *   return response;
 * });
 * const browser = await Browser.connect(`ws://127.0.0.1:${server.addr.port}/`);
 * const events: string[] = [];
 * browser.listen((event) => events.push(`${event.method} ${event.params.method}`));
 * assert.deepEqual(await browser.send("Browser.getVersion"), { answered: "Browser.getVersion" });
 * assert.deepEqual(events, ["Fake.received Browser.getVersion"]);
 * await browser.close();
 * await server.shutdown();
 * ```
 */
export class Browser implements AsyncDisposable {
  #socket: WebSocket;
  #launched: Launched | undefined;
  #next = 0;
  #waiting = new Map<
    number,
    { method: string; resolve(v: unknown): void; reject(e: Error): void }
  >();
  #listeners = new Set<(event: CdpEvent) => void>();
  #closing: Promise<void> | undefined;
  /** Resolves when the DevTools connection has closed, for whatever reason. */
  readonly closed: Promise<void>;

  private constructor(socket: WebSocket, launched?: Launched) {
    this.#socket = socket;
    this.#launched = launched;
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", () => {
        for (const [id, waiter] of this.#waiting) {
          this.#waiting.delete(id);
          waiter.reject(
            new RunError("chromium stopped answering", `no answer to ${waiter.method}`),
          );
        }
        resolve();
      });
    });
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.id === undefined) {
        for (const listener of this.#listeners) listener(data);
        return;
      }
      const waiter = this.#waiting.get(data.id);
      if (waiter === undefined) return;
      this.#waiting.delete(data.id);
      if (data.error) {
        waiter.reject(new RunError(`chromium refused ${waiter.method}`, data.error.message));
      } else waiter.resolve(data.result);
    });
  }

  /**
   * Starts headless Chromium with a new profile in the temporary folder and
   * connects to it. If anything fails on the way, Chromium is killed and the
   * profile removed before the error is thrown.
   *
   * @param options More flags.
   * @returns The connected browser.
   *
   * @example Opening a page (needs Chromium; skipped here when it is absent)
   * ```ts
   * import { Browser, hasChromium } from "./cdp.ts";
   * import assert from "node:assert/strict";
   *
   * if (await hasChromium()) {
   *   await using browser = await Browser.launch();
   *   const tab = await browser.newTab();
   *   await tab.goto("data:text/html,<title>netprog</title>");
   *   assert.equal(await tab.evaluate("document.title"), "netprog");
   * }
   * ```
   */
  static async launch(options: LaunchOptions = {}): Promise<Browser> {
    const profile = await Deno.makeTempDir({ prefix: "netprog-chromium-" });
    let process: Deno.ChildProcess;
    try {
      process = new Deno.Command("chromium", {
        args: [
          ...CHROMIUM_FLAGS,
          "--remote-debugging-port=0",
          `--user-data-dir=${profile}`,
          ...options.flags ?? [],
          "about:blank",
        ],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      await removeProfile(profile);
      if (error instanceof Deno.errors.NotFound) {
        throw new RunError("cannot start chromium", "not installed (apt-get install chromium)");
      }
      throw error;
    }
    const stderr = process.stderr.pipeThrough(new TextDecoderStream()).getReader();
    const launched: Launched = { process, profile, stderr, drained: Promise.resolve() };
    try {
      const url = await readDevToolsUrl(stderr);
      launched.drained = (async () => {
        while (!(await stderr.read()).done) { /* discard */ }
      })().catch(() => {});
      return new Browser(await openSocket(url), launched);
    } catch (error) {
      await stopChromium(launched, "SIGKILL");
      throw error;
    }
  }

  /**
   * Connects to a DevTools endpoint that is already running, such as a
   * Chromium started with `--remote-debugging-port`. Closing the connection
   * leaves that browser running.
   *
   * @param url The endpoint's `ws://` address.
   * @returns The connected browser.
   *
   * @example Nothing listening
   * ```ts
   * import { Browser } from "./cdp.ts";
   * import assert from "node:assert/strict";
   *
   * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const { port } = listener.addr;
   * listener.close();
   * await assert.rejects(Browser.connect(`ws://127.0.0.1:${port}/`), /cannot talk to chromium/);
   * ```
   */
  static async connect(url: string): Promise<Browser> {
    return new Browser(await openSocket(url));
  }

  /**
   * The profile folder of a launched Chromium, removed by {@linkcode Browser.close};
   * `undefined` for a connection made with {@linkcode Browser.connect}.
   *
   * @returns The folder's path.
   *
   * @example A connection has no profile of its own
   * ```ts
   * import { Browser } from "./cdp.ts";
   * import assert from "node:assert/strict";
   *
   * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
   *   const { response } = Deno.upgradeWebSocket(request);
   *   return response;
   * });
   * const browser = await Browser.connect(`ws://127.0.0.1:${server.addr.port}/`);
   * assert.equal(browser.profile, undefined);
   * await browser.close();
   * await server.shutdown();
   * ```
   */
  get profile(): string | undefined {
    return this.#launched?.profile;
  }

  /**
   * Sends a command and waits for its answer.
   *
   * @param method The command, such as `Target.createTarget`.
   * @param params Its parameters.
   * @param sessionId The tab to send it to; the browser itself when absent.
   * @returns The command's result; it rejects with the browser's error message
   * when the browser refuses the command or the connection closes first.
   *
   * @example A command the browser refuses
   * ```ts
   * import { Browser } from "./cdp.ts";
   * import assert from "node:assert/strict";
   *
   * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = Deno.upgradeWebSocket(request);
   *   socket.onmessage = (message) => {
   *     const { id } = JSON.parse(message.data);
   *     socket.send(JSON.stringify({ id, error: { code: -32000, message: "No target" } }));
   *   };
   *   return response;
   * });
   * const browser = await Browser.connect(`ws://127.0.0.1:${server.addr.port}/`);
   * await assert.rejects(
   *   browser.send("Page.navigate", { url: "about:blank" }, "S9"),
   *   { message: "chromium refused Page.navigate: No target" },
   * );
   * await browser.close();
   * await assert.rejects(browser.send("Browser.getVersion"), /the connection is closed/);
   * await server.shutdown();
   * ```
   */
  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<T> {
    if (this.#socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new RunError(`cannot send ${method}`, "the connection is closed"));
    }
    const id = ++this.#next;
    this.#socket.send(JSON.stringify({ id, method, params, sessionId }));
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  /**
   * Calls `listener` with every event, from every tab, until told to stop.
   *
   * @param listener Called with each event.
   * @returns A function that removes the listener.
   */
  listen(listener: (event: CdpEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Opens a new tab on `about:blank`, with the Page and Runtime domains enabled.
   *
   * @returns The tab.
   */
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

  /**
   * Closes the connection; for a launched Chromium, also stops it (SIGTERM,
   * then SIGKILL if it lingers) and removes its profile. Calling it again
   * waits for the first call.
   *
   * @returns When everything is cleaned up; it rejects only when the profile
   * folder cannot be removed.
   */
  close(): Promise<void> {
    return this.#closing ??= (async () => {
      this.#socket.close();
      await within(this.closed, STOP_TIMEOUT_MS);
      if (this.#launched !== undefined) await stopChromium(this.#launched, "SIGTERM");
    })();
  }

  /**
   * Same as {@linkcode Browser.close}, for `await using`.
   *
   * @returns When everything is cleaned up.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * One tab of the browser, attached with its own DevTools session. It
 * dismisses every dialog the page opens and keeps the messages of the
 * dialogs and of the exceptions the page threw.
 *
 * @example Evaluating script, against a stand-in that gives every command the same answer
 * ```ts
 * import { Browser } from "./cdp.ts";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onmessage = (message) => {
 *     const { id } = JSON.parse(message.data);
 *     const result = { targetId: "T1", sessionId: "S1", result: { value: 42 } };
 *     socket.send(JSON.stringify({ id, result }));
 *   };
 *   return response;
 * });
 * const browser = await Browser.connect(`ws://127.0.0.1:${server.addr.port}/`);
 * const tab = await browser.newTab();
 * assert.equal(tab.sessionId, "S1");
 * assert.equal(await tab.evaluate("6 * 7"), 42);
 * assert.deepEqual(tab.exceptions, []);
 * await browser.close();
 * await server.shutdown();
 * ```
 */
export class Tab {
  #browser: Browser;
  /** The DevTools session of this tab. */
  readonly sessionId: string;
  /** Messages of the dialogs (alert, confirm, prompt) the page tried to open. */
  readonly dialogs: string[] = [];
  /** Exceptions the page threw, as DevTools describes them. */
  readonly exceptions: string[] = [];

  /**
   * Follows the events of a tab {@linkcode Browser.newTab} attached.
   *
   * @param browser The browser.
   * @param sessionId The tab's session.
   */
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

  /**
   * Sends a command to this tab.
   *
   * @param method The command, such as `Emulation.setEmulatedMedia`.
   * @param params Its parameters.
   * @returns The command's result.
   */
  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<T> {
    return this.#browser.send<T>(method, params, this.sessionId);
  }

  /**
   * Navigates and waits for the load event.
   *
   * @param url Where to go.
   * @returns When the page has loaded; it rejects when the navigation fails
   * or the connection closes first.
   */
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
      if (result.errorText) throw new RunError(`cannot open ${url}`, result.errorText);
      await Promise.race([
        loaded,
        this.#browser.closed.then(() => {
          throw new RunError(`cannot open ${url}`, "the connection closed before it loaded");
        }),
      ]);
    } finally {
      stop();
    }
  }

  /**
   * Evaluates an expression in the page, awaiting it if it is a promise.
   *
   * @param expression JavaScript source.
   * @returns Its value, passed as JSON; it rejects when the page throws.
   */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send<{
      result: { value?: T };
      exceptionDetails?: { exception?: { description?: string }; text: string };
    }>("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    if (exceptionDetails !== undefined) {
      throw new RunError(
        "the page threw",
        exceptionDetails.exception?.description ?? exceptionDetails.text,
      );
    }
    return result.value as T;
  }

  /**
   * Takes a screenshot of the rectangle (0, 0, width, height) of the page,
   * with the viewport set to that size.
   *
   * @param width The width, in CSS pixels.
   * @param height The height, in CSS pixels.
   * @param options The format (PNG unless told) and, for JPEG, the quality from 0 to 100.
   * @returns The image file's bytes.
   */
  async screenshot(
    width: number,
    height: number,
    options: { format?: "png" | "jpeg"; quality?: number } = {},
  ): Promise<Uint8Array> {
    await this.send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    const { data } = await this.send<{ data: string }>("Page.captureScreenshot", {
      format: options.format ?? "png",
      ...(options.quality === undefined ? {} : { quality: options.quality }),
      clip: { x: 0, y: 0, width, height, scale: 1 },
    });
    return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  }
}

/** Reads Chromium's stderr until it prints its DevTools address. */
async function readDevToolsUrl(stderr: ReadableStreamDefaultReader<string>): Promise<string> {
  let text = "";
  let timedOut = false;
  const cancelTimer = watchdog(START_TIMEOUT_MS, () => {
    timedOut = true;
    stderr.cancel().catch(() => {});
  });
  try {
    while (true) {
      const { value, done } = await stderr.read();
      if (done) break;
      text += value;
      const url = devToolsUrl(text);
      if (url !== null) return url;
    }
  } finally {
    cancelTimer();
  }
  const last = text.trim().split("\n").pop() || "it printed nothing";
  throw new RunError(
    "cannot start chromium",
    timedOut ? `no DevTools address after ${START_TIMEOUT_MS / 1000} seconds` : last,
  );
}

/** Opens the DevTools WebSocket. */
async function openSocket(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () =>
      reject(new RunError("cannot talk to chromium", `no WebSocket at ${url}`));
  });
  socket.onopen = socket.onerror = null;
  return socket;
}

/** Stops a launched Chromium, lets go of its stderr and removes its profile. */
async function stopChromium(launched: Launched, signal: Deno.Signal): Promise<void> {
  const { process, profile, stderr, drained } = launched;
  const kill = (signal: Deno.Signal) => {
    try {
      process.kill(signal);
    } catch { /* already gone */ }
  };
  kill(signal);
  const cancelKill = watchdog(STOP_TIMEOUT_MS, () => kill("SIGKILL"));
  await process.status;
  cancelKill();
  // Its helper processes hold stderr until they are gone too; do not wait forever.
  await within(drained, 2_000);
  await stderr.cancel().catch(() => {});
  await drained;
  await removeProfile(profile);
}

/** Removes a profile folder; Chromium's helper processes may still write to it for a moment. */
async function removeProfile(profile: string): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      await Deno.remove(profile, { recursive: true });
      return;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      if (attempt === 20 || error instanceof Deno.errors.NotCapable) {
        const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
        throw new RunError(`cannot remove ${profile}`, why);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
