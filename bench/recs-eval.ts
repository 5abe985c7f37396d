/**
 * npm run eval:recs: the recommendation method on a simulated world (bench/recs-eval/world.ts),
 * every strategy in one run, through the Worker's own candidate and ranking code.
 *
 * Split by time: signals (watches, co-views, popularity) are those before the split; each
 * viewer's last 5 watches, all after it, are held out; recommendations are made at the end,
 * over the whole catalogue, so videos uploaded after the split are there with no signal but
 * their text (the new-video slice). These figures check the method on simulated viewers,
 * not real ones.
 *
 * BENCH_SMOKE=1: a small world (300 videos, 100 viewers, 30 days); its figures, and so its
 * goals, mean nothing.
 */

import {
  type CoViewRow,
  contentCandidates,
  coViewCandidates,
  listCandidates,
  seedsOf,
} from "../workers/services/recommendations/candidates.ts";
import {
  type Candidate,
  DEFAULT_WEIGHTS,
  rank,
  type VideoFacts,
  type Viewer,
  type Weights,
} from "../workers/services/recommendations/rank.ts";
import { dot, LocalEmbedder, videoText } from "../workers/vectors/embedder.ts";
import { announceSmoke, check, checkFinite, sized, smoke, smokeFooter } from "./mode.ts";
import { DEFAULT_WORLD, makeWorld, type Watch } from "./recs-eval/world.ts";

const DAY = 86_400_000;
const K = 10;
const HELD_OUT = 5;
const SEEDS = 10;
const NEW_WINDOW = 7 * DAY;

const started = performance.now();
announceSmoke();
const settings = sized(DEFAULT_WORLD, {
  ...DEFAULT_WORLD,
  topics: 6,
  channels: 20,
  videos: 300,
  viewers: 100,
  days: 30,
});
const world = makeWorld(settings);
const split = world.end - 6 * DAY;
const now = world.end;
const train = world.watches.filter((w) => w.at < split);
const heldOut = new Map<string, Watch[]>();
for (const w of world.watches) {
  if (w.at >= split) heldOut.set(w.viewer, [...(heldOut.get(w.viewer) ?? []), w]);
}
for (const [viewer, list] of heldOut) heldOut.set(viewer, list.slice(-HELD_OUT));
const newVideos = new Set(world.videos.filter((v) => v.uploadedAt >= split).map((v) => v.id));
// Without held-out watches or new videos every figure below would be NaN or 0 by construction.
check(
  heldOut.size && newVideos.size,
  `nothing to evaluate: ${heldOut.size} viewers held out, ${newVideos.size} new videos`,
);

// Signals from the training period only.
const views = new Map<string, number>();
const completionSum = new Map<string, number>();
const history = new Map<string, Watch[]>();
for (const w of train) {
  views.set(w.video, (views.get(w.video) ?? 0) + 1);
  completionSum.set(w.video, (completionSum.get(w.video) ?? 0) + w.percent);
  history.set(w.viewer, [...(history.get(w.viewer) ?? []), w]);
}
const coViews = new Map<string, number>();
for (const list of history.values()) {
  // Pairs watched by one viewer within a day (the signal the watch-events consumer keeps).
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length && list[j]!.at - list[i]!.at < DAY; j++) {
      const [a, b] = [list[i]!.video, list[j]!.video].sort();
      const key = `${a}|${b}`;
      coViews.set(key, (coViews.get(key) ?? 0) + 1);
    }
  }
}
const pairsOf = new Map<string, CoViewRow[]>();
const coTotals = new Map<string, number>();
for (const [key, count] of coViews) {
  const [a, b] = key.split("|") as [string, string];
  const row = { a, b, count };
  for (const v of [a, b]) {
    pairsOf.set(v, [...(pairsOf.get(v) ?? []), row]);
    coTotals.set(v, (coTotals.get(v) ?? 0) + count);
  }
}
// Trending as of the split: views with a half-life of 12 hours over the last 3 days.
const trendScore = new Map<string, number>();
for (const w of train) {
  if (w.at < split - 3 * DAY) continue;
  trendScore.set(w.video, (trendScore.get(w.video) ?? 0) + 0.5 ** ((split - w.at) / (DAY / 2)));
}
const byScore = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([id]) => id);
const popular = byScore(views).slice(0, 200);
const trending = byScore(trendScore).slice(0, 100);

