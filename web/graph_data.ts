// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * What the graph page shows, computed without drawing anything: the crawl's
 * link graph read from `spider.json` (as `scripts/spjson.ts` writes it) or
 * from the book's `spider.js` (`spiderJson = {...};`), the pages ranked, the
 * links into and out of each page, a colour for each host, and a first
 * layout. Nothing here touches `document`; the page (web/graph.ts) draws
 * what this module computes, and the module runs in Deno as well as in a
 * browser.
 *
 * @module
 */

/**
 * One page of the graph, as the file gives it.
 *
 * @example A node of spider.json
 * ```ts
 * import { parseSpiderFile, type SpiderNode } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * const text = '{"nodes":[{"weight":2,"rank":19,"id":1,"url":"http://a.example/"}],"links":[]}';
 * const node: SpiderNode = parseSpiderFile(text).nodes[0];
 * assert.deepEqual(node, { index: 0, id: 1, url: "http://a.example/", rank: 19, weight: 2 });
 * ```
 */
export interface SpiderNode {
  /** Its place in the file's `nodes`, which links name. */
  index: number;
  /** Its id in the crawl database (`Pages.id`). */
  id: number;
  /** Its URL, as text. */
  url: string;
  /** Its rank, scaled from 0 (lowest of the file) to 19 (highest), as spjson scales it. */
  rank: number;
  /** Its inbound link count in the whole crawl (the file's `weight`). */
  weight: number;
}

/**
 * A link from one page of the graph to another, by node index.
 *
 * @example A link of spider.json
 * ```ts
 * import { parseSpiderFile, type SpiderLink } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * const text = '{"nodes":[{"weight":0,"rank":0,"id":1,"url":"a"},' +
 *   '{"weight":1,"rank":19,"id":2,"url":"b"}],"links":[{"source":0,"target":1,"value":3}]}';
 * const link: SpiderLink = parseSpiderFile(text).links[0];
 * assert.deepEqual(link, { source: 0, target: 1 });
 * ```
 */
export interface SpiderLink {
  /** The index of the page the link is on. */
  source: number;
  /** The index of the page it points to. */
  target: number;
}

/**
 * The link graph read from a file.
 *
 * @example The counts of a file
 * ```ts
 * import { parseSpiderFile, type SpiderGraph } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * const graph: SpiderGraph = parseSpiderFile('{"nodes":[],"links":[]}');
 * assert.deepEqual(graph, { nodes: [], links: [], form: "json", duplicates: 0 });
 * ```
 */
export interface SpiderGraph {
  /** The pages, in the file's order. */
  nodes: SpiderNode[];
  /** The links, each once, in the file's order. */
  links: SpiderLink[];
  /** `json` for spider.json, `book` for the book's `spiderJson = {...};`. */
  form: "json" | "book";
  /** How many links the file repeated (each is kept once). */
  duplicates: number;
}

/**
 * A file that is not a link graph: what is wrong with it, and where.
 *
 * @example The error of a truncated file
 * ```ts
 * import { parseSpiderFile, SpiderFileError } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => parseSpiderFile('{"nodes":['), SpiderFileError);
 * ```
 */
export class SpiderFileError extends SyntaxError {
  /** The part of the file at fault, such as `nodes[3].url`; empty for the whole file. */
  readonly item: string;

  /**
   * Makes the error.
   *
   * @param message What is wrong, in one sentence.
   * @param item The part of the file at fault.
   */
  constructor(message: string, item = "") {
    super(message);
    this.name = "SpiderFileError";
    this.item = item;
  }
}

/** `spiderJson = ` (with or without a declaration) before the book's object. */
const BOOK_START = /^\s*(?:(?:var|let|const)\s+)?spiderJson\s*=\s*/;
/** A node line exactly as the book's spjson.py writes it, the URL unescaped. */
const BOOK_NODE =
  /^\{"weight":(-?\d+),"rank":([-+0-9.eE]+|nan|inf|-inf), "id":(-?\d+), "url":"(.*)"\}(?:,|\],)?$/;
/** A link line exactly as the book's spjson.py writes it. */
const BOOK_LINK = /^\{"source":(\d+),"target":(\d+),"value":-?\d+\}(?:,|\]\};?)?$/;

