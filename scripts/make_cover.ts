#!/usr/bin/env -S deno run --allow-run=chromium --allow-net=127.0.0.1 --allow-write=/tmp,data/cover3.jpg,data/cover3.jpg.part --allow-read=/tmp,data/cover3.jpg.part
// Copyright netprog authors. MIT license.

/**
 * make_cover: makes the mirror's `data/cover3.jpg`, a real JPEG of about
 * 230,000 bytes (the size of the book's cover image, which is not ours to
 * copy). It paints a made-up cover on a canvas in headless Chromium, driven
 * over the DevTools protocol, and captures it with `Page.captureScreenshot`
 * in JPEG format, searching the quality (1 to 100) whose file size comes
 * closest to the goal. The painting is drawn from a seeded generator, so the
 * picture is the same every run; the exact bytes depend on the Chromium
 * version, which is why the result is committed.
 *
 *     deno run --allow-run=chromium --allow-net=127.0.0.1 --allow-write=/tmp,data/cover3.jpg,data/cover3.jpg.part --allow-read=/tmp,data/cover3.jpg.part scripts/make_cover.ts
 *
 * Permissions:
 * - `--allow-run=chromium`: start headless Chromium (Debian's `chromium`).
 * - `--allow-net=127.0.0.1`: talk to it over the DevTools WebSocket on loopback.
 * - `--allow-write=/tmp` and `--allow-read=/tmp`: its throw-away profile folder.
 * - `--allow-write=data/cover3.jpg,data/cover3.jpg.part` and
 *   `--allow-read=data/cover3.jpg.part`: write the picture beside its name,
 *   then rename it into place.
 *
 * @module
 */

import { integerOption, parseCommandLine } from "./lib/args.ts";
import { AtomicFile } from "./lib/atomic_file.ts";
import { RunError } from "./lib/errors.ts";
import { run } from "./lib/run.ts";
import { writeErr } from "./lib/stdio.ts";
import { Browser } from "./lib/cdp.ts";

const FLAGS = "--allow-run=chromium --allow-net=127.0.0.1 " +
  "--allow-write=/tmp,data/cover3.jpg,data/cover3.jpg.part --allow-read=/tmp,data/cover3.jpg.part";

const USAGE = `Usage: deno run ${FLAGS} scripts/make_cover.ts [options]

Paints a made-up book cover in headless Chromium and saves it as a JPEG whose
size comes closest to the goal, for the local mirror (deno task serve).

Options:
  --bytes N        the size to come closest to (default 230210, the book's cover3.jpg)
  -o, --output P   where to save it (default data/cover3.jpg)
  -h, --help       print this help
`;

const WIDTH = 900;
const HEIGHT = 1200;

/** Runs in the page: paints the cover on a full-page canvas. */
const PAINT = `(() => {
  let seed = 20100314;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  document.body.style.margin = "0";
  const canvas = document.createElement("canvas");
  canvas.width = ${WIDTH};
  canvas.height = ${HEIGHT};
  document.body.append(canvas);
  const g = canvas.getContext("2d");
  const sky = g.createLinearGradient(0, 0, 0, ${HEIGHT});
  sky.addColorStop(0, "#0b2545");
  sky.addColorStop(0.55, "#13315c");
  sky.addColorStop(1, "#8da9c4");
  g.fillStyle = sky;
  g.fillRect(0, 0, ${WIDTH}, ${HEIGHT});
  // Hosts of a network, and the links between them.
  const hosts = [];
  for (let i = 0; i < 60; i++) {
    hosts.push([random() * ${WIDTH}, 260 + random() * 700, 4 + random() * 14]);
  }
  g.lineWidth = 1.5;
  for (const [x, y] of hosts) {
    for (let k = 0; k < 3; k++) {
      const [x2, y2] = hosts[Math.floor(random() * hosts.length)];
      g.strokeStyle = "hsla(" + Math.floor(180 + random() * 60) + ", 80%, 70%, 0.45)";
      g.beginPath();
      g.moveTo(x, y);
      g.lineTo(x2, y2);
      g.stroke();
    }
  }
  for (const [x, y, r] of hosts) {
    const glow = g.createRadialGradient(x, y, 0, x, y, r * 2.5);
    glow.addColorStop(0, "#f4d35e");
    glow.addColorStop(1, "rgba(244, 211, 94, 0)");
    g.fillStyle = glow;
    g.beginPath();
    g.arc(x, y, r * 2.5, 0, Math.PI * 2);
    g.fill();
  }
  // Packets in flight: small squares of every colour.
  for (let i = 0; i < 9000; i++) {
    g.fillStyle = "hsl(" + Math.floor(random() * 360) + ", 70%, " + Math.floor(35 + random() * 50) + "%)";
    const size = 1 + random() * 4;
    g.fillRect(random() * ${WIDTH}, random() * ${HEIGHT}, size, size);
  }
  // Grain, so that the picture has the detail of a photograph.
  const image = g.getImageData(0, 0, ${WIDTH}, ${HEIGHT});
  for (let i = 0; i < image.data.length; i += 4) {
    const grain = (random() - 0.5) * 34;
    image.data[i] += grain;
    image.data[i + 1] += grain;
    image.data[i + 2] += grain;
  }
  g.putImageData(image, 0, 0);
  g.fillStyle = "rgba(0, 0, 0, 0.55)";
  g.fillRect(0, 60, ${WIDTH}, 170);
  g.fillStyle = "#ffffff";
  g.font = "bold 84px sans-serif";
  g.fillText("Networked", 60, 150);
  g.font = "bold 52px sans-serif";
  g.fillText("programs", 64, 210);
  g.font = "28px monospace";
  g.fillStyle = "#f4d35e";
  g.fillText("GET http://data.pr4e.org/romeo.txt HTTP/1.0", 60, 1120);
  return canvas.width * canvas.height;
})()`;

run("make_cover", async () => {
  const { values } = parseCommandLine(USAGE, {
    bytes: { type: "string" },
    output: { type: "string", short: "o" },
  }, 0);
  const goal = integerOption("bytes", values.bytes, 230_210, 1000, 10_000_000);
  const output = values.output ?? "data/cover3.jpg";
  await using browser = await Browser.launch({ flags: ["--hide-scrollbars"] });
  const tab = await browser.newTab();
  await tab.evaluate(PAINT).catch((error) => {
    throw new RunError("cannot paint the cover", error.message);
  });
  // The size grows with the quality: search for the closest.
  const sizes = new Map<number, Uint8Array>();
  const at = async (quality: number) => {
    if (!sizes.has(quality)) {
      sizes.set(quality, await tab.screenshot(WIDTH, HEIGHT, { format: "jpeg", quality }));
    }
    return sizes.get(quality)!;
  };
  let low = 1;
  let high = 100;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if ((await at(middle)).length <= goal) low = middle;
    else high = middle;
  }
  const distance = async (quality: number) => Math.abs((await at(quality)).length - goal);
  const quality = (await distance(low)) <= (await distance(high)) ? low : high;
  const jpeg = await at(quality);
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8 || jpeg[2] !== 0xff) {
    throw new RunError("cannot make the cover", "Chromium did not return a JPEG");
  }
  await AtomicFile.write(output, jpeg);
  writeErr(`make_cover: wrote ${output}: ${jpeg.length} bytes, JPEG quality ${quality}\n`);
});
