// A view's traffic source (API.md "Creator analytics"), for the player's beacons (beacons.ts).

/**
 * Where this view came from: a playlist (`?list=`), else the page the viewer came from on
 * this site (home, search, a channel, another video's up-next list), else another site
 * (`external`) or nothing at all (`direct`).
 */
export function trafficSource(search: string, referrer: string, origin: string): string {
  if (new URLSearchParams(search).has("list")) return "playlist";
  if (!referrer) return "direct";
  let from: URL;
  try {
    from = new URL(referrer);
  } catch {
    return "direct";
  }
  if (from.origin !== origin) return "external";
  const path = from.pathname;
  if (path === "/") return "home";
  if (path.startsWith("/search")) return "search";
  if (path.startsWith("/channel/")) return "channel";
  if (path.startsWith("/playlist")) return "playlist";
  if (path.startsWith("/watch/")) return "related";
  return "direct";
}