/**
 * Reads the book's spider.js line by line, as spjson.py writes it: the URL
 * between `"url":"` and the line's last `"}`, as it was in the database, so
 * that a `"` or a `\` in a URL (which break it as JSON) reads right. Returns
 * null when the text does not have that exact shape.
 */
function readBookLines(body: string): { nodes: unknown[]; links: unknown[] } | null {
  const lines = body.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines[0] !== '{"nodes":[' || lines.length < 2) return null;
  const nodes: unknown[] = [];
  const links: unknown[] = [];
  let i = 1;
  for (; i < lines.length && lines[i] !== "]," && lines[i] !== '"links":['; i++) {
    const match = BOOK_NODE.exec(lines[i]);
    if (match === null) return null;
    const [, weight, rank, id, url] = match;
    nodes.push({ weight: Number(weight), rank: Number(rank), id: Number(id), url });
  }
  if (lines[i] === "],") i++;
  if (lines[i] !== '"links":[') return null;
  for (i++; i < lines.length; i++) {
    if (/^\]\};?$/.test(lines[i])) return { nodes, links };
    const match = BOOK_LINK.exec(lines[i]);
    if (match === null) return null;
    links.push({ source: Number(match[1]), target: Number(match[2]) });
    if (/\]\};?$/.test(lines[i])) return { nodes, links };
  }
  return null;
}

/** Checks one node of the file and returns it in our shape. */
function readNode(value: unknown, index: number): SpiderNode {
  const where = `nodes[${index}]`;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SpiderFileError(`Cannot read ${where}: not an object`, where);
  }
  const item = value as Record<string, unknown>;
  if (typeof item.url !== "string") {
    throw new SpiderFileError(`Cannot read ${where}: its url is not a string`, `${where}.url`);
  }
  const number = (name: string, integer: boolean, fallback?: number) => {
    const field = item[name] ?? fallback;
    if (typeof field !== "number" || !Number.isFinite(field)) {
      throw new SpiderFileError(`Cannot read ${where}: its ${name} is not a number`, where);
    }
    if (integer && !Number.isInteger(field)) {
      throw new SpiderFileError(`Cannot read ${where}: its ${name} is not a whole number`, where);
    }
    return field;
  };
  return {
    index,
    id: number("id", true, -1),
    url: item.url,
    rank: number("rank", false),
    weight: number("weight", true, 0),
  };
}

/**
 * Reads a link graph file: `spider.json` as spjson writes it, or the book's
 * `spider.js` (`spiderJson = {...};`), whose lines are read as the book's
 * spjson.py writes them so that a `"` in a URL does not break it. Every
 * URL stays text. A link repeated in the file is kept once.
 *
 * @param text The file's content.
 * @returns The pages and the links among them.
 * @throws {SpiderFileError} When the text is not a link graph: it names the
 * part at fault.
 *
 * @example spider.json and the book's spider.js, with a quote in a URL
 * ```ts
 * import { parseSpiderFile } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * const json = parseSpiderFile(
 *   '{"nodes":[\n{"weight":1,"rank":19,"id":1,"url":"http://a.example/"},\n' +
 *     '{"weight":1,"rank":0,"id":2,"url":"http://a.example/\\"q"}],\n' +
 *     '"links":[\n{"source":0,"target":1,"value":3},\n{"source":1,"target":0,"value":3}]}\n',
 * );
 * assert.equal(json.form, "json");
 * assert.deepEqual(json.nodes.map((node) => node.url), ["http://a.example/", 'http://a.example/"q']);
 *
 * const book = parseSpiderFile(
 *   'spiderJson = {"nodes":[\n{"weight":1,"rank":19.0, "id":1, "url":"http://a.example/"},\n' +
 *     '{"weight":1,"rank":0.0, "id":2, "url":"http://a.example/"q"}],\n' +
 *     '"links":[\n{"source":0,"target":1,"value":3},\n{"source":1,"target":0,"value":3}]};\n',
 * );
 * assert.equal(book.form, "book");
 * assert.deepEqual(book.nodes, json.nodes);
 * assert.deepEqual(book.links, json.links);
 * ```
 */
