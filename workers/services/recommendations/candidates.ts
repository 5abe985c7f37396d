import type { Candidate } from "./rank";

/**
 * Candidate sources as pure functions over the signals' rows, shared by the Worker and the
 * offline evaluation.
 */

/** One co-view roll-up row: `a` and `b` watched by `count` viewers within a day of each other. */
export interface CoViewRow {
  a: string;
  b: string;
  count: number;
}

/**
 * Co-views of what the viewer watched, normalised by popularity (Davidson et al. 2010:
 * relatedness c_ij / f(c_i, c_j)). With f = sqrt(c_i c_j) (cosine), a video everyone watches
 * does not top every list just by being everywhere. `totals` is each video's co-view total
 * (c_i); `seeds` are the viewer's recent watches, most recent first, each weighed by `seedWeight`.
 */
export function coViewCandidates(
  rows: CoViewRow[],
  totals: Map<string, number>,
  seeds: { id: string; weight: number }[],
  limit: number,
): Candidate[] {
  const seedWeight = new Map(seeds.map((s) => [s.id, s.weight]));
  const out: Candidate[] = [];
  for (const row of rows) {
    for (const [seed, other] of [
      [row.a, row.b],
      [row.b, row.a],
    ] as const) {
      const w = seedWeight.get(seed);
      if (w === undefined || seedWeight.has(other)) continue;
      const ci = totals.get(seed) ?? row.count;
      const cj = totals.get(other) ?? row.count;
      out.push({ id: other, source: "coview", score: (w * row.count) / Math.sqrt(ci * cj), via: seed });
    }
  }
  return topBySource(out, limit);
}

/** Content neighbours of each seed: `matches` per seed id, cosine scores. */
export function contentCandidates(
  matches: { seed: string; weight: number; hits: { id: string; score: number }[] }[],
  exclude: Set<string>,
  limit: number,
): Candidate[] {
  const out: Candidate[] = [];
  for (const m of matches) {
    for (const hit of m.hits) {
      if (hit.id === m.seed || exclude.has(hit.id) || hit.score <= 0) continue;
      out.push({ id: hit.id, source: "content", score: m.weight * hit.score, via: m.seed });
    }
  }
  return topBySource(out, limit);
}

/** A ranked list (trending, new uploads) as candidates: rank r of n scores 1 - r/n. */
export function listCandidates(ids: string[], source: "trending" | "subscription"): Candidate[] {
  return ids.map((id, r) => ({ id, source, score: 1 - r / Math.max(1, ids.length) }));
}

/** Seeds from recent watches, newest first: weight halves every `halfLife` watches. */
export function seedsOf(recent: string[], halfLife = 5): { id: string; weight: number }[] {
  return recent.map((id, i) => ({ id, weight: 0.5 ** (i / halfLife) }));
}

/**
 * Keeps each video's best vote per (video, via), the `limit` best videos, and rescales to
 * [0, 1] by the source's top score so sources blend on one scale.
 */
function topBySource(list: Candidate[], limit: number): Candidate[] {
  const byVideo = new Map<string, number>();
  for (const c of list) byVideo.set(c.id, (byVideo.get(c.id) ?? 0) + c.score);
  const keep = new Set(
    [...byVideo]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([id]) => id),
  );
  const top = Math.max(0, ...[...byVideo].filter(([id]) => keep.has(id)).map(([, s]) => s));
  return list.filter((c) => keep.has(c.id)).map((c) => ({ ...c, score: top > 0 ? c.score / top : 0 }));
}
