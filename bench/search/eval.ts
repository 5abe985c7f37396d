// npm run eval:search — relevance of our search against PeerTube's rule, side by side.
//
// Loads the fixture (bench/search/fixture.ts: 204 videos, labelled queries of 12 kinds) into
// an in-memory local D1 with the platform's migrations, runs every query through the
// platform's own search service (uncached, in the bench Worker) and through the baseline, and prints success@1,
// success@5, MRR, nDCG@10 and the zero-result rate per kind and overall.
//
// The baseline is PeerTube's rule as the issue states it: every word must match a title or
// description word as a prefix (case and accents folded, as PeerTube's unaccent does), no
// stemming, ranked by plain term frequency (then newest first).
// BENCH_SMOKE=1 runs the same: the fixture is small already (about 15 s).
import { fold } from "../../workers/services/search-text.ts";
import { CHANNEL_SPLIT, type LabelledQuery, QUERIES, type QueryKind, TOPICS } from "./fixture.ts";
import {
  announceSmoke,
  type ChannelRow,
  check,
  checkFinite,
  load,
  seeded,
  smokeFooter,
  startBenchWorker,
  type VideoRow,
} from "./harness.ts";
import type { BenchAnswer } from "./worker.ts";

const NOW = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

function catalogue() {
  const random = seeded(20261101);
  const channels: ChannelRow[] = [];
  const videos: (VideoRow & { key: string; channel: string })[] = [];
  TOPICS.forEach((topic, t) => {
    for (const [i, c] of topic.channels.entries())
      channels.push({ id: `ch${t}_${i}`, name: c.name, verified: c.verified });
    topic.videos.forEach((video, i) => {
      const channel = i < CHANNEL_SPLIT ? 0 : 1;
      videos.push({
        id: `v_${video.key}`,
        key: video.key,
        channel: topic.channels[channel]?.name ?? "",
        channel_id: `ch${t}_${channel}`,
        title: video.title,
        description: video.description,
        tags: video.tags,
        category: topic.category,
        duration_ms: Math.round((60 + random() * 1800) * 1000),
        // Views spread over five orders of magnitude, as real catalogues do.
        view_count: Math.round(10 ** (1 + random() * 5)),
        published_at: NOW - Math.round(random() * 720) * DAY,
      });
    });
  });
  return { channels, videos };
}

type Video = ReturnType<typeof catalogue>["videos"][number];

const words = (text: string) => fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];

function baseline(videos: Video[], q: string): string[] {
  const terms = words(q);
  if (!terms.length) return [];
  return videos
    .map((v) => {
      const text = words(`${v.title} ${v.description}`);
      const counts = terms.map((t) => text.filter((w) => w.startsWith(t)).length);
      return { v, ok: counts.every((n) => n > 0), tf: counts.reduce((a, b) => a + b, 0) };
    })
    .filter((x) => x.ok)
    .sort((a, b) => b.tf - a.tf || b.v.published_at - a.v.published_at)
    .map((x) => x.v.key);
}

interface Scores {
  s1: number;
  s5: number;
  mrr: number;
  ndcg: number;
  zero: number;
}