export function parseSpiderFile(text: string): SpiderGraph {
  let body = text.replace(/^\uFEFF/, "");
  let form: SpiderGraph["form"] = "json";
  const start = BOOK_START.exec(body);
  if (start !== null) {
    form = "book";
    body = body.slice(start[0].length).replace(/;\s*$/, "");
  }
  let data: unknown = form === "book" ? readBookLines(body) : null;
  if (data === null) {
    try {
      data = JSON.parse(body);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new SpiderFileError(`Cannot read the file as a link graph: ${why}`);
    }
  }
  if (typeof data !== "object" || data === null) {
    throw new SpiderFileError("Cannot read the file as a link graph: it is not an object");
  }
  const { nodes, links } = data as { nodes?: unknown; links?: unknown };
  if (!Array.isArray(nodes)) {
    throw new SpiderFileError(
      "Cannot read the file as a link graph: it has no nodes list",
      "nodes",
    );
  }
  if (!Array.isArray(links)) {
    throw new SpiderFileError(
      "Cannot read the file as a link graph: it has no links list",
      "links",
    );
  }
  const graph: SpiderGraph = { nodes: nodes.map(readNode), links: [], form, duplicates: 0 };
  const seen = new Set<number>();
  const count = graph.nodes.length;
  links.forEach((value, index) => {
    const where = `links[${index}]`;
    const item = (typeof value === "object" && value !== null ? value : {}) as Record<
      string,
      unknown
    >;
    const end = (name: "source" | "target") => {
      const field = item[name];
      if (typeof field !== "number" || !Number.isInteger(field) || field < 0 || field >= count) {
        throw new SpiderFileError(
          `Cannot read ${where}: its ${name} is not the index of a node (0 to ${count - 1})`,
          `${where}.${name}`,
        );
      }
      return field;
    };
    const source = end("source");
    const target = end("target");
    const key = source * count + target;
    if (seen.has(key)) {
      graph.duplicates++;
      return;
    }
    seen.add(key);
    graph.links.push({ source, target });
  });
  return graph;
}

/**
 * The pages in rank order: highest rank first, then the most inbound links,
 * then the lowest id.
 *
 * @param nodes The pages.
 * @param limit How many to return (all when absent).
 * @returns Node indexes, best first.
 *
 * @example The best two of three
 * ```ts
 * import { rankOrder } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * const nodes = [
 *   { index: 0, id: 1, url: "a", rank: 3, weight: 1 },
 *   { index: 1, id: 2, url: "b", rank: 19, weight: 4 },
 *   { index: 2, id: 3, url: "c", rank: 3, weight: 2 },
 * ];
 * assert.deepEqual(rankOrder(nodes, 2), [1, 2]);
 * assert.deepEqual(rankOrder(nodes), [1, 2, 0]);
 * ```
 */
export function rankOrder(nodes: readonly SpiderNode[], limit?: number): number[] {
  const order = nodes.map((node) => node.index);
  order.sort((a, b) =>
    nodes[b].rank - nodes[a].rank || nodes[b].weight - nodes[a].weight ||
    nodes[a].id - nodes[b].id || a - b
  );
  return limit === undefined ? order : order.slice(0, Math.max(0, limit));
}

/**
 * The links into and out of every page, among the pages of the graph.
 *
 * @example Who links to the first page
 * ```ts
 * import type { LinkLists } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * const lists: LinkLists = { inbound: [[1], []], outbound: [[], [0]] };
 * assert.deepEqual(lists.inbound[0], [1]);
 * ```
 */
export interface LinkLists {
  /** For each node index, the indexes of the pages that link to it, in file order. */
  inbound: number[][];
  /** For each node index, the indexes of the pages it links to, in file order. */
  outbound: number[][];
}

/**
 * For every page, the pages that link to it and the pages it links to.
 *
 * @param graph The graph.
 * @returns Lists of node indexes, indexed by node index.
 *
 * @example A small web
 * ```ts
 * import { linkLists } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * const node = (index: number) => ({ index, id: index + 1, url: `p${index}`, rank: 0, weight: 0 });
 * const lists = linkLists({
 *   nodes: [node(0), node(1), node(2)],
 *   links: [{ source: 0, target: 1 }, { source: 2, target: 1 }, { source: 1, target: 0 }],
 *   form: "json",
 *   duplicates: 0,
 * });
 * assert.deepEqual(lists.inbound, [[1], [0, 2], []]);
 * assert.deepEqual(lists.outbound, [[1], [0], [1]]);
 * ```
 */
