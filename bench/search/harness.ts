// Shared by bench/search/eval.ts and bench/search/speed.ts: the platform's search service in
// a Worker (bench/search/worker.ts) over an in-memory local D1 with the platform's
// migrations, loaded in bulk, started with wrangler's unstable_startWorker on a loopback port.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { unstable_splitSqlQuery, unstable_startWorker } from "wrangler";
import type { BenchRequest, Statement } from "./worker.ts";

// Smoke mode (BENCH_SMOKE=1), as for the other benchmarks.
export * from "../mode.ts";

const root = path.resolve(import.meta.dirname, "../..");

export interface BenchWorker {
  /** Statements in one D1 batch (setup and lookups) on DB, or on CAPTIONS; the rows of each. */
  batch<T = Record<string, unknown>>(statements: Statement[], db?: "captions"): Promise<T[][]>;
  /** One timed request to the Worker: a search, a completion or the floor. */
  ask<T = unknown>(request: BenchRequest): Promise<T>;
  /** The cron's vocabulary refresh. */
  refresh(): Promise<void>;
  dispose(): Promise<void>;
}

/** The bench Worker with every migration applied to its (in-memory) D1. */
export async function startBenchWorker(): Promise<BenchWorker> {
  // No request.cf: nothing here reads it, and fetching it would leave the machine.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
  const worker = await unstable_startWorker({
    config: path.join(import.meta.dirname, "wrangler.toml"),
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      // BENCH_PERSIST=<dir> keeps the bench's D1 there, to read its plans with sqlite3 after.
      persist: process.env.BENCH_PERSIST ?? false,
      watch: false,
      logLevel: "error",
    },
  });
  await worker.ready;
  const url = await worker.url;
  // JSON from our own Worker, typed by the caller.
  const post = async <T>(pathname: string, body: unknown): Promise<T> => {
    const res = await fetch(new URL(pathname, url), { method: "POST", body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const bench: BenchWorker = {
    batch: (statements, db) => post(db ? `/batch?db=${db}` : "/batch", statements),
    ask: (request) => post("/ask", request),
    refresh: async () => void (await post("/refresh", {})),
    dispose: () => worker.dispose(),
  };
  for (const [dir, db] of [
    [path.join(root, "migrations"), undefined],
    [path.join(root, "migrations", "captions"), "captions"],
  ] as const) {
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith(".sql"))
      .sort()) {
      const queries = unstable_splitSqlQuery(readFileSync(path.join(dir, file), "utf8"));
      await bench.batch(
        queries.map((sql) => ({ sql, params: [] })),
        db,
      );
    }
  }
  return bench;
}

export interface ChannelRow {
  id: string;
  name: string;
  verified: boolean;
}

export interface VideoRow {
  id: string;
  channel_id: string;
  title: string;
  description: string;
  tags: string[];
  category: string;
  duration_ms: number;
  view_count: number;
  published_at: number;
}

const ROWS_PER_STATEMENT = 500;

/**
 * Channels (each with an owner) and public, ready videos, inserted as JSON arrays through
 * json_each: one statement per few hundred rows, and the search triggers index each row as
 * the platform's own writes would.
 */
export async function load(bench: BenchWorker, channels: ChannelRow[], videos: VideoRow[]): Promise<void> {
  for (let i = 0; i < channels.length; i += ROWS_PER_STATEMENT) {
    const params = [JSON.stringify(channels.slice(i, i + ROWS_PER_STATEMENT))];
    await bench.batch([
      {
        sql: `INSERT INTO users (id, email, username, password_hash)
          SELECT value ->> 'id', (value ->> 'id') || '@example.com', value ->> 'id', 'x' FROM json_each(?)`,
        params,
      },
      {
        sql: `INSERT INTO channels (id, owner_id, name, verified)
          SELECT value ->> 'id', value ->> 'id', value ->> 'name', value ->> 'verified' FROM json_each(?)`,
        params,
      },
    ]);
  }
  for (let i = 0; i < videos.length; i += ROWS_PER_STATEMENT) {
    const params = [JSON.stringify(videos.slice(i, i + ROWS_PER_STATEMENT))];
    await bench.batch([
      {
        sql: `INSERT INTO videos (id, channel_id, owner_id, title, description, tags, category, visibility, status,
           playable, progress, duration_ms, view_count, published_at, created_at)
         SELECT value ->> 'id', value ->> 'channel_id', value ->> 'channel_id', value ->> 'title',
           value ->> 'description', value ->> 'tags', value ->> 'category', 'public', 'ready', 1, 100,
           value ->> 'duration_ms', value ->> 'view_count', value ->> 'published_at', value ->> 'published_at'
         FROM json_each(?)`,
        params,
      },
    ]);
  }
}

/** A cue of a video's captions, times in milliseconds. */
export interface CueRow {
  video_id: string;
  start_ms: number;
  end_ms: number;
  text: string;
}

const CUES_PER_STATEMENT = 2_000;
const STATEMENTS_PER_BATCH = 4;

/**
 * An uploaded English track for each video that has cues, stored as the platform stores one
 * (storage/captions.ts `saveTrack`): a version in the CAPTIONS database under its key, its cues
 * in order (the trigger there indexes each in transcript_search), and the `captions` row in DB
 * naming that key. The videos must be loaded first.
 */
export async function loadCues(bench: BenchWorker, cues: CueRow[]): Promise<void> {
  const counts = new Map<string, number>();
  for (const c of cues) counts.set(c.video_id, (counts.get(c.video_id) ?? 0) + 1);
  // Keys as AUTOINCREMENT would draw them in an empty database: 1, 2, ...
  const tracks = [...counts].map(([video_id, cue_count], i) => ({ video_id, cue_count, key: i + 1 }));
  const keyOf = new Map(tracks.map((t) => [t.video_id, t.key]));
  for (let i = 0; i < tracks.length; i += ROWS_PER_STATEMENT) {
    const rows = JSON.stringify(tracks.slice(i, i + ROWS_PER_STATEMENT));
    await bench.batch(
      [
        {
          sql: `INSERT INTO caption_tracks (id, video_id, language, created_at)
            SELECT value ->> 'key', value ->> 'video_id', 'en', 0 FROM json_each(?)`,
          params: [rows],
        },
      ],
      "captions",
    );
    await bench.batch([
      {
        sql: `INSERT INTO captions (video_id, language, label, source, status, rev, cue_count, updated_at, cues_key)
          SELECT value ->> 'video_id', 'en', 'English', 'uploaded', 'ready', 'bench', value ->> 'cue_count', 0, value ->> 'key'
          FROM json_each(?)`,
        params: [rows],
      },
    ]);
  }
  const step = CUES_PER_STATEMENT * STATEMENTS_PER_BATCH;
  for (let i = 0; i < cues.length; i += step) {
    const statements: Statement[] = [];
    for (let j = i; j < Math.min(cues.length, i + step); j += CUES_PER_STATEMENT) {
      statements.push({
        sql: `INSERT INTO caption_cues (track, start_ms, end_ms, text)
          SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?)`,
        params: [
          JSON.stringify(
            cues.slice(j, j + CUES_PER_STATEMENT).map((c) => [keyOf.get(c.video_id), c.start_ms, c.end_ms, c.text]),
          ),
        ],
      });
    }
    await bench.batch(statements, "captions");
  }
}

/** A seeded generator (mulberry32): the same catalogue on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
