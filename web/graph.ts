// Copyright netprog authors. MIT license.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

/**
 * The link graph page: open or drop spider.json (or the book's spider.js)
 * and see the crawl drawn with sigma (WebGL) on a graphology graph, laid out
 * by ForceAtlas2. What is drawn is computed by graph_data.ts; this file
 * reads the file, draws and answers the mouse. Every URL from the file is
 * set as text (`textContent`, canvas labels), never as markup, and becomes
 * a link only for an http or https address, on an explicit click, with
 * `rel="noopener noreferrer"`.
 *
 * For tests and scripts, the page keeps on `document.body.dataset`:
 * `generation` (files drawn so far), `drawnMs` (from the drop or the file
 * choice to the first drawing, in ms), `layout` (`running` or `done`) and
 * `iterations` (ForceAtlas2 iterations so far); and `window.netprogGraph`
 * has `positionOf(url)`, a page's position in the drawing (CSS pixels from
 * the top left of `#graph-view`), or null when it is not drawn, and
 * `renders`, how many times sigma has drawn the graph, and `frames`, the
 * frames in which the drawing on screen changed.
 *
 * Drawing speed: where WebGL runs in software (SwiftShader, when there is no
 * GPU), sigma's instanced programs (circles, arrows) cost several times more
 * than points and lines, so pages are points, links are lines past
 * {@linkcode ARROW_LINKS}, and a big graph's links hide while the layout
 * runs. A big graph panned or zoomed is not drawn again at every step: the
 * last drawing moves as a picture and the graph is drawn once where it comes
 * to rest ({@linkcode PICTURE_LINKS}). `renders` counts sigma's drawings,
 * `frames` the frames in which the drawing on screen changed either way.
 *
 * @module
 */

import { DirectedGraph } from "graphology";
import Sigma from "sigma";
import type { SigmaEventPayload } from "sigma/types";
import { EdgeLineProgram, NodePointProgram } from "sigma/rendering";
// A CommonJS package: its function is the namespace's default, in Deno as in the bundle.
import * as forceAtlas2Module from "graphology-layout-forceatlas2";
import {
  findPage,
  hostColours,
  hostOf,
  type LinkLists,
  linkLists,
  nodeSize,
  openableUrl,
  OTHER_HOSTS_COLOUR,
  parseSpiderFile,
  rankOrder,
  rankText,
  type SpiderGraph,
  spiralLayout,
  startPage,
} from "./graph_data.ts";

// Its types declare an ES default export; the bundle (and Deno) give the function itself.
const forceAtlas2 = forceAtlas2Module
  .default as unknown as typeof forceAtlas2Module.default.default;

/** Items of an in-link or out-link list drawn at once; the rest are counted. */
const LIST_ROWS = 200;
/** Pages in the top list. */
const TOP_ROWS = 20;
/** Hosts in the colour key; the rest are counted. */
const LEGEND_ROWS = 12;
/**
 * Links drawn as arrows up to this many; more are drawn as lines, which draw
 * several times faster where WebGL runs in software (SwiftShader).
 */
const ARROW_LINKS = 2000;
/**
 * From this many links, they are hidden while the drawing moves and while
 * the layout runs, so that both go faster.
 */
const STILL_LINKS = 5000;
/**
 * From this many links or pages, the drawing moves as a picture while the mouse pans it or the
 * wheel zooms it: the last drawing is moved and scaled as it stands (a CSS transform of sigma's
 * layers, which the browser composes without drawing the graph again), and the graph is drawn
 * again once, where it has come to rest, when the gesture ends or pauses. Where WebGL runs in
 * software, drawing 10,000 pages takes longer than a frame; moving a picture does not.
 */
