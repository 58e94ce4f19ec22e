// Copyright netprog authors. MIT license.

import { fileNameFromUrl, MAX_FILE_NAME_BYTES } from "./file_name.ts";
import { UnsafeFileNameError } from "./errors.ts";
import { assert, assertEquals } from "./_assert.ts";

function refuses(url: string, code: string): string {
  try {
    fileNameFromUrl(url);
  } catch (error) {
    assert(
      error instanceof UnsafeFileNameError,
      `${JSON.stringify(url)}: not an UnsafeFileNameError`,
    );
    assertEquals([url, error.code], [url, code]);
    assert(error.message.startsWith("Cannot take a file name from "), error.message);
    assert(!error.message.endsWith("."), "message ends with a period");
    return error.message;
  }
  throw new Error(`${JSON.stringify(url)} was accepted`);
}

Deno.test("fileNameFromUrl takes the last part of the path as curl3 does", () => {
  assertEquals(fileNameFromUrl("http://data.pr4e.org/cover3.jpg"), "cover3.jpg");
  assertEquals(fileNameFromUrl("  http://data.pr4e.org/a/b/c/romeo.txt \n"), "romeo.txt");
  assertEquals(fileNameFromUrl("http://127.0.0.1:8000/intro-short.txt"), "intro-short.txt");
  assertEquals(fileNameFromUrl("http://h/noextension"), "noextension");
  assertEquals(fileNameFromUrl("http://h/.hidden"), ".hidden");
  assertEquals(fileNameFromUrl("http://h/con-tents.txt"), "con-tents.txt");
  assertEquals(fileNameFromUrl("http://h/COM10"), "COM10");
});

Deno.test("fileNameFromUrl ignores query and fragment", () => {
  assertEquals(fileNameFromUrl("http://h/dir/cover3.jpg?size=big&x=/y#part/2"), "cover3.jpg");
  assertEquals(fileNameFromUrl("http://h/a.txt#"), "a.txt");
});

Deno.test("fileNameFromUrl decodes percent escapes as UTF-8", () => {
  assertEquals(fileNameFromUrl("http://h/my%20file.txt"), "my file.txt");
  assertEquals(fileNameFromUrl("http://h/caf%C3%A9.txt"), "café.txt");
  assertEquals(fileNameFromUrl("http://h/café.txt"), "café.txt");
  assertEquals(fileNameFromUrl("http://h/100%25.txt"), "100%.txt");
  // A lone % that is not an escape stays as it is.
  assertEquals(fileNameFromUrl("http://h/50%off.txt"), "50%off.txt");
  assertEquals(
    refuses("http://h/%FF.txt", "BAD_ENCODING"),
    'Cannot take a file name from "http://h/%FF.txt": the escapes %FF are not UTF-8',
  );
});

Deno.test("fileNameFromUrl refuses an empty name", () => {
  assertEquals(
    refuses("http://data.pr4e.org/", "EMPTY"),
    'Cannot take a file name from "http://data.pr4e.org/": the name is empty, ' +
      "the path ends with / once . and .. are resolved",
  );
  refuses("http://data.pr4e.org", "EMPTY");
  refuses("http://h/dir/", "EMPTY");
  refuses("http://h/dir/..", "EMPTY");
  refuses("http://h/dir/.", "EMPTY");
  refuses("http://h/dir/%2e%2E", "EMPTY");
});

Deno.test("fileNameFromUrl refuses names that leave the folder after decoding", () => {
  assertEquals(
    refuses("http://h/..%2Fetc%2Fpasswd", "PATH_SEPARATOR"),
    'Cannot take a file name from "http://h/..%2Fetc%2Fpasswd": the name "../etc/passwd" contains a path separator',
  );
  refuses("http://h/a%2fb", "PATH_SEPARATOR");
  refuses("http://h/..%5Cwin.ini", "PATH_SEPARATOR");
  refuses("http://h/%2e%2e%2f", "PATH_SEPARATOR");
});

Deno.test("fileNameFromUrl refuses a dot name that survives the URL parser", () => {
  // A URL with an opaque path keeps "." and ".." as written.
  refuses("foo:..", "DOT_NAME");
  refuses("foo:x/.", "DOT_NAME");
});

Deno.test("fileNameFromUrl refuses NUL and other control characters", () => {
  refuses("http://h/a%00.txt", "CONTROL_CHARACTER");
  refuses("http://h/a%0A.txt", "CONTROL_CHARACTER");
  refuses("http://h/%1B%5B31m.txt", "CONTROL_CHARACTER");
  refuses("http://h/a%7F", "CONTROL_CHARACTER");
  refuses("http://h/a%C2%85", "CONTROL_CHARACTER");
});

Deno.test("fileNameFromUrl refuses device names reserved on Windows, any case, any extension", () => {
  for (
    const name of [
      "CON",
      "con",
      "Prn.txt",
      "aux.tar.gz",
      "NUL",
      "nul.jpg",
      "COM1",
      "com9.log",
      "LPT1",
      "lpt9.x",
      "COM%C2%B9",
    ]
  ) {
    refuses(`http://h/${name}`, "RESERVED_NAME");
  }
  assertEquals(fileNameFromUrl("http://h/COM0"), "COM0");
  assertEquals(fileNameFromUrl("http://h/CONSOLE"), "CONSOLE");
  assertEquals(fileNameFromUrl("http://h/xcon.txt"), "xcon.txt");
});

Deno.test("fileNameFromUrl refuses a trailing dot or space", () => {
  refuses("http://h/a.", "TRAILING_DOT_OR_SPACE");
  refuses("http://h/a...", "TRAILING_DOT_OR_SPACE");
  refuses("http://h/a%20", "TRAILING_DOT_OR_SPACE");
});

Deno.test("fileNameFromUrl refuses a name longer than 255 UTF-8 bytes", () => {
  assertEquals(MAX_FILE_NAME_BYTES, 255);
  assertEquals(fileNameFromUrl(`http://h/${"a".repeat(255)}`).length, 255);
  refuses(`http://h/${"a".repeat(256)}`, "TOO_LONG");
  // 128 two-byte characters are 256 bytes although only 128 characters.
  refuses(`http://h/${"%C3%A9".repeat(128)}`, "TOO_LONG");
  assertEquals(fileNameFromUrl(`http://h/${"%C3%A9".repeat(127)}`).length, 127);
});

Deno.test("fileNameFromUrl refuses a URL that does not parse", () => {
  assertEquals(
    refuses("cover3.jpg", "INVALID_URL"),
    'Cannot take a file name from "cover3.jpg": the URL does not parse',
  );
  refuses("http://", "INVALID_URL");
  refuses("", "INVALID_URL");
  refuses("http://exa<mple/x.txt", "INVALID_URL");
});
