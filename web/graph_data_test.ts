// Copyright netprog authors. MIT license.

/**
 * The graph page's reading of spider.json and of the book's spider.js
 * (web/graph_data.ts), without a browser.
 */

import assert from "node:assert/strict";
import {
  findPage,
  hostColours,
  hostOf,
  linkLists,
  nodeSize,
  openableUrl,
  OTHER_HOSTS_COLOUR,
  parseSpiderFile,
  rankOrder,
  SpiderFileError,
  type SpiderGraph,
  spiralLayout,
  startPage,
} from "./graph_data.ts";

const URLS = [
  "http://127.0.0.1:8000/index.htm",
  "http://127.0.0.1:8000/page1.htm",
  "http://127.0.0.1:8000/page2.htm",
];

/** spider.json as scripts/spjson.ts writes it: one item a line, `<` escaped. */
function spiderJson(urls: string[], links: [number, number][]): string {
  const json = (item: unknown) => JSON.stringify(item).replaceAll("<", "\\u003c");
  const nodes = urls.map((url, i) => ({ weight: i + 1, rank: 19 - i, id: i + 1, url }));
  return `{"nodes":[\n${nodes.map(json).join(",\n")}],\n"links":[\n${
    links.map(([source, target]) => json({ source, target, value: 3 })).join(",\n")
  }]}\n`;
}

/** spider.js in the shape the book's spjson.py writes: strings joined, URLs as they are. */
function bookJs(urls: string[], links: [number, number][], ranks = urls.map((_, i) => 19 - i)) {
  const nodes = urls.map((url, i) =>
    `{"weight":${i + 1},"rank":${ranks[i].toFixed(1)}, "id":${i + 1}, "url":"${url}"}`
  );
  const edges = links.map(([s, t]) => `{"source":${s},"target":${t},"value":3}`);
  return `spiderJson = {"nodes":[\n${nodes.join(",\n")}],\n"links":[\n${edges.join(",\n")}]};\n`;
}

Deno.test("parseSpiderFile reads spider.json as spjson writes it", () => {
  const graph = parseSpiderFile(spiderJson(URLS, [[0, 1], [1, 2], [2, 0], [0, 2]]));
  assert.equal(graph.form, "json");
  assert.deepEqual(graph.nodes.map((node) => node.url), URLS);
  assert.deepEqual(graph.nodes[1], { index: 1, id: 2, url: URLS[1], rank: 18, weight: 2 });
  assert.deepEqual(graph.links, [
    { source: 0, target: 1 },
    { source: 1, target: 2 },
    { source: 2, target: 0 },
    { source: 0, target: 2 },
  ]);
});

Deno.test("parseSpiderFile reads the book's spider.js, whose URLs may hold quotes and backslashes", () => {
  const urls = [
    URLS[0],
    'http://127.0.0.1:8000/"><img src=x onerror=alert(1)>',
    "http://127.0.0.1:8000/a\\nb",
    "javascript:alert('x')",
  ];
  const graph = parseSpiderFile(bookJs(urls, [[0, 1], [1, 2], [3, 0]]));
  assert.equal(graph.form, "book");
  assert.deepEqual(graph.nodes.map((node) => node.url), urls, "every URL as it was, as text");
  assert.deepEqual(graph.nodes.map((node) => node.rank), [19, 18, 17, 16]);
  assert.deepEqual(graph.links.length, 3);
});

Deno.test("parseSpiderFile reads spider.json wrapped as the book's force.html wants it", () => {
  const json = spiderJson(URLS, [[0, 1]]);
  for (const text of [`spiderJson = ${json};`, `var spiderJson = ${json}`, `\uFEFF${json}`]) {
    const graph = parseSpiderFile(text);
    assert.deepEqual(graph.nodes.map((node) => node.url), URLS);
    assert.deepEqual(graph.links, [{ source: 0, target: 1 }]);
  }
});

