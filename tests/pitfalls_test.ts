// Copyright netprog authors. MIT license.

/**
 * The project's own HTML fixtures (tests/fixtures/pitfalls/): one small page,
 * written for this project, for each parsing rule a link extractor trips on
 * (`<noscript>`, `<template>`, misnested `<a>`, a stray `</p>`, duplicate,
 * upper-case and unquoted attributes, character references in URLs, links in
 * comments, scripts and styles, `<base href>`). `expected.json` holds, for
 * each page, what Chromium's `DOMParser` gives: the hrefs of `a[href]` in
 * document order and the number of `p` elements, the same shape as the
 * corpus answers (tests/corpus_test.ts).
 *
 * These tests always run, with or without the external corpus: the scripts'
 * parser with the core's `extractLinksDom` and `countParagraphs` must give
 * the expected answers, and, when Chromium is installed, Chromium must still
 * give them too, so that an expectation cannot drift from the browser.
 */

import assert from "node:assert/strict";
import { DOMParser } from "../scripts/lib/dom.ts";
import { countParagraphs, extractLinksDom } from "../mod.ts";
import { Browser, hasChromium } from "../scripts/lib/cdp.ts";

/** What a page should give: `a[href]` hrefs in document order and the `p` count. */
interface Answer {
  hrefs: string[];
  p: number;
}

/** One fixture: its name, what it tests, its markup and Chromium's answer. */
interface Pitfall {
  id: string;
  what: string;
  html: string;
  expected: Answer;
}

const FIXTURES = new URL("./fixtures/pitfalls/", import.meta.url);

/** The fixtures `NAME.html` with their entries in `expected.json`, sorted by name. */
async function loadPitfalls(): Promise<{ pitfalls: Pitfall[]; problems: string[] }> {
  const expected: Record<string, Answer & { what: string }> = JSON.parse(
    await Deno.readTextFile(new URL("expected.json", FIXTURES)),
  );
  const names: string[] = [];
  for await (const entry of Deno.readDir(FIXTURES)) {
    if (entry.isFile && entry.name.endsWith(".html")) names.push(entry.name.slice(0, -5));
  }
  names.sort();
  const problems = [
    ...names.filter((id) => !(id in expected)).map((id) => `${id}.html: no expected answer`),
    ...Object.keys(expected).filter((id) => !names.includes(id)).map((id) =>
      `${id}: an expected answer without ${id}.html`
    ),
  ];
  const decoder = new TextDecoder();
  const pitfalls: Pitfall[] = [];
  for (const id of names.filter((name) => name in expected)) {
    const html = decoder.decode(await Deno.readFile(new URL(`${id}.html`, FIXTURES)));
    const { what, hrefs, p } = expected[id];
    pitfalls.push({ id, what, html, expected: { hrefs, p } });
  }
  return { pitfalls, problems };
}

const { pitfalls, problems } = await loadPitfalls();

/** Our answer: the scripts' parser, then the core's functions, as urllinks and exercise4 do. */
function ourAnswer(html: string): Answer {
  const doc = new DOMParser().parseFromString(html, "text/html");
  return {
    hrefs: extractLinksDom(doc).filter((href): href is string => href !== null),
    p: countParagraphs(doc),
  };
}

Deno.test("pitfalls: every fixture has its expected answer, and every answer its fixture", () => {
  assert.deepEqual(problems, []);
  assert.ok(pitfalls.length >= 11, `only ${pitfalls.length} fixtures`);
  for (const { id, what, expected } of pitfalls) {
    assert.ok(what.length > 0, `${id}: says what it tests`);
    assert.ok(expected.p >= 0 && expected.hrefs.every((href) => typeof href === "string"), id);
  }
});

Deno.test("pitfalls: the scripts' parser and the core give Chromium's hrefs and p count", async (t) => {
  for (const { id, what, html, expected } of pitfalls) {
    await t.step(id, () => {
      assert.deepEqual(ourAnswer(html), expected, `${id}: ${what}`);
    });
  }
});

const CHROMIUM = await hasChromium();
if (!CHROMIUM) {
  console.error(
    "SKIP: pitfalls: Chromium's own answers: chromium is not installed " +
      "(apt-get install -y chromium); the fixtures' expectations are not checked against it",
  );
}

/** Runs in an about:blank tab: Chromium's `DOMParser` answer for each fixture. */
function browserProgram(cases: { id: string; html: string }[]): string {
  return `(() => {
    const answers = {};
    for (const c of ${JSON.stringify(cases)}) {
      const doc = new DOMParser().parseFromString(c.html, "text/html");
      answers[c.id] = {
        hrefs: Array.from(doc.querySelectorAll("a[href]"), (a) => a.getAttribute("href")),
        p: doc.querySelectorAll("p").length,
      };
    }
    return answers;
  })()`;
}

Deno.test({
  name: "pitfalls: Chromium's own DOMParser still gives every expected answer",
  ignore: !CHROMIUM,
  async fn() {
    await using browser = await Browser.launch();
    const tab = await browser.newTab();
    const answers = await tab.evaluate<Record<string, Answer>>(
      browserProgram(pitfalls.map(({ id, html }) => ({ id, html }))),
    );
    const drifted = pitfalls
      .filter(({ id, expected }) => JSON.stringify(answers[id]) !== JSON.stringify(expected))
      .map(({ id, expected }) =>
        `${id}: expected ${JSON.stringify(expected)}, Chromium ${JSON.stringify(answers[id])}`
      );
    assert.deepEqual(drifted, []);
    assert.equal(Object.keys(answers).length, pitfalls.length);
  },
});