const facts = new Map<string, VideoFacts>(
  world.videos.map((v) => [
    v.id,
    {
      id: v.id,
      channelId: v.channel,
      ownerId: v.owner,
      visibility: "public",
      status: "ready",
      publishedAt: v.uploadedAt,
      completion: views.get(v.id) ? completionSum.get(v.id)! / views.get(v.id)! : undefined,
    },
  ]),
);
const embedder = new LocalEmbedder();
const vectors = new Map(world.videos.map((v) => [v.id, embedder.embedOne(videoText(v))]));
const videoById = new Map(world.videos.map((v) => [v.id, v]));

/** Exact cosine neighbours, as the local index answers. */
function neighbours(seed: string, topK: number, only?: (id: string) => boolean) {
  const q = vectors.get(seed)!;
  const hits: { id: string; score: number }[] = [];
  for (const [id, v] of vectors) if (id !== seed && (!only || only(id))) hits.push({ id, score: dot(q, v) });
  return hits.sort((a, b) => b.score - a.score).slice(0, topK);
}

interface ViewerState {
  viewer: Viewer;
  seeds: { id: string; weight: number }[];
  subscriptions: Set<string>;
}

function stateOf(id: string): ViewerState {
  const list = history.get(id) ?? [];
  // Nobody in this world watches a video twice, so whatever was watched counts as finished:
  // every strategy alike skips it (the product skips only videos watched to 90%).
  const watched = new Map(list.map((w) => [w.video, 1]));
  const recent = [...new Set(list.map((w) => w.video).reverse())].slice(0, SEEDS);
  const channelAffinity = new Map<string, number>();
  for (const w of list.slice(-50)) {
    const c = videoById.get(w.video)!.channel;
    channelAffinity.set(c, (channelAffinity.get(c) ?? 0) + 1 / Math.min(50, list.length));
  }
  const subscriptions = world.viewers[Number(id.slice(1))]!.subscriptions;
  for (const c of subscriptions) channelAffinity.set(c, Math.min(1, (channelAffinity.get(c) ?? 0) + 0.5));
  return { viewer: { userId: id, watched, channelAffinity, now }, seeds: seedsOf(recent), subscriptions };
}

const only = (source: keyof Weights): Weights => ({
  ...DEFAULT_WEIGHTS,
  coview: 0,
  content: 0,
  subscription: 0,
  trending: 0,
  freshness: 0,
  completion: 0,
  affinity: 0,
  [source]: 1,
});

type Strategy = (s: ViewerState, pool?: (id: string) => boolean) => { candidates: Candidate[]; weights: Weights };

const coviewsOf = (s: ViewerState) =>
  coViewCandidates(
    s.seeds.flatMap((seed) => pairsOf.get(seed.id) ?? []),
    coTotals,
    s.seeds,
    100,
  );
const contentOf = (s: ViewerState, pool?: (id: string) => boolean, seeds = s.seeds.slice(0, 3)) =>
  contentCandidates(
    seeds.map((seed) => ({ seed: seed.id, weight: seed.weight, hits: neighbours(seed.id, 40, pool) })),
    new Set(s.seeds.map((x) => x.id)),
    100,
  );

const strategies: Record<string, Strategy> = {
  popularity: () => ({ candidates: listCandidates(popular, "trending"), weights: only("trending") }),
  trending: () => ({ candidates: listCandidates(trending, "trending"), weights: only("trending") }),
  "co-views": (s) => ({ candidates: coviewsOf(s), weights: only("coview") }),
  content: (s, pool) => ({ candidates: contentOf(s, pool), weights: only("content") }),
  blend: (s) => {
    const fresh = (id: string) => now - facts.get(id)!.publishedAt < NEW_WINDOW;
    const uploads = world.videos
      .filter((v) => s.subscriptions.has(v.channel) && now - v.uploadedAt < 2 * NEW_WINDOW)
      .sort((a, b) => b.uploadedAt - a.uploadedAt)
      .slice(0, 20)
      .map((v) => v.id);
    return {
      candidates: [
        ...coviewsOf(s),
        ...contentOf(s, fresh),
        ...listCandidates(uploads, "subscription"),
        ...listCandidates(trending, "trending"),
      ],
      weights: DEFAULT_WEIGHTS,
    };
  },
};