Deno.test("parseSpiderFile reads the book's spider.js with no links and a Python float rank", () => {
  const graph = parseSpiderFile(bookJs([URLS[0], URLS[1]], [], [19, 1.2345678901234567]));
  assert.deepEqual(graph.nodes.map((node) => node.rank), [19, 1.2]);
  assert.deepEqual(graph.links, []);
});

Deno.test("parseSpiderFile keeps a repeated link once and counts it", () => {
  const graph = parseSpiderFile(spiderJson(URLS, [[0, 1], [0, 1], [1, 1]]));
  assert.deepEqual(graph.links, [{ source: 0, target: 1 }, { source: 1, target: 1 }]);
  assert.equal(graph.duplicates, 1);
});

Deno.test("parseSpiderFile names what is wrong with a file that is not a link graph", () => {
  const cases: [string, RegExp, string][] = [
    ["", /Cannot read the file as a link graph/, ""],
    ["<html>", /Cannot read the file as a link graph/, ""],
    ["[]", /no nodes list/, "nodes"],
    ['{"nodes":[]}', /no links list/, "links"],
    [
      '{"nodes":[{"rank":1,"id":1}],"links":[]}',
      /nodes\[0\]: its url is not a string/,
      "nodes[0].url",
    ],
    ['{"nodes":[{"url":"a","rank":"high"}],"links":[]}', /its rank is not a number/, "nodes[0]"],
    [
      '{"nodes":[{"url":"a","rank":1,"id":1.5}],"links":[]}',
      /id is not a whole number/,
      "nodes[0]",
    ],
    ['{"nodes":[7],"links":[]}', /nodes\[0\]: not an object/, "nodes[0]"],
    [
      '{"nodes":[{"url":"a","rank":1}],"links":[{"source":0,"target":1}]}',
      /links\[0\]: its target is not the index of a node \(0 to 0\)/,
      "links[0].target",
    ],
    [
      '{"nodes":[{"url":"a","rank":1}],"links":[{"source":"0","target":0}]}',
      /source/,
      "links[0].source",
    ],
    ["spiderJson = {", /Cannot read the file as a link graph/, ""],
  ];
  for (const [text, message, item] of cases) {
    assert.throws(() => parseSpiderFile(text), (error) => {
      assert(error instanceof SpiderFileError, String(error));
      assert(error instanceof SyntaxError);
      assert.match(error.message, message, text);
      assert.equal(error.item, item, text);
      return true;
    });
  }
});

Deno.test("parseSpiderFile takes a missing id or weight as unknown, as a hand-made file may", () => {
  const graph = parseSpiderFile('{"nodes":[{"url":"a","rank":3}],"links":[]}');
  assert.deepEqual(graph.nodes, [{ index: 0, id: -1, url: "a", rank: 3, weight: 0 }]);
});

/** A graph of `count` pages on `hosts` hosts, ranks given. */
function made(ranks: number[], links: [number, number][] = [], hosts = 1): SpiderGraph {
  return {
    nodes: ranks.map((rank, index) => ({
      index,
      id: index + 1,
      url: `http://h${index % hosts}.example/p${index}`,
      rank,
      weight: 0,
    })),
    links: links.map(([source, target]) => ({ source, target })),
    form: "json",
    duplicates: 0,
  };
}

Deno.test("rankOrder puts the highest rank first and breaks ties by inbound links, then id", () => {
  const graph = made([5, 19, 5, 0, 5]);
  graph.nodes[4].weight = 3;
  assert.deepEqual(rankOrder(graph.nodes), [1, 4, 0, 2, 3]);
  assert.deepEqual(rankOrder(graph.nodes, 2), [1, 4]);
  assert.deepEqual(rankOrder(graph.nodes, 0), []);
  assert.deepEqual(rankOrder(graph.nodes, 99).length, 5);
});

