import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../env";
import { coViews } from "./schema";

/** D1 binds at most 100 parameters per statement. */
const CHUNK = 90;

const chunks = (ids: readonly string[]) => {
  const unique = [...new Set(ids)];
  const out: string[][] = [];
  for (let i = 0; i < unique.length; i += CHUNK) out.push(unique.slice(i, i + CHUNK));
  return out;
};

/**
 * The strongest co-views of each seed (`video_a`) in a region (`global` for all), as
 * `{ a: seed, b: other, count }`: both directions are stored, so each seed is one index range.
 */
export async function coViewsOf(db: Database, seeds: readonly string[], region: string, perSeed: number) {
  const rows = await Promise.all(
    [...new Set(seeds)].map((seed) =>
      db
        .select({ a: coViews.videoA, b: coViews.videoB, count: coViews.score })
        .from(coViews)
        .where(and(eq(coViews.videoA, seed), eq(coViews.region, region)))
        .orderBy(sql`${coViews.score} DESC`)
        .limit(perSeed)
        .all(),
    ),
  );
  return rows.flat();
}

/** Each video's co-view total (c_i of Davidson et al.), the popularity that co-views are normalised by. */
export async function coViewTotals(db: Database, ids: readonly string[], region: string) {
  const found = await Promise.all(
    chunks(ids).map((chunk) =>
      db
        .select({ id: coViews.videoA, total: sql<number>`sum(${coViews.score})` })
        .from(coViews)
        .where(and(inArray(coViews.videoA, chunk), eq(coViews.region, region)))
        .groupBy(coViews.videoA)
        .all(),
    ),
  );
  return new Map(found.flat().map((r) => [r.id, Number(r.total)]));
}