function score(ranked: string[], relevant: Set<string>): Scores {
  const top = ranked.slice(0, 10);
  const first = top.findIndex((k) => relevant.has(k));
  const dcg = top.reduce((sum, k, i) => sum + (relevant.has(k) ? 1 / Math.log2(i + 2) : 0), 0);
  let ideal = 0;
  for (let i = 0; i < Math.min(relevant.size, 10); i++) ideal += 1 / Math.log2(i + 2);
  return {
    s1: first === 0 ? 1 : 0,
    s5: first >= 0 && first < 5 ? 1 : 0,
    mrr: first >= 0 ? 1 / (first + 1) : 0,
    ndcg: ideal ? dcg / ideal : 0,
    zero: ranked.length === 0 ? 1 : 0,
  };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const pct = (x: number) => (Number.isNaN(x) ? "n/a" : `${Math.round(x * 100)}%`);
const dec = (x: number) => (Number.isNaN(x) ? "n/a" : x.toFixed(2));

async function main() {
  announceSmoke();
  const { channels, videos } = catalogue();
  const bench = await startBenchWorker();
  try {
    await load(bench, channels, videos);
    await bench.refresh();
    const keyOf = new Map(videos.map((v) => [v.id, v.key]));
    const relevantOf = (query: LabelledQuery) =>
      new Set(
        query.expect.flatMap((e) =>
          e.startsWith("@") ? videos.filter((v) => v.channel === e.slice(1)).map((v) => v.key) : [e],
        ),
      );

    const rows: { query: LabelledQuery; ours: Scores; base: Scores; top: string; corrected?: string }[] = [];
    for (const query of QUERIES) {
      const answer = await bench.ask<BenchAnswer>({ kind: "search", q: query.q, limit: 10, now: NOW });
      const ours = answer.ids.map((id) => keyOf.get(id) ?? id);
      const relevant = relevantOf(query);
      rows.push({
        query,
        ours: score(ours, relevant),
        base: score(baseline(videos, query.q), relevant),
        top: ours[0] ?? "-",
        corrected: answer.corrected_query,
      });
    }

    const kinds = [...new Set(QUERIES.map((r) => r.kind))] as QueryKind[];
    const header =
      "| kind | queries | success@1 ours / base | success@5 ours / base | MRR ours / base | nDCG@10 ours / base | zero results ours / base |";
    const lines = [header, "|---|---|---|---|---|---|---|"];
    const line = (label: string, group: typeof rows) => {
      const graded = group.filter((r) => r.query.expect.length);
      const m = (pick: (r: (typeof rows)[number]) => number) => mean(graded.map(pick));
      lines.push(
        `| ${label} | ${group.length} | ${pct(m((r) => r.ours.s1))} / ${pct(m((r) => r.base.s1))} | ${pct(m((r) => r.ours.s5))} / ${pct(m((r) => r.base.s5))} | ${dec(m((r) => r.ours.mrr))} / ${dec(m((r) => r.base.mrr))} | ${dec(m((r) => r.ours.ndcg))} / ${dec(m((r) => r.base.ndcg))} | ${pct(mean(group.map((r) => r.ours.zero)))} / ${pct(mean(group.map((r) => r.base.zero)))} |`,
      );
    };
    for (const kind of kinds)
      line(
        kind,
        rows.filter((r) => r.query.kind === kind),
      );
    line("**overall** (nonsense excluded from relevance)", rows);

    console.log(`\n${videos.length} videos, ${QUERIES.length} queries (${kinds.length} kinds)\n`);
    console.log(lines.join("\n"));
    const typo = rows.filter((r) => r.query.kind === "one typo" || r.query.kind === "two typos");
    const graded = rows.filter((r) => r.query.expect.length);
    const gain = mean(graded.map((r) => r.ours.ndcg)) - mean(graded.map((r) => r.base.ndcg));
    console.log(
      `\ngoals: exact-title success@1 ${pct(mean(rows.filter((r) => r.query.kind === "exact title").map((r) => r.ours.s1)))} (goal 100%)` +
        `, zero results on typo queries ${pct(mean(typo.map((r) => r.ours.zero)))} (goal <= 10%)` +
        `, overall nDCG@10 gain over the baseline ${gain >= 0 ? "+" : ""}${gain.toFixed(2)} (goal >= +0.15)`,
    );
    if (process.env.EVAL_VERBOSE) {
      for (const r of rows) {
        console.log(
          `${(r.query.expect.length ? r.ours.s1 : r.ours.zero) ? "✓" : "✗"} [${r.query.kind}] ${JSON.stringify(r.query.q)} -> ${r.top}${r.corrected ? ` (corrected: ${r.corrected})` : ""}`,
        );
      }
    }
    smokeFooter();
    // Our search answering nothing (or NaN figures) is a broken evaluation, not a result.
    check(
      graded.some((r) => r.ours.s5),
      "our search found a relevant video for no query",
    );
    checkFinite({ "nDCG@10 ours": mean(graded.map((r) => r.ours.ndcg)), "nDCG@10 gain": gain });
  } finally {
    await bench.dispose();
  }
}

await main();
