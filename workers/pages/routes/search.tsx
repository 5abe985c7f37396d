import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { invalidParams, problem } from "../../lib/errors";
import { SearchQuery } from "../../schemas/search";
import * as search from "../../services/search";
import { SearchPage } from "../pages/search";

/**
 * `/search?q=`: the search service's results with a sort and a length filter. The query
 * parameters are the API's (`SearchQuery`, `searchInput`), so a link may carry any of its
 * filters; a form's empty choice ("Any length") is no filter.
 */
export const searchRoutes = new Hono<AppEnv>().get("/search", async (c) => {
  const given = Object.fromEntries(Object.entries(c.req.query()).filter(([, value]) => value !== ""));
  const q = (given.q ?? "").trim().slice(0, 200);
  const sort = given.sort ?? "relevance";
  const duration = given.duration ?? "";
  if (!q) return c.render(<SearchPage q="" sort={sort} duration={duration} results={null} />, { title: "Search" });
  const parsed = SearchQuery.safeParse({ ...given, q });
  if (!parsed.success) {
    const names = [...new Set(invalidParams(parsed.error).map((p) => p.name))].join(", ");
    throw problem("validation_failed", { detail: `That ${names} is not offered.` });
  }
  const results = await search.cachedSearch(
    c.var.db,
    c.env.CAPTIONS,
    search.searchInput(parsed.data),
    new URL(c.req.url).origin,
  );
  return c.render(<SearchPage q={q} sort={parsed.data.sort} duration={duration} results={results} />, {
    title: `${q} - Search`,
    query: q,
  });
});
