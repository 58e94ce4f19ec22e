// Copyright netprog authors. MIT license.

/**
 * The HTML corpus with Chromium's answers (the corpus NETPROG_CORPUS names):
 * finding it, loading it, and comparing a parser's answers with Chromium's,
 * for the corpus tests and the DOM benchmark.
 *
 * The corpus is other people's text and is not part of the repository: the
 * environment variable `NETPROG_CORPUS` gives the path of its folder (the one
 * holding `expected.json` and `pages/`). Without it, the tests that need it
 * are ignored, each with one `SKIP:` line on stderr.
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

/** The environment variable that names the corpus folder. */
export const CORPUS_VARIABLE = "NETPROG_CORPUS";

/**
 * The corpus folder `NETPROG_CORPUS` names, without a trailing slash; null
 * when the variable is unset or empty (or may not be read).
 *
 * @returns The folder, or null.
 *
 * @example Ask for the corpus, and do without it
 * ```ts
 * import { corpusDir } from "./_corpus.ts";
 *
 * const dir = corpusDir();
 * console.log(dir === null ? "no corpus" : `corpus in ${dir}`);
 * ```
 */
export function corpusDir(): string | null {
  let value: string | undefined;
  try {
    value = Deno.env.get(CORPUS_VARIABLE);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) return null;
    throw error;
  }
  if (value === undefined || value === "") return null;
  return value.length > 1 ? value.replace(/\/+$/, "") : value;
}

/**
 * For a test that needs the corpus: true (ignore the test) when
 * `NETPROG_CORPUS` is not set, after one loud `SKIP:` line on stderr naming
 * the test; false when the corpus is there.
 *
 * @param testName The test's name, for the line.
 * @returns Whether to ignore the test.
 *
 * @example Ignore a test when there is no corpus
 * ```ts
 * import { corpusDir, skipWithoutCorpus } from "./_corpus.ts";
 * import assert from "node:assert/strict";
 *
 * // In a test file: Deno.test({ name, ignore: skipWithoutCorpus(name), fn }).
 * // (Without the corpus it would print its SKIP line: this example asks only with it.)
 * if (corpusDir() !== null) {
 *   assert.equal(skipWithoutCorpus("a test that reads the corpus"), false);
 * }
 * ```
 */
export function skipWithoutCorpus(testName: string): boolean {
  if (corpusDir() !== null) return false;
  console.error(
    `SKIP: ${testName}: ${CORPUS_VARIABLE} is not set (the external HTML corpus); ` +
      ".ci/run sets it when the corpus folder is beside the repository",
  );
  return true;
}

/** A test or test step that needs the corpus, for `Deno.test` or `t.step`. */
export interface CorpusTestDefinition {
  /** The test's name. */
  name: string;
  /** True when `NETPROG_CORPUS` is not set. */
  ignore: boolean;
  /** Runs the test with the corpus folder. */
  fn: (t: Deno.TestContext) => void | Promise<void>;
}

/**
 * Defines a test (or a test step) that needs the corpus: ignored, after one
 * `SKIP:` line ({@linkcode skipWithoutCorpus}), when `NETPROG_CORPUS` is not
 * set; otherwise `fn` runs with the corpus folder.
 *
 * @param name The test's name.
 * @param fn The test; it gets the corpus folder and the test context.
 * @returns The definition to give `Deno.test` or `t.step`.
 *
 * @example A test that reads the corpus
 * ```ts
 * import { corpusDir, corpusTest } from "./_corpus.ts";
 * import assert from "node:assert/strict";
 *
 * // In a test file: Deno.test(corpusTest("the corpus has pages", async (dir) => { ... })).
 * // (Without the corpus it would print its SKIP line: this example asks only with it.)
 * if (corpusDir() !== null) {
 *   const definition = corpusTest("the corpus has an expected.json", async (dir) => {
 *     assert.ok((await Deno.stat(`${dir}/expected.json`)).isFile);
 *   });
 *   assert.equal(definition.ignore, false);
 *   assert.equal(definition.name, "the corpus has an expected.json");
 * }
 * ```
 */
export function corpusTest(
  name: string,
  fn: (dir: string, t: Deno.TestContext) => void | Promise<void>,
): CorpusTestDefinition {
  const ignore = skipWithoutCorpus(name);
  return {
    name,
    ignore,
    fn: (t) => {
      const dir = corpusDir();
      if (dir === null) throw new Error(`${CORPUS_VARIABLE} is not set`);
      return fn(dir, t);
    },
  };
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(path)) as T;
}

/**
 * Loads the corpus from its folder.
 *
 * @param dir The corpus folder, as {@linkcode corpusDir} gives it.
 * @returns Pages (sorted by name), snippets and probes in file order.
 */
export async function loadCorpus(dir: string): Promise<Corpus> {
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
