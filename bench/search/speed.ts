// npm run bench:search — search latency at 100,000 videos, beside a bare lookup by id.
//
// Generates a seeded catalogue (BENCH_VIDEOS, default 100,000) whose words follow a Zipf law
// over a vocabulary of real words (the relevance fixture's) and made-up ones, so the most
// common word is in most videos, as "video" or "how" are on a real platform; gives 10% of
// them (BENCH_TRANSCRIPT_SHARE) an uploaded English track, a 10-minute transcript
// (BENCH_TRANSCRIPT_SECONDS) of about 150 words a minute in cues of 5-10 words, drawn from the
// same Zipf law plus a tail of words that are said and never written (names, asides), so
// some queries hit transcripts only; loads it into in-memory local D1s with the platform's
// migrations (`DB`, and `CAPTIONS` for the cues; triggers index every row and every cue),
// refreshes the vocabulary as the cron
// does, and times, one request at a time, requests to a Worker running the platform's own
// search service (uncached): each query kind, and the floor, the same request for one video
// by id (`SELECT ... WHERE id = ?`). BENCH_TRANSCRIPT_SHARE=0 runs the same catalogue without
// transcripts, the baseline of what they cost the written kinds. BENCH_SMOKE=1: 500 videos of 50 channels, transcripts
// of one minute, 3 timed runs per kind.
import { termsOf } from "../../workers/services/search-text.ts";
import type { SearchFilters } from "../../workers/storage/search.ts";
import { TOPICS } from "./fixture.ts";
import {
  announceSmoke,
  type ChannelRow,
  type CueRow,
  check,
  checkFinite,
  load,
  loadCues,
  percentile,
  seeded,
  setting,
  sized,
  smokeFooter,
  startBenchWorker,
  type VideoRow,
} from "./harness.ts";
import type { BenchAnswer } from "./worker.ts";

const VIDEOS = setting("BENCH_VIDEOS", 100_000, 500);
const RUNS = setting("BENCH_RUNS", 60, 3);
const CHANNELS = sized(2_000, 50);
const TRANSCRIPT_SHARE = setting("BENCH_TRANSCRIPT_SHARE", 0.1, 0.1);
const TRANSCRIPT_SECONDS = setting("BENCH_TRANSCRIPT_SECONDS", 600, 60);
/** Words said per second (150 a minute), and the share of them that is never written. */
const WORDS_PER_SECOND = 2.5;
const SAID_ONLY_SHARE = 0.03;
announceSmoke();
let random = seeded(42);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;

/** Real words first (so the head of the distribution reads like titles), then made-up ones. */
function vocabulary(): string[] {
  const real = new Map<string, number>();
  const common = "how to the and for with in a of my best easy guide tutorial video beginners explained".split(" ");
  for (const w of common) real.set(w, 1e9);
  for (const topic of TOPICS) {
    for (const v of topic.videos) {
      for (const w of termsOf(`${v.title} ${v.description} ${v.tags.join(" ")}`, 1000)) {
        real.set(w, (real.get(w) ?? 0) + 1);
      }
    }
  }
  const words = [...real].sort((a, b) => b[1] - a[1]).map(([w]) => w);
  const syllables = "ka lo mi ne ru sa ti vo ze ba de fi go hu ja ko lu ma no pe ri su ta ve wi xa yo zu".split(" ");
  const made = new Set<string>();
  while (made.size < 30_000) {
    const n = 2 + Math.floor(random() * 3);
    made.add(Array.from({ length: n }, () => pick(syllables)).join(""));
  }
  return [...words, ...[...made].filter((w) => !real.has(w))];
}

/** Zipf sampler over ranks 1..n (exponent 1) by inverting the cumulative sum. */
function zipf(n: number): () => number {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cumulative[r] = sum += 1 / (r + 1);
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 1);
const CATEGORIES = TOPICS.map((t) => t.category);

function catalogue(words: string[]) {
  const rank = zipf(words.length);
  const text = (n: number) => Array.from({ length: n }, () => words[rank()]).join(" ");
  const channels: ChannelRow[] = Array.from({ length: CHANNELS }, (_, i) => ({
    id: `c${i}`,
    name: `${text(2)} ${i}`,
    verified: random() < 0.05,
  }));
  const videos: VideoRow[] = Array.from({ length: VIDEOS }, (_, i) => ({
    id: `v${i}`,
    channel_id: `c${Math.floor(random() * CHANNELS)}`,
    title: text(4 + Math.floor(random() * 6)),
    description: text(15 + Math.floor(random() * 30)),
    tags: Array.from({ length: 3 }, () => words[rank()] ?? ""),
    category: pick(CATEGORIES),
    duration_ms: Math.round(30_000 + random() * 3_600_000),
    view_count: Math.round(10 ** (random() * 6)),
    published_at: NOW - Math.floor(random() * 1500) * DAY,
  }));
  return { channels, videos };
}

