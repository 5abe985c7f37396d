import type { AssetManifest } from "../lib/assets";

let manifest: Promise<AssetManifest> | undefined;

/**
 * The asset manifest, read once per isolate from the static assets (the ASSETS binding serves
 * web/dist, built with this Worker and deployed with it, so the two always agree).
 */
export function assetManifest(env: Env): Promise<AssetManifest> {
  manifest ??= env.ASSETS.fetch(new Request("https://assets.invalid/assets/manifest.json")).then(async (res) => {
    if (!res.ok) throw new Error(`asset manifest: HTTP ${res.status} (was web/dist built? scripts/build-web.mjs)`);
    return (await res.json()) as AssetManifest;
  });
  // A failed read is not kept: the next page asks again.
  manifest.catch(() => {
    manifest = undefined;
  });
  return manifest;
}
