import type { D1Client } from "../env";

/**
 * The `CAPTIONS` database (wrangler.toml; migrations/captions): caption cues and their
 * transcript index, out of the catalogue's `DB` (issue 23, docs/capacity.md "The captions
 * move"). A `caption_tracks` row is one saved version of a track, under a key never used
 * before; `DB`'s `captions` row names the version that is current (`cues_key`). Versions are
 * written whole before a row names them and dropped after no row does, so a reader that goes
 * through the row never sees half a version; what a cut-short save or a cascade leaves
 * unnamed, the cron sweeps (storage/captions.ts `sweepVersions`).
 */
export type CueDatabase = D1Client;

export interface StoredCue {
  start: number;
  end: number;
  text: string;
}

/** Cues written per statement: one JSON parameter each, well inside D1's statement and row limits. */
export const CUES_PER_STATEMENT = 500;

export interface CueVersion {
  videoId: string;
  language: string;
  cues: readonly StoredCue[];
}

/**
 * The statements writing `version`: its row, whose key the database draws (AUTOINCREMENT:
 * never used before) and answers, then its cues in order, naming the newest row (this one: a
 * batch is one transaction, and no other statement runs in between).
 */
function versionStatements(db: CueDatabase, version: CueVersion, now: number): D1PreparedStatement[] {
  const statements = [
    db
      .prepare("INSERT INTO caption_tracks (video_id, language, created_at) VALUES (?, ?, ?) RETURNING id")
      .bind(version.videoId, version.language, now),
  ];
  for (let i = 0; i < version.cues.length; i += CUES_PER_STATEMENT) {
    const chunk = version.cues.slice(i, i + CUES_PER_STATEMENT).map((c) => [c.start, c.end, c.text]);
    statements.push(
      db
        .prepare(
          `INSERT INTO caption_cues (track, start_ms, end_ms, text)
           SELECT (SELECT max(id) FROM caption_tracks), value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) ORDER BY key`,
        )
        .bind(JSON.stringify(chunk)),
    );
  }
  return statements;
}

/** Writes each version whole, all in one batch (one transaction); their keys, in order. */
export async function writeVersions(db: CueDatabase, versions: readonly CueVersion[], now: number): Promise<number[]> {
  if (!versions.length) return [];
  const each = versions.map((v) => versionStatements(db, v, now));
  const results = await db.batch<{ id: number }>(each.flat());
  const keys: number[] = [];
  let at = 0;
  for (const statements of each) {
    const key = results[at]?.results[0]?.id;
    if (typeof key !== "number") throw new Error("caption_tracks answered no key");
    keys.push(key);
    at += statements.length;
  }
  return keys;
}

/** The largest key given so far (0 before any): where the sweep's pages end. */
export async function lastKey(db: CueDatabase): Promise<number> {
  const row = await db
    .prepare("SELECT seq FROM sqlite_sequence WHERE name = 'caption_tracks'")
    .first<{ seq: number }>();
  return row?.seq ?? 0;
}

/** Drops versions by key with their cues (the foreign key's cascade; the trigger unindexes each cue). */
export async function dropVersions(db: CueDatabase, keys: readonly number[]): Promise<void> {
  if (!keys.length) return;
  await db
    .prepare("DELETE FROM caption_tracks WHERE id IN (SELECT value FROM json_each(?))")
    .bind(JSON.stringify(keys))
    .run();
}

/** Drops every version of a video's tracks (the video is deleted). */
export async function dropVideoVersions(db: CueDatabase, videoId: string): Promise<void> {
  await db.prepare("DELETE FROM caption_tracks WHERE video_id = ?").bind(videoId).run();
}

/** A version's cues in order (the transcript). */
export async function cuesOf(db: CueDatabase, key: number): Promise<StoredCue[]> {
  const { results } = await db
    .prepare("SELECT start_ms AS start, end_ms AS end, text FROM caption_cues WHERE track = ? ORDER BY start_ms, id")
    .bind(key)
    .all<StoredCue>();
  return results;
}

/**
 * The next `limit` versions after key `after`, by key, with when each was written: a page of
 * the cron's sweep, which goes round the whole table a page per run.
 */
export async function versionsAfter(db: CueDatabase, after: number, limit: number) {
  const { results } = await db
    .prepare("SELECT id, created_at FROM caption_tracks WHERE id > ? ORDER BY id LIMIT ?")
    .bind(after, limit)
    .all<{ id: number; created_at: number }>();
  return results;
}
