import { getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { log } from "../lib/log";
import { sessionOf } from "../wiring/deps";

/** Where a client keeps its D1 bookmark: API clients in this header, browsers in the cookie. */
export const BOOKMARK_HEADER = "x-d1-bookmark";
export const BOOKMARK_COOKIE = "d1_bookmark";
/** Long enough for any replica to catch up with the write it stands for. */
const BOOKMARK_COOKIE_SECONDS = 300;

const INCOMING_ID = /^[\w.:-]{8,64}$/;

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Which answers get a log line (LOG_REQUESTS): `true` every API request; `writes` (the default)
 * every write and every answer of 400 or more, but not successful reads, which Workers Logs'
 * invocation logs already record ([observability] in wrangler.toml) and which are most of
 * the traffic (a player's page data, the home page's lists); `false` only failures (5xx).
 * A line costs little on Cloudflare, but under `wrangler dev` it crosses to wrangler's Node
 * process and was 40% of a cached metadata GET's CPU (bench:delivery, docs/benchmarks.md).
 */
export function shouldLog(setting: string | undefined, method: string, status: number): boolean {
  if (setting === "true") return true;
  if (setting === "false") return status >= 500;
  return status >= 400 || !READS.has(method);
}

/**
 * Gives every request an id (kept from `X-Request-Id` when it looks like one), echoes it,
 * logs one structured JSON line per request as LOG_REQUESTS says (never for served media),
 * and hands the request its D1 session (`sessionOf`): started from the bookmark the client
 * sent (`x-d1-bookmark`, or the cookie a browser got from its last write), and answered with
 * the session's bookmark in `x-d1-bookmark`; a write's answer also sets it in the cookie, so
 * the pages a browser loads next read what it just wrote, whichever replica serves them.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const incoming = c.req.header("X-Request-Id");
  const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : crypto.randomUUID();
  c.set("requestId", requestId);
  const write = !READS.has(c.req.method);
  const session = sessionOf(c.env, c.req.header(BOOKMARK_HEADER) ?? getCookie(c, BOOKMARK_COOKIE), write);
  c.set("db", session.db);
  c.set("user", undefined);
  const started = Date.now();
  await next();
  c.res.headers.set("X-Request-Id", requestId);
  // Media that was served is counted by the platform's edge analytics and Logpush; a log
  // line per segment would multiply log volume (and, under wrangler dev, cost a quarter of
  // a cache hit's throughput: bench:delivery). Failures are still logged.
  const media = c.req.path.startsWith("/videos/");
  const bookmark = media ? null : session.bookmark();
  if (bookmark) {
    c.res.headers.set(BOOKMARK_HEADER, bookmark);
    if (write && c.res.status < 400) {
      setCookie(c, BOOKMARK_COOKIE, bookmark, {
        path: "/",
        httpOnly: true,
        sameSite: "Lax",
        secure: new URL(c.req.url).protocol === "https:",
        maxAge: BOOKMARK_COOKIE_SECONDS,
      });
    }
  }
  if (media && c.res.status < 400) return;
  if (!shouldLog(c.env.LOG_REQUESTS, c.req.method, c.res.status)) return;
  log("info", "request", {
    request_id: requestId,
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    duration_ms: Date.now() - started,
    user_id: c.get("user")?.id,
  });
});
