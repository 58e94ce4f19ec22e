// Copyright netprog authors. MIT license.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

/**
 * The page: paste HTML (or a raw HTTP response) and see what the book's regex
 * finds beside what the browser's own parser finds. Everything is built with
 * createElement and textContent; pasted markup is only ever handed to
 * DOMParser, whose documents are inert (no script runs, nothing loads).
 *
 * @module
 */

import {
  countCodePoints,
  countParagraphs,
  countWords,
  extractLinksDom,
  extractLinksRegex,
  type ResponseHead,
  ResponseParser,
  topWords,
} from "../mod.ts";

/** Rows of the word table drawn at once; the rest are counted in a note. */
const WORD_ROWS = 500;
/** Typing waits this long for a pause; a paste or a dropped file does not wait. */
const DEBOUNCE_MS = 250;
/** From this many characters, a paste is painted before it is analysed. */
const BIG_PAGE = 200_000;
/** Differences explained by searching the source; beyond this they get a short reason. */
const SEARCHED_REASONS = 500;

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

/** The UTF-8 length of a string, without encoding it. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

// ---------------------------------------------------------------------------
// A pasted HTTP response

interface HttpReading {
  head: ResponseHead | null;
  body: string;
  notes: string[];
}

const HTTP_START = /^\s*HTTP\/\d/;

/** Reads a pasted raw response with the core's incremental parser. */
function readHttp(text: string): HttpReading {
  const bytes = new TextEncoder().encode(text.replace(/^\s+/, ""));
  const parts: Uint8Array[] = [];
  let head: ResponseHead | null = null;
  const notes: string[] = [];
  const parser = new ResponseParser({
    onHead: (parsed) => head = parsed,
    onBody: (chunk) => parts.push(chunk.slice()),
  });
  let failed = false;
  try {
    const used = parser.push(bytes);
    if (parser.complete && used < bytes.length) {
      notes.push(
        `The message ended after ${used} bytes; the ${bytes.length - used} bytes after it ` +
          `are not part of the body (check Content-Length).`,
      );
    }
    if (!parser.complete) parser.finish();
  } catch (error) {
    failed = true;
    notes.push(`Cannot read the response: ${error instanceof Error ? error.message : error}`);
  }
  const found = head as ResponseHead | null;
  if (found === null) return { head: null, body: text, notes };
  let body: Uint8Array;
  if (failed) {
    body = bytes.subarray(found.headerLength);
    notes.push("The body below is everything after the blank line, as pasted.");
  } else {
    body = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      body.set(part, at);
      at += part.length;
    }
  }
  const encoding = found.headers.get("content-encoding");
  if (encoding !== null && encoding.toLowerCase() !== "identity") {
    notes.push(`The body is ${encoding}-encoded: the page does not decompress it.`);
  }
  return { head: found, body: new TextDecoder().decode(body), notes };
}

// ---------------------------------------------------------------------------
// Why the two lists differ

interface Difference {
  href: string;
  reason: string;
}

/** Counts of each string, to compare two lists as multisets. */
function tally(list: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of list) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** Source ranges whose text the parser never turns into `a` elements. */
function hiddenRanges(source: string): [number, number, string][] {
  const ranges: [number, number, string][] = [];
  const pattern =
    /<!--[\s\S]*?(?:-->|$)|<(script|style|template|textarea|title|xmp|iframe|noembed|noframes)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/giy;
  const start = /<!--|<(?:script|style|template|textarea|title|xmp|iframe|noembed|noframes)\b/gi;
  let found: RegExpExecArray | null;
  while ((found = start.exec(source)) !== null) {
    pattern.lastIndex = found.index;
    const match = pattern.exec(source);
    if (match === null) continue;
    const kind = match[1] === undefined ? "comment" : match[1].toLowerCase();
    ranges.push([match.index, match.index + match[0].length, kind]);
    start.lastIndex = Math.max(start.lastIndex, match.index + match[0].length);
  }
  return ranges;
}

const HIDDEN_REASON: Record<string, string> = {
  comment: "Inside an HTML comment: the regex reads it, the parser skips it.",
  script: "Inside a <script>: text to the parser, not an element.",
  style: "Inside a <style>: text to the parser, not an element.",
  template: "Inside a <template>: its content is not part of the document tree.",
  textarea: "Inside a <textarea>: text to the parser, not markup.",
  title: "Inside the <title>: text to the parser, not markup.",
};

