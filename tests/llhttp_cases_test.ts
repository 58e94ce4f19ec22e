// Copyright netprog authors. MIT license.

// The response cases of llhttp's test suite (tests/fixtures/llhttp/response_cases.json: each
// case's input bytes and what llhttp reports for them) replayed through the core
// ResponseParser as a user agent reads a connection: one parser per response, the bytes after a
// complete response handed to the next parser, no more reading after a response that closes
// the connection or switches protocols. Every case must agree with llhttp or be one of the
// deliberate differences listed in the data, each with its reason, and named in the parser's
// module docs. Every case also replays the same split at every point and byte by byte.

import assert from "node:assert/strict";
import { HeaderTooLargeError, HttpSyntaxError, type ResponseHead, ResponseParser } from "../mod.ts";

/** One message: what llhttp reports of it, and what the replay finds. */
interface Message {
  version: string;
  status: number;
  reason: string;
  headers: [string, string][];
  /** The body bytes, one character a byte. */
  body: string;
  /** Whether the message ended (its body complete) within the input. */
  complete: boolean;
}

/** How a replay ended. */
type End =
  /** the input ran out */
  | "input"
  /** a syntax error or the header size limit */
  | "error"
  /** after a 101 response: the rest belongs to the protocol switched to */
  | "upgrade"
  /** after a response that closes the connection, with bytes left unread */
  | "close";

/** What a replay of a case finds, in a form that compares structurally. */
interface Outcome {
  messages: Message[];
  /** The input ended inside the head of another message (its status line begun). */
  partial: boolean;
  end: End;
  /** This parser's error code, when `end` is `"error"`. */
  error?: string;
}

/** A kind of deliberate difference from llhttp. */
interface Topic {
  /** The topic, as named in the parser's module docs. */
  topic: string;
  /** Why, with the rule that allows it. */
  reason: string;
}

/** One case of the suite. */
interface Case {
  id: string;
  /** Where the case is in the suite, at the commit named in the data. */
  source: string;
  name: string;
  /** `"response-finish"`: the input ends the connection (llhttp's finish state is recorded). */
  mode: "response" | "response-finish";
  /** llhttp is told to skip the body, as for a response to HEAD. */
  skipBody?: boolean;
  /** llhttp pauses at this callback and resumes; the outcome is unchanged by it. */
  pause?: string;
  /** The input, one character a byte. */
  input: string;
  llhttp: {
    /** Messages whose head llhttp completed; header values as its spans give them. */
    messages: Message[];
    partial: boolean;
    error: { code: number; reason: string; offset: number } | null;
    /** llhttp's finish state after the input: 1 = finishing now completes the message. */
    finish?: number;
  };
  /** This parser's error code where it agrees that the input is in error. */
  netprogError?: string;
  /** Where this parser differs on purpose: the topic, and what it does instead. */
  difference?: { topic: string; outcome: Outcome };
}

interface Data {
  suite: string;
  commit: string;
  differences: Topic[];
  cases: Case[];
}

const DATA_URL = new URL("./fixtures/llhttp/response_cases.json", import.meta.url);
const data: Data = JSON.parse(await Deno.readTextFile(DATA_URL));
const cases = data.cases;

/** llhttp's error code for a parser paused after a response that switches protocols. */
const HPE_PAUSED_UPGRADE = 22;
/** llhttp's finish state meaning that the end of input completes the message. */
const HTTP_FINISH_SAFE_WITH_CB = 1;

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

function textOf(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

/** Trims spaces and tabs, as a field value is trimmed (RFC 9110 §5.5). */
function trimOws(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, "");
}

/** Whether the connection stays open after this response (RFC 9112 §9.3). */
function persistent(head: ResponseHead): boolean {
  const options = head.headers.getAll("connection").join(",").split(",").map((option) =>
    trimOws(option).toLowerCase()
  );
  if (options.includes("close")) return false;
  return head.version !== "HTTP/1.0" || options.includes("keep-alive");
}

