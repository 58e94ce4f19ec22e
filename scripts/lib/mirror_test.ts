// Copyright netprog authors. MIT license.

/** The mirror starter: a start that fails, and a stop that leaves nothing listening. */

import assert from "node:assert/strict";
import { Conn } from "./conn.ts";
import { startMirror } from "./mirror.ts";

Deno.test("startMirror reports a mirror that cannot start, with its error line", async () => {
  await assert.rejects(startMirror(["--port", "http"]), {
    name: "RunError",
    message:
      'cannot start the mirror: serve: cannot use --port "http": expected a whole number from 0 to 65535',
  });
});

Deno.test("close stops the mirror: its port refuses connections, and a second close waits", async () => {
  const mirror = await startMirror(["--timeout", "5"]);
  const target = { scheme: "http", hostname: "127.0.0.1", port: mirror.port } as const;
  (await Conn.open(target)).close();
  await Promise.all([mirror.close(), mirror.close()]);
  await assert.rejects(Conn.open(target), { name: "RunError", why: "connection refused" });
});
