// Copyright netprog authors. MIT license.

/**
 * The scripts' HTML parser: parse5 (WHATWG HTML parsing, as a browser does)
 * behind the standard `DOMParser` interface, building a small read-only DOM
 * that satisfies the core's `DomParentNode` and `DomElement`. Like the
 * browser's `DOMParser`, it parses with scripting disabled, so the content of
 * `<noscript>` is markup; the content of a `<template>` is kept out of the
 * tree (in the template's `content`). Needs no permission.
 *
 * Selectors: type selectors (`a`, `p`, `*`), an attribute presence test
 * (`a[href]`, `[id]`) and comma lists of them. Anything else throws a
 * `SyntaxError` `DOMException`, as the browser does for an invalid selector.
 *
 * @module
 */

import { parse, serialize, serializeOuter } from "parse5";
import type { DomAttr, DomElement, DomParentNode } from "../../core/dom_types.ts";
import type { SerializerOptions, TreeAdapter, TreeAdapterTypeMap } from "parse5";

export type { DomAttr, DomElement, DomNode, DomParentNode } from "../../core/dom_types.ts";

/**
 * An attribute as the parser stores it: local name and value, plus namespace
 * and prefix for the foreign attributes of SVG and MathML (`xlink:href`).
 *
 * @example Reading the parser's attribute list
 * ```ts
 * import { parseHtml, type RawAttribute } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const attrs: RawAttribute[] = parseHtml('<svg><a xlink:href="x"/></svg>').querySelector("a")!.attrs;
 * assert.deepEqual([attrs[0].prefix, attrs[0].name, attrs[0].value], ["xlink", "href", "x"]);
 * ```
 */
export interface RawAttribute {
  /** The local name. */
  name: string;
  /** The value, entities decoded. */
  value: string;
  /** The namespace of a foreign attribute. */
  namespace?: string;
  /** The prefix of a foreign attribute. */
  prefix?: string;
}

/**
 * The parser's document mode, from the `<!DOCTYPE>` (or its absence).
 *
 * @example A page without a doctype is in quirks mode
 * ```ts
 * import { parseHtml, type ParsedDocumentMode } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const mode: ParsedDocumentMode = parseHtml("<p>x").mode;
 * assert.equal(mode, "quirks");
 * ```
 */
export type ParsedDocumentMode = "no-quirks" | "quirks" | "limited-quirks";

const HTML_NS = "http://www.w3.org/1999/xhtml";
function asciiLowerCase(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : text;
}

function asciiUpperCase(text: string): string {
  return /[a-z]/.test(text) ? text.replace(/[a-z]+/g, (s) => s.toUpperCase()) : text;
}

/**
 * A node that can be the child of another: element, text, comment, doctype.
 *
 * @example Walking the children of an element
 * ```ts
 * import { parseHtml, type ParsedChildNode } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const nodes: ParsedChildNode[] = parseHtml("<p>a<!--b--><i>c</i>").querySelector("p")!.childNodes;
 * assert.deepEqual(nodes.map((node) => node.nodeName), ["#text", "#comment", "I"]);
 * ```
 */
export type ParsedChildNode = ParsedElement | ParsedText | ParsedComment | ParsedDocumentType;

/**
 * What every node of a parsed document has: its type, its parent, its siblings.
 *
 * @example Every node is a ParsedNode
 * ```ts
 * import { parseHtml, ParsedNode } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const p = parseHtml("<p>a<b>b</b>").querySelector("p")!;
 * assert.ok(p.firstChild instanceof ParsedNode);
 * assert.equal(p.firstChild.nextSibling?.nodeType, 1);
 * ```
 */
export abstract class ParsedNode {
  /** 1 element, 3 text, 8 comment, 9 document, 10 document type, 11 fragment. */
  abstract readonly nodeType: number;
  /** The parent, or null for a document, a fragment, or a node taken out. */
  parentNode: ParsedDocument | ParsedDocumentFragment | ParsedElement | null = null;

  /** The node after this one in its parent, or null. */
  get nextSibling(): ParsedChildNode | null {
    const siblings = this.parentNode?.childNodes;
    if (siblings === undefined) return null;
    return siblings[siblings.indexOf(this as unknown as ParsedChildNode) + 1] ?? null;
  }