export function linkLists(graph: SpiderGraph): LinkLists {
  const inbound = graph.nodes.map((): number[] => []);
  const outbound = graph.nodes.map((): number[] => []);
  for (const { source, target } of graph.links) {
    outbound[source].push(target);
    inbound[target].push(source);
  }
  return { inbound, outbound };
}

/**
 * The host (name and port) of a URL, lower case; empty when it is not an
 * absolute URL.
 *
 * @param url Any text.
 * @returns The host, such as `www.dr-chuck.com` or `127.0.0.1:8000`.
 *
 * @example Hosts of a few URLs
 * ```ts
 * import { hostOf } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(hostOf("http://WWW.Dr-Chuck.com/page1.htm"), "www.dr-chuck.com");
 * assert.equal(hostOf("http://127.0.0.1:8000/"), "127.0.0.1:8000");
 * assert.equal(hostOf("javascript:alert(1)"), "");
 * assert.equal(hostOf("not a url"), "");
 * ```
 */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "";
  }
}

/** Colours that tell hosts apart on a light and on a dark background (Okabe–Ito, then more). */
const PALETTE = [
  "#0072b2",
  "#e69f00",
  "#009e73",
  "#cc79a7",
  "#d55e00",
  "#56b4e9",
  "#8c6d00",
  "#7f3c8d",
  "#3969ac",
  "#11a579",
  "#e73f74",
  "#80ba5a",
];

/** The colour of the hosts past the palette's, and of text that is not a URL. */
export const OTHER_HOSTS_COLOUR = "#8a8a8a";

/**
 * A colour for each host of the graph: the hosts with the most pages get
 * the palette's colours, in order; the rest share {@linkcode OTHER_HOSTS_COLOUR}.
 *
 * @param graph The graph.
 * @returns The hosts, most pages first (then by name), each with its page count and colour.
 *
 * @example Two hosts
 * ```ts
 * import { hostColours } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * const node = (index: number, url: string) => ({ index, id: index + 1, url, rank: 0, weight: 0 });
 * const hosts = hostColours({
 *   nodes: [node(0, "http://b.example/"), node(1, "http://a.example/"), node(2, "http://b.example/x")],
 *   links: [],
 *   form: "json",
 *   duplicates: 0,
 * });
 * assert.deepEqual(hosts.map((h) => [h.host, h.pages]), [["b.example", 2], ["a.example", 1]]);
 * assert.notEqual(hosts[0].colour, hosts[1].colour);
 * ```
 */
export function hostColours(
  graph: SpiderGraph,
): { host: string; pages: number; colour: string }[] {
  const counts = new Map<string, number>();
  for (const node of graph.nodes) {
    const host = hostOf(node.url);
    counts.set(host, (counts.get(host) ?? 0) + 1);
  }
  const hosts = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let next = 0;
  return hosts.map(([host, pages]) => ({
    host,
    pages,
    colour: host !== "" && next < PALETTE.length ? PALETTE[next++] : OTHER_HOSTS_COLOUR,
  }));
}

/**
 * The page a crawl started from: the page with id 1, the first the spider
 * stores (the URL it was given). A file without it (the best-ranked pages
 * of a big crawl may leave it out) has none.
 *
 * @param graph The graph.
 * @returns Its node index, or -1.
 *
 * @example The start page and a file without it
 * ```ts
 * import { startPage } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * const node = (index: number, id: number) => ({ index, id, url: `p${id}`, rank: 0, weight: 0 });
 * const graph = { nodes: [node(0, 4), node(1, 1)], links: [], form: "json" as const, duplicates: 0 };
 * assert.equal(startPage(graph), 1);
 * assert.equal(startPage({ ...graph, nodes: [node(0, 4)] }), -1);
 * ```
 */
export function startPage(graph: SpiderGraph): number {
  return graph.nodes.findIndex((node) => node.id === 1);
}

/**
 * Finds the page a search names: the page whose URL is exactly the text
 * (spaces around it ignored); else the best-ranked page whose URL contains
 * it, in any case.
 *
 * @param graph The graph.
 * @param query What was typed.
 * @param order The pages in rank order ({@linkcode rankOrder}), when already known.
 * @returns Its node index, or -1 when no page matches.
 *
 * @example An exact URL, a part of one, and nothing
 * ```ts
 * import { findPage } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * const node = (index: number, url: string, rank: number) => ({ index, id: index, url, rank, weight: 0 });
 * const graph = {
 *   nodes: [node(0, "http://a.example/page1", 2), node(1, "http://a.example/page10", 9)],
 *   links: [],
 *   form: "json" as const,
 *   duplicates: 0,
 * };
 * assert.equal(findPage(graph, " http://a.example/page1 "), 0);
 * assert.equal(findPage(graph, "PAGE1"), 1);
 * assert.equal(findPage(graph, "page2"), -1);
 * assert.equal(findPage(graph, ""), -1);
 * ```
 */
