// Copyright netprog authors. MIT license.

/**
 * The errors a script reports: {@linkcode UsageError} (exit status 2),
 * {@linkcode RunError} (exit status 1) and {@linkcode StdoutClosedError}
 * (the reader of stdout went away). `run()` in `run.ts` turns them into one
 * line on stderr.
 *
 * @module
 */

/**
 * Bad usage or a malformed URL: exit status 2.
 *
 * @example The parts of a usage error
 * ```ts
 * import { UsageError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new UsageError("cannot use --port \"x\"", "expected a whole number");
 * assert.equal(error.message, 'cannot use --port "x": expected a whole number');
 * ```
 */
export class UsageError extends Error {
  /**
   * @param what What failed, such as `cannot use URL "x"`.
   * @param why Why it failed.
   */
  constructor(readonly what: string, readonly why: string) {
    super(`${what}: ${why}`);
    this.name = "UsageError";
  }
}

/**
 * A failure at run time: exit status 1.
 *
 * @example The parts of a run-time error
 * ```ts
 * import { RunError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new RunError("cannot connect to nosuch.invalid:80", "name not resolved");
 * assert.equal(error.message, "cannot connect to nosuch.invalid:80: name not resolved");
 * ```
 */
export class RunError extends Error {
  /**
   * @param what What failed, such as `cannot connect to h:80`.
   * @param why Why it failed.
   */
  constructor(readonly what: string, readonly why: string) {
    super(`${what}: ${why}`);
    this.name = "RunError";
  }
}

/**
 * Whatever reads stdout has gone (`| head` has what it wanted): the program
 * stops at once, quietly, with {@linkcode CLOSED_STDOUT_STATUS}.
 *
 * @example Thrown by a write to a closed pipe
 * ```ts
 * import { StdoutClosedError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new StdoutClosedError().name, "StdoutClosedError");
 * ```
 */
export class StdoutClosedError extends Error {
  constructor() {
    super("standard output is closed");
    this.name = "StdoutClosedError";
  }
}

/**
 * The exit status of a program whose stdout was closed: 141, what a shell
 * shows for `cat` or `grep` stopped by SIGPIPE (128 + 13). Deno ignores
 * SIGPIPE, so the programs exit with this status themselves.
 *
 * @example 128 + SIGPIPE
 * ```ts
 * import { CLOSED_STDOUT_STATUS } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(CLOSED_STDOUT_STATUS, 128 + 13);
 * ```
 */
export const CLOSED_STDOUT_STATUS = 141;