/** Why the regex matched at `at` though the parser has no such link. */
function regexOnlyReason(
  source: string,
  at: number,
  href: string,
  hidden: string | undefined,
): string {
  if (hidden !== undefined) {
    return HIDDEN_REASON[hidden] ?? `Inside <${hidden}>: text to the parser, not markup.`;
  }
  const open = source.lastIndexOf("<", at);
  const tag = /^<([a-zA-Z][\w:-]*)/.exec(source.slice(open, open + 40))?.[1];
  if (tag === undefined) return "Not inside a tag at all: plain text that looks like an attribute.";
  if (tag.toLowerCase() !== "a") {
    return `On a <${tag}> element: the regex takes any href, the parser list has <a> only.`;
  }
  if (/[A-Za-z0-9:_.-]/.test(source[at - 1] ?? " ")) {
    return "Part of another attribute (such as data-href): the regex cannot tell.";
  }
  if (/\shref\s*=/i.test(source.slice(open, at - 'href="'.length))) {
    return "A second href on the same tag: the parser keeps the first one.";
  }
  if (/&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);?/i.test(href)) {
    return "Holds a character reference such as &amp;: the parser decodes it, the regex does not.";
  }
  if (/[<>]/.test(href)) return "The match runs past the end of the tag to the next quote.";
  return "The parser reads this markup differently (broken or misnested tags).";
}

