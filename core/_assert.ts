// Copyright netprog authors. MIT license.
// This module is browser compatible.

/**
 * Tiny assertions for the core's runnable examples and unit tests, so that
 * they run in any JavaScript runtime or browser and need no registry
 * package: the core touches no runtime, not even in its examples.
 *
 * @module
 */

/**
 * Throws when `condition` is falsy.
 *
 * @param condition What must hold.
 * @param message Shown when it does not.
 */
export function assert(condition: unknown, message = "Assertion failed"): asserts condition {
  if (!condition) throw new Error(message);
}

/**
 * Throws when `actual` and `expected` differ structurally (arrays, plain
 * objects, `Map`, typed arrays, primitives by `Object.is`).
 *
 * @param actual The value computed.
 * @param expected The value wanted.
 * @param message Shown first when they differ.
 */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  if (!equal(actual, expected)) {
    throw new Error(
      `${message ?? "Values differ"}:\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`,
    );
  }
}

/**
 * Throws unless `fn` throws an error of the class given, or one that
 * `check` accepts (it may assert, or return false to fail).
 *
 * @param fn What must throw.
 * @param check The error's class, or a test of the error.
 * @param message Shown when it does not throw.
 */
export function assertThrows(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  check?: (abstract new (...args: any[]) => Error) | ((error: unknown) => boolean),
  message = "Expected a throw",
): void {
  try {
    fn();
  } catch (error) {
    if (check === undefined) return;
    if (check.prototype instanceof Error || check === Error) {
      if (error instanceof (check as typeof Error)) return;
      throw new Error(`${message}: threw ${show(String(error))}, not ${check.name}`);
    }
    if ((check as (error: unknown) => boolean)(error) === false) {
      throw new Error(`${message}: the error was not the one expected`);
    }
    return;
  }
  throw new Error(message);
}

function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Map && b instanceof Map) {
    return equal([...a], [...b]);
  }
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    return equal(
      Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)),
      Array.from(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
    );
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
  );
}

function show(value: unknown): string {
  if (value instanceof Map) return `Map(${show([...value])})`;
  if (ArrayBuffer.isView(value)) {
    return `${value.constructor.name}(${show(Array.from(value as Uint8Array))})`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
