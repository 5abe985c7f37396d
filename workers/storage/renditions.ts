import { asc, eq } from "drizzle-orm";
import type { Database } from "../env";
import { renditions } from "./schema";

/** A finished rendition as the transcoder described it. */
export type NewRendition = Omit<typeof renditions.$inferInsert, "videoId" | "createdAt">;

export async function listRenditions(db: Database, videoId: string) {
  return db.select().from(renditions).where(eq(renditions.videoId, videoId)).orderBy(asc(renditions.height)).all();
}

/** Statement (for a batch): stores a rendition, replacing one of the same name. */
export function upsertRendition(db: Database, videoId: string, rendition: NewRendition) {
  return db
    .insert(renditions)
    .values({ ...rendition, videoId })
    .onConflictDoUpdate({ target: [renditions.videoId, renditions.name], set: rendition });
}

/** Statement (for a batch): forgets every rendition of a video. */
export const deleteRenditions = (db: Database, videoId: string) =>
  db.delete(renditions).where(eq(renditions.videoId, videoId));
