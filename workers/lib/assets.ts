/**
 * The pages' client scripts and stylesheet as the build named them (web/dist/assets/manifest.json,
 * written by scripts/build-web.mjs): content-hashed URLs, so browsers may keep them a year.
 */
export interface AssetManifest {
  /** Each page script (web/client/<name>.ts): its URL and the chunks it imports statically. */
  scripts: Record<string, { src: string; imports: string[] }>;
  /** Each stylesheet (web/client/<name>.css). */
  styles: Record<string, string>;
}

/**
 * A page script's URL and the chunks it needs at once, in the order a browser wants them;
 * none for a name the build did not make (a page rendered before the manifest was read,
 * such as an early refusal, goes without its scripts rather than failing).
 */
export function scriptFiles(manifest: AssetManifest | undefined, name: string): string[] {
  const script = manifest?.scripts[name];
  return script ? [script.src, ...script.imports] : [];
}

/** `Link` header values that preload a page script and its chunks as modules. */
export const modulePreloads = (manifest: AssetManifest | undefined, name: string) =>
  scriptFiles(manifest, name).map((url) => `<${url}>; rel=modulepreload`);
