import { createRoute } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { regionOf } from "../lib/region";
import { json, problems } from "../schemas/common";
import { VideoParams } from "../schemas/processing";
import { RecommendationList, RecommendationQuery, RelatedList } from "../schemas/recommendations";
import { recommendationsFor, relatedTo } from "../services/recommendations/recommend";
import { recommendationDeps } from "../wiring/deps";

/** Mounted at /api/v1 (spec: Recommendations Flow). */
export const recommendationRoutes = router()
  .openapi(
    createRoute({
      method: "get",
      path: "/recommendations",
      tags: ["discovery"],
      summary: "Videos for the caller, each with its reason; trending for anonymous callers",
      request: { query: RecommendationQuery },
      responses: { 200: json(RecommendationList, "Recommendations"), ...problems(400, 401, 429) },
    }),
    async (c) => {
      const { limit } = c.req.valid("query");
      const deps = recommendationDeps(c.env, c.var.db, new URL(c.req.url).origin);
      const items = await recommendationsFor(deps, c.var.user, regionOf(c.req.raw), limit);
      return c.json({ items, limit }, 200, { "Cache-Control": "private, no-cache" });
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/videos/{video_id}/related",
      tags: ["discovery"],
      summary: 'Videos like this one ("up next"): co-views and similar content, never the video itself',
      request: { params: VideoParams, query: RecommendationQuery },
      responses: { 200: json(RelatedList, "Related videos"), ...problems(400, 404, 429) },
    }),
    async (c) => {
      const { limit } = c.req.valid("query");
      const deps = recommendationDeps(c.env, c.var.db, new URL(c.req.url).origin);
      const items = await relatedTo(deps, c.req.valid("param").video_id, c.var.user, regionOf(c.req.raw), limit);
      return c.json({ items, limit }, 200, { "Cache-Control": "private, no-cache" });
    },
  );
