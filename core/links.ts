// Copyright netprog authors. MIT license.
// This module is browser compatible.

/** (API contract; implementation pending.) @module */

import type { DomElement, DomParentNode } from "./dom_types.ts";

/** The book's pattern, as written in the book (Python syntax). */
export const BOOK_LINK_PATTERN = 'href="(http[s]?://.*?)"';

/** Every match of the book's pattern, Python semantics (`.` matches all but `\n`), in order, duplicates kept. */
export function extractLinksRegex(_html: string): string[] {
  throw new Error("not implemented");
}

/** Options for {@linkcode extractLinksDom}. */
export interface ExtractLinksDomOptions {
  /** Resolve each href against this URL; an href that cannot be resolved is returned as written. */
  baseUrl?: string;
}

/** The href of every `a` element in document order (null for an `a` without href). */
export function extractLinksDom(
  _root: DomParentNode,
  _options?: ExtractLinksDomOptions,
): (string | null)[] {
  throw new Error("not implemented");
}

/** What urllink2 prints of an anchor. */
export interface AnchorDescription {
  /** The element's outer HTML. */
  tag: string;
  /** The href, or null. */
  url: string | null;
  /** The first child: text as is, an element as its outer HTML, "" when none. */
  contents: string;
  /** The attributes in source order. */
  attrs: [string, string][];
}

/** Describes an anchor as urllink2 does. */
export function describeAnchor(_anchor: DomElement): AnchorDescription {
  throw new Error("not implemented");
}

/** The four lines urllink2 prints (`TAG: `, `URL: `, `Contents: `, `Attrs: `), joined by "\n", no final newline. */
export function formatAnchorDescription(_description: AnchorDescription): string {
  throw new Error("not implemented");
}

/** The number of `p` elements. */
export function countParagraphs(_root: DomParentNode): number {
  throw new Error("not implemented");
}
