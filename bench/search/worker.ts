// The Worker behind `npm run bench:search` and `npm run eval:search`: the platform's own
// search service over the `DB` binding, inside workerd as in production (statements prepared
// in the isolate, one D1 round trip per batch), asked from outside one request at a time.
// Bench-only, on a loopback port, never deployed.
import { eq } from "drizzle-orm";
import { refreshVocabulary, type SearchSort, search, suggest } from "../../workers/services/search";
import { database } from "../../workers/storage/db";
import { videos } from "../../workers/storage/schema";
import type { SearchFilters } from "../../workers/storage/search";

export interface Statement {
  sql: string;
  params: unknown[];
}

/** A search (uncached, at a fixed `now`), a completion, or the floor: one video by id. */
export type BenchRequest =
  | { kind: "search"; q: string; filters?: SearchFilters; sort?: SearchSort; limit?: number; now: number }
  | { kind: "suggest"; q: string }
  | { kind: "floor"; id: string };

export interface BenchAnswer {
  total: number;
  ids: string[];
  corrected_query?: string;
  /** Each item's moments (where the words are said), in the items' order: seconds. */
  moments: { id: string; starts: number[] }[];
}

async function ask(db: ReturnType<typeof database>, cueDb: D1Database, r: BenchRequest): Promise<unknown> {
  if (r.kind === "floor") return (await db.select().from(videos).where(eq(videos.id, r.id)).get()) ?? null;
  if (r.kind === "suggest") return suggest(db, r.q);
  const filters = { ...r.filters };
  // Dates travel as JSON strings.
  if (filters.publishedAfter) filters.publishedAfter = new Date(filters.publishedAfter);
  const params = { q: r.q, filters, sort: r.sort ?? "relevance", page: 1, limit: r.limit ?? 20 };
  const answer = await search(db, cueDb, params, "http://bench.local", r.now);
  return {
    total: answer.total,
    ids: answer.items.map((i) => i.id),
    corrected_query: answer.corrected_query,
    moments: answer.items.flatMap((i) => (i.moments ? [{ id: i.id, starts: i.moments.map((m) => m.start) }] : [])),
  } satisfies BenchAnswer;
}

export default {
  async fetch(request: Request, env: { DB: D1Database; CAPTIONS: D1Database }): Promise<Response> {
    const db = database(env.DB);
    const url = new URL(request.url);
    if (url.pathname === "/batch") {
      // ?db=captions: the captions database's statements (its migrations, its counts).
      const target = url.searchParams.get("db") === "captions" ? env.CAPTIONS : env.DB;
      const statements = (await request.json()) as Statement[];
      const results = await target.batch(statements.map((s) => target.prepare(s.sql).bind(...s.params)));
      return Response.json(results.map((r) => r.results));
    }
    if (url.pathname === "/refresh") return Response.json({ words: await refreshVocabulary(db) });
    if (url.pathname === "/ask")
      return Response.json(await ask(db, env.CAPTIONS, (await request.json()) as BenchRequest));
    return new Response("not found", { status: 404 });
  },
};
