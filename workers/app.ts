import { swaggerUI } from "@hono/swagger-ui";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./env";
import { AppError, type ProblemCode, problem, problemResponse } from "./lib/errors";
import { errorField, log } from "./lib/log";
import { optionalAuth } from "./middleware/auth";
import { RATE_RULES, rateLimit } from "./middleware/rate-limit";
import { requestContext } from "./middleware/request-id";
import { notFoundPage, pageRoutes } from "./pages/routes";
import { analyticsRoutes, studioAnalyticsRoutes } from "./routes/analytics";
import { authRoutes } from "./routes/auth";
import { captionRoutes } from "./routes/captions";
import { channelRoutes } from "./routes/channels";
import { commentRoutes } from "./routes/comments";
import { historyRoutes } from "./routes/history";
import { internalRoutes } from "./routes/internal";
import { liveRoutes } from "./routes/live";
import { mediaRoutes } from "./routes/media";
import { moderationRoutes } from "./routes/moderation";
import { playlistRoutes } from "./routes/playlists";
import { recommendationRoutes } from "./routes/recommendations";
import { searchRoutes } from "./routes/search";
import { trendingRoutes } from "./routes/trending";
import { tusRoutes } from "./routes/tus";
import { uploadRoutes } from "./routes/uploads";
import { userRoutes } from "./routes/users";
import { videoRoutes } from "./routes/videos";
import { webhookRoutes } from "./routes/webhooks";
import { json } from "./schemas/common";

const app = new OpenAPIHono<AppEnv>();

app.use(requestContext);
const corsMiddleware = cors({
  origin: "*",
  allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
  allowHeaders: [
    "Authorization",
    "Content-Type",
    "X-Request-Id",
    "Tus-Resumable",
    "Upload-Length",
    "Upload-Offset",
    "Upload-Metadata",
    "Upload-Defer-Length",
    "X-HTTP-Method-Override",
    // The D1 bookmark an API client sends back for read-your-writes (middleware/request-id.ts).
    "x-d1-bookmark",
  ],
  exposeHeaders: [
    "X-Request-Id",
    "x-d1-bookmark",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Location",
    "Tus-Resumable",
    "Tus-Version",
    "Tus-Extension",
    "Tus-Max-Size",
    "Upload-Offset",
    "Upload-Length",
    "Upload-Expires",
    "Video-Id",
  ],
  maxAge: 86400,
});
// Hono's cors answers every OPTIONS; a plain OPTIONS (tus discovery) must reach its route.
app.use("/api/*", (c, next) =>
  c.req.method === "OPTIONS" && !c.req.header("Access-Control-Request-Method") ? next() : corsMiddleware(c, next),
);
app.openapi(
  createRoute({
    method: "get",
    path: "/api/v1/health",
    tags: ["platform"],
    summary: "Liveness: answers 200 while the Worker runs",
    responses: { 200: json(z.object({ ok: z.boolean() }).openapi("Health"), "Alive") },
  }),
  (c) => c.json({ ok: true }, 200),
);
app.use("/api/v1/*", optionalAuth, rateLimit(RATE_RULES.global));

app.route("/api/v1/auth", authRoutes);
app.route("/api/v1/users/me/watch-history", historyRoutes);
app.route("/api/v1/users", userRoutes);
app.route("/api/v1/channels", channelRoutes);
app.route("/api/v1/search", searchRoutes);
app.route("/api/v1/videos/upload", uploadRoutes);
app.route("/api/v1/videos", trendingRoutes);
app.route("/api/v1/videos", videoRoutes);
app.route("/api/v1/videos", liveRoutes);
app.route("/api/v1/videos", captionRoutes);
app.route("/api/v1/videos", analyticsRoutes);
app.route("/api/v1/studio", studioAnalyticsRoutes);
app.route("/api/v1/uploads/tus", tusRoutes);
app.route("/api/v1", commentRoutes);
app.route("/api/v1", recommendationRoutes);
app.route("/api/v1", moderationRoutes);
app.route("/api/v1", playlistRoutes);
app.route("/api/v1", webhookRoutes);
app.route("/internal/v1", internalRoutes);
app.route("/videos", mediaRoutes);
// The pages (server-rendered HTML), after every API route; their scripts are static assets.
app.route("/", pageRoutes);

app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT",
});
app.doc31("/api/v1/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "CloudTube API",
    version: "1.0.0",
    description: "Upload, process, stream and comment on videos. Errors are application/problem+json.",
  },
});
app.get("/api/docs", swaggerUI({ url: "/api/v1/openapi.json" }));

/** A path that exists under another method answers 405 with `Allow`, not 404. */
function allowedMethods(path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const pattern = new RegExp(
      `^${route.path
        .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
        .replace(/\/:[^/]+/g, "/[^/]+")
        .replace(/\*$/, ".*")}$`,
    );
    if (pattern.test(path)) methods.add(route.method);
  }
  return [...methods];
}

app.notFound((c) => {
  if (!/^\/(api|videos|internal)\//.test(c.req.path) && c.req.method === "GET") return notFoundPage(c);
  const allowed = allowedMethods(c.req.path);
  if (allowed.length) {
    return problemResponse(
      problem("method_not_allowed", {
        detail: `${c.req.method} is not allowed here.`,
        headers: { Allow: allowed.join(", ") },
      }),
      c.var.requestId,
    );
  }
  return problemResponse(problem("not_found", { detail: `Nothing at ${c.req.path}.` }), c.var.requestId);
});

/** The statuses Hono's own middleware throws `HTTPException` with, as catalogue codes. */
const HONO_REFUSALS: Partial<Record<number, ProblemCode>> = {
  400: "validation_failed",
  401: "unauthorized",
  403: "forbidden",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

app.onError((err, c) => {
  if (err instanceof AppError) return problemResponse(err, c.var.requestId);
  // Hono's own refusals (malformed JSON from the validator, the origin check), by status.
  const code = err instanceof HTTPException ? HONO_REFUSALS[err.status] : undefined;
  if (code) return problemResponse(problem(code, { detail: err.message || undefined }), c.var.requestId);
  // Unknown: log everything with the request id, answer nothing of it.
  log("error", "unhandled error", { request_id: c.var.requestId, error: errorField(err) });
  return problemResponse(
    problem("internal_error", { detail: "Something went wrong; quote the request id if you report it." }),
    c.var.requestId,
  );
});

export default app;
