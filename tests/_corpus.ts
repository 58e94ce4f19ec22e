// Copyright netprog authors. MIT license.

/**
 * The HTML corpus with Chromium's answers (`../shared/corpus/`): loading it,
 * and comparing a parser's answers with Chromium's, for the corpus test and
 * the DOM benchmark.
 *
 * @module
 */

import { countParagraphs, extractLinksDom } from "../core/links.ts";
import type { DomParentNode } from "../core/dom_types.ts";

/** What Chromium's `DOMParser` gave for one page or snippet. */
export interface CorpusAnswer {
  /** `getAttribute("href")` of every `a[href]`, in document order. */
  hrefs: string[];
  /** `querySelectorAll("p").length`. */
  p: number;
  /** `body.textContent.length` in UTF-16 code units, null without a body. */
  textLen: number | null;
}

/** One case of the corpus: its id, its markup and Chromium's answer. */
export interface CorpusCase {
  /** Page name, snippet id or probe id. */
  id: string;
  /** The markup. */
  html: string;
  /** Chromium's answer. */
  expected: CorpusAnswer;
  /** What a probe tests, when given. */
  what?: string;
}

/** The three groups of the corpus. */
export interface Corpus {
  /** The real-world pages, decoded as `new TextDecoder()` decodes them. */
  pages: CorpusCase[];
  /** The malformed-HTML snippets from html5lib-tests. */
  snippets: CorpusCase[];
  /** The hand-written probes. */
  probes: CorpusCase[];
}

/** A document as the corpus reads it: searchable, with a body that has text. */
export interface CorpusDocument extends DomParentNode {
  /** The body element, or null. */
  readonly body: { readonly textContent: string | null } | null;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(path)) as T;
}

/**
 * Loads the corpus from `<shared>/corpus/`.
 *
 * @param shared The shared folder.
 * @returns Pages (sorted by name), snippets and probes in file order.
 */
export async function loadCorpus(shared: string): Promise<Corpus> {
  const dir = `${shared}/corpus`;
  const expectedPages = await readJson<Record<string, CorpusAnswer>>(`${dir}/expected.json`);
  const pages: CorpusCase[] = [];
  const decoder = new TextDecoder();
  for (const name of Object.keys(expectedPages).sort()) {
    const bytes = await Deno.readFile(`${dir}/pages/${name}.html`);
    pages.push({ id: name, html: decoder.decode(bytes), expected: expectedPages[name] });
  }
  const group = async (file: string): Promise<CorpusCase[]> => {
    const cases = await readJson<{ id: string; html: string; what?: string }[]>(
      `${dir}/${file}.json`,
    );
    const expected = await readJson<Record<string, CorpusAnswer>>(`${dir}/${file}.expected.json`);
    return cases.map((c) => ({ ...c, expected: expected[c.id] }));
  };
  return { pages, snippets: await group("html5lib-snippets"), probes: await group("probes") };
}

/**
 * Our answer for one document, computed with the core functions.
 *
 * @param doc The parsed document.
 * @returns The hrefs (non-null `extractLinksDom` values), `p` count and body text length.
 */
export function answerOf(doc: CorpusDocument): CorpusAnswer {
  return {
    hrefs: extractLinksDom(doc).filter((href): href is string => href !== null),
    p: countParagraphs(doc),
    textLen: doc.body === null ? null : doc.body.textContent?.length ?? 0,
  };
}

/** A case where our answer differs from Chromium's. */
export interface Difference {
  /** The case's id. */
  id: string;
  /** Which parts differ: `hrefs`, `p`, `textLen`. */
  parts: string[];
  /** Chromium's answer. */
  expected: CorpusAnswer;
  /** Ours. */
  actual: CorpusAnswer;
}

/**
 * Compares our answers with Chromium's on `hrefs` and `p` (and `textLen` when asked).
 *
 * @param cases The cases.
 * @param parse Parses markup into a document.
 * @param withTextLength Also compare `textLen`.
 * @returns The cases that differ.
 */
export function compareCases(
  cases: CorpusCase[],
  parse: (html: string) => CorpusDocument,
  withTextLength = false,
): Difference[] {
  const differences: Difference[] = [];
  for (const c of cases) {
    const actual = answerOf(parse(c.html));
    const parts: string[] = [];
    if (JSON.stringify(actual.hrefs) !== JSON.stringify(c.expected.hrefs)) parts.push("hrefs");
    if (actual.p !== c.expected.p) parts.push("p");
    if (withTextLength && actual.textLen !== c.expected.textLen) parts.push("textLen");
    if (parts.length > 0) differences.push({ id: c.id, parts, expected: c.expected, actual });
  }
  return differences;
}