const PICTURE_LINKS = 5000;
const PICTURE_PAGES = 5000;
/** A pan that pauses this long, in ms, is drawn where it is; a zoom is drawn this long after the wheel's last turn. */
const REST_MS = 200;
/** A press that moves less than this, in CSS pixels, is a click, not a pan. */
const CLICK_SLOP = 4;
/** How much one notch of the wheel (100 pixels of `deltaY`) zooms, as sigma's own wheel does. */
const WHEEL_ZOOM = 1.7;
/** How much a double click zooms, as sigma's own does (its doubleClickZoomingRatio). */
const DOUBLE_CLICK_ZOOM = 2.2;
/** The layout's work per frame, in ms: an iteration of a big graph takes longer, and runs alone. */
const LAYOUT_SLICE_MS = 24;
/** The most layout work on one file, in ms, and the most iterations. */
const LAYOUT_BUDGET_MS = 6000;
const LAYOUT_MAX_ITERATIONS = 400;

interface NodeAttributes {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
  fixed?: boolean;
}

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

const fileInput = byId<HTMLInputElement>("graph-file");
const status = byId("graph-status");
const view = byId("graph-view");
const hover = byId("graph-hover");
const search = byId<HTMLInputElement>("graph-search");
const limit = byId<HTMLInputElement>("graph-limit");
const limitValue = byId<HTMLOutputElement>("graph-limit-value");
const layoutButton = byId<HTMLButtonElement>("graph-layout");
const selectedBox = byId("graph-selected");
const openLine = byId("graph-open-line");
const openLink = byId<HTMLAnchorElement>("graph-open");
const notWeb = byId("graph-not-web");

const count = (n: number) => n.toLocaleString("en-US");
const plural = (n: number, noun: string) => `${count(n)} ${noun}${n === 1 ? "" : "s"}`;
const dark = () => matchMedia("(prefers-color-scheme: dark)").matches;

/** Everything about the file on show. */
interface Shown {
  data: SpiderGraph;
  graph: DirectedGraph<NodeAttributes>;
  renderer: Sigma<NodeAttributes>;
  lists: LinkLists;
  order: number[];
  /** Each node's place in the rank order, 0 for the best. */
  place: Int32Array;
  start: number;
  /** How many of the best-ranked pages are drawn. */
  top: number;
  selected: number;
  /** The selected page's neighbours: 1 links to it, 2 linked from it, 3 both. */
  around: Map<number, number>;
  layout: { iterations: number; spent: number; frame: number; running: boolean };
  /** What the status line says of the file once it is drawn. */
  summary: string;
  /** Whether the drawing moves as a picture while it is panned or zoomed ({@linkcode PICTURE_LINKS}). */
  pictured: boolean;
  picture: Picture;
}

/**
 * The last drawing moved as a picture: what it drew at a point p of the view (CSS pixels from
 * its top left) shows at `scale` × p + (`x`, `y`) until the graph is drawn again.
 */
interface Picture {
  scale: number;
  x: number;
  y: number;
  /** The pointer of a pan under way, in client pixels, or null. */
  pointer: { x: number; y: number } | null;
  /** Where the press began, in client pixels, to tell a pan from a click. */
  pressed: { x: number; y: number };
  /** Whether the last press moved the drawing: its click selects nothing and lets go of nothing. */
  panned: boolean;
  /** The animation frame that will show the picture where it now is, or 0. */
  frame: number;
  /** The timer that draws the graph where the picture came to rest, or 0. */
  rest: number;
  /** The camera has moved to where the picture is; its next drawing puts the picture back. */
  settling: boolean;
}

let shown: Shown | null = null;
let generation = 0;
let renders = 0;
/** Frames in which the drawing changed on screen: drawn again, or moved as a picture. */
let frames = 0;
let lastFrame: unknown = null;

/** Counts a frame that changed the drawing on screen, once however many times it changes. */
function countFrame(): void {
  const now = document.timeline.currentTime;
  if (now === lastFrame) return;
  lastFrame = now;
  frames++;
}

