// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * The small part of the standard DOM that the core reads. The core never
 * parses HTML itself: the caller passes in a parsed document, so the same
 * functions serve every runtime. The browser's own `Document` and `Element`
 * (from `new DOMParser().parseFromString(html, "text/html")`) satisfy these
 * interfaces structurally, and so does any standard DOM implementation: the
 * parse5-based one the scripts use (`scripts/lib/dom.ts`), deno_dom, jsdom or
 * domino.
 *
 * @example Any object of the right shape will do
 * ```ts
 * import {
 *   countParagraphs,
 *   type DomElement,
 *   type DomParentNode,
 *   extractLinksDom,
 * } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const link: DomElement = {
 *   nodeType: 1,
 *   textContent: "First Page",
 *   attributes: [{ name: "href", value: "page1.htm" }],
 *   firstChild: { nodeType: 3, textContent: "First Page" },
 *   outerHTML: '<a href="page1.htm">First Page</a>',
 *   getAttribute: (name) => name === "href" ? "page1.htm" : null,
 * };
 * const doc: DomParentNode = { querySelectorAll: (s) => s === "a" ? [link] : [] };
 * assertEquals(extractLinksDom(doc), ["page1.htm"]);
 * assertEquals(countParagraphs(doc), 0);
 * ```
 *
 * @module
 */

/**
 * A DOM node: what the core reads of a child node (a `Node` in a browser).
 *
 * @example A text node
 * ```ts
 * import type { DomNode } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const text: DomNode = { nodeType: 3, textContent: "\nFirst Page" };
 * assertEquals(text.nodeType, 3);
 * ```
 */
export interface DomNode {
  /** 1 for an element, 3 for text, 8 for a comment, ... (`Node.nodeType`). */
  readonly nodeType: number;
  /** The text of the node: for a text or comment node, its data; for an element, its descendants' text. */
  readonly textContent: string | null;
}

/**
 * An attribute as listed by `Element.attributes` (an `Attr` in a browser).
 *
 * @example An attribute
 * ```ts
 * import type { DomAttr } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const attr: DomAttr = { name: "href", value: "page1.htm" };
 * assertEquals(`${attr.name}=${attr.value}`, "href=page1.htm");
 * ```
 */
export interface DomAttr {
  /** The attribute's qualified name, as the parser stored it (lower case for HTML, `xlink:href` for SVG). */
  readonly name: string;
  /** The attribute's value, entities decoded. */
  readonly value: string;
}

/**
 * An element: what the core reads of an `a` (an `Element` in a browser).
 *
 * @example An anchor described by the core
 * ```ts
 * import { describeAnchor, type DomElement } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const anchor: DomElement = {
 *   nodeType: 1,
 *   textContent: "",
 *   attributes: [{ name: "name", value: "top" }],
 *   firstChild: null,
 *   outerHTML: '<a name="top"></a>',
 *   getAttribute: (name) => name === "name" ? "top" : null,
 * };
 * assertEquals(describeAnchor(anchor).url, null);
 * assertEquals(describeAnchor(anchor).attrs, [["name", "top"]]);
 * ```
 */
export interface DomElement extends DomNode {
  /**
   * The value of the first attribute with this name, or null.
   *
   * @param name The attribute's name.
   * @returns Its value, or null when absent.
   */
  getAttribute(name: string): string | null;
  /** The attributes in source order. */
  readonly attributes: ArrayLike<DomAttr>;
  /** The first child node, or null. */
  readonly firstChild: DomNode | null;
  /** The element serialized as the browser serializes it (HTML fragment serialization). */
  readonly outerHTML: string;
}

/**
 * A document or element that can be searched by type selector (`"a"`,
 * `"p"`): a `Document` or `Element` in a browser.
 *
 * @example A root with one paragraph
 * ```ts
 * import { countParagraphs, type DomElement, type DomParentNode } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const root: DomParentNode = {
 *   querySelectorAll: (selectors) => selectors === "p" ? [{} as DomElement] : [],
 * };
 * assertEquals(countParagraphs(root), 1);
 * ```
 */
export interface DomParentNode {
  /**
   * The matching descendant elements in document order.
   *
   * @param selectors A CSS selector; the core uses `"a"` and `"p"`.
   * @returns The matching elements.
   */
  querySelectorAll(selectors: string): ArrayLike<DomElement>;
}