Deno.test("linkLists gives each page its in-links and out-links, a self link in both", () => {
  const lists = linkLists(made([1, 2, 3], [[0, 1], [2, 1], [1, 0], [2, 2]]));
  assert.deepEqual(lists.inbound, [[1], [0, 2], [2]]);
  assert.deepEqual(lists.outbound, [[1], [0], [1, 2]]);
});

Deno.test("hostColours gives the hosts with most pages the palette, the rest one grey", () => {
  const graph = made(Array.from({ length: 40 }, () => 1), [], 20);
  graph.nodes[39].url = "http://h0.example/extra";
  graph.nodes.push({ index: 40, id: 41, url: "not a url", rank: 0, weight: 0 });
  const hosts = hostColours(graph);
  assert.equal(hosts.length, 21);
  assert.deepEqual(hosts[0], { host: "h0.example", pages: 3, colour: hosts[0].colour });
  const coloured = hosts.filter((h) => h.colour !== OTHER_HOSTS_COLOUR);
  assert.equal(coloured.length, 12);
  assert.equal(new Set(coloured.map((h) => h.colour)).size, 12, "each its own colour");
  assert.equal(hosts.find((h) => h.host === "")?.colour, OTHER_HOSTS_COLOUR);
});

Deno.test("hostOf is empty for text that is not an absolute URL", () => {
  assert.equal(hostOf("/relative"), "");
  assert.equal(hostOf('"><img src=x onerror=alert(1)>'), "");
  assert.equal(hostOf("https://example.com:8443/x"), "example.com:8443");
});

Deno.test("startPage is the page with id 1", () => {
  assert.equal(startPage(made([1, 19])), 0);
  const graph = made([1, 19]);
  graph.nodes[0].id = 7;
  assert.equal(startPage(graph), -1);
});

Deno.test("findPage prefers the exact URL, then the best-ranked page containing the text", () => {
  const graph = made([1, 19, 5]);
  graph.nodes[0].url = "http://a.example/page";
  graph.nodes[1].url = "http://a.example/page/more";
  graph.nodes[2].url = "http://b.example/Page";
  assert.equal(findPage(graph, "http://a.example/page"), 0);
  assert.equal(findPage(graph, "page"), 1);
  assert.equal(findPage(graph, "b.example/PAGE"), 2);
  assert.equal(findPage(graph, "   "), -1);
  assert.equal(findPage(graph, "nowhere"), -1);
});

Deno.test("openableUrl lets only http and https through, as the parsed href", () => {
  assert.equal(openableUrl("https://a.example"), "https://a.example/");
  assert.equal(openableUrl("HTTP://A.example/x"), "http://a.example/x");
  for (
    const url of [
      "javascript:alert(1)",
      "\tjavascript:alert(1)",
      "vbscript:x",
      "file:///etc/passwd",
      "ftp://a/",
      "mailto:a@b",
      "/x",
      "",
    ]
  ) {
    assert.equal(openableUrl(url), null, url);
  }
});

Deno.test("nodeSize grows with rank and stays within its bounds", () => {
  assert.equal(nodeSize(-3), 2);
  assert.equal(nodeSize(40), 16);
  for (let rank = 1; rank <= 19; rank++) assert(nodeSize(rank) > nodeSize(rank - 1));
});

Deno.test("spiralLayout places every page apart, best-ranked nearest the middle", () => {
  const ranks = Array.from({ length: 500 }, (_, i) => (i * 7919) % 19);
  const graph = made(ranks);
  const positions = spiralLayout(graph);
  const order = rankOrder(graph.nodes);
  const distance = (i: number) => Math.hypot(positions[i].x, positions[i].y);
  for (let k = 1; k < order.length; k++) assert(distance(order[k]) >= distance(order[k - 1]));
  const keys = new Set(positions.map(({ x, y }) => `${x.toFixed(3)},${y.toFixed(3)}`));
  assert.equal(keys.size, 500);
});