/** Whether `bytes` hold more than empty lines (CR and LF), which a parser skips. */
function begun(bytes: Uint8Array): boolean {
  return bytes.some((byte) => byte !== 13 && byte !== 10);
}

/**
 * Replays `bytes`, cut at `cuts`, as a user agent reads a connection: the
 * bytes after a complete response go to a new parser; reading stops after a
 * 101 response and after one that closes the connection. With `finish`, the
 * input ends the connection.
 */
function replay(bytes: Uint8Array, cuts: number[], method: string, finish: boolean): Outcome {
  const messages: Message[] = [];
  let current: Message | null = null;
  let interim: number[] = [];
  const record = (head: ResponseHead): Message => {
    const message: Message = {
      version: head.version,
      status: head.status,
      reason: head.reason,
      headers: head.headers.entries.map(([name, value]) => [name, value]),
      body: "",
      complete: false,
    };
    messages.push(message);
    return message;
  };
  const open = () => {
    current = null;
    interim = [];
    return new ResponseParser({
      method,
      onInformational: (head) => {
        record(head).complete = true;
        interim.push(head.headerLength);
      },
      onHead: (head) => void (current = record(head)),
      onBody: (chunk) => void (current!.body += textOf(chunk)),
    });
  };
  let parser = open();
  /** Where the current parser's bytes start. */
  let start = 0;
  let end: End = "input";
  try {
    let at = 0;
    reading: for (const cut of [...cuts, bytes.length]) {
      let piece = bytes.subarray(at, cut);
      at = cut;
      while (piece.length > 0) {
        piece = piece.subarray(parser.push(piece));
        if (!parser.complete) continue;
        (current as Message | null)!.complete = true;
        const head = parser.head!;
        if (head.status === 101) {
          end = "upgrade";
          break reading;
        }
        if (!persistent(head)) {
          if (start + parser.offset < bytes.length) end = "close";
          break reading;
        }
        start += parser.offset;
        parser = open();
      }
    }
    if (finish && end === "input" && !parser.complete) {
      // The end of the connection: it ends a message begun, and nothing else.
      if (parser.head !== null || headBegun(bytes, start, parser.offset, interim)) parser.finish();
      if (parser.head !== null) (current as Message | null)!.complete = true;
    }
  } catch (error) {
    if (!(error instanceof HttpSyntaxError || error instanceof HeaderTooLargeError)) throw error;
    return { messages, partial: false, end: "error", error: error.code };
  }
  const partial = end === "input" && parser.head === null &&
    headBegun(bytes, start, parser.offset, interim);
  return { messages, partial, end };
}

/**
 * Whether the `consumed` bytes from `start` hold the beginning of a status
 * line past the `interim` heads (their lengths) that the parser read there,
 * each after the empty lines it skipped.
 */
function headBegun(bytes: Uint8Array, start: number, consumed: number, interim: number[]): boolean {
  let at = start;
  for (const length of interim) {
    while (bytes[at] === 13 || bytes[at] === 10) at++;
    at += length;
  }
  return begun(bytes.subarray(at, start + consumed));
}

/** Replays a case whole, or cut at `cuts`. */
function replayCase(c: Case, cuts: number[] = []): Outcome {
  return replay(bytesOf(c.input), cuts, c.skipBody ? "HEAD" : "GET", c.mode === "response-finish");
}

/** llhttp's outcome of a case, in the replay's form (header values trimmed, as RFC 9110 §5.5). */
function llhttpOutcome(c: Case): Outcome {
  const messages = c.llhttp.messages.map((message) => ({
    ...message,
    headers: message.headers.map(([name, value]): [string, string] => [name, trimOws(value)]),
  }));
  if (c.llhttp.finish === HTTP_FINISH_SAFE_WITH_CB) messages[messages.length - 1].complete = true;
  const error = c.llhttp.error;
  const end: End = error === null
    ? "input"
    : error.code === HPE_PAUSED_UPGRADE
    ? "upgrade"
    : "error";
  return { messages, partial: c.llhttp.partial, end };
}

