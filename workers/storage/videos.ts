import { and, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Database } from "../env";
import { deleteRenditions, listRenditions, type NewRendition, upsertRendition } from "./renditions";
import { channels, type SourceInfo, type ThumbnailPaths, type Video, videos } from "./schema";
import { endJob, touchJob } from "./transcode-jobs";

/** Every query on `videos`: reads, edits, the processing transitions and the counters. */

export async function findVideo(db: Database, videoId: string) {
  return db.select().from(videos).where(eq(videos.id, videoId)).get();
}

export async function findVideoWithChannel(db: Database, videoId: string) {
  const [row, list] = await Promise.all([
    db
      .select({ video: videos, channel: { id: channels.id, name: channels.name, verified: channels.verified } })
      .from(videos)
      .innerJoin(channels, eq(channels.id, videos.channelId))
      .where(eq(videos.id, videoId))
      .get(),
    listRenditions(db, videoId),
  ]);
  return row ? { ...row, renditions: list } : undefined;
}

/** Who may see a video: what every media request checks (through the cache) before it serves. */
export async function findAccess(db: Database, videoId: string) {
  return db
    .select({
      visibility: videos.visibility,
      owner_id: videos.ownerId,
      status: videos.status,
      blocked: sql<boolean>`${videos.blockedAt} IS NOT NULL`.mapWith(Boolean),
      owner_suspended: videos.ownerSuspended,
    })
    .from(videos)
    .where(eq(videos.id, videoId))
    .get();
}

/** What a player event is stamped with: the video's channel and length (ms; null before the prober). */
export async function findPlaybackFacts(db: Database, videoId: string) {
  return db
    .select({ channel_id: videos.channelId, duration_ms: videos.duration })
    .from(videos)
    .where(eq(videos.id, videoId))
    .get();
}

export async function findVideoTitle(db: Database, videoId: string): Promise<string | undefined> {
  const row = await db.select({ title: videos.title }).from(videos).where(eq(videos.id, videoId)).get();
  return row?.title;
}

/** The titles of those of `ids` that are videos of the channel (a deleted one has none). */
export async function findTitles(db: Database, channelId: string, ids: readonly string[]) {
  if (!ids.length) return new Map<string, string>();
  const rows = await db
    .select({ id: videos.id, title: videos.title })
    .from(videos)
    .where(and(eq(videos.channelId, channelId), inArray(videos.id, [...ids])))
    .all();
  return new Map(rows.map((r) => [r.id, r.title]));
}

export type VideoEdit = Partial<Pick<Video, "title" | "description" | "tags" | "category" | "visibility" | "language">>;

export async function updateVideo(db: Database, videoId: string, edit: VideoEdit) {
  await db.update(videos).set(edit).where(eq(videos.id, videoId));
}

/**
 * Deletes the video row; D1 enforces foreign keys, so its uploads and parts, job,
 * renditions, comments, likes, history, view marks, roll-ups and notifications cascade.
 */
export async function deleteVideoRow(db: Database, videoId: string) {
  await db.delete(videos).where(eq(videos.id, videoId));
}

// Upload: statements for the upload's own batches (storage/uploads.ts).

/** Statement: a new video, `uploading`. */
export const insertVideo = (db: Database, video: typeof videos.$inferInsert) => db.insert(videos).values(video);

/** Statement: the upload completed, the video is `processing` from its source. */
export const startVideoProcessing = (db: Database, videoId: string, sourceKey: string) =>
  db
    .update(videos)
    .set({ status: "processing", progress: 0, stage: "queued", sourceKey })
    .where(and(eq(videos.id, videoId), eq(videos.status, "uploading")));

/** Statement: removes a video whose upload never completed. */
export const deleteUploadingVideo = (db: Database, videoId: string) =>
  db.delete(videos).where(and(eq(videos.id, videoId), eq(videos.status, "uploading")));

// Processing: what the transcoder's events do to the video, each with its job's sign of life.

const processing = (videoId: string) => and(eq(videos.id, videoId), eq(videos.status, "processing"));

export interface Probe {
  duration: number;
  width: number;
  height: number;
  info: SourceInfo;
}

const probeColumns = (probe: Probe) => ({
  duration: Math.round(probe.duration * 1000),
  width: probe.width,
  height: probe.height,
  sourceInfo: probe.info,
});

/** Progress never goes down: the stored value is the highest reported. */
export async function recordProgress(db: Database, videoId: string, stage: string, progress: number, now: Date) {
  await db.batch([
    db
      .update(videos)
      .set({ progress: sql`max(${videos.progress}, ${Math.floor(progress)})`, stage })
      .where(processing(videoId)),
    touchJob(db, videoId, now),
  ]);
}

