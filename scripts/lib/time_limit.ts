// Copyright netprog authors. MIT license.

/**
 * Time limits: the one place that arms them. A connect (and TLS handshake)
 * must finish within a limit ({@linkcode watchdog}); a connection or a
 * download must not go without data for longer than a limit
 * ({@linkcode IdleLimit}); and the one pause ({@linkcode sleep}). Deno only
 * for the defaults' sake; the timers are the JavaScript engine's own.
 *
 * @module
 */

/**
 * The time limits of a connection or a download.
 *
 * @example Two seconds to connect, five without data
 * ```ts
 * import type { TimeLimits } from "./time_limit.ts";
 * import assert from "node:assert/strict";
 *
 * const limits: TimeLimits = { connectTimeoutMs: 2000, idleTimeoutMs: 5000 };
 * assert.equal(limits.idleTimeoutMs, 5000);
 * ```
 */
export interface TimeLimits {
  /** Give up connecting (and the TLS handshake) after this many milliseconds. @default {10000} */
  connectTimeoutMs: number;
  /** Give up when no byte arrives for this many milliseconds. @default {30000} */
  idleTimeoutMs: number;
}

/**
 * The documented defaults: 10 s to connect, 30 s without data.
 *
 * @example The defaults
 * ```ts
 * import { DEFAULT_TIME_LIMITS } from "./time_limit.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(DEFAULT_TIME_LIMITS, { connectTimeoutMs: 10_000, idleTimeoutMs: 30_000 });
 * ```
 */
export const DEFAULT_TIME_LIMITS: Readonly<TimeLimits> = {
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
};

/**
 * A number of milliseconds as the messages say it in seconds.
 *
 * @param ms Milliseconds.
 * @returns Such as `1 second` or `0.5 seconds`.
 *
 * @example One and a half
 * ```ts
 * import { inSeconds } from "./time_limit.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(inSeconds(1000), "1 second");
 * assert.equal(inSeconds(500), "0.5 seconds");
 * ```
 */
export function inSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

/** How long an idle limit waits past its time for a read already done but not yet seen. */
const GRACE_MS = 50;

/** The cell {@linkcode watchdog} waits on; nothing ever wakes it. */
const NEVER_WOKEN = new Int32Array(new SharedArrayBuffer(4));

/**
 * Calls `fire` after `ms` milliseconds unless the returned function is
 * called first. It waits with `Atomics.waitAsync` on a cell that nothing
 * wakes, so the wait times out. Unlike `setTimeout` this is part of the
 * JavaScript engine: Deno loads its Node-compatible timers (about 4 ms) at
 * the first `setTimeout`, a cost every raw-socket program would pay at
 * start. Nor does it keep the program alive: it guards a connect or a read
 * in flight, which does.
 *
 * @param ms Milliseconds to wait (0 or less fires as soon as possible).
 * @param fire What to do then.
 * @returns A function that cancels it.
 *
 * @example One watchdog fires, one is cancelled in time
 * ```ts
 * import { watchdog } from "./time_limit.ts";
 * import assert from "node:assert/strict";
 *
 * const fired: string[] = [];
 * const cancel = watchdog(10, () => fired.push("cancelled"));
 * cancel();
 * watchdog(20, () => fired.push("fired"));
 * // A watchdog keeps nothing alive: a timer does here, as a read in flight would.
 * await new Promise((resolve) => setTimeout(resolve, 200));
 * assert.deepEqual(fired, ["fired"]);
 * ```
 */
export function watchdog(ms: number, fire: () => void): () => void {
  let cancelled = false;
  const done = () => {
    if (!cancelled) fire();
  };
  const waiting = Atomics.waitAsync(NEVER_WOKEN, 0, 0, Math.max(0, ms));
  if (waiting.async) waiting.value.then(done);
  else queueMicrotask(done);
  return () => {
    cancelled = true;
  };
}

/**
 * A limit on the time spent waiting for data: call
 * {@linkcode IdleLimit.prototype.begin} when a wait starts and
 * {@linkcode IdleLimit.prototype.end} when data (or the end) arrives. Only
 * the time between the two counts, never the time the program spends on
 * what arrived; when one wait passes the limit, `onExpire` runs once (it
 * closes the connection or aborts the download, which ends the wait). One
 * timer serves the whole stream, armed only while waiting.
 *
 * @example A wait that passes the limit
 * ```ts
 * import { IdleLimit } from "./time_limit.ts";
 * import assert from "node:assert/strict";
 *
 * const limit = new IdleLimit(20, () => {});
 * limit.begin();
 * await new Promise((resolve) => setTimeout(resolve, 200));
 * assert.equal(limit.expired, true);
 * limit.stop();
 * ```
 */
export class IdleLimit {
  /** The limit, in milliseconds. */
  readonly ms: number;
  #onExpire: () => void;
  #since = -1;
  #cancel: (() => void) | undefined;
  #expired = false;
  #stopped = false;

  /**
   * @param ms The limit, in milliseconds.
   * @param onExpire What to do when a wait passes it.
   */
  constructor(ms: number, onExpire: () => void) {
    this.ms = ms;
    this.#onExpire = onExpire;
  }

  /** Whether a wait passed the limit. */
  get expired(): boolean {
    return this.#expired;
  }

  /** A wait for data starts. */
  begin(): void {
    if (this.#stopped) return;
    this.#since = Date.now();
    this.#cancel ??= watchdog(this.ms, this.#check);
  }

  /** The wait is over. */
  end(): void {
    this.#since = -1;
  }

  /** No more waits: the timer is cancelled. */
  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #check = () => {
    this.#cancel = undefined;
    if (this.#since < 0 || this.#stopped) return;
    const since = this.#since;
    const waited = Date.now() - since;
    if (waited < this.ms) {
      this.#cancel = watchdog(this.ms - waited, this.#check);
      return;
    }
    // One more turn before giving up: after the process was paused (a busy
    // machine, SIGSTOP), data that came meanwhile may be waiting to be read.
    this.#cancel = watchdog(GRACE_MS, () => {
      this.#cancel = undefined;
      if (this.#since !== since || this.#stopped) return this.#check(); // data came: go on
      this.#expired = true;
      this.stop();
      this.#onExpire();
    });
  };
}

/**
 * Waits for `promise` to settle, but no longer than `ms` milliseconds: for
 * a clean-up that must not hang (a child process that will not exit, pipes
 * held by its helpers).
 *
 * @param promise What to wait for (its value or error is ignored).
 * @param ms The most to wait, in milliseconds.
 * @returns True when it settled in time.
 *
 * @example One settles in time, one does not
 * ```ts
 * import { within } from "./time_limit.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await within(Promise.resolve(1), 1000), true);
 * const slow = new Promise((resolve) => setTimeout(resolve, 300));
 * assert.equal(await within(slow, 10), false);
 * await slow;
 * ```
 */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let cancel = () => {};
  const late = new Promise<false>((resolve) => {
    cancel = watchdog(ms, () => resolve(false));
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    cancel();
  }
}

/**
 * Waits `ms` milliseconds.
 *
 * @param ms How long.
 * @returns A promise that resolves then.
 *
 * @example A short pause
 * ```ts
 * import { sleep } from "./time_limit.ts";
 * import assert from "node:assert/strict";
 *
 * const start = performance.now();
 * await sleep(20);
 * assert(performance.now() - start >= 15);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
