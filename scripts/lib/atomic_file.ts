// Copyright netprog authors. MIT license.

/**
 * The one way every program writes a file: to `PATH.part` beside it
 * (created new, never through a symlink), renamed over `PATH` only when
 * complete. A failure, a full disk or Ctrl-C never leaves a partial file
 * under the final name, and nothing outside the allowed paths is ever
 * written. Deno only.
 *
 * @module
 */

import { RunError } from "./errors.ts";
import { firstLine, isPermissionError, onInterrupt } from "./run.ts";
import { blockWriter, type BodySink } from "./sinks.ts";

/**
 * The permission flags that an {@linkcode AtomicFile} needs for `path`:
 * write on the file and on `PATH.part` beside it, and read on `PATH.part`
 * (Deno asks for read access to the file it renames).
 *
 * @param path The file to be written.
 * @returns The flags.
 *
 * @example The flags for the book's `stuff.jpg`
 * ```ts
 * import { atomicWriteFlags } from "./atomic_file.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(atomicWriteFlags("stuff.jpg"), [
 *   "--allow-write=stuff.jpg,stuff.jpg.part",
 *   "--allow-read=stuff.jpg.part",
 * ]);
 * ```
 */
export function atomicWriteFlags(path: string): string[] {
  return [`--allow-write=${path},${path}.part`, `--allow-read=${path}.part`];
}

/**
 * Checks, before any work is done (so a download is not wasted), that an
 * {@linkcode AtomicFile} will be allowed to write `path`. If not, throws a
 * {@linkcode RunError} that names each flag missing, in full. Asks
 * `Deno.permissions.query`, which never prompts.
 *
 * @param path The file to be written.
 * @returns When writing is allowed.
 *
 * @example Checking a file in a temporary folder
 * ```ts
 * import { requireAtomicWrite } from "./atomic_file.ts";
 * import assert from "node:assert/strict";
 *
 * // The tests run with --allow-write=/tmp and read access.
 * const dir = await Deno.makeTempDir();
 * assert.equal(await requireAtomicWrite(`${dir}/stuff.jpg`), undefined);
 * await Deno.remove(dir);
 * ```
 */
export async function requireAtomicWrite(path: string): Promise<void> {
  const part = `${path}.part`;
  const [writeFlag, readFlag] = atomicWriteFlags(path);
  const missing: string[] = [];
  for (const target of [path, part]) {
    if ((await Deno.permissions.query({ name: "write", path: target })).state !== "granted") {
      missing.push(writeFlag);
      break;
    }
  }
  if ((await Deno.permissions.query({ name: "read", path: part })).state !== "granted") {
    missing.push(readFlag);
  }
  if (missing.length > 0) {
    throw new RunError(`no permission to write ${path}`, `run with ${missing.join(" ")}`);
  }
}