/** Shows the picture where it now is: sigma's layers (not its mouse layer) moved and scaled. */
function placePicture(picture: Picture): void {
  const { scale, x, y } = picture;
  if (scale === 1 && x === 0 && y === 0) {
    view.classList.remove("moving");
    view.style.removeProperty("--picture");
    return;
  }
  view.style.setProperty("--picture", `matrix(${scale}, 0, 0, ${scale}, ${x}, ${y})`);
  view.classList.add("moving");
  countFrame();
}

/** Moves the picture at the next frame (once per frame however many events come). */
function showPicture(current: Shown): void {
  const picture = current.picture;
  clearTimeout(picture.rest);
  picture.rest = setTimeout(() => settle(current), REST_MS);
  if (picture.frame !== 0) return;
  picture.frame = requestAnimationFrame(() => {
    picture.frame = 0;
    if (shown === current) placePicture(picture);
  });
}

/** How much the picture can zoom by `wanted`, within the camera's bounds (1 when it cannot). */
function zoomFactor(current: Shown, wanted: number): number {
  const camera = current.renderer.getCamera();
  const scale = current.picture.scale;
  const factor = camera.ratio / camera.getBoundedRatio(camera.ratio / scale / wanted) / scale;
  return Number.isFinite(factor) && factor > 0 ? factor : 1;
}

/** Zooms the picture by `wanted` about a point in client pixels: the point stays where it is. */
function zoomPicture(current: Shown, clientX: number, clientY: number, wanted: number): void {
  const factor = zoomFactor(current, wanted);
  if (factor === 1) return;
  const picture = current.picture;
  hover.hidden = true;
  const box = current.renderer.getCanvases().mouse.getBoundingClientRect();
  const px = clientX - box.left;
  const py = clientY - box.top;
  picture.scale *= factor;
  picture.x = px + (picture.x - px) * factor;
  picture.y = py + (picture.y - py) * factor;
  showPicture(current);
}

/**
 * Moves the camera to where the picture shows the graph, so that sigma draws it there at its next
 * frame; that drawing puts the picture back in place.
 */
function settle(current: Shown): void {
  const { picture, renderer } = current;
  clearTimeout(picture.rest);
  picture.rest = 0;
  const { scale, x, y } = picture;
  if (scale === 1 && x === 0 && y === 0) return;
  const camera = renderer.getCamera();
  const { width, height } = renderer.getDimensions();
  // The point of the last drawing that the picture shows at the middle of the view.
  const middle = renderer.viewportToFramedGraph({
    x: (width / 2 - x) / scale,
    y: (height / 2 - y) / scale,
  });
  picture.scale = 1;
  picture.x = 0;
  picture.y = 0;
  picture.settling = true;
  camera.setState({ x: middle.x, y: middle.y, ratio: camera.ratio / scale });
}

/** The reasons a page is drawn as it is, applied on every refresh of the drawing. */
function reduceNode(shown: Shown, key: string, data: NodeAttributes) {
  const index = Number(key);
  const result: Record<string, unknown> = { ...data };
  if (shown.selected === -1) {
    if (shown.place[index] >= shown.top) result.hidden = true;
    if (index === shown.start) {
      result.highlighted = true;
      result.label = `Start: ${data.label}`;
    }
    return result;
  }
  const role = shown.around.get(index);
  if (index === shown.selected) {
    result.highlighted = true;
    result.zIndex = 2;
  } else if (role !== undefined) {
    result.zIndex = 1;
  } else {
    result.color = dark() ? "#3a3c42" : "#dcdce0";
    result.label = "";
    result.zIndex = 0;
    if (shown.place[index] >= shown.top) result.hidden = true;
  }
  return result;
}

/** Links of the selected page in their colours; with a page selected, the other links hide. */
function reduceEdge(shown: Shown, key: string, data: Record<string, unknown>) {
  if (shown.selected === -1) {
    // A big graph's links wait for the layout to end: drawing them at every step would slow it.
    return shown.layout.running && shown.data.links.length >= STILL_LINKS
      ? { ...data, hidden: true }
      : data;
  }
  const { source, target } = shown.data.links[Number(key)];
  const light = !dark();
  if (source === shown.selected) {
    return { ...data, color: light ? "#0b62c4" : "#6cb2ff", zIndex: 1 };
  }
  if (target === shown.selected) {
    return { ...data, color: light ? "#c2410c" : "#ff9a5c", zIndex: 1 };
  }
  return { ...data, hidden: true };
}

