// Copyright netprog authors. MIT license.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

/**
 * The page: paste HTML (or a raw HTTP response) and see what the book's regex
 * finds beside what the browser's own parser finds. This file reads the
 * inputs, parses with the browser's DOMParser and draws; what is drawn is
 * computed by compare.ts. Everything is built with createElement and
 * textContent; pasted markup is only ever handed to DOMParser, whose
 * documents are inert (no script runs, nothing loads).
 *
 * @module
 */

import type { ResponseHead } from "../mod.ts";
import {
  compareLinks,
  countPage,
  decodePage,
  findLinks,
  readPastedText,
  sortWords,
  wordFrequencies,
  type WordSort,
  wordSummary,
} from "./compare.ts";

/** Rows of the word table drawn at once; the rest are counted in a note. */
const WORD_ROWS = 500;
/** Typing waits this long for a pause; a paste or a dropped file does not wait. */
const DEBOUNCE_MS = 250;
/** From this many characters, a paste is painted before it is analysed. */
const BIG_PAGE = 200_000;
/** Where the book's sample page lives; its text is SAMPLE_PAGE. */
const SAMPLE_URL = "http://data.pr4e.org/page1.htm";

/**
 * The text of data/page1.htm, the book's sample page: web/build.ts writes it
 * into main.js as a string, so loading it makes no request.
 */
declare const SAMPLE_PAGE: string;

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`Cannot find element #${id}`);
  return element as T;
}

function make<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  if (className !== undefined) element.className = className;
  return element;
}

// ---------------------------------------------------------------------------
// Drawing the results

const input = byId<HTMLTextAreaElement>("html-input");
const baseInput = byId<HTMLInputElement>("base-url");
const fileInput = byId<HTMLInputElement>("file-input");
const status = byId<HTMLParagraphElement>("status");
const sampleRow = byId<HTMLParagraphElement>("sample-row");
const sampleButton = byId<HTMLButtonElement>("load-sample");

/** The offer of the sample page is shown on an empty box only. */
function showSample(): void {
  sampleRow.hidden = input.value !== "";
}

/** A list of links, one li each whose text is exactly the href. */
function fillLinks(
  list: HTMLElement,
  items: { href: string; resolved?: string; reason?: string }[],
): void {
  const fragment = document.createDocumentFragment();
  for (const item of items) {
    const li = make("li", item.href);
    if (item.resolved !== undefined && item.resolved !== item.href) {
      li.dataset.resolved = item.resolved;
      li.title = item.resolved;
    }
    if (item.reason !== undefined) {
      li.dataset.reason = item.reason;
      li.title = item.reason;
    }
    fragment.append(li);
  }
  list.replaceChildren(fragment);
}

function setCount(id: string, count: number): void {
  byId(id).textContent = count.toLocaleString("en-US");
}

function fillHeaders(head: ResponseHead | null, notes: string[]): void {
  const section = byId("http-section");
  const body = byId<HTMLTableElement>("http-headers").tBodies[0];
  const note = byId("http-note");
  if (head === null && notes.length === 0) {
    section.hidden = true;
    body.replaceChildren();
    return;
  }
  section.hidden = false;
  note.hidden = notes.length === 0;
  note.textContent = notes.join(" ");
  const rows = document.createDocumentFragment();
  if (head !== null) {
    const statusRow = make("tr", undefined, "status-line");
    const name = make("th", "Status line");
    name.scope = "row";
    statusRow.append(name, make("td", `${head.version} ${head.status} ${head.reason}`.trim()));
    rows.append(statusRow);
    for (const [field, value] of head.headers.entries) {
      const row = make("tr");
      const th = make("th", field);
      th.scope = "row";
      row.append(th, make("td", value));
      rows.append(row);
    }
  }
  body.replaceChildren(rows);
}

let wordCounts: [string, number][] = [];
let wordSort: WordSort = { key: "count", descending: true };

function fillWordTable(): void {
  const table = byId<HTMLTableElement>("word-table");
  const { key, descending } = wordSort;
  const rows = document.createDocumentFragment();
  for (const [word, count] of sortWords(wordCounts, wordSort).slice(0, WORD_ROWS)) {
    const row = make("tr");
    row.append(make("td", word), make("td", String(count), "number"));
    rows.append(row);
  }
  table.tBodies[0].replaceChildren(rows);
  for (const th of table.tHead?.querySelectorAll("th") ?? []) {
    const button = th.querySelector("button");
    const sortedHere = button?.dataset.sort === key;
    th.setAttribute("aria-sort", sortedHere ? (descending ? "descending" : "ascending") : "none");
  }
  byId("word-summary").textContent = wordSummary(wordCounts, WORD_ROWS);
}

function fillChart(top: [string, number][]): void {
  const chart = byId("word-chart");
  const most = top.length > 0 ? top[0][1] : 1;
  const items = document.createDocumentFragment();
  for (const [word, count] of top) {
    const li = make("li");
    const bar = make("span", undefined, "bar");
    // CSSOM, not a style attribute: allowed by the page's Content-Security-Policy.
    bar.style.width = `${Math.max(2, (100 * count) / most)}%`;
    li.append(make("span", word, "word"), bar, make("span", String(count), "number"));
    items.append(li);
  }
  chart.replaceChildren(items);
}

let generation = 0;
/** The newest analysis; an older one still running stops at its next pause. */
let running = 0;