/**
 * Words that are said and never written in the catalogue: made of consonant-cluster
 * syllables, which the written made-up words (consonant-vowel syllables) never hold.
 */
function saidOnlyVocabulary(written: ReadonlySet<string>): string[] {
  const syllables = "bra kle dro gri plu sta tre fla sko pra glo stri bru kra dre".split(" ");
  const made = new Set<string>();
  while (made.size < 5_000) {
    const n = 2 + Math.floor(random() * 3);
    const w = Array.from({ length: n }, () => pick(syllables)).join("");
    if (!written.has(w)) made.add(w);
  }
  return [...made];
}

/**
 * A transcript for TRANSCRIPT_SHARE of the videos: cues of 5-10 words back to back from the
 * start, each lasting as long as its words take to say, for TRANSCRIPT_SECONDS.
 */
function transcripts(videos: VideoRow[], words: string[], said: string[]): CueRow[] {
  const rank = zipf(words.length);
  const saidRank = zipf(said.length);
  const word = () => (random() < SAID_ONLY_SHARE ? said[saidRank()] : words[rank()]) ?? "";
  const cues: CueRow[] = [];
  for (const v of videos) {
    if (random() >= TRANSCRIPT_SHARE) continue;
    v.duration_ms = Math.max(v.duration_ms, (TRANSCRIPT_SECONDS + 30) * 1000);
    let at = Math.round(random() * 2000);
    while (at < TRANSCRIPT_SECONDS * 1000) {
      const n = 5 + Math.floor(random() * 6);
      const length = Math.round((n / WORDS_PER_SECOND) * 1000);
      cues.push({
        video_id: v.id,
        start_ms: at,
        end_ms: at + length,
        text: Array.from({ length: n }, word).join(" "),
      });
      at += length + Math.round(random() * 300);
    }
  }
  return cues;
}

/** One edit: a letter swapped with its neighbour, or one dropped. */
const typo = (w: string) => {
  const i = 1 + Math.floor(random() * (w.length - 2));
  return random() < 0.5 ? `${w.slice(0, i)}${w[i + 1]}${w[i]}${w.slice(i + 2)}` : `${w.slice(0, i)}${w.slice(i + 1)}`;
};

