import { and, asc, eq, lt, or } from "drizzle-orm";
import type { Database } from "../env";
import { type Upload, type UploadPart, uploadParts, uploads, type videos } from "./schema";
import { deleteUploadingVideo, insertVideo, startVideoProcessing } from "./videos";

export async function findUpload(db: Database, uploadId: string): Promise<Upload | undefined> {
  return db.select().from(uploads).where(eq(uploads.id, uploadId)).get();
}

export async function listParts(db: Database, uploadId: string): Promise<UploadPart[]> {
  return db.select().from(uploadParts).where(eq(uploadParts.uploadId, uploadId)).orderBy(asc(uploadParts.part)).all();
}

/** The video row (status `uploading`) and its upload row, in one batch. */
export async function insertVideoAndUpload(
  db: Database,
  video: typeof videos.$inferInsert,
  upload: typeof uploads.$inferInsert,
): Promise<void> {
  await db.batch([insertVideo(db, video), db.insert(uploads).values(upload)]);
}

/** Records a stored part; a re-sent part replaces the earlier one. */
export async function upsertPart(db: Database, part: { uploadId: string; part: number; size: number; etag: string }) {
  await db
    .insert(uploadParts)
    .values(part)
    .onConflictDoUpdate({
      target: [uploadParts.uploadId, uploadParts.part],
      set: { size: part.size, etag: part.etag, createdAt: new Date() },
    });
}

/**
 * Records a part stored through tus. Parts are written in order from the end of the last
 * whole part, so a stored part has consumed the tail: the tail is gone in the same batch.
 */
export async function recordTusPart(
  db: Database,
  part: { uploadId: string; part: number; size: number; etag: string },
) {
  await db.batch([
    db
      .insert(uploadParts)
      .values(part)
      .onConflictDoUpdate({
        target: [uploadParts.uploadId, uploadParts.part],
        set: { size: part.size, etag: part.etag, createdAt: new Date() },
      }),
    db.update(uploads).set({ tailSize: 0 }).where(eq(uploads.id, part.uploadId)),
  ]);
}

export async function setTailSize(db: Database, uploadId: string, tailSize: number) {
  await db.update(uploads).set({ tailSize }).where(eq(uploads.id, uploadId));
}

/**
 * Claims the right to complete an upload: only one caller gets `true` while the lease
 * holds. D1 has no interactive transactions, so the claim is one conditional UPDATE.
 */
export async function claimCompletion(db: Database, uploadId: string, now: Date, leaseMs: number): Promise<boolean> {
  const result = await db
    .update(uploads)
    .set({ status: "completing", leaseUntil: new Date(now.getTime() + leaseMs) })
    .where(
      and(
        eq(uploads.id, uploadId),
        or(eq(uploads.status, "open"), and(eq(uploads.status, "completing"), lt(uploads.leaseUntil, now))),
      ),
    )
    .run();
  return result.meta.changes === 1;
}

/** Marks the upload completed and its video `processing`, together. */
export async function markCompleted(db: Database, upload: Upload, now: Date) {
  await db.batch([
    db
      .update(uploads)
      .set({ status: "completed", completedAt: now, leaseUntil: null })
      .where(eq(uploads.id, upload.id)),
    startVideoProcessing(db, upload.videoId, upload.sourceKey),
  ]);
}

/** Gives a failed completion's claim back so the client can try again at once. */
export async function releaseCompletion(db: Database, uploadId: string) {
  await db
    .update(uploads)
    .set({ status: "open", leaseUntil: null })
    .where(and(eq(uploads.id, uploadId), eq(uploads.status, "completing")));
}

/** Removes every row of an upload that never completed: its parts, itself, its video. */
export async function deleteUploadRows(db: Database, upload: Upload) {
  await db.batch([
    db.delete(uploadParts).where(eq(uploadParts.uploadId, upload.id)),
    db.delete(uploads).where(eq(uploads.id, upload.id)),
    deleteUploadingVideo(db, upload.videoId),
  ]);
}

export async function findExpiredUploads(db: Database, now: Date, limit: number): Promise<Upload[]> {
  return db
    .select()
    .from(uploads)
    .where(
      and(
        lt(uploads.expiresAt, now),
        // A completion in flight keeps its upload until its lease runs out.
        or(eq(uploads.status, "open"), and(eq(uploads.status, "completing"), lt(uploads.leaseUntil, now))),
      ),
    )
    .limit(limit)
    .all();
}

/** The upload of a video, if it has one (an unfinished one's R2 multipart must be aborted with it). */
export async function findUploadOfVideo(db: Database, videoId: string): Promise<Upload | undefined> {
  return db.select().from(uploads).where(eq(uploads.videoId, videoId)).get();
}

/**
 * Forgets up to `limit` parts of completed uploads stored before `before` (ms), oldest first,
 * through `upload_parts_created` (migration 0019). An open upload's parts stay: they are how
 * its client resumes, and the upload expires with them. Returns how many went.
 */
export async function pruneCompletedParts(db: Database, before: number, limit: number): Promise<number> {
  const { meta } = await db.$client
    .prepare(
      `DELETE FROM upload_parts WHERE rowid IN (
         SELECT p.rowid FROM upload_parts p JOIN uploads u ON u.id = p.upload_id
         WHERE p.created_at < ?1 AND u.status = 'completed' ORDER BY p.created_at LIMIT ?2)`,
    )
    .bind(before, limit)
    .run();
  return meta.changes ?? 0;
}