/** Fills a list of pages, each a button that selects it; its text is the URL exactly. */
function fillPages(list: HTMLElement, indexes: readonly number[], data: SpiderGraph): void {
  const items = document.createDocumentFragment();
  for (const index of indexes.slice(0, LIST_ROWS)) {
    const node = data.nodes[index];
    const li = make("li");
    const button = make("button", node.url);
    button.type = "button";
    button.dataset.index = String(index);
    button.title = `rank ${rankText(node.rank)}, ${plural(node.weight, "inbound link")}`;
    li.append(button);
    items.append(li);
  }
  if (indexes.length > LIST_ROWS) {
    items.append(make("li", `and ${count(indexes.length - LIST_ROWS)} more`, "more"));
  }
  list.replaceChildren(items);
}

/** The URL, then its rank and inbound count, as text. */
function describe(element: HTMLElement, data: SpiderGraph, index: number): void {
  const node = data.nodes[index];
  element.replaceChildren(
    make("span", node.url, "url"),
    make(
      "span",
      `rank ${rankText(node.rank)} · ${plural(node.weight, "inbound link")}` +
        (index === startPage(data) ? " · the start page" : ""),
      "facts",
    ),
  );
}

function fillTop(shown: Shown): void {
  fillPages(byId("graph-top"), shown.order.slice(0, Math.min(TOP_ROWS, shown.top)), shown.data);
}

/** Selects a page (or none, with -1): lists its links, highlights them, offers to open it. */
function select(index: number, moveTo = false): void {
  if (shown === null) return;
  const current = shown;
  current.selected = index;
  current.around.clear();
  const inbound = index === -1 ? [] : current.lists.inbound[index];
  const outbound = index === -1 ? [] : current.lists.outbound[index];
  for (const i of inbound) current.around.set(i, 1);
  for (const i of outbound) current.around.set(i, (current.around.get(i) ?? 0) | 2);
  fillPages(byId("graph-in"), inbound, current.data);
  fillPages(byId("graph-out"), outbound, current.data);
  byId("graph-in-count").textContent = count(inbound.length);
  byId("graph-out-count").textContent = count(outbound.length);
  if (index === -1) {
    selectedBox.textContent = "None: click a page or find one.";
    openLine.hidden = true;
    notWeb.hidden = true;
    openLink.removeAttribute("href");
  } else {
    describe(selectedBox, current.data, index);
    const href = openableUrl(current.data.nodes[index].url);
    openLine.hidden = href === null;
    notWeb.hidden = href !== null;
    if (href === null) openLink.removeAttribute("href");
    else openLink.href = href;
  }
  current.renderer.refresh({ skipIndexation: true });
  if (moveTo && index !== -1) {
    const display = current.renderer.getNodeDisplayData(String(index));
    const camera = current.renderer.getCamera();
    if (display !== undefined) {
      camera.animate({ x: display.x, y: display.y, ratio: Math.min(camera.ratio, 0.5) }, {
        duration: 300,
      });
    }
  }
}

/** Shows the best `top` pages by rank. */
function showTop(top: number): void {
  if (shown === null) return;
  shown.top = Math.max(1, Math.min(top, shown.data.nodes.length));
  limitValue.textContent = count(shown.top);
  fillTop(shown);
  shown.renderer.refresh({ skipIndexation: true });
}