function dcg(list: string[], relevant: Set<string>) {
  return list.reduce((s, id, i) => s + (relevant.has(id) ? 1 / Math.log2(i + 2) : 0), 0);
}

interface Row {
  recall: number;
  ndcg: number;
  coverage: number;
  diversity: number;
  newRecall: number;
}

function evaluate(strategy: Strategy): Row {
  let recall = 0;
  let ndcg = 0;
  let diversity = 0;
  let n = 0;
  let newRecall = 0;
  let newN = 0;
  const shown = new Set<string>();
  for (const [viewerId, held] of heldOut) {
    const s = stateOf(viewerId);
    const relevant = new Set(held.map((w) => w.video));
    const { candidates, weights } = strategy(s);
    const top = rank(candidates, facts, s.viewer, K, weights).map((r) => r.id);
    for (const id of top) shown.add(id);
    const hits = top.filter((id) => relevant.has(id)).length;
    recall += hits / relevant.size;
    const ideal = dcg([...relevant].slice(0, K), relevant);
    ndcg += dcg(top, relevant) / ideal;
    diversity += top.length ? new Set(top.map((id) => facts.get(id)!.channelId)).size / top.length : 0;
    n++;
    // The new-video slice: rank among videos uploaded after the split only.
    const relevantNew = new Set([...relevant].filter((id) => newVideos.has(id)));
    if (relevantNew.size) {
      const pool = (id: string) => newVideos.has(id);
      const { candidates: c2, weights: w2 } = strategy(s, pool);
      const topNew = rank(
        c2.filter((c) => pool(c.id)),
        facts,
        s.viewer,
        K,
        w2,
      ).map((r) => r.id);
      // A strategy with nothing to say about new videos (no signal yet) shows them in upload order.
      const filled = [
        ...topNew,
        ...[...newVideos].filter((id) => !topNew.includes(id) && !s.viewer.watched.has(id)),
      ].slice(0, K);
      newRecall += filled.filter((id) => relevantNew.has(id)).length / relevantNew.size;
      newN++;
    }
  }
  return {
    recall: recall / n,
    ndcg: ndcg / n,
    coverage: shown.size / world.videos.length,
    diversity: diversity / n,
    newRecall: newRecall / Math.max(1, newN),
  };
}

const rows = Object.entries(strategies).map(([name, s]) => [name, evaluate(s)] as const);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(
  `world: ${world.videos.length} videos, ${world.viewers.length} viewers, ${world.watches.length} watches over ${settings.days} days (seed ${settings.seed})`,
);
console.log(
  `held out: ${heldOut.size} viewers x last ${HELD_OUT} watches; ${newVideos.size} videos uploaded after the split`,
);
console.log("\n| strategy | recall@10 | nDCG@10 | coverage | channel diversity | recall@10, new videos |");
console.log("|---|---|---|---|---|---|");
for (const [name, r] of rows) {
  console.log(
    `| ${name} | ${r.recall.toFixed(4)} | ${r.ndcg.toFixed(4)} | ${pct(r.coverage)} | ${r.diversity.toFixed(2)} | ${r.newRecall.toFixed(4)} |`,
  );
}
const get = (name: string) => rows.find(([n]) => n === name)![1];
const lift = get("blend").recall / get("popularity").recall;
const coldLift = get("content").newRecall / Math.max(1e-9, get("popularity").newRecall);
console.log(`\nblend / popularity, recall@10: ${lift.toFixed(2)}x (goal >= 1.5x) ${lift >= 1.5 ? "PASS" : "FAIL"}`);
console.log(
  `content / popularity on new videos, recall@10: ${coldLift.toFixed(2)}x (goal > 1) ${coldLift > 1 ? "PASS" : "FAIL"}`,
);
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
smokeFooter();
checkFinite(
  Object.fromEntries(rows.flatMap(([name, r]) => Object.entries(r).map(([k, v]) => [`${name} ${k}`, v] as const))),
);
// A missed goal fails a full run; a smoke world is too small for the goals to say anything.
if (!smoke && (lift < 1.5 || coldLift <= 1)) process.exitCode = 1;
