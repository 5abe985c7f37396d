/**
 * Regions are ISO 3166 alpha-2 codes from `request.cf.country`. `ZZ` (a user-assigned code)
 * stands for "unknown": local dev has no `cf`, and Cloudflare answers `XX` for unknown and
 * `T1` for Tor. Such activity still counts towards the `global` lists.
 */
export const UNKNOWN_REGION = "ZZ";
export const GLOBAL_REGION = "global";

const NOT_A_COUNTRY = new Set(["XX", "T1", UNKNOWN_REGION]);

/** The country of a request, upper-cased, or `ZZ`. */
export function regionOf(request: Request): string {
  const country = (request as Request & { cf?: { country?: unknown } }).cf?.country;
  return normaliseRegion(typeof country === "string" ? country : undefined);
}

export function normaliseRegion(code: string | undefined): string {
  const upper = code?.toUpperCase();
  return upper && /^[A-Z]{2}$/.test(upper) && !NOT_A_COUNTRY.has(upper) ? upper : UNKNOWN_REGION;
}

/** Whether a region has lists of its own (an unknown one feeds only `global`). */
export const isCountry = (region: string) => region !== UNKNOWN_REGION && region !== GLOBAL_REGION;