  /** The node before this one in its parent, or null. */
  get previousSibling(): ParsedChildNode | null {
    const siblings = this.parentNode?.childNodes;
    if (siblings === undefined) return null;
    return siblings[siblings.indexOf(this as unknown as ParsedChildNode) - 1] ?? null;
  }
}

/**
 * A node that has children: document, template content, element.
 *
 * @example Searching below an element
 * ```ts
 * import { parseHtml, ParsedParentNode } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const list = parseHtml("<ul><li><a href=1>1</a><li><a href=2>2</a></ul><a href=3>3</a>").querySelector("ul")!;
 * assert.ok(list instanceof ParsedParentNode);
 * assert.deepEqual(list.querySelectorAll("a").map((a) => a.getAttribute("href")), ["1", "2"]);
 * ```
 */
export abstract class ParsedParentNode extends ParsedNode {
  /** The children in order. */
  readonly childNodes: ParsedChildNode[] = [];

  /** The first child, or null. */
  get firstChild(): ParsedChildNode | null {
    return this.childNodes[0] ?? null;
  }

  /** The last child, or null. */
  get lastChild(): ParsedChildNode | null {
    return this.childNodes[this.childNodes.length - 1] ?? null;
  }

  /** The child elements in order. */
  get children(): ParsedElement[] {
    return this.childNodes.filter((node) => node instanceof ParsedElement);
  }

  /**
   * The descendant elements that match `selectors`, in document order.
   *
   * @param selectors Type selectors, `*`, `[attribute]` tests and comma lists (`"a, p"`).
   * @returns The matching elements.
   */
  querySelectorAll(selectors: string): ParsedElement[] {
    const matches = compileSelectors(selectors);
    const found: ParsedElement[] = [];
    const stack: ParsedChildNode[] = this.childNodes.toReversed();
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (!(node instanceof ParsedElement)) continue;
      if (matches(node)) found.push(node);
      for (let i = node.childNodes.length - 1; i >= 0; i--) stack.push(node.childNodes[i]);
    }
    return found;
  }

  /**
   * The first descendant element that matches `selectors`, or null.
   *
   * @param selectors As for {@linkcode ParsedParentNode.prototype.querySelectorAll}.
   * @returns The element, or null.
   */
  querySelector(selectors: string): ParsedElement | null {
    return this.querySelectorAll(selectors)[0] ?? null;
  }

  /**
   * The descendant elements with this tag name (`"*"` for all), in document order.
   *
   * @param qualifiedName The tag name.
   * @returns The elements.
   */
  getElementsByTagName(qualifiedName: string): ParsedElement[] {
    return this.querySelectorAll(qualifiedName === "*" ? "*" : asciiLowerCase(qualifiedName));
  }

  /** The text of all descendant text nodes, in order. */
  get textContent(): string | null {
    let text = "";
    const stack: ParsedChildNode[] = this.childNodes.toReversed();
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node instanceof ParsedText) text += node.data;
      else if (node instanceof ParsedElement) {
        for (let i = node.childNodes.length - 1; i >= 0; i--) stack.push(node.childNodes[i]);
      }
    }
    return text;
  }
}

/** A parsed HTML document, as `DOMParser.parseFromString` returns it.
 *
 * @example The parts of a document
 * ```ts
 * import { parseHtml } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const doc = parseHtml("<title>Romeo</title><p>But soft");
 * assert.equal(doc.title, "Romeo");
 * assert.equal(doc.body?.textContent, "But soft");
 * assert.equal(doc.documentElement?.tagName, "HTML");
 * ```
 */
export class ParsedDocument extends ParsedParentNode implements DomParentNode {
  /** Always 9. */
  readonly nodeType = 9;
  /** Always `"#document"`. */
  readonly nodeName = "#document";
  /** The parser's document mode: `"no-quirks"`, `"quirks"` or `"limited-quirks"`. */
  mode: ParsedDocumentMode = "no-quirks";

  /** Always null for a document. */
  override get textContent(): null {
    return null;
  }

  /** The `<!DOCTYPE>` node, or null. */
  get doctype(): ParsedDocumentType | null {
    return this.childNodes.find((node) => node instanceof ParsedDocumentType) ?? null;
  }

  /** The root element (`html`). */
  get documentElement(): ParsedElement | null {
    return this.childNodes.find((node) => node instanceof ParsedElement) ?? null;
  }

  /** The `head` element. */
  get head(): ParsedElement | null {
    return this.documentElement?.children.find((e) => e.isHtml("head")) ?? null;
  }

