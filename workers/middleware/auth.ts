import { createMiddleware } from "hono/factory";
import type { AppEnv, AuthedEnv, AuthUser } from "../env";
import { AppError, unauthorized } from "../lib/errors";
import { readToken } from "../lib/tokens";
import { sessionUser } from "./session";

export function jwtSecret(env: Env): string {
  // Refuse to run with no key rather than sign tokens with an empty one.
  if (!env.JWT_SECRET) {
    throw new AppError(500, "server_misconfigured", "Server misconfigured", "Authentication is not configured.");
  }
  return env.JWT_SECRET;
}

/**
 * The one reader of bearer tokens, for REST (`Authorization: Bearer`) and the live room
 * (`access_token`, as browsers cannot set headers on a WebSocket): the user a valid,
 * unexpired token names, or undefined.
 */
export async function userFromToken(token: string, env: Env): Promise<AuthUser | undefined> {
  const claims = await readToken(token, jwtSecret(env));
  return claims ? { id: claims.sub, username: claims.username } : undefined;
}

/** The user of an `Authorization` header; a header that is there but not valid is a 401. */
async function userFromHeader(header: string | undefined, env: Env): Promise<AuthUser | undefined> {
  if (!header) return undefined;
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) throw unauthorized("The Authorization header must be `Bearer <token>`.");
  const user = await userFromToken(token, env);
  if (!user) throw unauthorized("The token is invalid or has expired.");
  return user;
}

/**
 * Reads a bearer token if one is present; a bad token is an error, a missing one is not.
 * Without one, a browser's session cookie authenticates (with its CSRF token on writes).
 */
export const optionalAuth = createMiddleware<AppEnv>(async (c, next) => {
  // A bearer token first; without one, a browser's session cookie (CSRF-checked on writes).
  c.set(
    "user",
    (await userFromHeader(c.req.header("Authorization"), c.env)) ?? (await sessionUser(c.req, jwtSecret(c.env)))?.user,
  );
  await next();
});

/** A request without a valid token is answered 401; past it, handlers read `c.var.user`. */
export const requireAuth = createMiddleware<AppEnv & AuthedEnv>(async (c, next) => {
  // The app-wide optionalAuth has usually read the token already.
  const known: AuthUser | undefined = c.get("user");
  const user =
    known ??
    (await userFromHeader(c.req.header("Authorization"), c.env)) ??
    (await sessionUser(c.req, jwtSecret(c.env)))?.user;
  if (!user) throw unauthorized();
  c.set("user", user);
  await next();
});
