/**
 * Passwords are hashed with PBKDF2-HMAC-SHA256 through WebCrypto (no native modules in
 * workerd). 100,000 iterations is the most the Workers runtime allows per derivation.
 * Stored as `pbkdf2$<iterations>$<salt b64>$<hash b64>` so the count can rise later.
 */
const ITERATIONS = 100_000;
const encoder = new TextEncoder();

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, ITERATIONS);
  return `pbkdf2$${ITERATIONS}$${b64(salt)}$${b64(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split("$");
  if (scheme !== "pbkdf2" || !iterations || !salt || !hash) return false;
  const actual = await derive(password, unb64(salt), Number(iterations));
  const expected = unb64(hash);
  if (actual.length !== expected.length) return false;
  // Constant-time comparison: the runtime's timingSafeEqual.
  return crypto.subtle.timingSafeEqual(actual, expected);
}