export function findPage(graph: SpiderGraph, query: string, order?: readonly number[]): number {
  const wanted = query.trim();
  if (wanted === "") return -1;
  const exact = graph.nodes.findIndex((node) => node.url === wanted);
  if (exact !== -1) return exact;
  const lower = wanted.toLowerCase();
  return (order ?? rankOrder(graph.nodes)).find((index) =>
    graph.nodes[index].url.toLowerCase().includes(lower)
  ) ?? -1;
}

/**
 * The address a page's link may open: the URL itself when it is an
 * absolute `http:` or `https:` URL, else null (a `javascript:` or `data:`
 * URL, or text, is never made a link).
 *
 * @param url The page's URL from the file.
 * @returns The URL to put in `href`, or null.
 *
 * @example Only web addresses open
 * ```ts
 * import { openableUrl } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(openableUrl("http://a.example/x?y=1"), "http://a.example/x?y=1");
 * assert.equal(openableUrl(" javascript:alert(1)"), null);
 * assert.equal(openableUrl("JAVASCRIPT:alert(1)"), null);
 * assert.equal(openableUrl("data:text/html,<script>alert(1)</script>"), null);
 * assert.equal(openableUrl('"><img src=x onerror=alert(1)>'), null);
 * ```
 */
export function openableUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
}

/**
 * A node's size on screen, in pixels at the first zoom, from its rank: the
 * area grows with the rank, from `smallest` at rank 0 to `largest` at 19.
 *
 * @param rank The page's rank, 0 to 19.
 * @param smallest The size at rank 0.
 * @param largest The size at rank 19.
 * @returns The size.
 *
 * @example The ends of the scale
 * ```ts
 * import { nodeSize } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(nodeSize(0), 2);
 * assert.equal(nodeSize(19), 16);
 * assert(nodeSize(5) > nodeSize(4));
 * ```
 */
export function nodeSize(rank: number, smallest = 2, largest = 16): number {
  const share = Math.min(1, Math.max(0, rank / 19));
  return smallest + (largest - smallest) * Math.sqrt(share);
}

/**
 * A first layout, drawn before the force-directed one has run: the pages in
 * rank order on a sunflower spiral, the best-ranked in the middle, each
 * page given the same area.
 *
 * @param graph The graph.
 * @param order The pages in rank order ({@linkcode rankOrder}), when already known.
 * @returns For each node index, its position.
 *
 * @example The best page is in the middle
 * ```ts
 * import { spiralLayout } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * const node = (index: number, rank: number) => ({ index, id: index, url: `p${index}`, rank, weight: 0 });
 * const graph = { nodes: [node(0, 1), node(1, 19), node(2, 5)], links: [], form: "json" as const, duplicates: 0 };
 * const positions = spiralLayout(graph);
 * assert.deepEqual(positions[1], { x: 0, y: 0 });
 * assert(Math.hypot(positions[2].x, positions[2].y) < Math.hypot(positions[0].x, positions[0].y));
 * ```
 */
export function spiralLayout(
  graph: SpiderGraph,
  order?: readonly number[],
): { x: number; y: number }[] {
  const positions = graph.nodes.map(() => ({ x: 0, y: 0 }));
  const golden = Math.PI * (3 - Math.sqrt(5));
  (order ?? rankOrder(graph.nodes)).forEach((index, k) => {
    const radius = 10 * Math.sqrt(k);
    positions[index] = { x: radius * Math.cos(k * golden), y: radius * Math.sin(k * golden) };
  });
  return positions;
}

/**
 * A rank as the page prints it: two decimals at most.
 *
 * @param rank A rank.
 * @returns Its text.
 *
 * @example Ranks
 * ```ts
 * import { rankText } from "./graph_data.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(rankText(19), "19");
 * assert.equal(rankText(3.14159), "3.14");
 * ```
 */
export function rankText(rank: number): string {
  return String(Math.round(rank * 100) / 100);
}
