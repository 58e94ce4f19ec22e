// Copyright netprog authors. MIT license.

/**
 * A download progress line on stderr: bytes so far, rate and time left,
 * redrawn in place with `\r` at most ten times a second, cut to the
 * terminal's width (the time left, the rate, then the bar are dropped as it
 * narrows) so that it never wraps. Shown only when stderr is a terminal;
 * piped or redirected, it writes nothing, so logs and tests see no progress
 * noise. {@linkcode clearProgress} erases it before any other message is
 * written to stderr (`writeErr` in `stdio.ts` calls it). Deno only.
 *
 * @module
 */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/**
 * A byte count as people read it: `512 B`, `1.5 KiB`, `100.0 MiB`.
 *
 * @param bytes The count.
 * @returns The count with a binary unit.
 *
 * @example Sizes
 * ```ts
 * import { formatBytes } from "./progress.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatBytes(512), "512 B");
 * assert.equal(formatBytes(1536), "1.5 KiB");
 * assert.equal(formatBytes(100 * 1024 * 1024), "100.0 MiB");
 * ```
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * A duration as `m:ss` (or `h:mm:ss`), `--:--` when unknown.
 *
 * @param seconds The duration, or NaN when unknown.
 * @returns The duration as text.
 *
 * @example Durations
 * ```ts
 * import { formatDuration } from "./progress.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatDuration(75), "1:15");
 * assert.equal(formatDuration(3725), "1:02:05");
 * assert.equal(formatDuration(NaN), "--:--");
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, "0");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/**
 * The progress line for `done` bytes of `total` (null when the size is not
 * known) after `seconds`: a bar and percentage when the total is known, the
 * bytes, the mean rate, and the time left. Given the terminal's width, the
 * line is kept below it (a line that fills the last column wraps on many
 * terminals): the time left goes first, then the rate, then the bar; what
 * still does not fit is cut.
 *
 * @param done Bytes received so far.
 * @param total The expected size, or null.
 * @param seconds Time since the start.
 * @param columns The terminal's width. @default {Infinity}
 * @returns One line, without `\r` or newline, shorter than `columns`.
 *
 * @example Half of 100 MiB in 2 seconds, on a wide terminal and on narrow ones
 * ```ts
 * import { formatProgress } from "./progress.ts";
 * import assert from "node:assert/strict";
 *
 * const mib = 1024 * 1024;
 * assert.equal(
 *   formatProgress(50 * mib, 100 * mib, 2),
 *   "[##########          ]  50% 50.0 MiB of 100.0 MiB  25.0 MiB/s  ETA 0:02",
 * );
 * assert.equal(
 *   formatProgress(50 * mib, 100 * mib, 2, 70),
 *   "[##########          ]  50% 50.0 MiB of 100.0 MiB  25.0 MiB/s",
 * );
 * assert.equal(
 *   formatProgress(50 * mib, 100 * mib, 2, 50),
 *   "[##########          ]  50% 50.0 MiB of 100.0 MiB",
 * );
 * assert.equal(formatProgress(50 * mib, 100 * mib, 2, 40), " 50% 50.0 MiB of 100.0 MiB");
 * assert.equal(formatProgress(50 * mib, 100 * mib, 2, 10), " 50% 50.0");
 * assert.equal(formatProgress(1536, null, 0), "1.5 KiB  0 B/s");
 * assert.equal(formatProgress(1536, null, 0, 12), "1.5 KiB");
 * ```
 */
export function formatProgress(
  done: number,
  total: number | null,
  seconds: number,
  columns: number = Infinity,
): string {
  const rate = seconds > 0 ? done / seconds : 0;
  const speed = `${formatBytes(Math.round(rate))}/s`;
  let choices: string[];
  if (total === null || total <= 0) choices = [`${formatBytes(done)}  ${speed}`, formatBytes(done)];
  else {
    const fraction = Math.min(1, done / total);
    const filled = Math.round(fraction * 20);
    const bar = `[${"#".repeat(filled)}${" ".repeat(20 - filled)}]`;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const eta = rate > 0 ? formatDuration((total - done) / rate) : "--:--";
    const bytes = `${formatBytes(done)} of ${formatBytes(total)}`;
    choices = [
      `${bar} ${percent} ${bytes}  ${speed}  ETA ${eta}`,
      `${bar} ${percent} ${bytes}  ${speed}`,
      `${bar} ${percent} ${bytes}`,
      `${percent} ${bytes}`,
    ];
  }
  const room = Math.max(0, columns - 1);
  return (choices.find((line) => line.length <= room) ?? choices.at(-1)!).slice(0, room);
}

/** The bar or status line on the screen now, if any. */
let drawn: Progress | StatusLine | null = null;

