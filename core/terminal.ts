// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * Makes bytes from the network safe to show on a terminal: every byte or
 * character that could drive the terminal (escape sequences, other control
 * characters, C1 controls, bytes that are not UTF-8, bidirectional
 * overrides) is written out visibly as `\xNN` or `\uNNNN` instead. Text,
 * tabs, line feeds and CRLF pairs pass unchanged. Works on a stream: a
 * UTF-8 character or a CRLF split across two chunks comes out the same as
 * when it arrives whole.
 *
 * @module
 */

/**
 * Whether a character could drive a terminal or reorder a line: the C0
 * controls but tab, DEL, the C1 controls (0x9b is CSI), the bidirectional
 * embeddings and overrides (U+202A to U+202E) and isolates (U+2066 to
 * U+2069). The one rule behind {@linkcode TerminalEscaper} (which lets a
 * line feed and a CRLF pair through as well) and {@linkcode escapeControls}.
 *
 * @param codePoint The character's code point.
 * @returns True when the character must be shown escaped.
 *
 * @example Escape, DEL, CSI and a right-to-left override are controls; tab and é are not
 * ```ts
 * import { isTerminalControl } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const controls = [0x1b, 0x7f, 0x9b, 0x202e].map(isTerminalControl);
 * assertEquals(controls, [true, true, true, true]);
 * assertEquals([0x09, 0xe9].map(isTerminalControl), [false, false]);
 * ```
 */
export function isTerminalControl(codePoint: number): boolean {
  return (codePoint < 0x20 && codePoint !== 0x09) || (codePoint >= 0x7f && codePoint <= 0x9f) ||
    (codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069);
}

/**
 * Shows the controls of one line of text ({@linkcode isTerminalControl},
 * line breaks included) escaped, as `\x1b` or `\u202e`, so that an error
 * line quoting a URL or a server's reason phrase cannot drive the terminal
 * or reorder the line.
 *
 * @param text One line of text.
 * @returns The text, safe to print.
 *
 * @example An escape sequence in a URL
 * ```ts
 * import { escapeControls } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * assertEquals(escapeControls('cannot use URL "\x1b[2J\u202e"'), 'cannot use URL "\\x1b[2J\\u202e"');
 * assertEquals(escapeControls("café\tnaïve"), "café\tnaïve");
 * ```
 */
