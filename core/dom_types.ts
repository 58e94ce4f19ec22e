// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * The small part of the standard DOM that the core reads. The browser's own
 * `Document` and `Element` satisfy these interfaces structurally, and so does
 * any standard DOM implementation (the npm-based one the scripts use,
 * deno_dom, jsdom, domino). (API contract; documentation pending.)
 *
 * @module
 */

/** A DOM node: what the core reads of a child node. */
export interface DomNode {
  /** 1 for an element, 3 for text, 8 for a comment, ... */
  readonly nodeType: number;
  /** The text of the node (for text nodes, the text itself). */
  readonly textContent: string | null;
}

/** An attribute as listed by `Element.attributes`. */
export interface DomAttr {
  /** The attribute's qualified name, as the parser stored it (lower case for HTML). */
  readonly name: string;
  /** The attribute's value, entities decoded. */
  readonly value: string;
}

/** An element: what the core reads of an `a`. */
export interface DomElement extends DomNode {
  /** The value of the named attribute, or null. */
  getAttribute(name: string): string | null;
  /** The attributes in source order. */
  readonly attributes: ArrayLike<DomAttr>;
  /** The first child node, or null. */
  readonly firstChild: DomNode | null;
  /** The element serialized as the browser serializes it. */
  readonly outerHTML: string;
}

/** A document or element that can be searched by tag name selector (`"a"`, `"p"`). */
export interface DomParentNode {
  /** The matching descendant elements in document order. */
  querySelectorAll(selectors: string): ArrayLike<DomElement>;
}
