import { fnv1a } from "../lib/hash";
import type { ViewerWindowStore } from "../storage/signals";

/**
 * Objects the viewers' windows are spread over. At 10 million views a day (116 a second on
 * average, about 190 at the evening peak) each takes about 3 calls a second and holds about
 * 150,000 watches (docs/capacity.md). Changing it strands the windows for their 24 hours.
 */
export const WINDOW_SHARDS = 64;

/** The shard (`w{k}`) that keeps `viewer`'s window. */
export const windowShard = (viewer: string) => `w${fnv1a(viewer) % WINDOW_SHARDS}`;

/** The viewers' recent windows (`ViewerWindows`), called by RPC: the one place that makes those stubs. */
export function viewerWindows(env: Env): ViewerWindowStore {
  const shard = (name: string) => env.VIEWER_WINDOWS.get(env.VIEWER_WINDOWS.idFromName(name));
  return {
    record: (watch) => shard(windowShard(watch.viewer)).record(watch),
    window: (viewer) => shard(windowShard(viewer)).window(viewer),
  };
}