/**
 * A file written beside its final name and renamed into place when
 * complete. `PATH.part` is created new: a stale one, or a symlink planted
 * under that name, is removed first and never followed; the rename replaces
 * whatever is at `PATH` (a symlink there included) without following it.
 * Ctrl-C or a failure removes the part file. Needs the flags
 * {@linkcode atomicWriteFlags} names.
 *
 * A target that is a character device or a FIFO, not through a symlink
 * (`-o /dev/null`, a named pipe), is written directly: there is no partial
 * file to hide, and renaming over it would replace the device.
 *
 * @example Writing a file atomically
 * ```ts
 * import { AtomicFile } from "./atomic_file.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const file = await AtomicFile.create(`${dir}/cover3.jpg`);
 * await file.sink.write([new Uint8Array([1, 2, 3])]);
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["cover3.jpg.part"]);
 * await file.commit();
 * assert.deepEqual(await Deno.readFile(`${dir}/cover3.jpg`), new Uint8Array([1, 2, 3]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class AtomicFile {
  /** The final path. */
  readonly path: string;
  /** The part file's path. */
  readonly part: string;
  /** Writes into the part file in blocks of at most `blockSize` bytes. */
  readonly sink: BodySink;
  #file: Deno.FsFile;
  #unregister: () => void;
  #open = true;
  #direct: boolean;

  private constructor(path: string, file: Deno.FsFile, blockSize: number, direct = false) {
    this.path = path;
    this.part = direct ? path : `${path}.part`;
    this.#direct = direct;
    this.#file = file;
    this.sink = blockWriter(file, blockSize);
    this.#unregister = onInterrupt(() => this.#removeOnInterrupt());
  }

  /**
   * Creates `PATH.part`.
   *
   * @param path The final path.
   * @param blockSize Largest single write. @default {100000}
   * @returns The open part file.
   */
  static async create(path: string, blockSize = 100_000): Promise<AtomicFile> {
    await requireAtomicWrite(path);
    if (await targetKind(path) === "device") {
      return new AtomicFile(path, await Deno.open(path, { write: true }), blockSize, true);
    }
    const part = `${path}.part`;
    const open = () => Deno.open(part, { write: true, createNew: true, mode: 0o644 });
    let file: Deno.FsFile;
    try {
      try {
        file = await open();
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        await Deno.remove(part);
        file = await open();
      }
    } catch (error) {
      if (isPermissionError(error)) throw error;
      throw new RunError(`cannot write ${path}`, firstLine(error));
    }
    return new AtomicFile(path, file, blockSize);
  }

  /**
   * Creates `path`'s part file, lets `fill` write into its sink, and commits
   * it; if `fill` fails, the part file is removed and the error passed on.
   *
   * @param path Where the file goes.
   * @param fill Writes the bytes (a download, say) and returns a result.
   * @param blockSize Largest single write. @default {100000}
   * @returns What `fill` returned, once the file is in place.
   *
   * @example Filling a file, and a fill that fails
   * ```ts
   * import { AtomicFile } from "./atomic_file.ts";
   * import assert from "node:assert/strict";
   *
   * const dir = await Deno.makeTempDir();
   * const size = await AtomicFile.save(`${dir}/a.txt`, async (sink) => {
   *   await sink.write([new TextEncoder().encode("hello")]);
   *   return 5;
   * });
   * assert.equal(size, 5);
   * await assert.rejects(AtomicFile.save(`${dir}/b.txt`, () => Promise.reject(new Error("cut"))));
   * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.txt"]);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  static async save<T>(
    path: string,
    fill: (sink: BodySink) => Promise<T>,
    blockSize = 100_000,
  ): Promise<T> {
    const file = await AtomicFile.create(path, blockSize);
    let result: T;
    try {
      result = await fill(file.sink);
    } catch (error) {
      await file.abort();
      throw error;
    }
    await file.commit();
    return result;
  }

  /**
   * Writes `data` to `path` in one go: create, write, commit; the part file
   * is removed if anything fails.
   *
   * @param path Where the file goes.
   * @param data Its bytes.
   * @returns When the file is in place.
   *
   * @example Writing a small file
   * ```ts
   * import { AtomicFile } from "./atomic_file.ts";
   * import assert from "node:assert/strict";
   *
   * const dir = await Deno.makeTempDir();
   * await AtomicFile.write(`${dir}/stuff.jpg`, new Uint8Array([0xff, 0xd8, 0xff]));
   * assert.deepEqual(await Deno.readFile(`${dir}/stuff.jpg`), new Uint8Array([0xff, 0xd8, 0xff]));
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  static async write(path: string, data: Uint8Array): Promise<void> {
    await AtomicFile.save(path, async (sink) => {
      try {
        await sink.write([data]);
      } catch (error) {
        if (isPermissionError(error)) throw error;
        throw new RunError(`cannot write ${path}`, firstLine(error));
      }
    }, Infinity);
  }

  /** Closes the part file and renames it to the final path. */
  async commit(): Promise<void> {
    try {
      this.#close();
      if (!this.#direct) await Deno.rename(this.part, this.path);
    } catch (error) {
      await this.abort();
      if (isPermissionError(error)) throw error;
      throw new RunError(`cannot write ${this.path}`, firstLine(error));
    } finally {
      this.#unregister();
    }
  }

  /** Closes and removes the part file (again is harmless). */
  async abort(): Promise<void> {
    this.#close();
    this.#unregister();
    if (!this.#direct) await Deno.remove(this.part).catch(() => {});
  }

  /**
   * Ctrl-C: removes the part file at once and leaves it open. The process
   * exits right after; a write still in flight lands in the removed file
   * instead of failing on a closed one (which would turn exit status 130
   * into an error).
   */
  #removeOnInterrupt(): void {
    this.#unregister();
    if (this.#direct) return;
    try {
      Deno.removeSync(this.part);
    } catch { /* not there: nothing to remove */ }
  }

  #close(): void {
    if (!this.#open) return;
    this.#open = false;
    try {
      this.#file.close();
    } catch { /* already closed */ }
  }
}

/**
 * Whether `path` is written the atomic way (nothing there yet, or a regular
 * file or a symlink, which the rename replaces) or directly: a character
 * device or a FIFO itself. Telling needs read access to `path`; without it,
 * a path under `/dev/` (`/dev/null`, `/dev/stdout`) is taken as a device,
 * and anything else is written the atomic way.
 */
async function targetKind(path: string): Promise<"regular" | "device"> {
  if ((await Deno.permissions.query({ name: "read", path })).state !== "granted") {
    return path.startsWith("/dev/") ? "device" : "regular";
  }
  try {
    const info = await Deno.lstat(path);
    return info.isCharDevice || info.isFifo ? "device" : "regular";
  } catch {
    return "regular"; // not there yet
  }
}
