// Shared by bench/search/eval.ts and bench/search/speed.ts: a local D1 with the platform's
// migrations, loaded in bulk, and the Worker's own search code run against it.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { drizzle } from "drizzle-orm/d1";
import { getPlatformProxy, unstable_splitSqlQuery } from "wrangler";
import type { Database } from "../../workers/env.ts";
import * as schema from "../../workers/storage/schema.ts";

const root = path.resolve(import.meta.dirname, "../..");

export interface Local {
  d1: D1Database;
  db: Database;
  dispose(): Promise<void>;
}

/** An in-memory D1 (workerd's, through getPlatformProxy) with every migration applied. */
export async function openLocalD1(): Promise<Local> {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath: path.join(import.meta.dirname, "wrangler.toml"),
    persist: false,
  });
  const d1 = proxy.env.DB;
  const dir = path.join(root, "migrations");
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    const queries = unstable_splitSqlQuery(readFileSync(path.join(dir, file), "utf8"));
    await d1.batch(queries.map((q) => d1.prepare(q)));
  }
  return { d1, db: drizzle(d1, { schema }) as unknown as Database, dispose: () => proxy.dispose() };
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
export async function load(d1: D1Database, channels: ChannelRow[], videos: VideoRow[]): Promise<void> {
  for (let i = 0; i < channels.length; i += ROWS_PER_STATEMENT) {
    const chunk = JSON.stringify(channels.slice(i, i + ROWS_PER_STATEMENT));
    await d1.batch([
      d1
        .prepare(
          `INSERT INTO users (id, email, username, password_hash)
           SELECT value ->> 'id', (value ->> 'id') || '@example.com', value ->> 'id', 'x' FROM json_each(?)`,
        )
        .bind(chunk),
      d1
        .prepare(
          `INSERT INTO channels (id, owner_id, name, verified)
           SELECT value ->> 'id', value ->> 'id', value ->> 'name', value ->> 'verified' FROM json_each(?)`,
        )
        .bind(chunk),
    ]);
  }
  for (let i = 0; i < videos.length; i += ROWS_PER_STATEMENT) {
    const chunk = JSON.stringify(videos.slice(i, i + ROWS_PER_STATEMENT));
    await d1
      .prepare(
        `INSERT INTO videos (id, channel_id, owner_id, title, description, tags, category, visibility, status,
           playable, progress, duration_ms, view_count, published_at, created_at)
         SELECT value ->> 'id', value ->> 'channel_id', value ->> 'channel_id', value ->> 'title',
           value ->> 'description', value ->> 'tags', value ->> 'category', 'public', 'ready', 1, 100,
           value ->> 'duration_ms', value ->> 'view_count', value ->> 'published_at', value ->> 'published_at'
         FROM json_each(?)`,
      )
      .bind(chunk)
      .run();
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
