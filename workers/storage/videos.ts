import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../env";
import { channels, renditions, uploads, type Video, videos, watchHistory } from "./schema";

export async function findVideoWithChannel(db: Database, videoId: string) {
  const [row, list] = await Promise.all([
    db
      .select({ video: videos, channel: { id: channels.id, name: channels.name, verified: channels.verified } })
      .from(videos)
      .innerJoin(channels, eq(channels.id, videos.channelId))
      .where(eq(videos.id, videoId))
      .get(),
    db.select().from(renditions).where(eq(renditions.videoId, videoId)).orderBy(asc(renditions.height)).all(),
  ]);
  return row ? { ...row, renditions: list } : undefined;
}

export async function findAccess(db: Database, videoId: string) {
  return db
    .select({ visibility: videos.visibility, owner_id: videos.ownerId, status: videos.status })
    .from(videos)
    .where(eq(videos.id, videoId))
    .get();
}

export type VideoEdit = Partial<Pick<Video, "title" | "description" | "tags" | "category" | "visibility">>;

export async function updateVideo(db: Database, videoId: string, edit: VideoEdit) {
  await db.update(videos).set(edit).where(eq(videos.id, videoId));
}

/** The open upload of a video still uploading, if any (its R2 multipart must be aborted). */
export async function findUploadOf(db: Database, videoId: string) {
  return db.select().from(uploads).where(eq(uploads.videoId, videoId)).get();
}

/**
 * Deletes the video row; D1 enforces foreign keys, so its uploads and parts, job,
 * renditions, comments, likes, history, view marks, roll-ups and notifications cascade.
 */
export async function deleteVideoRow(db: Database, videoId: string) {
  await db.delete(videos).where(eq(videos.id, videoId));
}

export async function findResume(db: Database, userId: string, videoId: string) {
  return db
    .select({ position: watchHistory.position, duration: watchHistory.duration })
    .from(watchHistory)
    .where(and(eq(watchHistory.userId, userId), eq(watchHistory.videoId, videoId)))
    .get();
}
