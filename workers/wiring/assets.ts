import type { AssetManifest } from "../lib/assets";

let manifest: AssetManifest | undefined;

/**
 * The asset manifest, read once per isolate from the static assets (the ASSETS binding serves
 * web/dist, built with this Worker and deployed with it, so the two always agree). The answer
 * is kept, not the read's promise: a page that awaited another request's read would hang for
 * good if that request were canceled mid-read, and every later page with it. Pages that come
 * before the first answer each read it (a small static file).
 */
export async function assetManifest(env: Env): Promise<AssetManifest> {
  if (manifest) return manifest;
  const res = await env.ASSETS.fetch(new Request("https://assets.invalid/assets/manifest.json"));
  if (!res.ok) throw new Error(`asset manifest: HTTP ${res.status} (was web/dist built? scripts/build-web.mjs)`);
  manifest = (await res.json()) as AssetManifest;
  return manifest;
}
