import { createRoute } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { regionOf } from "../lib/region";
import { json, problems } from "../schemas/common";
import { TrendingList, TrendingQuery } from "../schemas/trending";
import { trendingList } from "../services/trending";
import { trendingDeps } from "../wiring/deps";

/** Mounted at /api/v1/videos before the video routes, so `trending` is not taken for an id. */
export const trendingRoutes = router().openapi(
  createRoute({
    method: "get",
    path: "/trending",
    tags: ["discovery"],
    summary: "Trending videos by region and category (spec: Trending Videos Calculation)",
    request: { query: TrendingQuery },
    responses: { 200: json(TrendingList, "Video summaries with trending_score"), ...problems(400) },
  }),
  async (c) => {
    const { region, category, limit } = c.req.valid("query");
    const origin = new URL(c.req.url).origin;
    const deps = trendingDeps(c.env, c.var.db);
    const list = await trendingList(deps, { region: region ?? regionOf(c.req.raw), category, limit }, origin);
    // The lists change every 5 minutes, so a minute of caching is harmless; without `region`
    // the answer depends on the caller's country, so only the caller may keep it.
    return c.json(list, 200, { "Cache-Control": `${region ? "public" : "private"}, max-age=60` });
  },
);
