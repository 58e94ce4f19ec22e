// Copyright netprog authors. MIT license.

/**
 * The scripts' HTML parser against Chromium's answers on the HTML corpus
 * (the corpus NETPROG_CORPUS names): the hrefs of `a[href]` and the number of
 * `p` elements, computed with the core's `extractLinksDom` and
 * `countParagraphs`. Without NETPROG_CORPUS these tests are ignored, each
 * with a `SKIP:` line; tests/pitfalls_test.ts always runs on the project's own
 * fixtures.
 */

import assert from "node:assert/strict";
import {
  compareCases,
  type Corpus,
  corpusDir,
  type Difference,
  loadCorpus,
  skipWithoutCorpus,
} from "./_corpus.ts";
import { parseHtml } from "../scripts/lib/dom.ts";

const CORPUS_DIR = corpusDir();
/** The corpus, or an empty one when NETPROG_CORPUS is not set (the tests are then ignored). */
const corpus: Corpus = CORPUS_DIR === null
  ? { pages: [], snippets: [], probes: [] }
  : await loadCorpus(CORPUS_DIR);

/** The snippets the corpus README lists as newer `<select>` parsing than parse5 8.1.1 knows. */
const SELECT_SPEC_DRIFT = ["tests10:17", "tests10:18", "tests9:18", "tests9:19"];
/** The probe of newer `<select>` parsing (an `a` kept inside `<select>`). */
const PROBES_EXPECTED_TO_DIFFER = ["select"];

function describe(differences: Difference[]): string {
  return differences
    .map((d) =>
      `${d.id} (${d.parts.join(", ")}): Chromium ${JSON.stringify(d.expected)}, ours ${
        JSON.stringify(d.actual)
      }`
    )
    .join("\n");
}

const PAGES_TEST = "corpus: every page gives Chromium's hrefs, p count and body text length";
Deno.test({ name: PAGES_TEST, ignore: skipWithoutCorpus(PAGES_TEST) }, () => {
  assert.equal(corpus.pages.length, 77);
  const differences = compareCases(corpus.pages, parseHtml, true);
  console.log(`pages: ${corpus.pages.length - differences.length}/${corpus.pages.length} agree`);
  assert.deepEqual(differences.map((d) => d.id), [], describe(differences));
});

const SNIPPETS_TEST =
  "corpus: at least 318 of the 323 html5lib snippets give Chromium's hrefs and p count";
Deno.test({ name: SNIPPETS_TEST, ignore: skipWithoutCorpus(SNIPPETS_TEST) }, () => {
  assert.equal(corpus.snippets.length, 323);
  const differences = compareCases(corpus.snippets, parseHtml);
  const agree = corpus.snippets.length - differences.length;
  console.log(
    `snippets: ${agree}/${corpus.snippets.length} agree; differ: ${
      differences.map((d) => d.id).join(", ") || "none"
    }`,
  );
  assert.ok(agree >= 318, `only ${agree} snippets agree:\n${describe(differences)}`);
  // Any difference beyond the known spec drift is a regression to look at.
  const unexpected = differences.filter((d) => !SELECT_SPEC_DRIFT.includes(d.id));
  assert.deepEqual(unexpected.map((d) => d.id), [], describe(unexpected));
});

const PROBES_TEST = "corpus: the probes give Chromium's answers except newer <select> parsing";
Deno.test({ name: PROBES_TEST, ignore: skipWithoutCorpus(PROBES_TEST) }, () => {
  assert.equal(corpus.probes.length, 22);
  const differences = compareCases(corpus.probes, parseHtml, true);
  console.log(
    `probes: ${corpus.probes.length - differences.length}/${corpus.probes.length} agree; differ: ${
      differences.map((d) => d.id).join(", ") || "none"
    }`,
  );
  const unexpected = differences.filter((d) => !PROBES_EXPECTED_TO_DIFFER.includes(d.id));
  assert.deepEqual(unexpected.map((d) => d.id), [], describe(unexpected));
});
