import { and, asc, eq, sql } from "drizzle-orm";
import type { Database } from "../env";
import type { RenditionIn } from "../schemas/processing";
import { notifications, renditions, type SourceInfo, type ThumbnailPaths, transcodeJobs, videos } from "./schema";

const processing = (videoId: string) => and(eq(videos.id, videoId), eq(videos.status, "processing"));

export async function findVideo(db: Database, videoId: string) {
  return db.select().from(videos).where(eq(videos.id, videoId)).get();
}

/** Records one delivery of a video's job message; returns the job row. */
export async function recordDelivery(db: Database, videoId: string, sourceKey: string, now: Date) {
  return db
    .insert(transcodeJobs)
    .values({ videoId, sourceKey, attempts: 1, updatedAt: now })
    .onConflictDoUpdate({
      target: transcodeJobs.videoId,
      set: { attempts: sql`${transcodeJobs.attempts} + 1`, updatedAt: now },
    })
    .returning()
    .get();
}

export async function findJob(db: Database, videoId: string) {
  return db.select().from(transcodeJobs).where(eq(transcodeJobs.videoId, videoId)).get();
}

export async function listRenditions(db: Database, videoId: string) {
  return db.select().from(renditions).where(eq(renditions.videoId, videoId)).orderBy(asc(renditions.height)).all();
}

export async function markDispatched(db: Database, videoId: string, now: Date) {
  await db
    .update(transcodeJobs)
    .set({ state: "dispatched", dispatchedAt: now, updatedAt: now, lastError: null })
    .where(eq(transcodeJobs.videoId, videoId));
}

export async function noteJobError(db: Database, videoId: string, error: string, now: Date) {
  await db
    .update(transcodeJobs)
    .set({ lastError: error.slice(0, 500), updatedAt: now })
    .where(eq(transcodeJobs.videoId, videoId));
}

const touchJob = (db: Database, videoId: string, now: Date) =>
  db.update(transcodeJobs).set({ lastEventAt: now, updatedAt: now }).where(eq(transcodeJobs.videoId, videoId));

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

export async function recordProbe(
  db: Database,
  videoId: string,
  probe: { duration: number; width: number; height: number; info: SourceInfo },
  now: Date,
) {
  await db.batch([
    db
      .update(videos)
      .set({
        duration: Math.round(probe.duration * 1000),
        width: probe.width,
        height: probe.height,
        sourceInfo: probe.info,
      })
      .where(processing(videoId)),
    touchJob(db, videoId, now),
  ]);
}

const renditionRow = (videoId: string, r: RenditionIn) => ({
  videoId,
  name: r.name,
  width: r.width,
  height: r.height,
  bandwidth: r.bandwidth,
  averageBandwidth: r.average_bandwidth ?? null,
  codecs: r.codecs,
  frameRate: r.frame_rate ?? null,
  playlist: r.playlist,
});

const upsertRendition = (db: Database, videoId: string, r: RenditionIn) => {
  const row = renditionRow(videoId, r);
  const { videoId: _v, name: _n, ...rest } = row;
  return db
    .insert(renditions)
    .values(row)
    .onConflictDoUpdate({ target: [renditions.videoId, renditions.name], set: rest });
};

/** A rendition and the master playlist listing it are stored: the video can play. */
export async function recordRendition(db: Database, videoId: string, rendition: RenditionIn, now: Date) {
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
  done: {
    renditions: RenditionIn[];
    thumbnails?: ThumbnailPaths;
    probe?: { duration: number; width: number; height: number; info: SourceInfo };
  },
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
      ...(done.probe
        ? {
            duration: Math.round(done.probe.duration * 1000),
            width: done.probe.width,
            height: done.probe.height,
            sourceInfo: done.probe.info,
          }
        : {}),
    })
    .where(processing(videoId))
    .returning({ id: videos.id });
  const results = await db.batch([
    ready,
    ...done.renditions.map((r) => upsertRendition(db, videoId, r)),
    db
      .update(transcodeJobs)
      .set({ state: "completed", lastEventAt: now, updatedAt: now })
      .where(eq(transcodeJobs.videoId, videoId)),
  ]);
  return (results[0] as { id: string }[]).length === 1;
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
    db.delete(renditions).where(eq(renditions.videoId, videoId)),
    db
      .update(transcodeJobs)
      .set({ state: "failed", lastError: message, updatedAt: now })
      .where(eq(transcodeJobs.videoId, videoId)),
  ]);
  return (results[0] as { id: string }[]).length === 1;
}

/** One notification per (type, video): a redelivered video-ready adds nothing. */
export async function insertNotification(db: Database, row: typeof notifications.$inferInsert) {
  await db.insert(notifications).values(row).onConflictDoNothing();
}
