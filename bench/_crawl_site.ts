// Copyright netprog authors. MIT license.

/**
 * The site the crawl benchmark crawls: a made-up newspaper of N linked HTML
 * pages, the same for the same seed. No permissions: it returns strings.
 *
 * Page 0 is the home page (`/`); pages 1 to 12 are the sections
 * (`/news/index.html`, ...); every other page is an article in its
 * section's folder (`/news/ralo-mentiv-1234.html`). The pages form a tree
 * of 12 children a page (page i's children are 12i+1 to 12i+12), and each
 * page links to all its children, so every page can be reached from the
 * home page, at most 4 links deep for 10,000 pages. Each page also links to:
 * the home page and the 12 sections (the header), its parents (breadcrumbs),
 * 7 to 29 pages picked at random (in the text and a "Related" list, some with
 * a `#comments` fragment), the top of itself (`#top`), a mailto address and
 * two other hosts' pages (which a crawler of this host must not follow).
 * Links to a page of the same folder are relative (`ralo-mentiv-1234.html`),
 * the others absolute paths (`/sport/index.html`); no URL but `/` ends in a
 * slash (the book's spider.py strips the slash, which would cost a redirect).
 * A page has 26 to 62 links (40 on average) and is about 9 to 12 KB of
 * ASCII: paragraphs of made-up words around the links.
 *
 * @module
 */

/** One page of the site. */
export interface SitePage {
  /** Its path on the server: `/`, or `/section/name.html`. */
  path: string;
  /** Its HTML. */
  html: string;
  /** How many `<a href>` it has. */
  links: number;
}

const SECTIONS = [
  "news",
  "science",
  "sport",
  "travel",
  "food",
  "music",
  "books",
  "film",
  "tech",
  "health",
  "garden",
  "history",
];
const BRANCH = SECTIONS.length;
const SYLLABLES = [
  "ka",
  "lo",
  "mi",
  "ren",
  "ta",
  "vo",
  "sel",
  "dan",
  "pri",
  "mo",
  "ul",
  "ne",
  "ra",
  "fi",
  "tor",
  "ben",
  "ga",
  "le",
  "shi",
  "pon",
  "tiv",
  "es",
  "ar",
  "quo",
];

/** A small fast generator of numbers in [0, 1), the same for the same seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const capitalize = (word: string) => word[0].toUpperCase() + word.slice(1);

/** The site's `count` pages, made from `seed`. */
export function generateSite(count: number, seed: number): SitePage[] {
  if (!Number.isInteger(count) || count < 1 + BRANCH) {
    throw new RangeError(`Cannot make a site of ${count} pages: at least ${1 + BRANCH}`);
  }
  const random = seededRandom(seed);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const vocabulary = Array.from({ length: 600 }, () => {
    let word = "";
    for (let n = between(1, 3); n > 0; n--) word += SYLLABLES[between(0, SYLLABLES.length - 1)];
    return word;
  });
  const word = () => vocabulary[between(0, vocabulary.length - 1)];
  const words = (n: number) => Array.from({ length: n }, word);
  const sentence = () => {
    const text = words(between(6, 16)).join(" ");
    return `${capitalize(text)}.`;
  };

  const section: number[] = [0];
  const paths: string[] = ["/"];
  const titles: string[] = ["Home"];
  const parentOf = (page: number) => Math.floor((page - 1) / BRANCH);
  for (let page = 1; page < count; page++) {
    const parent = parentOf(page);
    section[page] = parent === 0 ? page - 1 : section[parent];
    const folder = SECTIONS[section[page]];
    if (parent === 0) {
      paths[page] = `/${folder}/index.html`;
      titles[page] = capitalize(folder);
    } else {
      const slug = words(between(2, 4));
      paths[page] = `/${folder}/${slug.join("-")}-${page}.html`;
      titles[page] = capitalize(slug.join(" "));
    }
  }
  const href = (from: number, to: number) => {
    if (to === 0) return "/";
    if (from !== 0 && section[from] === section[to]) {
      return paths[to].slice(paths[to].lastIndexOf("/") + 1);
    }
    return paths[to];
  };

  const pages: SitePage[] = [];
  for (let page = 0; page < count; page++) {
    let links = 0;
    const a = (target: string, text: string) => {
      links++;
      return `<a href="${target}">${text}</a>`;
    };
    const link = (to: number, text = titles[to]) => a(href(page, to), text);
    const picked = new Set<number>();
    const pick = () => {
      let to = between(0, count - 1);
      while (to === page || picked.has(to)) to = (to + 1) % count;
      picked.add(to);
      return to;
    };
    const crumbs: number[] = [];
    for (let up = page; up !== 0;) {
      up = parentOf(up);
      crumbs.unshift(up);
    }
    const children: number[] = [];
    for (let child = page * BRANCH + 1; child <= page * BRANCH + BRANCH && child < count; child++) {
      children.push(child);
    }
    const inline: number[] = Array.from({ length: between(4, 14) }, pick);
    const related: number[] = Array.from({ length: between(3, 15) }, pick);
    const fragment = () => (random() < 0.125 ? "#comments" : "");

    const head = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${titles[page]} | The Daily Example</title>
<meta name="description" content="${sentence()}">
<link rel="stylesheet" href="/static/site.css">
</head>
<body id="top">
<header>
${link(0, "The Daily Example")}
<nav><ul>
${SECTIONS.map((name, i) => `<li>${link(i + 1, capitalize(name))}</li>`).join("\n")}
</ul></nav>
</header>
<main>
<ol class="breadcrumbs">
${crumbs.map((up) => `<li>${link(up)}</li>`).join("\n")}
</ol>
<article>
<h1>${titles[page]}</h1>
<p class="byline">By ${capitalize(word())} ${capitalize(word())}, <time datetime="2024-${
      String(between(1, 12)).padStart(2, "0")
    }-${String(between(1, 28)).padStart(2, "0")}">${between(1, 28)} ${
      capitalize(word())
    } 2024</time></p>
`;
    const tail = `${
      children.length === 0 ? "" : `<section class="more">
<h2>More in ${titles[page]}</h2>
<ul>
${children.map((child) => `<li>${link(child)}</li>`).join("\n")}
</ul>
</section>
`
    }<aside class="related">
<h2>Related</h2>
<ul>
${related.map((to) => `<li>${a(href(page, to) + fragment(), titles[to])}</li>`).join("\n")}
</ul>
</aside>
</article>
<div id="comments"><h2>Comments</h2><p>${sentence()}</p></div>
</main>
<footer>
<p>${a("#top", "Back to top")} · ${a("mailto:editor@example.com", "Write to us")} · ${
      a(`https://www.example.com/share?page=${page}`, "Share")
    } · ${a("https://example.org/", "Our partner")}</p>
</footer>
</body>
</html>
`;
    const target = between(9000, 12000);
    let body = "";
    const pending = [...inline];
    while (head.length + body.length + tail.length < target - 200 || pending.length > 0) {
      const sentences = Array.from({ length: between(3, 7) }, sentence);
      for (let n = Math.min(pending.length, between(1, 2)); n > 0; n--) {
        const to = pending.shift()!;
        const at = between(0, sentences.length - 1);
        sentences[at] = `${sentences[at].slice(0, -1)}, as ${
          a(href(page, to) + fragment(), words(between(1, 3)).join(" "))
        } says.`;
      }
      body += `<p>${sentences.join(" ")}</p>\n`;
    }
    pages.push({ path: paths[page], html: head + body + tail, links });
  }
  return pages;
}