/** Runs ForceAtlas2 a slice at a time, between frames, until its budget is spent. */
function runLayout(current: Shown): void {
  const layout = current.layout;
  const settings = {
    ...forceAtlas2.inferSettings(current.graph),
    barnesHutOptimize: current.graph.order > 2000,
  };
  layout.running = true;
  document.body.dataset.layout = "running";
  layoutButton.textContent = "Stop the layout";
  const step = () => {
    if (shown !== current || !layout.running) return;
    const started = performance.now();
    do {
      forceAtlas2.assign(current.graph, { iterations: 1, settings });
      layout.iterations++;
    } while (performance.now() - started < LAYOUT_SLICE_MS);
    layout.spent += performance.now() - started;
    document.body.dataset.iterations = String(layout.iterations);
    if (layout.spent < LAYOUT_BUDGET_MS && layout.iterations < LAYOUT_MAX_ITERATIONS) {
      layout.frame = requestAnimationFrame(step);
    } else {
      stopLayout(current);
    }
  };
  layout.frame = requestAnimationFrame(step);
}

function stopLayout(current: Shown): void {
  current.layout.running = false;
  cancelAnimationFrame(current.layout.frame);
  document.body.dataset.layout = "done";
  layoutButton.textContent = "Lay out again";
  current.renderer.refresh({ skipIndexation: true });
  status.textContent = `${current.summary}; laid out in ` +
    `${plural(current.layout.iterations, "iteration")} of ForceAtlas2.`;
}

/** Builds the graphology graph and the drawing for a file read. */
function draw(data: SpiderGraph, started: number): void {
  if (shown !== null) {
    shown.layout.running = false;
    cancelAnimationFrame(shown.layout.frame);
    shown.renderer.kill();
    cancelAnimationFrame(shown.picture.frame);
    clearTimeout(shown.picture.rest);
    shown = null;
  }
  view.classList.remove("moving");
  view.style.removeProperty("--picture");
  hover.hidden = true;
  view.replaceChildren();
  const order = rankOrder(data.nodes);
  const place = new Int32Array(data.nodes.length);
  order.forEach((index, k) => place[index] = k);
  const positions = spiralLayout(data, order);
  const colours = hostColours(data);
  const colourOf = new Map(colours.map((host) => [host.host, host.colour]));
  const graph = new DirectedGraph<NodeAttributes>({ multi: false, allowSelfLoops: true });
  for (const node of data.nodes) {
    graph.addNode(String(node.index), {
      ...positions[node.index],
      size: nodeSize(node.rank),
      color: colourOf.get(hostOf(node.url)) ?? OTHER_HOSTS_COLOUR,
      label: node.url,
    });
  }
  data.links.forEach((link, i) => {
    graph.addDirectedEdgeWithKey(String(i), String(link.source), String(link.target));
  });
  const arrows = data.links.length <= ARROW_LINKS;
  const fg = getComputedStyle(document.body).color;
  const renderer = new Sigma<NodeAttributes>(graph, view, {
    defaultEdgeType: arrows ? "arrow" : "thin",
    hideEdgesOnMove: data.links.length >= STILL_LINKS,
    edgeProgramClasses: { thin: EdgeLineProgram },
    defaultNodeType: "point",
    nodeProgramClasses: { point: NodePointProgram },
    defaultEdgeColor: dark() ? "rgba(160,160,170,0.28)" : "rgba(90,90,100,0.22)",
    labelColor: { color: fg },
    labelFont: "system-ui, sans-serif",
    labelSize: 12,
    labelDensity: 0.6,
    labelRenderedSizeThreshold: 9,
    zIndex: true,
    // Until `shown` is set below, the first drawing takes the attributes as they are.
    nodeReducer: (key, attributes) => shown ? reduceNode(shown, key, attributes) : attributes,
    edgeReducer: (key, attributes) => shown ? reduceEdge(shown, key, attributes) : attributes,
  });
  const start = startPage(data);
  const current: Shown = {
    data,
    graph,
    renderer,
    lists: linkLists(data),
    order,
    place,
    start,
    top: data.nodes.length,
    selected: -1,
    around: new Map(),
    layout: { iterations: 0, spent: 0, frame: 0, running: false },
    summary: "",
    pictured: data.links.length >= PICTURE_LINKS || data.nodes.length >= PICTURE_PAGES,
    picture: {
      scale: 1,
      x: 0,
      y: 0,
      pointer: null,
      pressed: { x: 0, y: 0 },
      panned: false,
      frame: 0,
      rest: 0,
      settling: false,
    },
  };
  shown = current;
  wire(current);
  renderer.refresh();

  byId("graph-node-count").textContent = count(data.nodes.length);
  byId("graph-link-count").textContent = count(data.links.length);
  byId("graph-start-line").hidden = start === -1;
  byId("graph-start").textContent = start === -1 ? "" : data.nodes[start].url;
  view.setAttribute(
    "aria-label",
    `The link graph: ${plural(data.nodes.length, "page")}, ${plural(data.links.length, "link")}`,
  );
  fillLegend(colours);
  limit.max = String(Math.max(1, data.nodes.length));
  limit.value = limit.max;
  limit.disabled = data.nodes.length === 0;
  search.disabled = data.nodes.length === 0;
  layoutButton.disabled = data.nodes.length === 0;
  showTop(data.nodes.length);
  select(-1);

  requestAnimationFrame(() => {
    generation++;
    document.body.dataset.generation = String(generation);
    document.body.dataset.drawnMs = (performance.now() - started).toFixed(1);
    current.summary = `Drew ${plural(data.nodes.length, "page")} and ` +
      `${plural(data.links.length, "link")} in ${Math.round(performance.now() - started)} ms` +
      (data.duplicates > 0 ? ` (${plural(data.duplicates, "repeated link")} kept once)` : "") +
      (data.form === "book" ? ", from the book's spider.js" : "");
    status.textContent = current.summary + (data.nodes.length > 1 ? "; laying out…" : ".");
    if (data.nodes.length > 1) runLayout(current);
    else document.body.dataset.layout = "done";
  });
}

