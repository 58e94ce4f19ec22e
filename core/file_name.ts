// Copyright netprog authors. MIT license.
// This module is browser compatible.

/** (API contract; implementation pending.) @module */

import { UnsafeFileNameError } from "./errors.ts";

/** curl3's rule made safe: the last `/`-separated part of the URL's path, checked; throws {@linkcode UnsafeFileNameError}. */
export function fileNameFromUrl(_url: string): string {
  void UnsafeFileNameError;
  throw new Error("not implemented");
}
