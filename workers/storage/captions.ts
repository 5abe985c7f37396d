import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../env";
import type { CueDatabase, StoredCue } from "./caption-cues";
import * as cues from "./caption-cues";
import { type CAPTION_SOURCES, captionCues, captions } from "./schema";

/**
 * The `captions` table (migration 0011): a video's tracks, each naming where its cues live
 * (migration 0023): a version in the `CAPTIONS` database (storage/caption-cues.ts), or, for
 * a track saved before it existed and not yet moved, this database's `caption_cues`.
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

/**
 * A track's cues in order (the transcript), from where its row says they live: `CAPTIONS`
 * under the row's key, or this database's `caption_cues` for a track saved before that
 * database existed and not yet moved (`moveTracks`).
 */
export async function listCues(db: Database, cueDb: CueDatabase, videoId: string, language: string) {
  const row = await findCaption(db, videoId, language);
  if (!row) return [];
  if (row.cuesKey !== null) return cues.cuesOf(cueDb, row.cuesKey);
  return db
    .select({ start: captionCues.startMs, end: captionCues.endMs, text: captionCues.text })
    .from(captionCues)
    .where(eq(captionCues.track, row.id))
    .orderBy(asc(captionCues.startMs), asc(captionCues.id))
    .all();
}

/** A track's number (`captions.id`) by its video and language, inside a statement. */
const TRACK = "(SELECT id FROM captions WHERE video_id = ? AND language = ?)";

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
 * Stores a ready track: its cues as a new version in `CAPTIONS` first, then, in one batch
 * here, the row naming that version (and which stored file is current) with any cues this
 * database still held for the track (the triggers take them out of its index). The version
 * the row named before goes last. Cut short anywhere, the row names a whole version, old or
 * new; what no row names is the cron's to sweep.
 */
export async function saveTrack(db: Database, cueDb: CueDatabase, track: TrackWrite): Promise<void> {
  const d1 = db.$client;
  const { videoId, language, now } = track;
  const before = await findCaption(db, videoId, language);
  const [key] = await cues.writeVersions(cueDb, [{ videoId, language, cues: track.cues }], now.getTime());
  await d1.batch([
    d1
      .prepare(
        `INSERT INTO captions (video_id, language, label, source, status, rev, cue_count, error, updated_at, cues_key)
         VALUES (?, ?, ?, ?, 'ready', ?, ?, NULL, ?, ?)
         ON CONFLICT (video_id, language) DO UPDATE SET label = excluded.label, source = excluded.source,
           status = 'ready', rev = excluded.rev, cue_count = excluded.cue_count, error = NULL,
           updated_at = excluded.updated_at, cues_key = excluded.cues_key`,
      )
      .bind(videoId, language, track.label, track.source, track.rev, track.cues.length, now.getTime(), key),
    d1.prepare(`DELETE FROM caption_cues WHERE track = ${TRACK}`).bind(videoId, language),
  ]);
  if (before?.cuesKey != null) await cues.dropVersions(cueDb, [before.cuesKey]);
}

/** Changes a track's label alone (the same file sent again with another `?label=`). */
export async function relabel(db: Database, videoId: string, language: string, label: string, now: Date) {
  await db
    .update(captions)
    .set({ label, updatedAt: now })
    .where(and(eq(captions.videoId, videoId), eq(captions.language, language)));
}

/**
 * Removes a track and its cues (the track's BEFORE DELETE trigger, migration 0021, deletes
 * this database's, so they leave the transcript index; its version in `CAPTIONS` goes after);
 * true when there was one.
 */
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

const STILL_PROCESSING =
  "EXISTS (SELECT 1 FROM captions WHERE video_id = ? AND language = ? AND source = 'auto' AND status = 'processing')";