  /** The `body` (or `frameset`) element. */
  get body(): ParsedElement | null {
    return this.documentElement?.children.find((e) => e.isHtml("body") || e.isHtml("frameset")) ??
      null;
  }

  /** The text of the first `title` element, white space collapsed. */
  get title(): string {
    const title = this.querySelector("title")?.textContent ?? "";
    return title.replace(/[\t\n\f\r ]+/g, " ").trim();
  }
}

/** The content of a `<template>`: children that are not part of the document tree.
 *
 * @example A template's links are in its content only
 * ```ts
 * import { parseHtml } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const doc = parseHtml("<template><a href=t>t</a></template>");
 * assert.equal(doc.querySelectorAll("a").length, 0);
 * assert.equal(doc.querySelector("template")?.content?.querySelectorAll("a").length, 1);
 * ```
 */
export class ParsedDocumentFragment extends ParsedParentNode {
  /** Always 11. */
  readonly nodeType = 11;
  /** Always `"#document-fragment"`. */
  readonly nodeName = "#document-fragment";
}

/** An attribute, as `Element.attributes` lists it.
 *
 * @example Attributes in source order
 * ```ts
 * import { parseHtml } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const a = parseHtml("<a title=t href=h>x</a>").querySelector("a")!;
 * assert.deepEqual(a.attributes.map((attr) => `${attr.name}=${attr.value}`), ["title=t", "href=h"]);
 * ```
 */
export class ParsedAttr implements DomAttr {
  /** The qualified name (`href`, `xlink:href`). */
  readonly name: string;
  /** The value, entities decoded. */
  readonly value: string;
  /** The local name (`href`). */
  readonly localName: string;
  /** The namespace (XLink, XML, XMLNS), or null. */
  readonly namespaceURI: string | null;
  /** The prefix (`xlink`), or null. */
  readonly prefix: string | null;

  /**
   * Wraps one attribute of the parser.
   *
   * @param attribute The parser's attribute.
   */
  constructor(attribute: RawAttribute) {
    this.localName = attribute.name;
    this.value = attribute.value;
    this.namespaceURI = attribute.namespace ?? null;
    this.prefix = attribute.prefix ?? null;
    this.name = qualifiedName(attribute);
  }
}

function qualifiedName(attribute: RawAttribute): string {
  return attribute.prefix ? `${attribute.prefix}:${attribute.name}` : attribute.name;
}

/** An element of a parsed document (HTML, SVG or MathML).
 *
 * @example An element's name, attributes and markup
 * ```ts
 * import { parseHtml } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const a = parseHtml('<A HREF="page1.htm">First <b>Page</b></A>').querySelector("a")!;
 * assert.equal(a.tagName, "A");
 * assert.equal(a.getAttribute("href"), "page1.htm");
 * assert.equal(a.textContent, "First Page");
 * assert.equal(a.outerHTML, '<a href="page1.htm">First <b>Page</b></a>');
 * ```
 */
export class ParsedElement extends ParsedParentNode implements DomElement {
  /** Always 1. */
  readonly nodeType = 1;
  /** The local name: lower case for HTML, as adjusted by the parser for SVG (`foreignObject`). */
  readonly localName: string;
  /** The namespace: HTML, SVG or MathML. */
  readonly namespaceURI: string;
  /** A `<template>`'s content, outside the tree; null for other elements. */
  content: ParsedDocumentFragment | null = null;
  /** The parser's attribute list, in source order. */
  readonly attrs: RawAttribute[];

  /**
   * Makes an element; the parser calls this.
   *
   * @param localName The tag name.
   * @param namespaceURI The namespace.
   * @param attrs The attributes in source order.
   */
  constructor(localName: string, namespaceURI: string, attrs: RawAttribute[]) {
    super();
    this.localName = localName;
    this.namespaceURI = namespaceURI;
    this.attrs = attrs;
  }

  /** Is this the HTML element with this (lower-case) name? */
  isHtml(localName: string): boolean {
    return this.localName === localName && this.namespaceURI === HTML_NS;
  }

  /** The tag name: upper case for HTML elements (`"A"`), as is for SVG and MathML. */
  get tagName(): string {
    return this.namespaceURI === HTML_NS ? asciiUpperCase(this.localName) : this.localName;
  }

