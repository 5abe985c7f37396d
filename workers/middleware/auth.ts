import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { AppError, unauthorized } from "../lib/errors";
import { readToken } from "../lib/tokens";

function jwtSecret(env: AppEnv["Bindings"]): string {
  // Refuse to run with no key rather than sign tokens with an empty one.
  if (!env.JWT_SECRET) {
    throw new AppError(500, "server_misconfigured", "Server misconfigured", "Authentication is not configured.");
  }
  return env.JWT_SECRET;
}

export { jwtSecret };

/** Reads a bearer token if one is present; a bad token is an error, a missing one is not. */
export const optionalAuth = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("Authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized("The Authorization header must be `Bearer <token>`.");
    const claims = await readToken(match[1]!, jwtSecret(c.env));
    if (!claims) throw unauthorized("The token is invalid or has expired.");
    c.set("user", { id: claims.sub, username: claims.username });
  }
  await next();
});

/** Like optionalAuth, but a request without a valid token is answered 401. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  // The app-wide optionalAuth has usually read the token already.
  if (!c.get("user")) await optionalAuth(c, async () => {});
  if (!c.get("user")) throw unauthorized();
  await next();
});