/**
 * Stores a transcribed track, only if the row is still an auto track in `processing` (the
 * owner may have uploaded a file or removed the track meanwhile): its cues as a new version in
 * `CAPTIONS`, then, in one batch here, the row naming it (conditioned on `processing`) with any
 * cues this database still held for the track. The version not kept (the row's old one, or
 * the new one when the row moved on) goes last. True when it was stored.
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
  const [, updated] = await d1.batch([
    d1
      .prepare(`DELETE FROM caption_cues WHERE track = ${TRACK} AND ${STILL_PROCESSING}`)
      .bind(videoId, language, videoId, language),
    d1
      .prepare(
        `UPDATE captions SET status = 'ready', rev = ?, cue_count = ?, error = NULL, updated_at = ?, cues_key = ?
         WHERE video_id = ? AND language = ? AND source = 'auto' AND status = 'processing'`,
      )
      .bind(track.rev, track.cues.length, track.now.getTime(), key, videoId, language),
  ]);
  const stored = (updated?.meta.changes ?? 0) > 0;
  const unnamed = stored ? before.cuesKey : key;
  if (unnamed != null) await cues.dropVersions(cueDb, [unnamed]);
  return stored;
}

/** An auto track in `processing` ends `failed` with a reason (cues of an earlier version go); true when it did. */
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
  const [, result] = await d1.batch([
    d1
      .prepare(`DELETE FROM caption_cues WHERE track = ${TRACK} AND ${STILL_PROCESSING}`)
      .bind(videoId, language, videoId, language),
    d1
      .prepare(
        `UPDATE captions SET status = 'failed', error = ?, cue_count = 0, updated_at = ?, cues_key = NULL
         WHERE video_id = ? AND language = ? AND source = 'auto' AND status = 'processing'`,
      )
      .bind(error.slice(0, 500), now.getTime(), videoId, language),
  ]);
  const failed = (result?.meta.changes ?? 0) > 0;
  if (failed && before?.cuesKey != null) await cues.dropVersions(cueDb, [before.cuesKey]);
  return failed;
}

// The move out of this database (step 2 of docs/capacity.md's "The captions move"): the cron
// moves the tracks saved before `CAPTIONS` existed, and sweeps the versions no row names.

/** A track whose cues are still in this database, with what the move checks it against. */
interface UnmovedTrack {
  id: number;
  video_id: string;
  language: string;
  rev: string | null;
  cue_count: number;
}

/**
 * Cues moved to the captions database per cron run (whole tracks): at the capacity model's
 * 64 million cues after a year, the move would take about 11 days; locally, one run.
 */
export const CUES_MOVED_PER_RUN = 20_000;

/**
 * Moves ready tracks whose cues are still here to `CAPTIONS`, oldest first, whole tracks up
 * to about `budget` cues (at least one track): each as a new version there, then in one batch
 * here each row names its version, if it still has no version and the same file (a save in
 * between wins, and the version written for it is dropped), and its cues here go (the
 * triggers take them out of this database's index). Re-runnable from any point it stops at.
 */
export async function moveTracks(db: Database, cueDb: CueDatabase, budget: number, now: number) {
  const d1 = db.$client;
  const { results: unmoved } = await d1
    .prepare(
      `SELECT id, video_id, language, rev, cue_count FROM captions
       WHERE cues_key IS NULL AND status = 'ready' ORDER BY id LIMIT 100`,
    )
    .all<UnmovedTrack>();
  const tracks: UnmovedTrack[] = [];
  let total = 0;
  for (const t of unmoved) {
    if (tracks.length && total + t.cue_count > budget) break;
    tracks.push(t);
    total += t.cue_count;
  }
  if (!tracks.length) return { tracks: 0, cues: 0 };
  const { results: rows } = await d1
    .prepare(
      `SELECT track, start_ms AS start, end_ms AS end, text FROM caption_cues
       WHERE track IN (SELECT value FROM json_each(?)) ORDER BY track, start_ms, id`,
    )
    .bind(JSON.stringify(tracks.map((t) => t.id)))
    .all<StoredCue & { track: number }>();
  const byTrack = Map.groupBy(rows, (r) => r.track);
  const versions = tracks.map((t) => ({
    videoId: t.video_id,
    language: t.language,
    cues: (byTrack.get(t.id) ?? []).map(({ start, end, text }) => ({ start, end, text })),
  }));
  const keys = await cues.writeVersions(cueDb, versions, now);
  const results = await d1.batch(
    tracks.flatMap((t, i) => [
      d1
        .prepare("UPDATE captions SET cues_key = ? WHERE id = ? AND cues_key IS NULL AND status = 'ready' AND rev IS ?")
        .bind(keys[i], t.id, t.rev),
      d1
        .prepare(
          "DELETE FROM caption_cues WHERE track = ? AND EXISTS (SELECT 1 FROM captions WHERE id = ? AND cues_key = ?)",
        )
        .bind(t.id, t.id, keys[i]),
    ]),
  );
  const lost = keys.filter((_, i) => !(results[2 * i]?.meta.changes ?? 0));
  await cues.dropVersions(cueDb, lost);
  const moved = tracks.filter((_, i) => results[2 * i]?.meta.changes);
  return { tracks: moved.length, cues: moved.reduce((n, t) => n + (byTrack.get(t.id)?.length ?? 0), 0) };
}

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