  /** Same as {@linkcode ParsedElement.prototype.tagName}. */
  get nodeName(): string {
    return this.tagName;
  }

  /** The attributes in source order. */
  get attributes(): ParsedAttr[] {
    return this.attrs.map((attribute) => new ParsedAttr(attribute));
  }

  /**
   * The value of the first attribute with this qualified name, or null. For
   * an HTML element the name is matched in lower case, as in a browser.
   *
   * @param name The attribute's name (`"href"`, `"xlink:href"`).
   * @returns The value, or null.
   */
  getAttribute(name: string): string | null {
    const wanted = this.namespaceURI === HTML_NS ? asciiLowerCase(name) : name;
    for (const attribute of this.attrs) {
      if (qualifiedName(attribute) === wanted) return attribute.value;
    }
    return null;
  }

  /**
   * Whether the element has this attribute.
   *
   * @param name The attribute's name.
   * @returns True when present.
   */
  hasAttribute(name: string): boolean {
    return this.getAttribute(name) !== null;
  }

  /** The element and its descendants, serialized as a browser serializes them. */
  get outerHTML(): string {
    return serializeOuter(this, serializerOptions);
  }

  /** The descendants (a template's content), serialized as a browser serializes them. */
  get innerHTML(): string {
    return serialize(this, serializerOptions);
  }
}

/**
 * What a text node and a comment share: their `data`, which is also their
 * `textContent` and `nodeValue`.
 *
 * @example A text node's data
 * ```ts
 * import { parseHtml, ParsedCharacterData } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const text = parseHtml("<p>hi</p>").querySelector("p")!.firstChild!;
 * assert(text instanceof ParsedCharacterData);
 * assert.equal(text.data, "hi");
 * assert.equal(text.nodeValue, "hi");
 * ```
 */
export abstract class ParsedCharacterData extends ParsedNode {
  /** The text (of a comment: between `<!--` and `-->`), entities decoded. */
  data: string;

  /**
   * Makes the node; the parser calls this.
   *
   * @param data The text.
   */
  constructor(data: string) {
    super();
    this.data = data;
  }

  /** The text. */
  get textContent(): string {
    return this.data;
  }

  /** The text. */
  get nodeValue(): string {
    return this.data;
  }
}

/** A text node.
 *
 * @example Text is stored with entities decoded
 * ```ts
 * import { parseHtml } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const text = parseHtml("<p>fish &amp; chips").querySelector("p")!.firstChild!;
 * assert.equal(text.nodeType, 3);
 * assert.equal(text.textContent, "fish & chips");
 * ```
 */
export class ParsedText extends ParsedCharacterData {
  /** Always 3. */
  readonly nodeType = 3;
  /** Always `"#text"`. */
  readonly nodeName = "#text";
}

/** A comment node.
 *
 * @example A comment's text
 * ```ts
 * import { parseHtml } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const comment = parseHtml("<p><!-- note -->").querySelector("p")!.firstChild!;
 * assert.equal(comment.nodeType, 8);
 * assert.equal(comment.textContent, " note ");
 * ```
 */
export class ParsedComment extends ParsedCharacterData {
  /** Always 8. */
  readonly nodeType = 8;
  /** Always `"#comment"`. */
  readonly nodeName = "#comment";
}

/** A `<!DOCTYPE>` node.
 *
 * @example The doctype of a page
 * ```ts
 * import { parseHtml } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseHtml("<!DOCTYPE html><p>x").doctype?.name, "html");
 * assert.equal(parseHtml("<p>x").doctype, null);
 * ```
 */
export class ParsedDocumentType extends ParsedNode {
  /** Always 10. */
  readonly nodeType = 10;
  /** The name (`html`). */
  name: string;
  /** The public identifier, or "". */
  publicId: string;
  /** The system identifier, or "". */
  systemId: string;

  /**
   * Makes a document type node; the parser calls this.
   *
   * @param name The name.
   * @param publicId The public identifier.
   * @param systemId The system identifier.
   */
  constructor(name: string, publicId: string, systemId: string) {
    super();
    this.name = name;
    this.publicId = publicId;
    this.systemId = systemId;
  }

  /** Always null for a document type. */
  get textContent(): null {
    return null;
  }

  /** The name. */
  get nodeName(): string {
    return this.name;
  }
}

type SelectorTest = (element: ParsedElement) => boolean;

