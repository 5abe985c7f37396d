/**
 * The platform's HMACs (SHA-256, keys imported once per secret): short-lived signed URLs for
 * the transcoder, which holds no storage credentials (an HMAC over the video id, a scope and
 * an expiry, checked with WebCrypto's constant-time verify, so no D1 read per request), the
 * anonymous viewer id, and the web session's CSRF token.
 */
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function key(secret: string): Promise<CryptoKey> {
  let found = keys.get(secret);
  if (!found) {
    found = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keys.set(secret, found);
  }
  return found;
}

const b64url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

function unb64url(text: string): Uint8Array | null {
  try {
    const padded = text.replaceAll("-", "+").replaceAll("_", "/");
    return Uint8Array.from(atob(padded + "=".repeat((4 - (padded.length % 4)) % 4)), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** The HMAC-SHA256 of `text` under `secret`, base64url. */
export async function hmac(secret: string, text: string): Promise<string> {
  return b64url(await crypto.subtle.sign("HMAC", await key(secret), encoder.encode(text)));
}

/** Whether `presented` is `hmac(secret, text)`, compared by WebCrypto in constant time. */
export async function hmacMatches(secret: string, text: string, presented: string): Promise<boolean> {
  const bytes = unb64url(presented);
  return !!bytes && crypto.subtle.verify("HMAC", await key(secret), bytes, encoder.encode(text));
}

const message = (videoId: string, scope: string, exp: number) => `${videoId}\n${scope}\n${exp}`;

/** `exp=...&sig=...` granting `scope` on `videoId` for `ttlSeconds`. */
export async function signScope(secret: string, videoId: string, scope: string, ttlSeconds: number, now = Date.now()) {
  const exp = Math.floor(now / 1000) + ttlSeconds;
  return new URLSearchParams({ exp: String(exp), sig: await hmac(secret, message(videoId, scope, exp)) }).toString();
}

/** Whether `exp` and `sig` grant `scope` on `videoId` now. */
export async function verifyScope(
  secret: string,
  videoId: string,
  scope: string,
  exp: string | undefined,
  sig: string | undefined,
  now = Date.now(),
): Promise<boolean> {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
  if (Number(exp) * 1000 < now) return false;
  return hmacMatches(secret, message(videoId, scope, Number(exp)), sig);
}

/**
 * A privacy-preserving id for an anonymous viewer: a keyed hash of address and user agent
 * that changes every day, so views can be counted once per hour without storing either.
 */
export async function anonymousViewerId(
  secret: string,
  ip: string,
  userAgent: string,
  now = Date.now(),
): Promise<string> {
  const day = Math.floor(now / 86_400_000);
  return (await hmac(secret, `viewer\n${ip}\n${userAgent}\n${day}`)).slice(0, 22);
}
