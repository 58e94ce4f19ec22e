// Copyright netprog authors. MIT license.

/**
 * A self-signed certificate for 127.0.0.1, made by openssl for one test.
 *
 * @module
 */

import assert from "node:assert/strict";

/**
 * A certificate and its key in a temporary folder, removed on dispose.
 *
 * @example Making one and using its files
 * ```ts
 * import { selfSignedCertificate } from "./_tls.ts";
 * import assert from "node:assert/strict";
 *
 * await using tls = await selfSignedCertificate();
 * assert.match(tls.cert, /^-----BEGIN CERTIFICATE-----/);
 * assert.equal(Deno.readTextFileSync(tls.certFile), tls.cert);
 * ```
 */
export interface Certificate extends AsyncDisposable {
  /** The certificate, PEM. */
  cert: string;
  /** Its private key, PEM. */
  key: string;
  /** The file that holds `cert` (for `--cacert`). */
  certFile: string;
}

/**
 * Makes a self-signed certificate for `127.0.0.1` (an end-entity certificate
 * with the IP address as its subject alternative name, as Deno wants it).
 *
 * @returns The certificate, its key and its file.
 */
export async function selfSignedCertificate(): Promise<Certificate> {
  const dir = await Deno.makeTempDir({ prefix: "netprog-tls-" });
  const made = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      `${dir}/key.pem`,
      "-out",
      `${dir}/cert.pem`,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert(made.success, new TextDecoder().decode(made.stderr));
  return {
    cert: await Deno.readTextFile(`${dir}/cert.pem`),
    key: await Deno.readTextFile(`${dir}/key.pem`),
    certFile: `${dir}/cert.pem`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}
