/**
 * Secrets the platform must read back (webhook signing secrets: signing needs the secret
 * itself, so a hash would not do), sealed at rest with AES-256-GCM. The key is derived with
 * HKDF-SHA-256 from a secret binding (SIGNING_SECRET) and a purpose, so it is never stored and
 * one binding serves several purposes without their keys meeting. A sealed value is
 * `v1.<base64url(iv | ciphertext + tag)>`; the purpose is the additional data, so a value
 * sealed for one purpose does not open under another.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(masterSecret: string, purpose: string): Promise<CryptoKey> {
  const id = `${purpose}\n${masterSecret}`;
  let found = keys.get(id);
  if (!found) {
    found = (async () => {
      const material = await crypto.subtle.importKey("raw", encoder.encode(masterSecret), "HKDF", false, ["deriveKey"]);
      return crypto.subtle.deriveKey(
        { name: "HKDF", hash: "SHA-256", salt: encoder.encode("cloudtube secret box"), info: encoder.encode(purpose) },
        material,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"],
      );
    })();
    keys.set(id, found);
  }
  return found;
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
const unb64url = (text: string) => {
  const padded = text.replaceAll("-", "+").replaceAll("_", "/");
  return Uint8Array.from(atob(padded + "=".repeat((4 - (padded.length % 4)) % 4)), (c) => c.charCodeAt(0));
};

export interface SecretBox {
  seal(plaintext: string): Promise<string>;
  /** Throws when the value was not sealed by this box (another key, another purpose, tampered). */
  open(sealed: string): Promise<string>;
}

export function secretBox(masterSecret: string, purpose: string): SecretBox {
  const aad = encoder.encode(purpose);
  return {
    async seal(plaintext) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: "AES-GCM", iv, additionalData: aad },
          await keyFor(masterSecret, purpose),
          encoder.encode(plaintext),
        ),
      );
      const out = new Uint8Array(iv.length + sealed.length);
      out.set(iv);
      out.set(sealed, iv.length);
      return `v1.${b64url(out)}`;
    },
    async open(sealed) {
      if (!sealed.startsWith("v1.")) throw new Error("not a sealed value");
      const bytes = unb64url(sealed.slice(3));
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: bytes.subarray(0, 12), additionalData: aad },
        await keyFor(masterSecret, purpose),
        bytes.subarray(12),
      );
      return decoder.decode(plain);
    },
  };
}
