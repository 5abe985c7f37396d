/** Device classes of creator analytics (docs/capacity.md, `blob5`). */
export type Device = "desktop" | "mobile" | "tablet" | "tv" | "other";

/**
 * The class of device a User-Agent names, by the tokens browsers put there: TVs and sticks
 * first (their agents often say Android or Linux too), then tablets (an iPad, or Android
 * without "Mobile"), phones, then desktop systems; anything else (bots, tools) is `other`.
 */
export function deviceOf(userAgent: string | undefined): Device {
  const ua = userAgent ?? "";
  if (/smart-?tv|\btv\b|hbbtv|appletv|crkey|roku|aftb|aftm|aftt|web0s|tizen/i.test(ua)) return "tv";
  if (/ipad|tablet|kindle|silk|playbook/i.test(ua) || (/android/i.test(ua) && !/mobile/i.test(ua))) return "tablet";
  if (/mobi|iphone|ipod|android|windows phone/i.test(ua)) return "mobile";
  if (/windows nt|macintosh|mac os x|x11|linux|cros/i.test(ua)) return "desktop";
  return "other";
}