/** Why the parser has a link the regex missed; searches the source when the href alone cannot tell. */
function domOnlyReason(source: string, href: string, search: boolean): string {
  if (href === "") return "An empty href: a link to the page itself, not http… at all.";
  if (/^https?:\/\//i.test(href) && !/^https?:\/\//.test(href)) {
    return "The scheme is in capitals (HTTP://): the regex is case-sensitive.";
  }
  if (/^\s/.test(href)) {
    return "Starts with white space: the regex wants http right after the quote.";
  }
  if (!/^https?:\/\//.test(href)) {
    if (href.startsWith("//")) return "A scheme-relative link (//host/…): no http: to match.";
    if (href.startsWith("#")) {
      return "A link within the page (#…): relative, so the regex skips it.";
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) {
      return `A ${href.slice(0, href.indexOf(":") + 1)} link, not http or https.`;
    }
    return "A relative link: the regex only matches absolute http and https addresses.";
  }
  if (/[\r\n]/.test(href)) return "A line break inside the URL: the regex's dot stops there.";
  if (!search) return "Written in a way the regex does not expect.";
  const at = source.indexOf(href);
  if (at < 0) {
    return "Written with a character reference (&amp;, &#…;): the parser decodes it, the regex sees the reference.";
  }
  const before = /([A-Za-z][\w:-]*)(\s*)=(\s*)(["']?)$/.exec(
    source.slice(Math.max(0, at - 40), at),
  );
  if (before === null) return "Written in a way the regex does not expect.";
  const [, name, spaceBefore, spaceAfter, quote] = before;
  if (name !== "href" && name.toLowerCase() === "href") {
    return `Written as ${name}=: the regex looks for lower-case href only.`;
  }
  if (spaceBefore !== "" || spaceAfter !== "") {
    return 'White space around "=": the regex wants href=" with nothing between.';
  }
  if (quote === "'") return "In single quotes: the regex wants double quotes.";
  if (quote === "") return "Unquoted: the regex wants double quotes.";
  return "An earlier match ran on to this link's closing quote and swallowed it.";
}

interface Comparison {
  onlyDom: Difference[];
  onlyRegex: Difference[];
}

/** The two lists compared as multisets, each difference with a one-line reason. */
function compare(source: string, domLinks: string[], regexLinks: string[]): Comparison {
  const domCounts = tally(domLinks);
  const regexCounts = tally(regexLinks);

  const onlyDom: Difference[] = [];
  const extraDom = new Map<string, number>();
  for (const [href, count] of domCounts) {
    const extra = count - (regexCounts.get(href) ?? 0);
    if (extra > 0) extraDom.set(href, extra);
  }
  for (const href of domLinks) {
    const left = extraDom.get(href) ?? 0;
    if (left === 0) continue;
    extraDom.set(href, left - 1);
    onlyDom.push({ href, reason: domOnlyReason(source, href, onlyDom.length < SEARCHED_REASONS) });
  }

  // Each regex match is found again in the source (in order), and its place decides the reason.
  const extraRegex = new Map<string, number>();
  for (const [href, count] of regexCounts) {
    const extra = count - (domCounts.get(href) ?? 0);
    if (extra > 0) extraRegex.set(href, extra);
  }
  const candidates = new Map<string, Difference[]>();
  if (extraRegex.size > 0) {
    const ranges = hiddenRanges(source);
    let range = 0;
    let from = 0;
    for (const href of regexLinks) {
      const at = source.indexOf(`href="${href}"`, from) + 'href="'.length;
      from = at + href.length + 1;
      if (!extraRegex.has(href)) continue;
      while (range < ranges.length && ranges[range][1] <= at) range++;
      const hidden = range < ranges.length && ranges[range][0] <= at ? ranges[range][2] : undefined;
      const list = candidates.get(href) ?? [];
      list.push({ href, reason: regexOnlyReason(source, at, href, hidden) });
      candidates.set(href, list);
    }
  }
  // Occurrences the parser cannot have listed (comments, scripts, other tags) go first.
  const taken = new Map<string, Set<Difference>>();
  for (const [href, list] of candidates) {
    const extra = extraRegex.get(href) ?? 0;
    const specific = list.filter((d) => !d.reason.startsWith("The parser reads"));
    const chosen = [...specific, ...list.filter((d) => !specific.includes(d))].slice(0, extra);
    taken.set(href, new Set(chosen));
  }
  const onlyRegex: Difference[] = [];
  for (const list of candidates.values()) {
    for (const difference of list) {
      if (taken.get(difference.href)?.has(difference)) onlyRegex.push(difference);
    }
  }
  const order = new Map(regexLinks.map((href, index) => [href, index]));
  onlyRegex.sort((a, b) => (order.get(a.href) ?? 0) - (order.get(b.href) ?? 0));
  return { onlyDom, onlyRegex };
}

// ---------------------------------------------------------------------------
// Drawing the results

const input = byId<HTMLTextAreaElement>("html-input");
const baseInput = byId<HTMLInputElement>("base-url");
const fileInput = byId<HTMLInputElement>("file-input");
const status = byId<HTMLParagraphElement>("status");

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
let wordSort: { key: "word" | "count"; descending: boolean } = { key: "count", descending: true };

function fillWordTable(): void {
  const table = byId<HTMLTableElement>("word-table");
  const sorted = [...wordCounts];
  const { key, descending } = wordSort;
  const sign = descending ? -1 : 1;
  if (key === "count") {
    sorted.sort((a, b) => sign * (a[1] - b[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  } else {
    sorted.sort((a, b) => sign * (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
  const rows = document.createDocumentFragment();
  for (const [word, count] of sorted.slice(0, WORD_ROWS)) {
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
  const total = wordCounts.reduce((sum, [, count]) => sum + count, 0);
  byId("word-summary").textContent = `${total.toLocaleString("en-US")} words, ` +
    `${wordCounts.length.toLocaleString("en-US")} different` +
    (wordCounts.length > WORD_ROWS ? `; the table shows ${WORD_ROWS} of them.` : ".");
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

  let source = text;
  let reading: HttpReading = { head: null, body: text, notes: [] };
  if (HTTP_START.test(text.slice(0, 64))) {
    reading = readHttp(text);
    source = reading.body;
  }
  fillHeaders(reading.head, reading.notes);
  phase("http");

  const doc = new DOMParser().parseFromString(source, "text/html");
  phase("parse");
  if (big && !(await pause())) return;
  const raw = extractLinksDom(doc);
  const resolved = baseUrl === "" ? raw : extractLinksDom(doc, { baseUrl });
  const domItems: { href: string; resolved?: string }[] = [];
  raw.forEach((href, index) => {
    if (href !== null) domItems.push({ href, resolved: resolved[index] ?? undefined });
  });
  const domLinks = domItems.map((item) => item.href);
  const regexLinks = extractLinksRegex(source);
  phase("links");
  const { onlyDom, onlyRegex } = compare(source, domLinks, regexLinks);
  phase("compare");

  fillLinks(byId("dom-links"), domItems);
  fillLinks(byId("regex-links"), regexLinks.map((href) => ({ href })));
  fillLinks(byId("only-dom"), onlyDom);
  fillLinks(byId("only-regex"), onlyRegex);
  setCount("dom-count", domLinks.length);
  setCount("regex-count", regexLinks.length);
  setCount("only-dom-count", onlyDom.length);
  setCount("only-regex-count", onlyRegex.length);
  phase("lists");

  setCount("paragraph-count", countParagraphs(doc));
  setCount("char-count", countCodePoints(text));
  setCount("byte-count", utf8Length(text));
  phase("counts");

  const counts = countWords(source);
  wordCounts = [...counts];
  fillWordTable();
  fillChart(topWords(counts, 10));
  phase("words");

  generation++;
  const elapsed = busy;
  document.body.dataset.generation = String(generation);
  document.body.dataset.elapsed = elapsed.toFixed(1);
  document.body.dataset.phases = JSON.stringify(phases);
  status.textContent = text === ""
    ? "Waiting for a page."
    : `Analysed ${utf8Length(text).toLocaleString("en-US")} bytes in ${Math.round(elapsed)} ms.`;
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

/**
 * Decodes a saved page: UTF-8 when it is valid UTF-8, else the charset its
 * `<meta>` names, else windows-1252 (what browsers assume for old pages).
 */
function decodePage(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const head = new TextDecoder("windows-1252").decode(bytes.subarray(0, 1024));
    const label = /<meta[^>]*charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1] ?? "windows-1252";
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      return new TextDecoder("windows-1252").decode(bytes);
    }
  }
}

async function openFile(file: File): Promise<void> {
  status.textContent = `Reading ${file.name}…`;
  input.value = decodePage(new Uint8Array(await file.arrayBuffer()));
  analyseSoon(true);
}

input.addEventListener("paste", () => pasted = true);
input.addEventListener("input", () => {
  analyseSoon(pasted);
  pasted = false;
});
baseInput.addEventListener("input", () => analyseSoon(false));
baseInput.addEventListener("change", () => analyseSoon(true));
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
