import { createRoute } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { RATE_RULES, rateLimit } from "../middleware/rate-limit";
import { json, problems } from "../schemas/common";
import { SearchQuery, SearchResults, Suggestions, SuggestQuery } from "../schemas/search";
import * as search from "../services/search";

/** Spec: Search Flow. Mounted at /api/v1/search. */
export const searchRoutes = router()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["search"],
      summary: "Search public videos (typos corrected, filters, highlights)",
      middleware: [rateLimit(RATE_RULES.search)] as const,
      request: { query: SearchQuery },
      responses: { 200: json(SearchResults, "One page of results"), ...problems(400, 429) },
    }),
    async (c) => {
      const origin = new URL(c.req.url).origin;
      const answer = await search.cachedSearch(
        c.var.db,
        c.env.CAPTIONS,
        search.searchInput(c.req.valid("query")),
        origin,
      );
      return c.json(answer, 200, { "Cache-Control": `public, max-age=${search.SEARCH_CACHE_SECONDS}` });
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/suggest",
      tags: ["search"],
      summary: "Completions for search-as-you-type (at most 10)",
      request: { query: SuggestQuery },
      responses: { 200: json(Suggestions, "Completions"), ...problems(400, 429) },
    }),
    async (c) => {
      const items = await search.cachedSuggest(c.var.db, c.req.valid("query").q);
      return c.json({ items }, 200, { "Cache-Control": `public, max-age=${search.SEARCH_CACHE_SECONDS}` });
    },
  );
