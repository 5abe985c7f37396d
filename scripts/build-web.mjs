#!/usr/bin/env node
// Bundles the pages' client scripts (web/client/*.ts, one entry per interactive piece) and
// copies the stylesheet and the favicon into web/dist, which wrangler serves as static assets under /assets/.
// Run by wrangler's [build] command (dev, deploy) and by the npm pre-scripts of the tests.
// Built files are not committed.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(root, "web/client");
const out = path.join(root, "web/dist/assets");

rmSync(path.join(root, "web/dist"), { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const entries = readdirSync(src)
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .map((f) => path.join(src, f));

// hls-video-element imports hls.js's full build; the light build plays everything the
// transcoder makes (H.264/AAC HLS, TS or fMP4) without subtitles, DRM, alternate audio and
// interstitials, which this platform does not produce: about 65 KB gzipped less.
const hlsLight = {
  name: "hls-light",
  setup(b) {
    b.onResolve({ filter: /^hls\.js\/dist\/hls\.mjs$/ }, () => ({
      path: path.join(root, "node_modules/hls.js/dist/hls.light.mjs"),
    }));
  },
};

const common = {
  outdir: out,
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: false,
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
  plugins: [hlsLight],
};
const watch = entries.filter((f) => path.basename(f) === "watch.ts");
// One file per page; only the watch page is split, so that its player controls load as a
// second chunk after playback has started (web/client/_player.ts).
await build({ ...common, entryPoints: entries.filter((f) => !watch.includes(f)) });
await build({ ...common, entryPoints: watch, splitting: true, chunkNames: "chunks/[name]-[hash]" });
for (const file of ["style.css", "favicon.svg"]) copyFileSync(path.join(src, file), path.join(out, file));
console.log(`[build-web] ${entries.length} client scripts -> web/dist/assets`);