const SIMPLE_SELECTOR = /^(\*|[A-Za-z][A-Za-z0-9_-]*)?(?:\[\s*([A-Za-z_][A-Za-z0-9_:.-]*)\s*\])?$/;
const compiledSelectors = new Map<string, SelectorTest>();

function compileSelectors(selectors: string): SelectorTest {
  const cached = compiledSelectors.get(selectors);
  if (cached !== undefined) return cached;
  const tests = selectors.split(",").map((part): SelectorTest => {
    const match = SIMPLE_SELECTOR.exec(part.trim());
    if (match === null || (match[1] === undefined && match[2] === undefined)) {
      throw new DOMException(
        `Cannot use selector ${JSON.stringify(selectors)}: ` +
          `only type selectors, "*", "[attribute]" and comma lists of them are supported`,
        "SyntaxError",
      );
    }
    const tag = match[1] === "*" ? undefined : match[1];
    const lowerTag = tag === undefined ? undefined : asciiLowerCase(tag);
    const attribute = match[2];
    return (element) =>
      (tag === undefined ||
        element.localName === (element.namespaceURI === HTML_NS ? lowerTag : tag)) &&
      (attribute === undefined || element.getAttribute(attribute) !== null);
  });
  const test: SelectorTest = tests.length === 1
    ? tests[0]
    : (element) => tests.some((one) => one(element));
  if (compiledSelectors.size < 64) compiledSelectors.set(selectors, test);
  return test;
}

interface ParsedTreeMap extends TreeAdapterTypeMap {
  node: ParsedDocument | ParsedDocumentFragment | ParsedChildNode;
  parentNode: ParsedDocument | ParsedDocumentFragment | ParsedElement;
  childNode: ParsedChildNode;
  document: ParsedDocument;
  documentFragment: ParsedDocumentFragment;
  element: ParsedElement;
  commentNode: ParsedComment;
  textNode: ParsedText;
  template: ParsedElement;
  documentType: ParsedDocumentType;
}

function detach(node: ParsedChildNode): void {
  const parent = node.parentNode;
  if (parent === null) return;
  const siblings = parent.childNodes;
  const at = siblings[siblings.length - 1] === node ? siblings.length - 1 : siblings.indexOf(node);
  siblings.splice(at, 1);
  node.parentNode = null;
}

function insertAt(
  parent: ParsedTreeMap["parentNode"],
  node: ParsedChildNode,
  reference: ParsedChildNode,
): void {
  const siblings = parent.childNodes;
  const at = siblings[siblings.length - 1] === reference
    ? siblings.length - 1
    : siblings.indexOf(reference);
  siblings.splice(at, 0, node);
  node.parentNode = parent;
}

/** Builds the light node classes above while parse5 parses, and reads them when it serializes. */
const treeAdapter: TreeAdapter<ParsedTreeMap> = {
  createDocument: () => new ParsedDocument(),
  createDocumentFragment: () => new ParsedDocumentFragment(),
  createElement: (tagName, namespaceURI, attrs) => new ParsedElement(tagName, namespaceURI, attrs),
  createCommentNode: (data) => new ParsedComment(data),
  createTextNode: (value) => new ParsedText(value),
  appendChild(parent, node) {
    parent.childNodes.push(node);
    node.parentNode = parent;
  },
  insertBefore: insertAt,
  setTemplateContent(template, content) {
    template.content = content;
  },
  getTemplateContent: (template) => template.content!,
  setDocumentType(document, name, publicId, systemId) {
    const existing = document.doctype;
    if (existing !== null) {
      existing.name = name;
      existing.publicId = publicId;
      existing.systemId = systemId;
    } else {
      const doctype = new ParsedDocumentType(name, publicId, systemId);
      document.childNodes.push(doctype);
      doctype.parentNode = document;
    }
  },
  setDocumentMode(document, mode) {
    document.mode = mode as string as ParsedDocumentMode;
  },
  getDocumentMode: (document) =>
    document.mode as string as ReturnType<TreeAdapter["getDocumentMode"]>,
  detachNode: detach,
  insertText(parent, text) {
    const last = parent.childNodes[parent.childNodes.length - 1];
    if (last instanceof ParsedText) {
      last.data += text;
    } else {
      const node = new ParsedText(text);
      parent.childNodes.push(node);
      node.parentNode = parent;
    }
  },
  insertTextBefore(parent, text, reference) {
    const siblings = parent.childNodes;
    const previous = siblings[siblings.indexOf(reference) - 1];
    if (previous instanceof ParsedText) previous.data += text;
    else insertAt(parent, new ParsedText(text), reference);
  },
  adoptAttributes(recipient, attrs) {
    const present = new Set(recipient.attrs.map((attribute) => attribute.name));
    for (const attribute of attrs) {
      if (!present.has(attribute.name)) {
        recipient.attrs.push(attribute);
        present.add(attribute.name);
      }
    }
  },
  getFirstChild: (node) => node.childNodes[0] ?? null,
  getChildNodes: (node) => node.childNodes,
  getParentNode: (node) => node.parentNode,
  getAttrList: (element) => element.attrs,
  getTagName: (element) => element.localName,
  getNamespaceURI: (element) => element.namespaceURI as ReturnType<TreeAdapter["getNamespaceURI"]>,
  getTextNodeContent: (text) => text.data,
  getCommentNodeContent: (comment) => comment.data,
  getDocumentTypeNodeName: (doctype) => doctype.name,
  getDocumentTypeNodePublicId: (doctype) => doctype.publicId,
  getDocumentTypeNodeSystemId: (doctype) => doctype.systemId,
  isTextNode: (node): node is ParsedText => node instanceof ParsedText,
  isCommentNode: (node): node is ParsedComment => node instanceof ParsedComment,
  isDocumentTypeNode: (node): node is ParsedDocumentType => node instanceof ParsedDocumentType,
  isElementNode: (node): node is ParsedElement => node instanceof ParsedElement,
  setNodeSourceCodeLocation() {},
  getNodeSourceCodeLocation: () => undefined,
  updateNodeSourceCodeLocation() {},
};