function fillLegend(colours: { host: string; pages: number; colour: string }[]): void {
  const items = document.createDocumentFragment();
  for (const { host, pages, colour } of colours.slice(0, LEGEND_ROWS)) {
    const li = make("li");
    const swatch = make("span", undefined, "swatch");
    swatch.style.background = colour;
    li.append(swatch, make("span", `${host || "not a URL"} (${count(pages)})`));
    items.append(li);
  }
  if (colours.length > LEGEND_ROWS) {
    const rest = colours.slice(LEGEND_ROWS).reduce((sum, host) => sum + host.pages, 0);
    const li = make("li");
    const swatch = make("span", undefined, "swatch");
    swatch.style.background = OTHER_HOSTS_COLOUR;
    li.append(
      swatch,
      make("span", `${plural(colours.length - LEGEND_ROWS, "other host")} (${count(rest)})`),
    );
    items.append(li);
  }
  byId("graph-hosts").replaceChildren(items);
}

/** The mouse on the drawing: hover, click, and dragging a page. */
function wire(current: Shown): void {
  const { renderer, graph, data, lists, picture } = current;
  renderer.on("afterRender", () => {
    renders++;
    countFrame();
    if (picture.settling) {
      // Drawn where the picture was: the picture goes back in place in the same frame (or to
      // where a gesture begun since has moved it, from this drawing).
      picture.settling = false;
      placePicture(picture);
    }
  });
  let dragged: string | null = null;
  let moved = false;
  renderer.on("enterNode", ({ node, event }) => {
    const index = Number(node);
    describe(hover, data, index);
    const inside = lists.inbound[index].length;
    hover.append(make("span", `${plural(inside, "link")} in from these pages`, "facts"));
    hover.hidden = false;
    placeHover(event.x, event.y);
    view.classList.add("pointing");
  });
  renderer.on("leaveNode", () => {
    hover.hidden = true;
    view.classList.remove("pointing");
  });
  renderer.on("downStage", ({ event }) => {
    const press = event.original;
    if (!current.pictured || !(press instanceof MouseEvent) || press.button !== 0) return;
    picture.pointer = { x: press.clientX, y: press.clientY };
    picture.pressed = picture.pointer;
    hover.hidden = true;
  });
  renderer.on("downNode", ({ node }) => {
    dragged = node;
    moved = false;
    graph.setNodeAttribute(node, "fixed", true);
  });
  renderer.getMouseCaptor().on("mousemovebody", (event) => {
    if (dragged === null) return;
    moved = true;
    const { x, y } = renderer.viewportToGraph(event);
    graph.mergeNodeAttributes(dragged, { x, y });
    event.preventSigmaDefault();
    event.original.preventDefault();
    event.original.stopPropagation();
  });
  const drop = () => {
    dragged = null;
  };
  renderer.getMouseCaptor().on("mouseup", drop);
  renderer.getMouseCaptor().on("mouseleave", drop);
  renderer.on("clickNode", ({ node }) => {
    if (moved) return;
    select(Number(node));
  });
  renderer.on("clickStage", () => select(-1));
  // Sigma takes any second click within its doubleClickTimeout (300 ms) of the first for a double
  // click, wherever each was, says nothing of it as a click, and zooms in: a page clicked, then
  // the background (or another page) soon after, is still a click each, and only two clicks at
  // one spot zoom.
  const presses = [{ x: NaN, y: NaN }, { x: NaN, y: NaN }];
  renderer.getMouseCaptor().on("mousedown", ({ x, y }) => {
    presses.shift();
    presses.push({ x, y });
  });
  const doubleClick = (event: SigmaEventPayload) => {
    const [first, second] = presses;
    if (moved || Math.hypot(second.x - first.x, second.y - first.y) >= CLICK_SLOP) {
      event.preventSigmaDefault();
    } else if (current.pictured) {
      // As sigma zooms on a double click, as a picture.
      event.preventSigmaDefault();
      const original = event.event.original as MouseEvent;
      zoomPicture(current, original.clientX, original.clientY, DOUBLE_CLICK_ZOOM);
    }
  };
  renderer.on("doubleClickNode", (event) => {
    doubleClick(event);
    if (!moved) select(Number(event.node));
  });
  renderer.on("doubleClickStage", (event) => {
    doubleClick(event);
    select(-1);
  });
}

