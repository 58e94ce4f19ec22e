// Copyright netprog authors. MIT license.

/**
 * The scripts' HTML parser against Chromium's answers on the HTML corpus
 * (`../shared/corpus/`): the hrefs of `a[href]` and the number of `p`
 * elements, computed with the core's `extractLinksDom` and `countParagraphs`.
 */

import assert from "node:assert/strict";
import { compareCases, type Difference, loadCorpus } from "./_corpus.ts";
import { parseHtml } from "../scripts/lib/dom.ts";
import { SHARED } from "./_helpers.ts";

const corpus = await loadCorpus(SHARED);

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

Deno.test("corpus: every page gives Chromium's hrefs, p count and body text length", () => {
  assert.equal(corpus.pages.length, 77);
  const differences = compareCases(corpus.pages, parseHtml, true);
  console.log(`pages: ${corpus.pages.length - differences.length}/${corpus.pages.length} agree`);
  assert.deepEqual(differences.map((d) => d.id), [], describe(differences));
});

Deno.test("corpus: at least 318 of the 323 html5lib snippets give Chromium's hrefs and p count", () => {
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

Deno.test("corpus: the probes give Chromium's answers except newer <select> parsing", () => {
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