export async function recordProbe(db: Database, videoId: string, probe: Probe, now: Date) {
  await db.batch([db.update(videos).set(probeColumns(probe)).where(processing(videoId)), touchJob(db, videoId, now)]);
}

/** A rendition and the master playlist listing it are stored: the video can play. */
export async function recordRendition(db: Database, videoId: string, rendition: NewRendition, now: Date) {
  await db.batch([
    upsertRendition(db, videoId, rendition),
    db.update(videos).set({ playable: true }).where(processing(videoId)),
    touchJob(db, videoId, now),
  ]);
}

export async function recordThumbnails(db: Database, videoId: string, thumbnails: ThumbnailPaths, now: Date) {
  await db.batch([db.update(videos).set({ thumbnails }).where(processing(videoId)), touchJob(db, videoId, now)]);
}

/**
 * Ready: renditions, thumbnails and metadata in one batch. Returns false when the video was
 * not processing (a repeated `completed`), so the caller announces it only once.
 */
export async function recordCompleted(
  db: Database,
  videoId: string,
  done: { renditions: NewRendition[]; thumbnails?: ThumbnailPaths; probe?: Probe },
  now: Date,
): Promise<boolean> {
  const ready = db
    .update(videos)
    .set({
      status: "ready",
      progress: 100,
      stage: null,
      playable: true,
      publishedAt: now,
      ...(done.thumbnails ? { thumbnails: done.thumbnails } : {}),
      ...(done.probe ? probeColumns(done.probe) : {}),
    })
    .where(processing(videoId))
    .returning({ id: videos.id });
  const results = await db.batch([
    ready,
    ...done.renditions.map((r) => upsertRendition(db, videoId, r)),
    endJob(db, videoId, now),
  ]);
  return results[0].length === 1;
}

/** Failed with a code: the video says why; its renditions go (their media is deleted too). */
export async function recordFailed(
  db: Database,
  videoId: string,
  code: string,
  message: string,
  now: Date,
): Promise<boolean> {
  const results = await db.batch([
    db
      .update(videos)
      .set({ status: "failed", errorCode: code, errorMessage: message, stage: null, playable: false })
      .where(processing(videoId))
      .returning({ id: videos.id }),
    deleteRenditions(db, videoId),
    endJob(db, videoId, now, message),
  ]);
  return results[0].length === 1;
}

// Counters: held by each video's room (VideoRoom) and flushed here from its alarm.

export interface Counts {
  views: number;
  likes: number;
  dislikes: number;
  comments: number;
  shares: number;
}

export async function readCounts(db: Database, videoId: string): Promise<Counts | undefined> {
  return db
    .select({
      views: videos.viewCount,
      likes: videos.likeCount,
      dislikes: videos.dislikeCount,
      comments: videos.commentCount,
      shares: videos.shareCount,
    })
    .from(videos)
    .where(eq(videos.id, videoId))
    .get();
}

/** What a video summary is made of: the row's listed columns and its channel. */
export const summaryColumns = {
  video: {
    id: videos.id,
    title: videos.title,
    description: videos.description,
    tags: videos.tags,
    category: videos.category,
    duration: videos.duration,
    thumbnails: videos.thumbnails,
    viewCount: videos.viewCount,
    likeCount: videos.likeCount,
    publishedAt: videos.publishedAt,
  },
  channel: { id: channels.id, name: channels.name, verified: channels.verified },
};

export type SummaryRow = {
  video: Pick<
    Video,
    | "id"
    | "title"
    | "description"
    | "tags"
    | "category"
    | "duration"
    | "thumbnails"
    | "viewCount"
    | "likeCount"
    | "publishedAt"
  >;
  channel: { id: string; name: string; verified: boolean };
};

/** D1 binds at most 100 parameters per statement. */
const MAX_IDS_PER_QUERY = 90;

/**
 * Listable: public and ready, not blocked by a moderator, its owner not suspended. The only
 * videos any list may show (search, trending, recommendations, channel pages); the triggers
 * of migration 0009 and the `videos_channel_listed` index say the same.
 */
export const listable = sql`${videos.visibility} = 'public' AND ${videos.status} = 'ready' AND ${videos.blockedAt} IS NULL AND ${videos.ownerSuspended} = 0`;
/** The condition as a boolean column of a select. */
const listableColumn = () => sql<boolean>`(${listable})`.mapWith(Boolean);
/** The same condition in raw SQL, for a `videos` row named `v`. */
export const LISTABLE_SQL =
  "v.visibility = 'public' AND v.status = 'ready' AND v.blocked_at IS NULL AND v.owner_suspended = 0";

/**
 * Shown: anyone with its link may watch it (public or unlisted, ready, not blocked, its owner
 * not suspended). What playlists show to everyone but a video's owner; the playlist triggers
 * of migration 0010 count items by the same condition.
 */