/**
 * parse5's serializer over the same nodes; with scripting disabled, as in a
 * `DOMParser` document, the text of a `<noscript>` is escaped.
 */
const serializerOptions: SerializerOptions<ParsedTreeMap> = {
  treeAdapter,
  scriptingEnabled: false,
};

/**
 * Parses HTML as a browser's `DOMParser` does (WHATWG parsing, scripting
 * disabled).
 *
 * @param html The page, as text.
 * @returns The document.
 *
 * @example Links and paragraphs of a page
 * ```ts
 * import { parseHtml } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const doc = parseHtml('<p>One<a HREF="page1.htm?a=1&amp;b=2">x</a><p>Two<a>y</a>');
 * assert.deepEqual(doc.querySelectorAll("a").map((a) => a.getAttribute("href")), [
 *   "page1.htm?a=1&b=2",
 *   null,
 * ]);
 * assert.equal(doc.querySelectorAll("p").length, 2);
 * assert.equal(doc.querySelector("a")!.outerHTML, '<a href="page1.htm?a=1&amp;b=2">x</a>');
 * ```
 */
export function parseHtml(html: string): ParsedDocument {
  return parse<ParsedTreeMap>(html, { treeAdapter, scriptingEnabled: false });
}

/**
 * The standard `DOMParser` interface over {@linkcode parseHtml}, so that the
 * scripts read like code written for a browser.
 *
 * @example Parsing the book's page2.htm
 * ```ts
 * import { DOMParser } from "./dom.ts";
 * import assert from "node:assert/strict";
 *
 * const html = '<h1>The Second Page</h1>\n<p>\nIf you like, you can switch back to the\n' +
 *   '<a href="page1.htm">\nFirst Page</a>.\n</p>\n';
 * const doc = new DOMParser().parseFromString(html, "text/html");
 * const anchor = doc.querySelectorAll("a")[0];
 * assert.equal(anchor.outerHTML, '<a href="page1.htm">\nFirst Page</a>');
 * assert.equal(anchor.firstChild?.textContent, "\nFirst Page");
 * assert.deepEqual(anchor.attributes.map((a) => [a.name, a.value]), [["href", "page1.htm"]]);
 * ```
 */
export class DOMParser {
  /**
   * Parses a string as an HTML document.
   *
   * @param html The markup.
   * @param type Only `"text/html"` is supported.
   * @returns The document.
   * @throws {TypeError} For another type.
   */
  parseFromString(html: string, type: "text/html"): ParsedDocument {
    if (type !== "text/html") {
      throw new TypeError(`Cannot parse as ${JSON.stringify(type)}: only "text/html" is supported`);
    }
    return parseHtml(html);
  }
}
