import { sign, verify } from "hono/jwt";

export interface TokenClaims {
  sub: string;
  username: string;
  iat: number;
  exp: number;
}

/** An HS256 bearer token for a user, valid `ttlSeconds`. */
export async function issueToken(
  user: { id: string; username: string },
  secret: string,
  ttlSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: TokenClaims = { sub: user.id, username: user.username, iat: now, exp: now + ttlSeconds };
  return sign({ ...claims }, secret, "HS256");
}

/** The claims of a valid, unexpired token, or null. */
export async function readToken(token: string, secret: string): Promise<TokenClaims | null> {
  try {
    const payload = await verify(token, secret, "HS256");
    if (typeof payload.sub !== "string" || typeof payload.exp !== "number") return null;
    return payload as unknown as TokenClaims;
  } catch {
    return null;
  }
}