/**
 * Analyses the input box and redraws every result. On a big page the
 * browser gets a turn after the parse, so that no single task holds the page
 * for the whole analysis (5 MiB: about 115 ms, then 205 ms, where it was
 * 320 ms at once). The results are drawn in one task, so the page is laid
 * out once. The time shown counts the work only.
 */
async function analyse(): Promise<void> {
  const token = ++running;
  const big = input.value.length >= BIG_PAGE;
  const phases: Record<string, number> = {};
  let busy = 0;
  let last = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round((now - last) * 10) / 10;
    busy += now - last;
    last = now;
  };
  /** Gives the browser a turn; false when a newer analysis has started meanwhile. */
  const pause = async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    last = performance.now();
    return token === running;
  };
  const text = input.value;
  const baseUrl = baseInput.value.trim();
  showSample();

  const reading = readPastedText(text);
  const source = reading.body;
  fillHeaders(reading.head, reading.notes);
  phase("http");

  const doc = new DOMParser().parseFromString(source, "text/html");
  phase("parse");
  if (big && !(await pause())) return;
  const links = findLinks(doc, source, baseUrl);
  const domLinks = links.parser.map((item) => item.href);
  const regexLinks = links.regex;
  phase("links");
  const { onlyDom, onlyRegex } = compareLinks(source, domLinks, regexLinks);
  phase("compare");

  fillLinks(byId("dom-links"), links.parser);
  fillLinks(byId("regex-links"), regexLinks.map((href) => ({ href })));
  fillLinks(byId("only-dom"), onlyDom);
  fillLinks(byId("only-regex"), onlyRegex);
  setCount("dom-count", domLinks.length);
  setCount("regex-count", regexLinks.length);
  setCount("only-dom-count", onlyDom.length);
  setCount("only-regex-count", onlyRegex.length);
  phase("lists");

  const counts = countPage(doc, text);
  setCount("paragraph-count", counts.paragraphs);
  setCount("char-count", counts.characters);
  setCount("byte-count", counts.bytes);
  phase("counts");

  const words = wordFrequencies(source);
  wordCounts = words.counts;
  fillWordTable();
  fillChart(words.top);
  phase("words");

  generation++;
  const elapsed = busy;
  document.body.dataset.generation = String(generation);
  document.body.dataset.elapsed = elapsed.toFixed(1);
  document.body.dataset.phases = JSON.stringify(phases);
  status.textContent = text === ""
    ? "Waiting for a page."
    : `Analysed ${counts.bytes.toLocaleString("en-US")} bytes in ${Math.round(elapsed)} ms.`;
}

let timer: ReturnType<typeof setTimeout> | undefined;
let frame: number | undefined;
let pasted = false;

/**
 * Analyses at once (a paste, a file) or after a pause in typing. A big page
 * first lets the browser paint the pasted text and a "working" line, since
 * DOMParser runs on the main thread only and blocks it while it parses.
 */
function analyseSoon(now: boolean): void {
  clearTimeout(timer);
  if (frame !== undefined) cancelAnimationFrame(frame);
  const size = input.value.length;
  if (!now) {
    // Typing in a big page: wait longer, so a word is finished before the next parse.
    timer = setTimeout(analyseSoon, DEBOUNCE_MS + Math.min(1750, size / 4000), true);
  } else if (size < BIG_PAGE) {
    analyse();
  } else {
    status.textContent = `Analysing ${size.toLocaleString("en-US")} characters…`;
    frame = requestAnimationFrame(() => {
      frame = undefined;
      timer = setTimeout(analyse, 0);
    });
  }
}

async function openFile(file: File): Promise<void> {
  status.textContent = `Reading ${file.name}…`;
  input.value = decodePage(new Uint8Array(await file.arrayBuffer()));
  analyseSoon(true);
}

input.addEventListener("paste", () => pasted = true);
input.addEventListener("input", () => {
  showSample();
  analyseSoon(pasted);
  pasted = false;
});
baseInput.addEventListener("input", () => analyseSoon(false));
baseInput.addEventListener("change", () => analyseSoon(true));
sampleButton.addEventListener("click", () => {
  input.value = SAMPLE_PAGE;
  baseInput.value = SAMPLE_URL;
  // The button is about to hide: keyboard focus goes on to the page it filled in.
  input.focus();
  input.setSelectionRange(0, 0);
  analyseSoon(true);
});
fileInput.addEventListener("change", () => {
  const file = fileInput.files?.[0];
  if (file !== undefined) openFile(file);
});
for (const target of [input, document.body]) {
  target.addEventListener("dragover", (event) => {
    if (event.dataTransfer?.types.includes("Files")) {
      event.preventDefault();
      input.classList.add("dropping");
    }
  });
  target.addEventListener("dragleave", () => input.classList.remove("dropping"));
  target.addEventListener("drop", (event) => {
    input.classList.remove("dropping");
    const file = event.dataTransfer?.files[0];
    if (file !== undefined) {
      event.preventDefault();
      event.stopPropagation();
      openFile(file);
    }
  });
}
for (const button of document.querySelectorAll<HTMLButtonElement>("#word-table button")) {
  button.addEventListener("click", () => {
    const key = button.dataset.sort === "word" ? "word" : "count";
    wordSort = wordSort.key === key
      ? { key, descending: !wordSort.descending }
      : { key, descending: key === "count" };
    fillWordTable();
  });
}

analyse();
