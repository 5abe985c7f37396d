#!/usr/bin/env node
// Bundles the pages' client scripts (web/client/*.ts, one entry per interactive piece) and the
// stylesheet into web/dist, which wrangler serves as static assets. Run by wrangler's [build]
// command (dev, deploy) and by the npm pre-scripts of the tests. Built files are not committed.
//
//   web/dist/assets/h/...          scripts and stylesheet under content-hashed names: a new
//                                  build is a new URL, so browsers keep them a year (immutable)
//   web/dist/assets/favicon.svg    under its own name (browsers ask for that name)
//   web/dist/assets/manifest.json  each entry's hashed URL and the chunks it imports, which the
//                                  Worker reads (wiring/assets.ts) to name them in pages and in
//                                  Link: rel=modulepreload headers
//   web/dist/_headers              the cache policy of /assets/h/ (served before the Worker,
//                                  so only this file can set it)
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(root, "web/client");
const dist = path.join(root, "web/dist");
const hashed = path.join(dist, "assets/h");

rmSync(dist, { recursive: true, force: true });
mkdirSync(hashed, { recursive: true });

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
  outdir: hashed,
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: false,
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
  entryNames: "[name]-[hash]",
  chunkNames: "chunks/[name]-[hash]",
  metafile: true,
  plugins: [hlsLight],
};
// The watch page is split: its entry (player.ts) starts playback, and the page's other
// pieces (watch.ts: comments, the live room, likes; report.ts: the report dialog; beacons.ts:
// player events for creator analytics) and
// media-chrome's controls load as chunks once the first frame is out. Every other page is one file.
const split = entries.filter((f) =>
  ["player.ts", "watch.ts", "report.ts", "save.ts", "watch-list.ts", "beacons.ts"].includes(path.basename(f)),
);
const single = await build({
  ...common,
  entryPoints: [...entries.filter((f) => !split.includes(f)), path.join(src, "style.css")],
});
const watch = await build({ ...common, entryPoints: split, splitting: true });
copyFileSync(path.join(src, "favicon.svg"), path.join(dist, "assets/favicon.svg"));

const url = (file) => `/${path.relative(dist, path.join(root, file)).split(path.sep).join("/")}`;
const manifest = { scripts: {}, styles: {} };
for (const { metafile } of [single, watch]) {
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (!output.entryPoint) continue;
    const name = path.basename(output.entryPoint).replace(/\.(ts|css)$/, "");
    // A module only imported dynamically (_controls.ts) is a chunk, not a page's script.
    if (name.startsWith("_")) continue;
    if (file.endsWith(".css")) manifest.styles[name] = url(file);
    else {
      const imports = output.imports.filter((i) => i.kind === "import-statement").map((i) => url(i.path));
      manifest.scripts[name] = { src: url(file), imports };
    }
  }
}
writeFileSync(path.join(dist, "assets/manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(
  path.join(dist, "_headers"),
  [
    "# Written by scripts/build-web.mjs. Hashed names change with their content: keep them.",
    "/assets/h/*",
    "  Cache-Control: public, max-age=31536000, immutable",
    "",
  ].join("\n"),
);
console.log(`[build-web] ${entries.length} client scripts and the stylesheet -> web/dist/assets (hashed)`);
