import { env } from "cloudflare:workers";
import { newId } from "../../workers/lib/ids";
import { syncVideoVector } from "../../workers/services/embeddings";
import { ALL_CATEGORIES } from "../../workers/services/trending";
import { database } from "../../workers/storage/db";
import { readList, writeList } from "../../workers/storage/trending";
import { vectorBackend } from "../../workers/vectors/backend";
import { api, type TestUser } from "./fixtures";

/**
 * A catalogue for recommendation tests: videos written straight to D1 (processing is tested
 * elsewhere), embedded through the real sync, signals as the discovery consumers store them.
 */
export interface VideoSpec {
  title: string;
  tags?: string[];
  description?: string;
  visibility?: "public" | "unlisted" | "private";
  status?: "ready" | "processing";
  /** Days before now. */
  age?: number;
}

const DAY = 86_400_000;

export async function addVideo(owner: TestUser, spec: VideoSpec): Promise<string> {
  const id = newId();
  const published = Date.now() - (spec.age ?? 1) * DAY;
  await env.DB.prepare(
    `INSERT INTO videos (id, channel_id, owner_id, title, description, tags, visibility, status, playable,
       duration_ms, created_at, published_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 120000, ?, ?)`,
  )
    .bind(
      id,
      owner.channel_id,
      owner.id,
      spec.title,
      spec.description ?? "",
      JSON.stringify(spec.tags ?? []),
      spec.visibility ?? "public",
      spec.status ?? "ready",
      published,
      published,
    )
    .run();
  await syncVideoVector({ db: database(env.DB), d1: env.DB, vectors: vectorBackend(env) }, id);
  return id;
}

/** A co-view roll-up in both directions, as the watch-events consumer keeps it. */
export async function coView(a: string, b: string, score: number, region = "global") {
  const stmt = env.DB.prepare(
    `INSERT INTO co_views (video_a, video_b, region, score, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (video_a, region, video_b) DO UPDATE SET score = excluded.score`,
  );
  await env.DB.batch([stmt.bind(a, b, region, score, Date.now()), stmt.bind(b, a, region, score, Date.now())]);
}

export async function subscribe(user: TestUser, channelId: string) {
  await env.DB.prepare("INSERT INTO subscriptions (user_id, channel_id) VALUES (?, ?)").bind(user.id, channelId).run();
}

/** Puts a video on a region's trending list in KV, where the cron writes them. */
export async function trend(videoId: string, channelId: string, rankKey: number, region = "global") {
  const list = (await readList(env.CACHE, region, ALL_CATEGORIES)) ?? {
    region,
    category: ALL_CATEGORIES,
    generated_at: Date.now(),
    items: [],
  };
  list.items = [...list.items, { video_id: videoId, channel_id: channelId, rank_key: rankKey }].sort(
    (a, b) => b.rank_key - a.rank_key,
  );
  await writeList(env.CACHE, list);
}

/** The player's report: history for the viewer, a view once past 10 s. */
export async function watch(viewer: TestUser, videoId: string, position = 30, duration = 120) {
  const res = await api(`/api/v1/videos/${videoId}/watch-position`, {
    method: "POST",
    as: viewer,
    json: { position, duration },
  });
  if (res.status !== 204) throw new Error(`watch: ${res.status} ${await res.text()}`);
}

export interface Rec {
  id: string;
  title: string;
  channel: { id: string };
  reason: { type: string; video_id?: string; channel_id?: string };
}

export async function recommendations(viewer?: TestUser, query = "") {
  const res = await api(`/api/v1/recommendations${query}`, viewer ? { as: viewer } : {});
  if (res.status !== 200) throw new Error(`recommendations: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { items: Rec[] }).items;
}

export async function related(videoId: string, viewer?: TestUser) {
  const res = await api(`/api/v1/videos/${videoId}/related`, viewer ? { as: viewer } : {});
  if (res.status !== 200) throw new Error(`related: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { items: Rec[] }).items;
}
