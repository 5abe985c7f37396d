import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { log } from "../lib/log";
import { databaseOf } from "../wiring/deps";

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
 * and hands the drizzle handle to the request.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const incoming = c.req.header("X-Request-Id");
  const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : crypto.randomUUID();
  c.set("requestId", requestId);
  c.set("db", databaseOf(c.env));
  c.set("user", undefined);
  const started = Date.now();
  await next();
  c.res.headers.set("X-Request-Id", requestId);
  // Media that was served is counted by the platform's edge analytics and Logpush; a log
  // line per segment would multiply log volume (and, under wrangler dev, cost a quarter of
  // a cache hit's throughput: bench:delivery). Failures are still logged.
  if (c.req.path.startsWith("/videos/") && c.res.status < 400) return;
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
