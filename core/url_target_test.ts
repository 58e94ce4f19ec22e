// Copyright netprog authors. MIT license.

import { parseUrlTarget, type UrlTarget } from "./url_target.ts";
import { UrlTargetError } from "./errors.ts";
import { assert, assertEquals } from "./_assert.ts";

function rejects(url: string, code: string): string {
  try {
    parseUrlTarget(url);
  } catch (error) {
    assert(error instanceof UrlTargetError, `${JSON.stringify(url)}: not a UrlTargetError`);
    assert(error instanceof TypeError);
    assertEquals([url, error.code], [url, code]);
    assert(!error.message.endsWith("."), "message ends with a period");
    assert(error.message.startsWith("Cannot use URL "), error.message);
    return error.message;
  }
  throw new Error(`${JSON.stringify(url)} was accepted`);
}

function target(
  scheme: "http" | "https",
  hostname: string,
  host: string,
  port: number,
  path: string,
  url: string,
): UrlTarget {
  return { scheme, hostname, host, port, path, url };
}

Deno.test("parseUrlTarget takes host, default port and path from the book's URLs", () => {
  assertEquals(
    parseUrlTarget("http://data.pr4e.org/romeo.txt"),
    target(
      "http",
      "data.pr4e.org",
      "data.pr4e.org",
      80,
      "/romeo.txt",
      "http://data.pr4e.org/romeo.txt",
    ),
  );
  assertEquals(
    parseUrlTarget("https://www.py4e.com/code3/mbox.txt?PHPSESSID=x"),
    target(
      "https",
      "www.py4e.com",
      "www.py4e.com",
      443,
      "/code3/mbox.txt?PHPSESSID=x",
      "https://www.py4e.com/code3/mbox.txt?PHPSESSID=x",
    ),
  );
});

Deno.test("parseUrlTarget trims surrounding white space and drops the fragment", () => {
  const result = parseUrlTarget("\t http://127.0.0.1:8000/page1.htm?a=b#section-2 \r\n");
  assertEquals(
    result,
    target(
      "http",
      "127.0.0.1",
      "127.0.0.1:8000",
      8000,
      "/page1.htm?a=b",
      "http://127.0.0.1:8000/page1.htm?a=b",
    ),
  );
  assertEquals(parseUrlTarget("http://h#x").url, "http://h");
  assertEquals(parseUrlTarget("http://h#x").path, "/");
});

Deno.test("parseUrlTarget uses / as path when the URL has none", () => {
  assertEquals(parseUrlTarget("http://data.pr4e.org").path, "/");
  assertEquals(parseUrlTarget("http://data.pr4e.org?x=1").path, "/?x=1");
  assertEquals(parseUrlTarget("http://data.pr4e.org").url, "http://data.pr4e.org");
});

Deno.test("parseUrlTarget lower-cases scheme and host but sends the URL as typed", () => {
  const result = parseUrlTarget("HTTP://Data.PR4E.Org/Romeo.txt");
  assertEquals(
    [result.scheme, result.hostname, result.host, result.path, result.url],
    ["http", "data.pr4e.org", "data.pr4e.org", "/Romeo.txt", "HTTP://Data.PR4E.Org/Romeo.txt"],
  );
});

Deno.test("parseUrlTarget keeps an explicit port in host unless it is the default", () => {
  assertEquals(parseUrlTarget("http://h:80/").host, "h");
  assertEquals(parseUrlTarget("http://h:80/").port, 80);
  assertEquals(parseUrlTarget("https://h:443/").host, "h");
  assertEquals(parseUrlTarget("https://h:80/").host, "h:80");
  assertEquals(parseUrlTarget("http://h:443/").host, "h:443");
  assertEquals(parseUrlTarget("http://h:65535/").port, 65535);
  assertEquals(parseUrlTarget("http://h:1/").port, 1);
  assertEquals(parseUrlTarget("http://h:08080/").port, 8080);
  assertEquals(parseUrlTarget("http://h:/x").port, 80);
});

Deno.test("parseUrlTarget unwraps IPv6 addresses and keeps brackets in host", () => {
  assertEquals(
    parseUrlTarget("http://[::1]:8080/x"),
    target("http", "::1", "[::1]:8080", 8080, "/x", "http://[::1]:8080/x"),
  );
  assertEquals(
    parseUrlTarget("https://[2001:DB8::1]/"),
    target("https", "2001:db8::1", "[2001:db8::1]", 443, "/", "https://[2001:DB8::1]/"),
  );
  rejects("http://[::1/x", "BAD_HOST");
  rejects("http://[::1]x/", "BAD_HOST");
  rejects("http://[nope]/", "BAD_HOST");
});

Deno.test("parseUrlTarget converts a non-ASCII host name to its xn-- form", () => {
  const result = parseUrlTarget("http://bücher.example/");
  assertEquals([result.hostname, result.host], ["xn--bcher-kva.example", "xn--bcher-kva.example"]);
});

Deno.test("parseUrlTarget explains a URL without a scheme", () => {
  assertEquals(
    rejects("data.pr4e.org/romeo.txt", "NO_SCHEME"),
    'Cannot use URL "data.pr4e.org/romeo.txt": no scheme, expected http:// or https://',
  );
  rejects("data.pr4e.org", "NO_SCHEME");
  rejects("localhost:8000/romeo.txt", "NO_SCHEME");
  rejects("data.pr4e.org:80/romeo.txt", "NO_SCHEME");
  rejects("//data.pr4e.org/romeo.txt", "NO_SCHEME");
  rejects("/romeo.txt", "NO_SCHEME");
});

