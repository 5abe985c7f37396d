import { Webhook } from "standardwebhooks";

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): `v1,<base64 HMAC-SHA256 of
 * "{id}.{timestamp}.{body}">` under the secret's bytes (`whsec_` + base64), through the
 * maintained `standardwebhooks` package. Its HMAC is fast-sha256 (pure JavaScript) and its
 * base64 @stablelib/base64: nothing of Node's, so it bundles for workerd as is.
 */

/** `whsec_` + base64 of 32 random bytes (the specification asks for 24 to 64). */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/** The `webhook-signature` header: one `v1,` signature per secret, space-separated (a rotation signs with both). */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(id, timestamp, body)).join(" ");
}