export function escapeControls(text: string): string {
  let shown = "";
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (!isTerminalControl(code)) shown += c;
    else if (code < 0x100) shown += `\\x${code.toString(16).padStart(2, "0")}`;
    else shown += `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return shown;
}

/**
 * Quotes text for a message, as the error lines show what was typed or
 * received: in double quotes, a quote or backslash inside escaped with a
 * backslash, and controls shown as {@linkcode escapeControls} shows them
 * (`\x1b`, as the programs' own output shows them on a terminal).
 *
 * @param text The text.
 * @returns The text, quoted and safe to print.
 *
 * @example A URL with an escape sequence and a quote
 * ```ts
 * import { quote } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * assertEquals(quote('http://x/\x1b[2J"'), '"http://x/\\x1b[2J\\""');
 * ```
 */
export function quote(text: string): string {
  return `"${escapeControls(text.replaceAll("\\", "\\\\").replaceAll('"', '\\"'))}"`;
}

/** Does this byte pass unchanged when it is not part of a multi-byte sequence? */
function isPlainByte(byte: number): boolean {
  return (byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a;
}

const HEX = "0123456789abcdef";

/**
 * A streaming escaper of terminal control sequences. Push chunks as they
 * arrive, write what each call returns, and call
 * {@linkcode TerminalEscaper.prototype.flush} at the end of the stream.
 *
 * What passes unchanged: printable ASCII, tab, line feed, a carriage return
 * directly followed by a line feed, and well-formed UTF-8 characters. What
 * is escaped: other C0 controls and DEL as `\xNN` (ESC is `\x1b`), a lone
 * carriage return as `\x0d`, bytes that are not part of well-formed UTF-8
 * as `\xNN`, and the C1 controls and bidirectional controls as `\uNNNN`.
 *
 * @example Escaping a terminal title change and a screen clear
 * ```ts
 * import { TerminalEscaper } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const escaper = new TerminalEscaper();
 * const bytes = new TextEncoder().encode("hi\x1b]0;owned\x07\x1b[2J\r\n");
 * const shown = new TextDecoder().decode(escaper.push(bytes)) +
 *   new TextDecoder().decode(escaper.flush());
 * assertEquals(shown, "hi\\x1b]0;owned\\x07\\x1b[2J\r\n");
 * ```
 *
 * @example A character split across two chunks is kept whole
 * ```ts
 * import { TerminalEscaper } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const escaper = new TerminalEscaper();
 * const first = escaper.push(new Uint8Array([0x63, 0x61, 0x66, 0xc3]));
 * const second = escaper.push(new Uint8Array([0xa9]));
 * assertEquals(new TextDecoder().decode(first), "caf");
 * assertEquals(new TextDecoder().decode(second), "é");
 * assertEquals(escaper.flush().length, 0);
 * ```
 */
export class TerminalEscaper {
  /** Bytes of an unfinished UTF-8 sequence, or a carriage return, held back. */
  #pending = new Uint8Array(4);
  #pendingLength = 0;
  /** How many bytes the held-back UTF-8 sequence needs in all (0 when none). */
  #needed = 0;
  /** The code point so far of the held-back UTF-8 sequence. */
  #codePoint = 0;
  /** Allowed range for the next continuation byte (narrower after some lead bytes). */
  #lower = 0x80;
  #upper = 0xbf;
  #pendingCr = false;

  /**
   * Escapes a chunk. The result may hold back up to three bytes of an
   * unfinished UTF-8 character or a final carriage return until the next
   * chunk (or {@linkcode TerminalEscaper.prototype.flush}) shows what follows.
   *
   * @example Plain text comes back as it is, a control byte escaped
   * ```ts
   * import { TerminalEscaper } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const escaper = new TerminalEscaper();
   * const plain = new TextEncoder().encode("romeo.txt\n");
   * assertEquals(escaper.push(plain), plain);
   * const bell = escaper.push(new TextEncoder().encode("ding\x07"));
   * assertEquals(new TextDecoder().decode(bell), "ding\\x07");
   * ```
   *
   * @param chunk Bytes as received.
   * @returns Bytes safe to write to a terminal. When nothing needs escaping
   * and nothing is held back, this is `chunk` itself.
   */
  push(chunk: Uint8Array): Uint8Array {
    if (this.#pendingLength === 0 && !this.#pendingCr && isAllPlain(chunk)) return chunk;
    const out = new Output(chunk.length);
    for (const byte of chunk) this.#byte(byte, out);
    return out.result();
  }

  /**
   * Ends the stream: bytes held back (an unfinished UTF-8 character, a final
   * carriage return) come out escaped.
   *
   * @example An unfinished character at the end of the stream
   * ```ts
   * import { TerminalEscaper } from "@netprog/netprog";
   * import { assertEquals } from "./_assert.ts";
   *
   * const escaper = new TerminalEscaper();
   * assertEquals(escaper.push(new Uint8Array([0x61, 0xe2, 0x82])).length, 1);
   * assertEquals(new TextDecoder().decode(escaper.flush()), "\\xe2\\x82");
   * assertEquals(escaper.flush().length, 0);
   * ```
   *
   * @returns The last bytes to write; often empty.
   */
  flush(): Uint8Array {
    const out = new Output(0);
    this.#dropPending(out);
    if (this.#pendingCr) out.escapeByte(0x0d);
    this.#pendingCr = false;
    return out.result();
  }

  #byte(byte: number, out: Output): void {
    if (this.#pendingCr) {
      this.#pendingCr = false;
      if (byte === 0x0a) {
        out.byte(0x0d);
        out.byte(0x0a);
        return;
      }
      out.escapeByte(0x0d);
    }
    if (this.#needed > 0) {
      if (byte >= this.#lower && byte <= this.#upper) {
        this.#pending[this.#pendingLength++] = byte;
        this.#codePoint = (this.#codePoint << 6) | (byte & 0x3f);
        this.#lower = 0x80;
        this.#upper = 0xbf;
        if (this.#pendingLength === this.#needed) this.#emitCharacter(out);
        return;
      }
      // Not a continuation of the character: show what was held as bytes,
      // then look at this byte afresh.
      this.#dropPending(out);
    }
    if (byte < 0x80) {
      if (isPlainByte(byte)) out.byte(byte);
      else if (byte === 0x0d) this.#pendingCr = true;
      else out.escapeByte(byte);
      return;
    }
    const needed = byte >= 0xc2 && byte <= 0xdf
      ? 2
      : byte >= 0xe0 && byte <= 0xef
      ? 3
      : byte >= 0xf0 && byte <= 0xf4
      ? 4
      : 0;
    if (needed === 0) {
      out.escapeByte(byte);
      return;
    }
    this.#needed = needed;
    this.#pending[0] = byte;
    this.#pendingLength = 1;
    this.#codePoint = byte & (needed === 2 ? 0x1f : needed === 3 ? 0x0f : 0x07);
    this.#lower = byte === 0xe0 ? 0xa0 : byte === 0xf0 ? 0x90 : 0x80;
    this.#upper = byte === 0xed ? 0x9f : byte === 0xf4 ? 0x8f : 0xbf;
  }

  #emitCharacter(out: Output): void {
    const codePoint = this.#codePoint;
    if (isTerminalControl(codePoint)) out.escapeCodePoint(codePoint);
    else for (const byte of this.#pending.subarray(0, this.#pendingLength)) out.byte(byte);
    this.#pendingLength = 0;
    this.#needed = 0;
  }

  #dropPending(out: Output): void {
    for (const byte of this.#pending.subarray(0, this.#pendingLength)) out.escapeByte(byte);
    this.#pendingLength = 0;
    this.#needed = 0;
    this.#lower = 0x80;
    this.#upper = 0xbf;
  }
}

/**
 * Escapes a whole byte sequence at once, as a fresh
 * {@linkcode TerminalEscaper} followed by its flush would.
 *
 * @param bytes Bytes as received.
 * @returns Bytes safe to write to a terminal.
 *
 * @example Showing a CSI sequence and an invalid byte
 * ```ts
 * import { escapeTerminal } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const shown = escapeTerminal(new Uint8Array([0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x41, 0xff, 0x0a]));
 * assertEquals(new TextDecoder().decode(shown), "\\x1b[31mA\\xff\n");
 * ```
 */
export function escapeTerminal(bytes: Uint8Array): Uint8Array {
  const escaper = new TerminalEscaper();
  const head = escaper.push(bytes);
  const tail = escaper.flush();
  if (tail.length === 0) return head;
  const whole = new Uint8Array(head.length + tail.length);
  whole.set(head);
  whole.set(tail, head.length);
  return whole;
}

/**
 * A transform stream (a readable and writable pair, as `pipeThrough` takes)
 * that escapes terminal control sequences, for
 * `readable.pipeThrough(new TerminalEscaperStream())`. It holds a
 * `TransformStream` rather than extending one, so that importing this module
 * costs a runtime nothing until a stream is made: a runtime may load its
 * streams implementation when `TransformStream` is first touched.
 *
 * @example Escaping a stream
 * ```ts
 * import { TerminalEscaperStream } from "@netprog/netprog";
 * import { assertEquals } from "./_assert.ts";
 *
 * const source = ReadableStream.from([new Uint8Array([0x41, 0x1b]), new Uint8Array([0x63, 0x0d])]);
 * const parts: Uint8Array[] = [];
 * for await (const part of source.pipeThrough(new TerminalEscaperStream())) parts.push(part);
 * const shown = parts.map((part) => new TextDecoder().decode(part)).join("");
 * assertEquals(shown, "A\\x1bc\\x0d");
 * ```
 */
export class TerminalEscaperStream implements TransformStream<Uint8Array, Uint8Array> {
  /** The escaped bytes. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Where the raw bytes go. */
  readonly writable: WritableStream<Uint8Array>;

  /** Creates a new stream with its own {@linkcode TerminalEscaper}. */
  constructor() {
    const escaper = new TerminalEscaper();
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const safe = escaper.push(chunk);
        if (safe.length > 0) controller.enqueue(safe === chunk ? chunk.slice() : safe);
      },
      flush(controller) {
        const tail = escaper.flush();
        if (tail.length > 0) controller.enqueue(tail);
      },
    });
    this.readable = readable;
    this.writable = writable;
  }
}

function isAllPlain(chunk: Uint8Array): boolean {
  for (const byte of chunk) {
    if (byte < 0x20 || byte >= 0x7f) {
      if (byte === 0x0a || byte === 0x09) continue;
      // Well-formed UTF-8 and CRLF are common: leave them to the careful path.
      return false;
    }
  }
  return true;
}

/** A growable output buffer. */
class Output {
  #bytes: Uint8Array;
  #length = 0;

  constructor(hint: number) {
    this.#bytes = new Uint8Array(Math.max(16, hint + (hint >> 2) + 16));
  }

  byte(value: number): void {
    if (this.#length === this.#bytes.length) this.#grow(1);
    this.#bytes[this.#length++] = value;
  }

  escapeByte(value: number): void {
    this.#ascii(`\\x${HEX[value >> 4]}${HEX[value & 15]}`);
  }

  escapeCodePoint(codePoint: number): void {
    this.#ascii(`\\u${codePoint.toString(16).padStart(4, "0")}`);
  }

  result(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  #ascii(text: string): void {
    if (this.#length + text.length > this.#bytes.length) this.#grow(text.length);
    for (let i = 0; i < text.length; i++) this.#bytes[this.#length++] = text.charCodeAt(i);
  }

  #grow(extra: number): void {
    const bigger = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + extra));
    bigger.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = bigger;
  }
}
