import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { AppError } from "../../lib/errors";
import { DURATIONS, SearchQuery } from "../../schemas/search";
import * as search from "../../services/search";
import { SearchPage } from "../pages/search";

/** `/search?q=`: the search service's results with a sort and a length filter. */
export const searchRoutes = new Hono<AppEnv>().get("/search", async (c) => {
  const q = (c.req.query("q") ?? "").trim().slice(0, 200);
  const sort = c.req.query("sort") || "relevance";
  const duration = c.req.query("duration") || "";
  if (!q) return c.render(<SearchPage q="" sort={sort} duration={duration} results={null} />, { title: "Search" });
  const parsed = SearchQuery.safeParse({ q, sort, ...(duration ? { duration } : {}) });
  if (!parsed.success)
    throw new AppError(400, "validation_failed", "Bad request", "That sort or length is not offered.");
  const p = parsed.data;
  const results = await search.cachedSearch(
    c.var.db,
    {
      q: p.q,
      filters: { durationMs: p.duration ? DURATIONS[p.duration] : undefined },
      sort: p.sort,
      page: p.page,
      limit: p.limit,
    },
    new URL(c.req.url).origin,
  );
  return c.render(<SearchPage q={q} sort={p.sort} duration={duration} results={results} />, {
    title: `${q} - Search`,
    query: q,
  });
});
