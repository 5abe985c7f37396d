import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../env";
import { type CAPTION_SOURCES, captionCues, captions } from "./schema";

/** The `captions` and `caption_cues` tables (migration 0011): a video's tracks and their cues. */

export type CaptionRow = typeof captions.$inferSelect;

export interface StoredCue {
  start: number;
  end: number;
  text: string;
}

/** A video's tracks, by language. */
export function listCaptions(db: Database, videoId: string) {
  return db.select().from(captions).where(eq(captions.videoId, videoId)).orderBy(asc(captions.language)).all();
}

export function findCaption(db: Database, videoId: string, language: string) {
  return db
    .select()
    .from(captions)
    .where(and(eq(captions.videoId, videoId), eq(captions.language, language)))
    .get();
}

/** A track's cues in order (the transcript). */
export function listCues(db: Database, videoId: string, language: string): Promise<StoredCue[]> {
  return db
    .select({ start: captionCues.startMs, end: captionCues.endMs, text: captionCues.text })
    .from(captions)
    .innerJoin(captionCues, eq(captionCues.track, captions.id))
    .where(and(eq(captions.videoId, videoId), eq(captions.language, language)))
    .orderBy(asc(captionCues.startMs), asc(captionCues.id))
    .all();
}

/** A track's number (`captions.id`) by its video and language, inside a statement. */
const TRACK = "(SELECT id FROM captions WHERE video_id = ? AND language = ?)";

/** Cues written per statement: one JSON parameter each, well inside D1's statement and row limits. */
const CUES_PER_STATEMENT = 500;

export interface TrackWrite {
  videoId: string;
  language: string;
  label: string;
  source: (typeof CAPTION_SOURCES)[number];
  rev: string;
  cues: readonly StoredCue[];
  now: Date;
}

/**
 * Stores a ready track and its cues in one batch (one transaction): the old cues go, the new
 * ones come, the row says which stored file is current. The FTS triggers follow the cues.
 */
export async function saveTrack(db: Database, track: TrackWrite): Promise<void> {
  const d1 = db.$client;
  const { videoId, language, now } = track;
  // The row first: the cues name it (a replaced track keeps its number).
  const statements: D1PreparedStatement[] = [
    d1
      .prepare(
        `INSERT INTO captions (video_id, language, label, source, status, rev, cue_count, error, updated_at)
         VALUES (?, ?, ?, ?, 'ready', ?, ?, NULL, ?)
         ON CONFLICT (video_id, language) DO UPDATE SET label = excluded.label, source = excluded.source,
           status = 'ready', rev = excluded.rev, cue_count = excluded.cue_count, error = NULL,
           updated_at = excluded.updated_at`,
      )
      .bind(videoId, language, track.label, track.source, track.rev, track.cues.length, now.getTime()),
    d1.prepare(`DELETE FROM caption_cues WHERE track = ${TRACK}`).bind(videoId, language),
  ];
  for (let i = 0; i < track.cues.length; i += CUES_PER_STATEMENT) {
    const chunk = track.cues.slice(i, i + CUES_PER_STATEMENT).map((c) => [c.start, c.end, c.text]);
    statements.push(
      d1
        .prepare(
          `INSERT INTO caption_cues (track, start_ms, end_ms, text)
           SELECT ${TRACK}, value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) ORDER BY key`,
        )
        .bind(videoId, language, JSON.stringify(chunk)),
    );
  }
  await d1.batch(statements);
}

/** Changes a track's label alone (the same file sent again with another `?label=`). */
export async function relabel(db: Database, videoId: string, language: string, label: string, now: Date) {
  await db
    .update(captions)
    .set({ label, updatedAt: now })
    .where(and(eq(captions.videoId, videoId), eq(captions.language, language)));
}

/**
 * Removes a track and its cues (the track's BEFORE DELETE trigger, migration 0021, deletes them
 * first, so they leave the transcript index); true when there was one.
 */
