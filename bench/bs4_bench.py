# Copyright netprog authors. MIT license.
"""BeautifulSoup's side of the DOM benchmark (bench/dom_bench.ts runs it).

Usage: python3 bench/bs4_bench.py RUNS PARSER FILE...

Parses every FILE (decoded as UTF-8, BOM stripped, invalid bytes replaced,
as the Deno side decodes them) with BeautifulSoup and PARSER ("html.parser"
or "html5lib"), takes the href of every <a href> and counts the <p> elements,
as the book's urllinks.py and exercise 4 do. One pass to warm up (its answers
are printed for the agreement count), then RUNS timed passes. Prints one
line of JSON: {"seconds": [...], "answers": {NAME: {"hrefs": [...], "p": N}}}.
"""

import json
import os
import sys
import time

from bs4 import BeautifulSoup


def answer(html, parser):
    soup = BeautifulSoup(html, parser)
    hrefs = [a.get("href") for a in soup("a", href=True)]
    return {"hrefs": hrefs, "p": len(soup("p"))}


def main():
    runs = int(sys.argv[1])
    parser = sys.argv[2]
    pages = {}
    for path in sys.argv[3:]:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            pages[os.path.splitext(os.path.basename(path))[0]] = f.read()
    answers = {name: answer(html, parser) for name, html in pages.items()}
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        for html in pages.values():
            answer(html, parser)
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"seconds": seconds, "answers": answers}))


main()
