import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { log } from "../lib/log";
import { databaseOf } from "../wiring/deps";

const INCOMING_ID = /^[\w.:-]{8,64}$/;

/**
 * Gives every request an id (kept from `X-Request-Id` when it looks like one), echoes it,
 * logs one structured JSON line per request (but served media), and opens the drizzle handle.
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
  // LOG_REQUESTS=false keeps only failures (load tests under wrangler dev, where every line
  // crosses its Node process).
  if (c.env.LOG_REQUESTS === "false" && c.res.status < 500) return;
  log("info", "request", {
    request_id: requestId,
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    duration_ms: Date.now() - started,
    user_id: c.get("user")?.id,
  });
});