async function main() {
  const words = vocabulary();
  const { channels, videos } = catalogue(words);
  const said = saidOnlyVocabulary(new Set(words));
  const cues = transcripts(videos, words, said);
  const transcribed = new Set(cues.map((c) => c.video_id)).size;
  const bench = await startBenchWorker();
  try {
    let t = performance.now();
    await load(bench, channels, videos);
    const loadSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    await loadCues(bench, cues);
    const cueSeconds = (performance.now() - t) / 1000;
    // Loaded, the cues leave this process's heap but for every 50th (for the snatches of speech
    // below): held whole, 1.9 million objects kept the heap at 420 MB, and its collections
    // (30-75 ms pauses, measured with --trace-gc) landed in the timed requests.
    const cueCount = cues.length;
    const heard = cues.filter((_, i) => i % 50 === 0);
    cues.length = 0;
    t = performance.now();
    await bench.refresh();
    const vocabSeconds = (performance.now() - t) / 1000;
    const docsOf = async (word: string) =>
      (
        await bench.batch<{ docs: number }>([{ sql: "SELECT docs FROM search_words WHERE word = ?", params: [word] }])
      )[0]?.[0]?.docs ?? 0;
    const commonest = words[0] ?? "";
    const share = (await docsOf(commonest)) / VIDEOS;
    // An empty index or vocabulary would time searches that find nothing.
    check(share > 0, `the vocabulary does not hold "${commonest}": the load or the refresh failed`);
    const found = await bench.ask<BenchAnswer>({ kind: "search", q: commonest, now: NOW });
    check(found.ids.length, `a search for "${commonest}" found nothing`);
    check(await bench.ask({ kind: "floor", id: videos[0]?.id ?? "" }), "the floor found no video by its id");
    const indexed = (
      await bench.batch<{ n: number }>([{ sql: "SELECT count(*) AS n FROM transcript_search", params: [] }], "captions")
    )[0]?.[0]?.n;
    check(indexed === cueCount, `transcript_search holds ${indexed} cues of ${cueCount}: the captions load failed`);

    // Said-only words: the head of their law (in many transcripts) and its tail (in few).
    const saidHead = said.slice(0, 20);
    const saidTail = said.slice(500);
    const saidCommon = saidHead[0] ?? "";
    check(!(await docsOf(saidCommon)), `"${saidCommon}" is written somewhere: said-only words must not be`);
    if (cueCount) {
      const answer = await bench.ask<BenchAnswer>({ kind: "search", q: saidCommon, now: NOW });
      check(
        answer.ids.length && answer.moments.length,
        `a search for "${saidCommon}", said and never written, found no video or no moment`,
      );
    }
    /** Two or three words in a row from a cue: a remembered snatch of speech. */
    const snatch = () => {
      const w = pick(heard).text.split(" ");
      const n = 2 + Math.floor(random() * 2);
      const at = Math.floor(random() * Math.max(1, w.length - n));
      return w.slice(at, at + n).join(" ");
    };

    // Words by how many videos hold them, for queries of known selectivity.
    const mid = words.slice(200, 3000).filter((w) => w.length >= 6);
    const rare = words.slice(20_000);
    const head = words.slice(0, 30);
    const title = () => {
      const v = pick(videos);
      return termsOf(v.title).slice(0, 3).join(" ");
    };
    const plain = (q: string, filters: SearchFilters = {}, sort: "relevance" | "date" | "views" = "relevance") =>
      bench.ask({ kind: "search", q, filters, sort, now: NOW });
    const kinds: [string, () => Promise<unknown>][] = [
      ["floor: video by id", () => bench.ask({ kind: "floor", id: pick(videos).id })],
      ["rare word", () => plain(pick(rare))],
      ["mid-frequency word", () => plain(pick(mid))],
      [`commonest word ("${commonest}", ${Math.round(share * 100)}% of videos)`, () => plain(commonest)],
      ["two common words", () => plain(`${pick(head)} ${pick(head)}`)],
      ["three words of a title", () => plain(title())],
      ["prefix (3 letters)", () => plain(pick(mid).slice(0, 3))],
      ["one typo", () => plain(typo(pick(mid)))],
      ["nonsense (every fallback)", () => plain(`zqx${Math.floor(random() * 1e6)} vvqq`)],
      ["commonest word + category", () => plain(commonest, { category: pick(CATEGORIES) })],
      ["two common words + category", () => plain(`${pick(head)} ${pick(head)}`, { category: pick(CATEGORIES) })],
      ["commonest word, sort=date", () => plain(commonest, {}, "date")],
      // With no transcripts (BENCH_TRANSCRIPT_SHARE=0: the same catalogue's written kinds, a
      // baseline), these find nothing and are left out.
      ...(cueCount
        ? ([
            ["said-only word, rare (transcript-only hit)", () => plain(pick(saidTail))],
            [`said-only word, common (transcript-only hit, "${saidCommon}")`, () => plain(pick(saidHead))],
            ["said-only word + common word", () => plain(`${pick(saidHead)} ${pick(head)}`)],
            ["said-only word + category", () => plain(pick(saidTail), { category: pick(CATEGORIES) })],
            ["2-3 words in a row from a cue", () => plain(snatch())],
          ] as [string, () => Promise<unknown>][])
        : []),
      [
        "suggest (2-4 letters)",
        () => bench.ask({ kind: "suggest", q: pick(mid).slice(0, 2 + Math.floor(random() * 3)) }),
      ],
    ];

    type Timed = { kind: string; p50: number; p95: number; p99: number };
    // BENCH_ONLY (a regular expression) times only the kinds it matches, beside the floor.
    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
    /** Every kind timed, the queries drawn from the same seed each time (the same queries). */
    async function timeKinds(): Promise<Timed[]> {
      random = seeded(7);
      const results: Timed[] = [];
      for (const [kind, run] of kinds) {
        if (only && kind !== kinds[0]?.[0] && !only.test(kind)) continue;
        for (let i = 0; i < sized(5, 1); i++) await run();
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const start = performance.now();
          await run();
          times.push(performance.now() - start);
        }
        times.sort((a, b) => a - b);
        results.push({ kind, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) });
      }
      return results;
    }
    const timed = await timeKinds();
    const floor = timed[0]?.p50 ?? 1;
    console.log(
      `\n${VIDEOS.toLocaleString("en")} videos, ${channels.length.toLocaleString("en")} channels, ${transcribed.toLocaleString("en")} transcripts of ${TRANSCRIPT_SECONDS} s (${cueCount.toLocaleString("en")} cues in CAPTIONS); load ${loadSeconds.toFixed(0)} s, cues ${cueSeconds.toFixed(0)} s, vocabulary refresh ${vocabSeconds.toFixed(1)} s; ${RUNS} timed runs per kind, one at a time\n`,
    );
    console.log("| query | p50 ms | p95 ms | p99 ms | p50 / floor | p95 / floor |\n|---|---|---|---|---|---|");
    for (const r of timed) {
      console.log(
        `| ${r.kind} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${(r.p50 / floor).toFixed(1)}x | ${(r.p95 / floor).toFixed(1)}x |`,
      );
    }
    const worst = timed.slice(1).reduce<Timed | undefined>((a, b) => (a && a.p95 >= b.p95 ? a : b), undefined);
    if (worst) console.log(`\ngoal: p95 <= 50 ms for every kind; worst p95 ${worst.p95.toFixed(1)} ms (${worst.kind})`);
    smokeFooter();
    checkFinite(Object.fromEntries(timed.map((r) => [r.kind, r.p95])));
  } finally {
    await bench.dispose();
  }
}

await main();
