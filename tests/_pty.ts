// Copyright netprog authors. MIT license.

/**
 * A command run on a pseudo-terminal (python3's pty module), as a person at a terminal runs it.
 *
 * @module
 */

/** The runner: a pseudo-terminal of the given width as stdin, stdout and stderr. */
const RUNNER = `
import fcntl, os, pty, select, signal, struct, sys, termios, time
columns, interrupt_at, stop_at = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode()
pid, fd = pty.fork()
if pid == 0:
    if columns > 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    os.execvp(sys.argv[4], sys.argv[4:])
out, sent = b"", False
deadline = time.time() + 30
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if not ready:
        continue
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out += data
    if interrupt_at and not sent and interrupt_at in out:
        os.kill(pid, signal.SIGINT)
        sent = True
    if stop_at and stop_at in out:
        os.kill(pid, signal.SIGKILL)
        break
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
`;

/**
 * How {@linkcode onTerminal} runs a command.
 *
 * @example A narrow terminal, and Ctrl-C once a line is shown
 * ```ts
 * import type { TerminalOptions } from "./_pty.ts";
 * import assert from "node:assert/strict";
 *
 * const options: TerminalOptions = { columns: 40, interruptAt: "%" };
 * assert.equal(options.columns, 40);
 * ```
 */
export interface TerminalOptions {
  /**
   * The terminal's width. Without it the terminal reports no size (Deno
   * then draws none of its own clearing codes).
   */
  columns?: number;
  /** Send SIGINT (Ctrl-C) once the terminal shows this. */
  interruptAt?: string;
  /** Kill the command once the terminal shows this (a question nobody should be asked). */
  stopAt?: string;
  /** The working folder. */
  cwd?: string;
}

/**
 * Runs `command` with a pseudo-terminal as its stdin, stdout and stderr, for at most 30 s.
 *
 * @param command The program and its arguments.
 * @param options Width, Ctrl-C, what stops it, folder.
 * @returns Its exit status and what the terminal showed.
 *
 * @example What `echo` shows on a terminal
 * ```ts
 * import { onTerminal } from "./_pty.ts";
 * import assert from "node:assert/strict";
 *
 * const { code, shown } = await onTerminal(["python3", "-c", "print('hi')"]);
 * assert.equal(code, 0);
 * assert.equal(shown, "hi\r\n");
 * ```
 */
export async function onTerminal(
  command: string[],
  options: TerminalOptions = {},
): Promise<{ code: number; shown: string }> {
  const output = await new Deno.Command("python3", {
    args: [
      "-c",
      RUNNER,
      String(options.columns ?? 0),
      options.interruptAt ?? "",
      options.stopAt ?? "",
      ...command,
    ],
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return { code: output.code, shown: new TextDecoder().decode(output.stdout) };
}
