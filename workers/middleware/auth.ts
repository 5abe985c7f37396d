import { createMiddleware } from "hono/factory";
import type { AppEnv, AuthedEnv, AuthUser, Database } from "../env";
import { forbidden, problem, unauthorized } from "../lib/errors";
import { readToken } from "../lib/tokens";
import { currentUser, hasRole } from "../services/moderation";
import type { Role } from "../storage/schema";
import { sessionToken } from "./session";

export function jwtSecret(env: Env): string {
  // Refuse to run with no key rather than sign tokens with an empty one.
  if (!env.JWT_SECRET) {
    throw problem("server_misconfigured", { detail: "Authentication is not configured." });
  }
  return env.JWT_SECRET;
}

/**
 * The one reader of bearer tokens, for REST (`Authorization: Bearer`), the live room
 * (`access_token`, as browsers cannot set headers on a WebSocket) and session cookies: the
 * user a valid, unexpired token names, as the account stands now (its role; 401
 * `account_suspended` while suspended), or undefined.
 */
export async function userFromToken(token: string, env: Env, db: Database): Promise<AuthUser | undefined> {
  const claims = await readToken(token, jwtSecret(env));
  return claims ? currentUser(db, claims.sub) : undefined;
}

/** The user of an `Authorization` header; a header that is there but not valid is a 401. */
async function userFromHeader(header: string | undefined, env: Env, db: Database): Promise<AuthUser | undefined> {
  if (!header) return undefined;
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) throw unauthorized("The Authorization header must be `Bearer <token>`.");
  const user = await userFromToken(token, env, db);
  if (!user) throw unauthorized("The token is invalid or has expired.");
  return user;
}

/**
 * The request's user: a bearer token first; without one, a browser's session cookie (its
 * CSRF token checked on writes; `presentedCsrf` reads a form's field). Answers the session
 * token too, which the pages derive their CSRF token from.
 */
export async function requestUser(
  c: { req: { method: string; header(name: string): string | undefined }; env: Env; var: { db: Database } },
  presentedCsrf?: () => Promise<string | undefined>,
): Promise<{ user: AuthUser; session?: string } | undefined> {
  const bearer = await userFromHeader(c.req.header("Authorization"), c.env, c.var.db);
  if (bearer) return { user: bearer };
  const session = await sessionToken(c.req, jwtSecret(c.env), presentedCsrf);
  if (!session) return undefined;
  const user = await userFromToken(session, c.env, c.var.db);
  return user ? { user, session } : undefined;
}

/**
 * Player beacons (`navigator.sendBeacon`) cannot set headers, and a signed-in browser's beacon
 * carries its session cookie: on this path alone the CSRF token may come as `?csrf=` (request
 * logs keep the path, never the query).
 */
const BEACON_PATH = /^\/api\/v1\/videos\/[^/]+\/playback-events$/;

/** Reads a bearer token or session if one is present; a bad token is an error, a missing one is not. */
export const optionalAuth = createMiddleware<AppEnv>(async (c, next) => {
  const beaconCsrf = BEACON_PATH.test(c.req.path) ? async () => c.req.query("csrf") : undefined;
  c.set("user", (await requestUser(c, beaconCsrf))?.user);
  await next();
});

/** A request without a valid token is answered 401; past it, handlers read `c.var.user`. */
export const requireAuth = createMiddleware<AppEnv & AuthedEnv>(async (c, next) => {
  // The app-wide optionalAuth has usually read the token already.
  const user = c.get("user") ?? (await requestUser(c))?.user;
  if (!user) throw unauthorized();
  c.set("user", user);
  await next();
});

/**
 * After `requireAuth`: the caller's role must be at least `role` (an admin is also a
 * moderator), else 403. The role is read with the account on every request, so a change
 * applies at the caller's next one.
 */
export const requireRole = (role: Exclude<Role, "user">) =>
  createMiddleware<AppEnv & AuthedEnv>(async (c, next) => {
    if (!hasRole(c.var.user, role)) throw forbidden(`This needs the ${role} role.`);
    await next();
  });