/** Puts the hover box beside the pointer, inside the drawing. */
function placeHover(x: number, y: number): void {
  const box = view.getBoundingClientRect();
  const left = view.offsetLeft + Math.min(x + 14, Math.max(0, box.width - hover.offsetWidth - 4));
  const top = view.offsetTop + (y + 14 + hover.offsetHeight < box.height ? y + 14 : y - 14 -
    hover.offsetHeight);
  hover.style.left = `${Math.max(view.offsetLeft, left)}px`;
  hover.style.top = `${Math.max(view.offsetTop, top)}px`;
}

/** Reads a file the user chose or dropped and draws it. */
async function openFile(file: File, started: number): Promise<void> {
  status.textContent = `Reading ${file.name}…`;
  const bytes = new Uint8Array(await file.arrayBuffer());
  const magic = new TextDecoder().decode(bytes.subarray(0, 15));
  if (magic === "SQLite format 3") {
    status.textContent = `${file.name} is a crawl database: write its graph with ` +
      "deno task spjson, then open spider.json here.";
    return;
  }
  let data: SpiderGraph;
  try {
    data = parseSpiderFile(new TextDecoder().decode(bytes));
  } catch (error) {
    status.textContent = `Cannot draw ${file.name}: ${
      error instanceof Error ? error.message : String(error)
    }`;
    return;
  }
  draw(data, started);
}