/**
 * Erases the progress line, if one is on the screen, so that what is written
 * to stderr next starts on a clean line; the bar is drawn again at its next
 * update. `writeErr` in `stdio.ts` calls it before every message.
 *
 * @example Nothing to erase
 * ```ts
 * import { clearProgress } from "./progress.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(clearProgress(), false);
 * ```
 *
 * @returns Whether a line was erased.
 */
export function clearProgress(): boolean {
  if (drawn === null) return false;
  drawn = null;
  write(ERASE_LINE);
  return true;
}

/** Back to the start of the line, and erase it. */
const ERASE_LINE = "\r\x1b[K";
const encoder = new TextEncoder();

function write(text: string): void {
  try {
    const bytes = encoder.encode(text);
    let done = 0;
    while (done < bytes.length) done += Deno.stderr.writeSync(bytes.subarray(done));
  } catch { /* nowhere to draw */ }
}

/** The terminal's width: stderr's, as Deno.consoleSize finds it; 80 when it cannot tell. */
function terminalColumns(): number {
  try {
    const { columns } = Deno.consoleSize();
    return columns > 0 ? columns : 80;
  } catch {
    return 80;
  }
}

/**
 * A progress line that redraws itself on stderr when stderr is a terminal,
 * and does nothing otherwise.
 *
 * @example Silent when stderr is not a terminal
 * ```ts
 * import { Progress } from "./progress.ts";
 * import assert from "node:assert/strict";
 *
 * const progress = new Progress(1000, false);
 * progress.add(500);
 * progress.done();
 * assert.equal(progress.bytes, 500);
 * assert.equal(progress.shown, false);
 * ```
 */
export class Progress {
  #total: number | null;
  #bytes = 0;
  #started = performance.now();
  #lastDraw = -Infinity;
  #enabled: boolean;

  /**
   * @param total The expected size in bytes, or null when unknown.
   * @param enabled Whether to draw. @default {Deno.stderr.isTerminal()}
   */
  constructor(total: number | null, enabled: boolean = Deno.stderr.isTerminal()) {
    this.#total = total;
    this.#enabled = enabled;
  }

  /** Bytes counted so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Whether the line is drawn at all. */
  get shown(): boolean {
    return this.#enabled;
  }

  /**
   * Counts `n` more bytes; redraws when 100 ms have passed since the last draw.
   *
   * @param n Bytes just received.
   */
  add(n: number): void {
    this.#bytes += n;
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    this.#draw(now);
  }

  /** Draws the final state and ends the line. */
  done(): void {
    if (!this.#enabled) return;
    this.#draw(performance.now());
    if (drawn === this) drawn = null;
    write("\n");
    this.#enabled = false;
  }

  #draw(now: number): void {
    const line = formatProgress(
      this.#bytes,
      this.#total,
      (now - this.#started) / 1000,
      terminalColumns(),
    );
    // Another bar still on the screen ends its line first.
    if (drawn !== null && drawn !== this) write("\n");
    drawn = this;
    write(`\r${line}\x1b[K`);
  }
}

/**
 * A line of status (any text, such as a crawl's counts) redrawn in place on
 * stderr at most ten times a second, cut to the terminal's width, when
 * stderr is a terminal; nothing otherwise. `writeErr` erases it before a
 * message, as it erases a bar.
 *
 * @example Silent when stderr is not a terminal
 * ```ts
 * import { StatusLine } from "./progress.ts";
 * import assert from "node:assert/strict";
 *
 * const status = new StatusLine(false);
 * let asked = 0;
 * status.show(() => `${++asked} pages`);
 * status.done();
 * assert.equal(asked, 0);
 * assert.equal(status.shown, false);
 * ```
 */
export class StatusLine {
  #enabled: boolean;
  #lastDraw = -Infinity;

  /** @param enabled Whether to draw. @default {Deno.stderr.isTerminal()} */
  constructor(enabled: boolean = Deno.stderr.isTerminal()) {
    this.#enabled = enabled;
  }

  /** Whether the line is drawn at all. */
  get shown(): boolean {
    return this.#enabled;
  }

  /**
   * Redraws the line when 100 ms have passed since the last draw (or when
   * `now` is true); `text` is called only then.
   *
   * @param text Makes the line.
   * @param now Draw whatever the time.
   */
  show(text: () => string, now = false): void {
    if (!this.#enabled) return;
    const time = performance.now();
    if (!now && time - this.#lastDraw < 100) return;
    this.#lastDraw = time;
    const room = Math.max(0, terminalColumns() - 1);
    if (drawn !== null && drawn !== this) write("\n");
    drawn = this;
    write(`\r${text().slice(0, room)}\x1b[K`);
  }

  /** Erases the line and stops drawing. */
  done(): void {
    if (!this.#enabled) return;
    if (drawn === this) clearProgress();
    this.#enabled = false;
  }
}