Deno.test("parseUrlTarget refuses schemes other than http and https", () => {
  assertEquals(
    rejects("ftp://data.pr4e.org/romeo.txt", "UNSUPPORTED_SCHEME"),
    'Cannot use URL "ftp://data.pr4e.org/romeo.txt": unsupported scheme "ftp:", expected http:// or https://',
  );
  rejects("file:///etc/passwd", "UNSUPPORTED_SCHEME");
  rejects("FILE:///etc/passwd", "UNSUPPORTED_SCHEME");
  rejects("mailto:csev@umich.edu", "UNSUPPORTED_SCHEME");
  rejects("javascript:alert(1)", "UNSUPPORTED_SCHEME");
  rejects("ws://h/", "UNSUPPORTED_SCHEME");
});

Deno.test("parseUrlTarget refuses a URL without a host", () => {
  rejects("http:///x", "NO_HOST");
  rejects("http://", "NO_HOST");
  rejects("http://:8080/", "NO_HOST");
  rejects("http://?q", "NO_HOST");
  rejects("https:///", "NO_HOST");
  rejects("http:", "NO_SLASHES");
  rejects("http:/data.pr4e.org/", "NO_SLASHES");
  rejects("http:data.pr4e.org", "NO_SLASHES");
});

Deno.test("parseUrlTarget refuses a port that is not a number or out of range", () => {
  assertEquals(
    rejects("http://h:99999/", "PORT_OUT_OF_RANGE"),
    'Cannot use URL "http://h:99999/": port 99999 is out of range, expected 1 to 65535',
  );
  rejects("http://h:65536/", "PORT_OUT_OF_RANGE");
  rejects("http://h:0/", "PORT_OUT_OF_RANGE");
  rejects("http://h:99999999999999999999/", "PORT_OUT_OF_RANGE");
  rejects("http://h:abc/", "BAD_PORT");
  rejects("http://h:-1/", "BAD_PORT");
  rejects("http://h:8o/", "BAD_PORT");
  rejects("http://h:+80/", "BAD_PORT");
});

Deno.test("parseUrlTarget refuses white space and control characters anywhere inside", () => {
  rejects("http://data.pr4e.org/romeo .txt", "WHITE_SPACE");
  rejects("http://data pr4e.org/", "WHITE_SPACE");
  rejects("http://h/a\tb", "WHITE_SPACE");
  rejects("http://h/a\nb", "WHITE_SPACE");
  rejects("http://h/a\u00a0b", "WHITE_SPACE");
  rejects("http://h/a\u3000b", "WHITE_SPACE");
  rejects("http://h/\u0000", "CONTROL_CHARACTER");
  rejects("http://h/\u001b[31m", "CONTROL_CHARACTER");
  rejects("http://h/\u007f", "CONTROL_CHARACTER");
  rejects("http://h/\u0085x", "CONTROL_CHARACTER");
  rejects("http://h/\u0090", "CONTROL_CHARACTER");
  // The message shows control characters escaped, never raw.
  assert(!rejects("http://h/\u001b[2J", "CONTROL_CHARACTER").includes("\u001b"));
});

Deno.test("parseUrlTarget refuses user name and password, which would travel in clear text", () => {
  rejects("http://user:secret@data.pr4e.org/", "USERINFO");
  rejects("http://user@data.pr4e.org/", "USERINFO");
  rejects("http://@data.pr4e.org/", "USERINFO");
  // An @ after the host is part of the path, not userinfo.
  assertEquals(parseUrlTarget("http://h/a@b").path, "/a@b");
});

Deno.test("parseUrlTarget refuses a host the URL parser rejects", () => {
  rejects("http://exa<mple.com/", "BAD_HOST");
  rejects("http://a%00b/", "BAD_HOST");
  rejects("http://256.256.256.256/", "BAD_HOST");
});

Deno.test("parseUrlTarget refuses an empty URL", () => {
  rejects("", "EMPTY");
  rejects("   \n", "EMPTY");
});

Deno.test("parseUrlTarget shortens a very long URL in its message", () => {
  const message = rejects("x".repeat(5000), "NO_SCHEME");
  assert(message.length < 400, `message is ${message.length} characters`);
});

Deno.test("parseUrlTarget gives the URL parser's path for every path after a known host", () => {
  // Random paths and queries from the characters that matter: dots,
  // percent signs, slashes, question marks, quotes. The first URL of a host
  // goes through the URL parser; the next ones may not, and must agree.
  let seed = 7;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 16) % n;
  };
  const alphabet = [
    "a",
    "Z",
    "0",
    "-",
    ".",
    "_",
    "~",
    "!",
    "$",
    "&",
    "'",
    "(",
    "*",
    "+",
    ",",
    ";",
    "=",
    ":",
    "@",
    "/",
    "%",
    "2",
    "e",
    "E",
    "?",
    "..",
    "%2e",
    "%2E",
    "/.",
    "/..",
    "\\",
    "|",
    "^",
    "[",
    "é",
    "`",
    "{",
    "<",
  ];
  const origins = [
    "http://h.example:8080",
    "https://H.Example",
    "http://127.0.0.1",
    "http://[::1]:81",
  ];
  for (let round = 0; round < 4000; round++) {
    const origin = origins[random(origins.length)];
    let rest = ["", "/", "/", "?"][random(4)];
    if (rest !== "") {
      for (let k = random(12); k > 0; k--) rest += alphabet[random(alphabet.length)];
    }
    parseUrlTarget(`${origin}/`);
    const url = `${origin}${rest}`;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      continue;
    }
    const target = parseUrlTarget(url);
    assertEquals([target.path, target.url], [(parsed.pathname || "/") + parsed.search, url]);
    assertEquals(target.hostname, parsed.hostname.replace(/^\[|\]$/g, ""));
  }
});