export async function deleteTrack(db: Database, videoId: string, language: string): Promise<boolean> {
  const removed = await db.$client
    .prepare("DELETE FROM captions WHERE video_id = ? AND language = ?")
    .bind(videoId, language)
    .run();
  return removed.meta.changes > 0;
}

// Auto captions: a track the platform transcribes. It never replaces an uploaded one: every
// write below is conditioned on the row being (or becoming) an auto track.

/**
 * Puts an auto track in `processing` (a new row, or an auto track again), leaving an
 * uploaded track alone. The row as it is now, and what it was before (undefined: none).
 */
export async function markAutoProcessing(db: Database, videoId: string, language: string, label: string, now: Date) {
  const before = await findCaption(db, videoId, language);
  if (before?.source === "uploaded") return { row: before, before };
  await db.$client
    .prepare(
      `INSERT INTO captions (video_id, language, label, source, status, rev, cue_count, error, updated_at)
       VALUES (?, ?, ?, 'auto', 'processing', NULL, 0, NULL, ?)
       ON CONFLICT (video_id, language) DO UPDATE SET status = 'processing', error = NULL,
         updated_at = excluded.updated_at
       WHERE captions.source = 'auto'`,
    )
    .bind(videoId, language, label, now.getTime())
    .run();
  return { row: await findCaption(db, videoId, language), before };
}

const STILL_PROCESSING =
  "EXISTS (SELECT 1 FROM captions WHERE video_id = ? AND language = ? AND source = 'auto' AND status = 'processing')";

/**
 * Stores a transcribed track and its cues in one batch, only if the row is still an auto
 * track in `processing` (the owner may have uploaded a file or removed the track meanwhile).
 * True when it was stored.
 */
export async function finishAutoTrack(db: Database, track: Omit<TrackWrite, "source" | "label">): Promise<boolean> {
  const d1 = db.$client;
  const { videoId, language } = track;
  const statements: D1PreparedStatement[] = [
    d1
      .prepare(`DELETE FROM caption_cues WHERE track = ${TRACK} AND ${STILL_PROCESSING}`)
      .bind(videoId, language, videoId, language),
  ];
  for (let i = 0; i < track.cues.length; i += CUES_PER_STATEMENT) {
    const chunk = track.cues.slice(i, i + CUES_PER_STATEMENT).map((c) => [c.start, c.end, c.text]);
    statements.push(
      d1
        .prepare(
          `INSERT INTO caption_cues (track, start_ms, end_ms, text)
           SELECT ${TRACK}, value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) WHERE ${STILL_PROCESSING} ORDER BY key`,
        )
        .bind(videoId, language, JSON.stringify(chunk), videoId, language),
    );
  }
  statements.push(
    d1
      .prepare(
        `UPDATE captions SET status = 'ready', rev = ?, cue_count = ?, error = NULL, updated_at = ?
         WHERE video_id = ? AND language = ? AND source = 'auto' AND status = 'processing'`,
      )
      .bind(track.rev, track.cues.length, track.now.getTime(), videoId, language),
  );
  const results = await d1.batch(statements);
  return (results[results.length - 1]?.meta.changes ?? 0) > 0;
}

/** An auto track in `processing` ends `failed` with a reason (cues of an earlier version go); true when it did. */
export async function failAutoTrack(db: Database, videoId: string, language: string, error: string, now: Date) {
  const d1 = db.$client;
  const [, result] = await d1.batch([
    d1
      .prepare(`DELETE FROM caption_cues WHERE track = ${TRACK} AND ${STILL_PROCESSING}`)
      .bind(videoId, language, videoId, language),
    d1
      .prepare(
        `UPDATE captions SET status = 'failed', error = ?, cue_count = 0, updated_at = ?
         WHERE video_id = ? AND language = ? AND source = 'auto' AND status = 'processing'`,
      )
      .bind(error.slice(0, 500), now.getTime(), videoId, language),
  ]);
  return (result?.meta.changes ?? 0) > 0;
}
