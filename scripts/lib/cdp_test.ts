// Copyright netprog authors. MIT license.

/** The DevTools client: against a stand-in endpoint, and against headless Chromium. */

import assert from "node:assert/strict";
import { Browser, type CdpEvent, hasChromium } from "./cdp.ts";

/** A DevTools endpoint on loopback whose answers `answer` decides (none when it returns null). */
function fakeEndpoint(answer: (method: string, params: Record<string, unknown>) => unknown) {
  const sockets: WebSocket[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    sockets.push(socket);
    socket.onmessage = (message) => {
      const { id, method, params } = JSON.parse(message.data);
      const result = answer(method, params);
      if (result !== null) socket.send(JSON.stringify({ id, result }));
    };
    return response;
  });
  return { url: `ws://127.0.0.1:${server.addr.port}/`, server, sockets };
}

Deno.test("a command still waiting is refused when the connection closes", async () => {
  const fake = fakeEndpoint(() => null);
  const browser = await Browser.connect(fake.url);
  const waiting = browser.send("Page.navigate", { url: "about:blank" });
  while (fake.sockets.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  fake.sockets[0].close();
  await assert.rejects(waiting, {
    message: "chromium stopped answering: no answer to Page.navigate",
  });
  await browser.close();
  await fake.server.shutdown();
});

Deno.test("events reach every listener until it stops listening", async () => {
  const fake = fakeEndpoint((method) => ({ method }));
  const browser = await Browser.connect(fake.url);
  const seen: CdpEvent[] = [];
  const stop = browser.listen((event) => seen.push(event));
  await browser.send("Browser.getVersion");
  while (fake.sockets.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  fake.sockets[0].send(JSON.stringify({ method: "A.one", params: { n: 1 }, sessionId: "S" }));
  await browser.send("Browser.getVersion"); // the event arrived before this answer
  stop();
  fake.sockets[0].send(JSON.stringify({ method: "A.two", params: {} }));
  await browser.send("Browser.getVersion");
  assert.deepEqual(seen, [{ method: "A.one", params: { n: 1 }, sessionId: "S" }]);
  await browser.close();
  await fake.server.shutdown();
});

const CHROMIUM = await hasChromium();
if (!CHROMIUM) {
  console.log("SKIP: chromium is not installed; the cdp tests with Chromium are ignored");
}

Deno.test({
  name: "headless Chromium: a tab evaluates, records exceptions and dialogs, screenshots",
  ignore: !CHROMIUM,
  async fn() {
    const browser = await Browser.launch();
    const profile = browser.profile!;
    try {
      assert(Deno.statSync(profile).isDirectory);
      const tab = await browser.newTab();
      await tab.goto("data:text/html,<title>t</title><p>hello</p>");
      assert.equal(await tab.evaluate("document.querySelector('p').textContent"), "hello");
      assert.equal(await tab.evaluate("Promise.resolve(6 * 7)"), 42);
      await assert.rejects(tab.evaluate("null.x"), /^RunError: the page threw: TypeError/);
      await tab.evaluate("setTimeout(() => { throw new Error('later') }); alert('hi'); 1");
      while (tab.exceptions.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.match(tab.exceptions[0], /Error: later/);
      assert.deepEqual(tab.dialogs, ["hi"]);
      const png = await tab.screenshot(200, 100);
      assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
      const jpeg = await tab.screenshot(200, 100, { format: "jpeg", quality: 50 });
      assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
      await assert.rejects(tab.goto("http://nosuch.invalid/"), /^RunError: cannot open/);
      await assert.rejects(browser.send("No.suchCommand"), /chromium refused No\.suchCommand/);
    } finally {
      await browser.close();
    }
    assert.throws(() => Deno.statSync(profile), Deno.errors.NotFound);
    await browser.close(); // a second close waits for the first
  },
});

Deno.test({
  name: "headless Chromium: a Chromium that dies leaves no waiting command and no profile",
  ignore: !CHROMIUM,
  async fn() {
    const browser = await Browser.launch();
    const profile = browser.profile!;
    const tab = await browser.newTab();
    const never = tab.evaluate("new Promise(() => {})");
    await browser.send("Browser.crash").catch(() => {});
    await assert.rejects(never, /chromium stopped answering/);
    await browser.close();
    assert.throws(() => Deno.statSync(profile), Deno.errors.NotFound);
  },
});
