import { eq, sql } from "drizzle-orm";
import type { Database } from "../env";
import { transcodeJobs } from "./schema";

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

/** Statement (for a batch): the transcoder showed a sign of life. */
export const touchJob = (db: Database, videoId: string, now: Date) =>
  db.update(transcodeJobs).set({ lastEventAt: now, updatedAt: now }).where(eq(transcodeJobs.videoId, videoId));

/** Statement (for a batch): the job is over, `completed` or `failed` (with the reason). */
export const endJob = (db: Database, videoId: string, now: Date, error?: string) =>
  db
    .update(transcodeJobs)
    .set(
      error === undefined
        ? { state: "completed", lastEventAt: now, updatedAt: now }
        : { state: "failed", lastError: error, updatedAt: now },
    )
    .where(eq(transcodeJobs.videoId, videoId));