fileInput.addEventListener("change", () => {
  const started = performance.now();
  const file = fileInput.files?.[0];
  if (file !== undefined) openFile(file, started);
});
document.body.addEventListener("dragover", (event) => {
  if (event.dataTransfer?.types.includes("Files")) {
    event.preventDefault();
    document.body.classList.add("dropping");
  }
});
document.body.addEventListener("dragleave", () => document.body.classList.remove("dropping"));
document.body.addEventListener("drop", (event) => {
  const started = performance.now();
  document.body.classList.remove("dropping");
  const file = event.dataTransfer?.files[0];
  if (file !== undefined) {
    event.preventDefault();
    openFile(file, started);
  }
});
search.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || shown === null) return;
  event.preventDefault();
  const index = findPage(shown.data, search.value, shown.order);
  if (index === -1) {
    status.textContent = `No page matches ${JSON.stringify(search.value.trim())}.`;
    return;
  }
  select(index, true);
});
limit.addEventListener("input", () => showTop(Number(limit.value)));
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && shown !== null && shown.selected !== -1) select(-1);
});
layoutButton.addEventListener("click", () => {
  if (shown === null) return;
  if (shown.layout.running) {
    stopLayout(shown);
  } else {
    shown.layout.spent = 0;
    shown.layout.iterations = 0;
    status.textContent = "Laying out…";
    runLayout(shown);
  }
});

// A big drawing panned or zoomed moves as a picture (see PICTURE_LINKS). These listeners come
// first (capture on the window, or on the view for the wheel) and keep the events from sigma, which
// would draw the graph again at every step.
addEventListener("mousedown", () => {
  if (shown !== null) shown.picture.panned = false;
}, { capture: true });
addEventListener("mousemove", (event) => {
  const current = shown;
  const pointer = current?.picture.pointer;
  if (current == null || pointer == null) return;
  const picture = current.picture;
  if ((event.buttons & 1) === 0) {
    // Released where no mouseup reached the page.
    picture.pointer = null;
    settle(current);
    return;
  }
  picture.x += event.clientX - pointer.x;
  picture.y += event.clientY - pointer.y;
  picture.pointer = { x: event.clientX, y: event.clientY };
  const { pressed } = picture;
  if (Math.hypot(event.clientX - pressed.x, event.clientY - pressed.y) >= CLICK_SLOP) {
    picture.panned = true;
  }
  event.stopPropagation();
  event.preventDefault();
  showPicture(current);
}, { capture: true });
addEventListener("mouseup", () => {
  if (shown === null || shown.picture.pointer === null) return;
  shown.picture.pointer = null;
  settle(shown);
}, { capture: true });
addEventListener("click", (event) => {
  // The click that ends a pan is not a click on the background or on a page.
  if (shown?.picture.panned && view.contains(event.target as Node)) {
    shown.picture.panned = false;
    event.stopPropagation();
  }
}, { capture: true });
view.addEventListener("wheel", (event) => {
  const current = shown;
  if (current === null || !current.pictured) return;
  const notches = -event.deltaY * (event.deltaMode === 1 ? 33 : event.deltaMode === 2 ? 400 : 1) /
    100;
  const factor = zoomFactor(current, WHEEL_ZOOM ** notches);
  if (factor === 1) return;
  event.preventDefault();
  event.stopPropagation();
  zoomPicture(current, event.clientX, event.clientY, factor);
}, { capture: true, passive: false });

for (const id of ["graph-in", "graph-out", "graph-top"]) {
  byId(id).addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest("button");
    if (button?.dataset.index !== undefined) select(Number(button.dataset.index), true);
  });
}

/** For tests and scripts: where a page is drawn, in CSS pixels from the drawing's top left. */
(globalThis as unknown as { netprogGraph: unknown }).netprogGraph = {
  /** How many times the drawing has been painted since the page loaded. */
  get renders(): number {
    return renders;
  },
  /**
   * Frames in which the drawing changed on screen since the page loaded: drawn again, or (a big
   * drawing panned or zoomed) moved as a picture.
   */
  get frames(): number {
    return frames;
  },
  positionOf(url: string): { x: number; y: number } | null {
    if (shown === null) return null;
    const index = shown.data.nodes.findIndex((node) => node.url === url);
    const display = index === -1 ? undefined : shown.renderer.getNodeDisplayData(String(index));
    if (display === undefined || display.hidden) return null;
    return shown.renderer.framedGraphToViewport(display);
  },
};
