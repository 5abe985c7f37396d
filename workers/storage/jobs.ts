import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../env";
import { transcodeJobs, videos, type TranscodeJob } from "./schema";

/** Records one delivery of a video's `video-upload` message; returns the job row. */
export async function recordDelivery(db: Database, videoId: string, sourceKey: string, now: Date): Promise<TranscodeJob> {
  const row = await db
    .insert(transcodeJobs)
    .values({ videoId, sourceKey, attempts: 1, updatedAt: now })
    .onConflictDoUpdate({
      target: transcodeJobs.videoId,
      set: { attempts: sql`${transcodeJobs.attempts} + 1`, updatedAt: now },
    })
    .returning()
    .get();
  return row;
}

export async function findVideoStatus(db: Database, videoId: string) {
  return db.select({ status: videos.status }).from(videos).where(eq(videos.id, videoId)).get();
}

/** A job whose retries ran out: the job and its video end `failed`. */
export async function failJob(db: Database, videoId: string, code: string, message: string, now: Date) {
  await db.batch([
    db.update(transcodeJobs).set({ state: "failed", lastError: message, updatedAt: now }).where(eq(transcodeJobs.videoId, videoId)),
    db
      .update(videos)
      .set({ status: "failed", errorCode: code, errorMessage: message, stage: null })
      .where(and(eq(videos.id, videoId), eq(videos.status, "processing"))),
  ]);
}