/** Whether two outcomes agree (error codes are each parser's own and are not compared). */
function agree(a: Outcome, b: Outcome): boolean {
  const strip = ({ messages, partial, end }: Outcome) => JSON.stringify({ messages, partial, end });
  return strip(a) === strip(b);
}

const differences = cases.filter((c) => c.difference !== undefined);
const agreeing = cases.length - differences.length;

Deno.test("the llhttp data names its suite and commit, in the data and in its README", async () => {
  assert.equal(data.suite, "nodejs/llhttp test/response/*.md");
  assert.match(data.commit, /^[0-9a-f]{40}$/);
  const readme = await Deno.readTextFile(new URL("README.md", DATA_URL));
  assert(readme.includes(data.commit), "the README does not name the commit");
  assert.equal(cases.length, 77);
  assert.equal(new Set(cases.map((c) => c.id)).size, cases.length, "ids repeat");
  for (const c of cases) {
    assert.match(c.source, /^test\/response\/[a-z-]+\.md:\d+$/, c.id);
    assert(c.mode === "response" || c.mode === "response-finish", c.id);
  }
});

Deno.test(`llhttp response cases: ${agreeing} of ${cases.length} agree, the rest are listed differences`, () => {
  const wrong: string[] = [];
  for (const c of cases) {
    const actual = replayCase(c);
    const theirs = llhttpOutcome(c);
    const shown = `${c.id} (${c.source})\n    got:    ${JSON.stringify(actual)}`;
    if (c.difference === undefined) {
      if (!agree(actual, theirs)) wrong.push(`${shown}\n    llhttp: ${JSON.stringify(theirs)}`);
      else if ((actual.error ?? null) !== (c.netprogError ?? null)) {
        wrong.push(`${shown}\n    wanted error code ${c.netprogError}`);
      }
    } else {
      if (agree(actual, theirs)) wrong.push(`${shown}\n    agrees with llhttp: not a difference`);
      else if (JSON.stringify(actual) !== JSON.stringify(c.difference.outcome)) {
        wrong.push(`${shown}\n    wanted: ${JSON.stringify(c.difference.outcome)}`);
      }
    }
  }
  assert.equal(wrong.length, 0, `${wrong.length} cases:\n  ${wrong.join("\n  ")}`);
});

Deno.test("every deliberate difference gives its reason and is named in the parser's docs", async () => {
  const source = await Deno.readTextFile(new URL("../core/response_parser.ts", import.meta.url));
  const docs = source.slice(0, source.indexOf("@module")).replace(/\n \*/g, " ").replace(
    /\s+/g,
    " ",
  );
  for (const { topic, reason } of data.differences) {
    assert(/RFC 911\d §/.test(reason), `"${topic}": the reason names no section of an RFC`);
    assert(docs.includes(topic), `the module docs do not name "${topic}"`);
    assert(differences.some((c) => c.difference!.topic === topic), `"${topic}" is no case's`);
  }
  for (const c of differences) {
    const topic = c.difference!.topic;
    assert(data.differences.some((t) => t.topic === topic), `${c.id}: no reason for "${topic}"`);
  }
});

Deno.test("every llhttp response case replays the same split in two and three pieces and byte by byte", () => {
  let feeds = 0;
  for (const c of cases) {
    const whole = JSON.stringify(replayCase(c));
    const n = c.input.length;
    const splits = Array.from({ length: n - 1 }, (_, k) => [k + 1]);
    splits.push(Array.from({ length: n - 1 }, (_, k) => k + 1));
    // Pairs of cuts on a stride that keeps them near 1500 a case.
    const stride = Math.max(1, Math.ceil(n / Math.sqrt(2 * 1500)));
    for (let a = 1; a < n; a += stride) {
      for (let b = a + 1; b < n; b += stride) splits.push([a, b]);
    }
    for (const cuts of splits) {
      const split = JSON.stringify(replayCase(c, cuts));
      feeds++;
      if (split !== whole) assert.fail(`${c.id} cut at ${cuts}:\n  ${split}\n  ${whole}`);
    }
  }
  assert(feeds > 50_000, `only ${feeds} feeds`);
});
