#!/usr/bin/env node
// Bundles the pages' client scripts (web/client/*.ts, one entry per interactive piece) and
// copies the stylesheet into web/dist, which wrangler serves as static assets under /assets/.
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

await build({
  plugins: [hlsLight],
  entryPoints: entries,
  outdir: out,
  bundle: true,
  format: "esm",
  splitting: false,
  minify: true,
  sourcemap: false,
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
});
copyFileSync(path.join(src, "style.css"), path.join(out, "style.css"));
console.log(`[build-web] ${entries.length} client scripts -> web/dist/assets`);
