const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * An opaque, URL-safe id: `length` base62 characters from the platform CSPRNG (16 chars
 * ~ 95 bits). docs/api.md caps ids at 32 characters.
 */
export function newId(length = 16): string {
  let out = "";
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length))) {
      // 248 = 4 * 62: rejecting bytes at or above it keeps every character equally likely.
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}
