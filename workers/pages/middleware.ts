import { csrf as originCheck } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import { jsxRenderer } from "hono/jsx-renderer";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv, AuthedEnv } from "../env";
import { requestUser } from "../middleware/auth";
import { CSRF_FIELD, csrfTokenOf } from "../middleware/session";
import { assetManifest } from "../wiring/assets";
import { Layout } from "./components/layout";

/**
 * No inline script anywhere: scripts come from /assets only. Styles may be inline because
 * media-chrome's shadow DOM carries its own <style>; hls.js feeds the video through blob: URLs.
 */
export const pageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", "data:", "blob:"],
    mediaSrc: ["'self'", "blob:"],
    connectSrc: ["'self'", "ws:", "wss:"],
    workerSrc: ["'self'", "blob:"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
  },
  crossOriginEmbedderPolicy: false,
  referrerPolicy: "same-origin",
});

/** Every page inside the Layout: handlers answer `c.render(<Page />, { title, ... })`. */
export const renderer = jsxRenderer(Layout, { docType: "<!doctype html>" });

/**
 * The viewer of a page (`c.var.user`) and their CSRF token (`c.var.csrf`) from the session
 * cookie; pages are personal, so no cache keeps them.
 */
export const pageSession = createMiddleware<AppEnv>(async (c, next) => {
  // A form post carries its CSRF token as a field (scripts send the header instead).
  const found = await requestUser(c, async () => {
    const field = (await c.req.parseBody())[CSRF_FIELD];
    return typeof field === "string" ? field : undefined;
  });
  c.set("user", found?.user);
  c.set("csrf", found?.session ? await csrfTokenOf(found.session, c.env.JWT_SECRET) : undefined);
  c.header("Cache-Control", "private, no-store");
  await next();
});

/** The scripts' and stylesheet's built (content-hashed) names, for the layout. */
export const pageAssets = createMiddleware<AppEnv>(async (c, next) => {
  c.set("assets", await assetManifest(c.env));
  await next();
});

/** What every page path runs first, in this order: frame, assets, headers, same-origin forms, session. */
export const pageMiddleware = [renderer, pageAssets, pageHeaders, originCheck(), pageSession] as const;

/**
 * Pages that need an account send a signed-out visitor to sign in, and back to where they
 * were; past it, handlers read `c.var.user`.
 */
export const signedIn = createMiddleware<AppEnv & AuthedEnv>(async (c, next) => {
  const user = c.get("user");
  if (!user) {
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  c.set("user", user);
  await next();
});
