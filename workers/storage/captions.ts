import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../env";
import type { CueDatabase, StoredCue } from "./caption-cues";
import * as cues from "./caption-cues";
import { type CAPTION_SOURCES, captions } from "./schema";

/**
 * The `captions` table (migration 0011): a video's tracks, each naming its cues (migration
 * 0023): a version in the `CAPTIONS` database (storage/caption-cues.ts). This database's own
 * cues were moved there by the cron of the release before 0024, which dropped them.
 */

export type CaptionRow = typeof captions.$inferSelect;
export type { CueDatabase, StoredCue };

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

/** A track's cues in order (the transcript): the version its row names in `CAPTIONS`. */
export async function listCues(db: Database, cueDb: CueDatabase, videoId: string, language: string) {
  const row = await findCaption(db, videoId, language);
  return row?.cuesKey != null ? cues.cuesOf(cueDb, row.cuesKey) : [];
}

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
 * Stores a ready track: its cues as a new version in `CAPTIONS` first, then the row here
 * naming that version (and which stored file is current). The version the row named before
 * goes last. Cut short anywhere, the row names a whole version, old or new; what no row names
 * is the cron's to sweep.
 */
export async function saveTrack(db: Database, cueDb: CueDatabase, track: TrackWrite): Promise<void> {
  const d1 = db.$client;
  const { videoId, language, now } = track;
  const before = await findCaption(db, videoId, language);
  const [key] = await cues.writeVersions(cueDb, [{ videoId, language, cues: track.cues }], now.getTime());
  await d1
    .prepare(
      `INSERT INTO captions (video_id, language, label, source, status, rev, cue_count, error, updated_at, cues_key)
       VALUES (?, ?, ?, ?, 'ready', ?, ?, NULL, ?, ?)
       ON CONFLICT (video_id, language) DO UPDATE SET label = excluded.label, source = excluded.source,
         status = 'ready', rev = excluded.rev, cue_count = excluded.cue_count, error = NULL,
         updated_at = excluded.updated_at, cues_key = excluded.cues_key`,
    )
    .bind(videoId, language, track.label, track.source, track.rev, track.cues.length, now.getTime(), key)
    .run();
  if (before?.cuesKey != null) await cues.dropVersions(cueDb, [before.cuesKey]);
}

/** Changes a track's label alone (the same file sent again with another `?label=`). */
export async function relabel(db: Database, videoId: string, language: string, label: string, now: Date) {
  await db
    .update(captions)
    .set({ label, updatedAt: now })
    .where(and(eq(captions.videoId, videoId), eq(captions.language, language)));
}

/** Removes a track, then its version in `CAPTIONS`; true when there was one. */
export async function deleteTrack(db: Database, cueDb: CueDatabase, videoId: string, language: string) {
  const removed = await db.$client
    .prepare("DELETE FROM captions WHERE video_id = ? AND language = ? RETURNING cues_key")
    .bind(videoId, language)
    .all<{ cues_key: number | null }>();
  const keys = removed.results.flatMap((r) => (r.cues_key === null ? [] : [r.cues_key]));
  await cues.dropVersions(cueDb, keys);
  return removed.results.length > 0;
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

/**
 * Stores a transcribed track, only if the row is still an auto track in `processing` (the
 * owner may have uploaded a file or removed the track meanwhile): its cues as a new version in
 * `CAPTIONS`, then the row here naming it (conditioned on `processing`). The version not kept
 * (the row's old one, or the new one when the row moved on) goes last. True when it was stored.
 */
export async function finishAutoTrack(
  db: Database,
  cueDb: CueDatabase,
  track: Omit<TrackWrite, "source" | "label">,
): Promise<boolean> {
  const d1 = db.$client;
  const { videoId, language } = track;
  const before = await findCaption(db, videoId, language);
  if (before?.source !== "auto" || before.status !== "processing") return false;
  const [key] = await cues.writeVersions(cueDb, [{ videoId, language, cues: track.cues }], track.now.getTime());
  const updated = await d1
    .prepare(
      `UPDATE captions SET status = 'ready', rev = ?, cue_count = ?, error = NULL, updated_at = ?, cues_key = ?
       WHERE video_id = ? AND language = ? AND source = 'auto' AND status = 'processing'`,
    )
    .bind(track.rev, track.cues.length, track.now.getTime(), key, videoId, language)
    .run();
  const stored = updated.meta.changes > 0;
  const unnamed = stored ? before.cuesKey : key;
  if (unnamed != null) await cues.dropVersions(cueDb, [unnamed]);
  return stored;
}

/** An auto track in `processing` ends `failed` with a reason (an earlier version's cues go); true when it did. */
export async function failAutoTrack(
  db: Database,
  cueDb: CueDatabase,
  videoId: string,
  language: string,
  error: string,
  now: Date,
) {
  const d1 = db.$client;
  const before = await findCaption(db, videoId, language);
  const result = await d1
    .prepare(
      `UPDATE captions SET status = 'failed', error = ?, cue_count = 0, updated_at = ?, cues_key = NULL
       WHERE video_id = ? AND language = ? AND source = 'auto' AND status = 'processing'`,
    )
    .bind(error.slice(0, 500), now.getTime(), videoId, language)
    .run();
  const failed = result.meta.changes > 0;
  if (failed && before?.cuesKey != null) await cues.dropVersions(cueDb, [before.cuesKey]);
  return failed;
}

// The sweep: versions in `CAPTIONS` that no track row names.

/** How long a version may stay unnamed before the sweep drops it: a save names its version within seconds. */
export const UNNAMED_GRACE_MS = 60 * 60 * 1000;

/**
 * One page of the sweep: the `limit` versions after key `after` (wrapping round to the
 * smallest keys), and of those, the ones no track row names and older than UNNAMED_GRACE_MS
 * dropped (a track replaced or deleted while `CAPTIONS` could not be reached, a video or an
 * account deleted, a save cut short). The number dropped.
 */
export async function sweepVersions(db: Database, cueDb: CueDatabase, after: number, limit: number, now: number) {
  const page = await cues.versionsAfter(cueDb, after, limit);
  if (page.length < limit && after > 0) {
    const seen = new Set(page.map((v) => v.id));
    for (const v of await cues.versionsAfter(cueDb, 0, limit - page.length)) if (!seen.has(v.id)) page.push(v);
  }
  if (!page.length) return 0;
  const { results: named } = await db.$client
    .prepare("SELECT cues_key FROM captions WHERE cues_key IN (SELECT value FROM json_each(?))")
    .bind(JSON.stringify(page.map((v) => v.id)))
    .all<{ cues_key: number }>();
  const keep = new Set(named.map((r) => r.cues_key));
  const unnamed = page.filter((v) => !keep.has(v.id) && v.created_at < now - UNNAMED_GRACE_MS).map((v) => v.id);
  await cues.dropVersions(cueDb, unnamed);
  return unnamed.length;
}
