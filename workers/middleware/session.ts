import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { parse } from "hono/utils/cookie";
import type { AppEnv, AuthUser } from "../env";
import { AppError } from "../lib/errors";
import { hmac, hmacMatches } from "../lib/signing";
import { readToken } from "../lib/tokens";

/**
 * Sessions for browsers: the same JWT the API hands out, kept in an HttpOnly cookie so that
 * no script can read it. SameSite=Lax keeps it off cross-site subrequests and form posts;
 * every state-changing request it authenticates must also carry a CSRF token (a
 * synchronizer token derived from the session, so no server-side state): pages put it in a
 * `<meta name="csrf-token">` and in each form, scripts send it as `X-CSRF-Token`.
 */
export const SESSION_COOKIE = "session";
export const CSRF_HEADER = "X-CSRF-Token";
export const CSRF_FIELD = "_csrf";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function setSession(c: Context<AppEnv>, token: string, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    // Plain http only in local dev (127.0.0.1/localhost); everywhere else the cookie needs TLS.
    secure: new URL(c.req.url).protocol === "https:",
    sameSite: "Lax",
    path: "/",
    maxAge: maxAgeSeconds,
  });
}

export function clearSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}

/** The CSRF token of a session: an HMAC of its token, so it changes with every sign-in. */
export const csrfTokenOf = (sessionToken: string, secret: string): Promise<string> =>
  hmac(`csrf:${secret}`, sessionToken);

const csrfMatches = async (sessionToken: string, secret: string, presented: string | undefined) =>
  !!presented && (await hmacMatches(`csrf:${secret}`, sessionToken, presented));

export const csrfFailed = () =>
  new AppError(
    403,
    "csrf_failed",
    "CSRF check failed",
    `A request authenticated by the session cookie must carry the page's CSRF token (${CSRF_HEADER}).`,
  );

/**
 * The user of the session cookie, if it holds a valid token. A state-changing request
 * must carry the CSRF token (header, or `_csrf` from a form the caller has read); without it
 * the request is refused rather than treated as anonymous, so it cannot half-succeed.
 */
export async function sessionUser(
  req: { method: string; header(name: string): string | undefined },
  secret: string,
  presentedCsrf?: () => Promise<string | undefined>,
): Promise<{ user: AuthUser; token: string } | undefined> {
  const token = parse(req.header("Cookie") ?? "", SESSION_COOKIE)[SESSION_COOKIE];
  if (!token) return undefined;
  const claims = await readToken(token, secret);
  if (!claims) return undefined;
  if (!SAFE_METHODS.has(req.method)) {
    const presented = req.header(CSRF_HEADER) ?? (await presentedCsrf?.());
    if (!(await csrfMatches(token, secret, presented))) throw csrfFailed();
  }
  return { user: { id: claims.sub, username: claims.username }, token };
}