export const shown = sql`${videos.visibility} <> 'private' AND ${videos.status} = 'ready' AND ${videos.blockedAt} IS NULL AND ${videos.ownerSuspended} = 0`;

/**
 * Summary rows of the listable videos among `ids`, in the order of `ids`. An id that is not
 * listable (private, unlisted, not ready, gone) is left out rather than failing the list,
 * so a list computed a moment ago never shows a video that has since turned private.
 */
export async function videoSummaries(db: Database, ids: readonly string[]): Promise<SummaryRow[]> {
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += MAX_IDS_PER_QUERY) chunks.push(unique.slice(i, i + MAX_IDS_PER_QUERY));
  const found = await Promise.all(
    chunks.map((chunk) =>
      db
        .select(summaryColumns)
        .from(videos)
        .innerJoin(channels, eq(channels.id, videos.channelId))
        .where(and(inArray(videos.id, chunk), listable))
        .all(),
    ),
  );
  const byId = new Map(found.flat().map((r) => [r.video.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** A channel's listable videos, newest first (the partial index `videos_channel_listed`). */
export async function listChannelVideos(db: Database, channelId: string, page: number, limit: number) {
  return db
    .select(summaryColumns)
    .from(videos)
    .innerJoin(channels, eq(channels.id, videos.channelId))
    .where(and(eq(videos.channelId, channelId), listable))
    .orderBy(desc(videos.publishedAt), desc(videos.id))
    .limit(limit)
    .offset((page - 1) * limit)
    .all();
}

/** What the `new_video` fan-out and trending need to know of a video. */
export async function findListing(db: Database, videoId: string) {
  return db
    .select({
      id: videos.id,
      title: videos.title,
      channelId: videos.channelId,
      channelName: channels.name,
      visibility: videos.visibility,
      status: videos.status,
      listable: listableColumn(),
    })
    .from(videos)
    .innerJoin(channels, eq(channels.id, videos.channelId))
    .where(eq(videos.id, videoId))
    .get();
}

/**
 * What the recommendation ranker weighs, for the listable videos among `ids`: channel, owner,
 * publication and completion (seconds watched per view over the length, from the hourly
 * roll-ups). Videos that are not listable are simply absent, so the ranker never sees them.
 */
export async function rankingFacts(db: Database, ids: readonly string[]) {
  const unique = [...new Set(ids)];
  const out = [];
  for (let i = 0; i < unique.length; i += MAX_IDS_PER_QUERY) {
    const chunk = unique.slice(i, i + MAX_IDS_PER_QUERY);
    out.push(
      db
        .select({
          id: videos.id,
          channelId: videos.channelId,
          ownerId: videos.ownerId,
          visibility: videos.visibility,
          status: videos.status,
          publishedAt: videos.publishedAt,
          createdAt: videos.createdAt,
          category: videos.category,
          durationMs: videos.duration,
          // All time: the public counter, and the seconds watched its room flushed.
          views: videos.viewCount,
          watchSeconds: videos.watchSeconds,
        })
        .from(videos)
        .where(and(inArray(videos.id, chunk), listable))
        .all(),
    );
  }
  return (await Promise.all(out)).flat();
}

/** What a video's content vector is made of, and whether it may be listed at all. */
export async function findIndexable(db: Database, videoId: string) {
  return db
    .select({
      id: videos.id,
      title: videos.title,
      description: videos.description,
      tags: videos.tags,
      category: videos.category,
      channelId: videos.channelId,
      visibility: videos.visibility,
      status: videos.status,
      publishedAt: videos.publishedAt,
      createdAt: videos.createdAt,
      listable: listableColumn(),
    })
    .from(videos)
    .where(eq(videos.id, videoId))
    .get();
}

/** A whole row and its channel: the studio shows status, visibility and progress too. */
const listedColumns = {
  video: videos,
  channel: { id: channels.id, name: channels.name, verified: channels.verified },
};

/**
 * Videos newest first, with their channel: an owner's own (`ownerId`, every status and
 * visibility: the studio), or the whole catalogue's public, ready videos. A channel's list is
 * `listChannelVideos`.
 */
export async function listVideos(db: Database, filter: { ownerId?: string }, limit: number, offset = 0) {
  const where: SQL[] = [];
  if (filter.ownerId) where.push(eq(videos.ownerId, filter.ownerId));
  else where.push(listable);
  return db
    .select(listedColumns)
    .from(videos)
    .innerJoin(channels, eq(channels.id, videos.channelId))
    .where(and(...where))
    .orderBy(desc(videos.createdAt), desc(videos.id))
    .limit(limit)
    .offset(offset)
    .all();
}
